CREATE TABLE "kpi_bin_days" (
	"bin_id" uuid NOT NULL,
	"day" date NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"end_quantity" bigint NOT NULL,
	"ev" smallint NOT NULL,
	CONSTRAINT "kpi_bin_days_bin_id_day_pk" PRIMARY KEY("bin_id","day")
);
--> statement-breakpoint
CREATE TABLE "kpi_dirty_costs" (
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpi_dirty_stock" (
	"variant_id" uuid NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"bin_id" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpi_stock_days" (
	"warehouse_id" uuid NOT NULL,
	"variant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"net" bigint NOT NULL,
	"shipped" bigint NOT NULL,
	"end_quantity" bigint NOT NULL,
	CONSTRAINT "kpi_stock_days_warehouse_id_variant_id_day_pk" PRIMARY KEY("warehouse_id","variant_id","day")
);
--> statement-breakpoint
CREATE TABLE "kpi_stock_pairs" (
	"warehouse_id" uuid NOT NULL,
	"variant_id" uuid NOT NULL,
	"first_stocked_at" timestamp with time zone NOT NULL,
	CONSTRAINT "kpi_stock_pairs_warehouse_id_variant_id_pk" PRIMARY KEY("warehouse_id","variant_id")
);
--> statement-breakpoint
CREATE TABLE "kpi_stock_value_days" (
	"day" date NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"net_value" bigint NOT NULL,
	"cogs" bigint NOT NULL,
	CONSTRAINT "kpi_stock_value_days_day_warehouse_id_currency_pk" PRIMARY KEY("day","warehouse_id","currency")
);
--> statement-breakpoint
CREATE TABLE "kpi_stock_warehouse_days" (
	"day" date NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"net" bigint NOT NULL,
	"shipped" bigint NOT NULL,
	"bin_ev" integer NOT NULL,
	CONSTRAINT "kpi_stock_warehouse_days_day_warehouse_id_pk" PRIMARY KEY("day","warehouse_id")
);
--> statement-breakpoint
CREATE TABLE "kpi_stockout_spans" (
	"warehouse_id" uuid NOT NULL,
	"variant_id" uuid NOT NULL,
	"from_at" timestamp with time zone NOT NULL,
	"to_at" timestamp with time zone,
	CONSTRAINT "kpi_stockout_spans_warehouse_id_variant_id_from_at_pk" PRIMARY KEY("warehouse_id","variant_id","from_at")
);
--> statement-breakpoint
DROP INDEX "inventory_movements_variant_warehouse_idx";--> statement-breakpoint
CREATE INDEX "kpi_bin_days_day_idx" ON "kpi_bin_days" USING btree ("warehouse_id","day");--> statement-breakpoint
CREATE INDEX "kpi_stock_days_day_idx" ON "kpi_stock_days" USING btree ("warehouse_id","day");--> statement-breakpoint
CREATE INDEX "kpi_stockout_spans_from_idx" ON "kpi_stockout_spans" USING btree ("from_at");--> statement-breakpoint
CREATE INDEX "inventory_movements_bin_idx" ON "inventory_movements" USING btree ("bin_id","created_at");--> statement-breakpoint
CREATE INDEX "inventory_movements_created_idx" ON "inventory_movements" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "inventory_movements_variant_warehouse_idx" ON "inventory_movements" USING btree ("variant_id","warehouse_id","created_at");