CREATE TABLE "warehouse_scans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"pick_list_id" uuid,
	"fulfillment_order_id" uuid,
	"variant_id" uuid,
	"bin_barcode" text,
	"item_barcode" text NOT NULL,
	"quantity" integer NOT NULL,
	"matched" boolean NOT NULL,
	"error_code" text,
	"scanned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "warehouse_scans_subject" CHECK (("warehouse_scans"."kind" = 'PICK') = ("warehouse_scans"."pick_list_id" is not null) and ("warehouse_scans"."kind" = 'PACK') = ("warehouse_scans"."fulfillment_order_id" is not null)),
	CONSTRAINT "warehouse_scans_matched" CHECK ("warehouse_scans"."matched" = ("warehouse_scans"."error_code" is null) and "warehouse_scans"."quantity" > 0)
);
--> statement-breakpoint
ALTER TABLE "warehouse_scans" ADD CONSTRAINT "warehouse_scans_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "public"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warehouse_scans" ADD CONSTRAINT "warehouse_scans_pick_list_id_pick_lists_id_fk" FOREIGN KEY ("pick_list_id") REFERENCES "public"."pick_lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warehouse_scans" ADD CONSTRAINT "warehouse_scans_fulfillment_order_id_fulfillment_orders_id_fk" FOREIGN KEY ("fulfillment_order_id") REFERENCES "public"."fulfillment_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warehouse_scans" ADD CONSTRAINT "warehouse_scans_variant_id_product_variants_id_fk" FOREIGN KEY ("variant_id") REFERENCES "public"."product_variants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "warehouse_scans_wh_time_idx" ON "warehouse_scans" USING btree ("warehouse_id","scanned_at");--> statement-breakpoint
CREATE INDEX "warehouse_scans_time_idx" ON "warehouse_scans" USING btree ("scanned_at");--> statement-breakpoint
CREATE INDEX "warehouse_scans_pick_list_idx" ON "warehouse_scans" USING btree ("pick_list_id");--> statement-breakpoint
CREATE INDEX "warehouse_scans_fo_idx" ON "warehouse_scans" USING btree ("fulfillment_order_id");