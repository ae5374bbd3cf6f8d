CREATE TABLE "forecast_snapshots" (
	"variant_id" uuid NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"week_start" date NOT NULL,
	"units" double precision NOT NULL,
	"made_at" timestamp with time zone NOT NULL,
	CONSTRAINT "forecast_snapshots_variant_id_warehouse_id_week_start_pk" PRIMARY KEY("variant_id","warehouse_id","week_start")
);
--> statement-breakpoint
ALTER TABLE "forecast_snapshots" ADD CONSTRAINT "forecast_snapshots_variant_id_product_variants_id_fk" FOREIGN KEY ("variant_id") REFERENCES "public"."product_variants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "forecast_snapshots" ADD CONSTRAINT "forecast_snapshots_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "public"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "forecast_snapshots_week_idx" ON "forecast_snapshots" USING btree ("week_start");