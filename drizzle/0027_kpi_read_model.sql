CREATE TABLE "kpi_daily_orders" (
	"day" date NOT NULL,
	"channel" text NOT NULL,
	"currency" text NOT NULL,
	"warehouse_ids" uuid[] NOT NULL,
	"carrier_ids" uuid[] NOT NULL,
	"orders" integer NOT NULL,
	"units" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	"at_once" bigint NOT NULL,
	"at_once_known" bigint NOT NULL,
	"backordered" integer NOT NULL,
	"shipped_units" bigint NOT NULL,
	"returned_units" bigint NOT NULL,
	"ship_n" integer NOT NULL,
	"ship_sum" double precision NOT NULL,
	"deliver_n" integer NOT NULL,
	"deliver_sum" double precision NOT NULL,
	CONSTRAINT "kpi_daily_orders_day_channel_currency_warehouse_ids_carrier_ids_pk" PRIMARY KEY("day","channel","currency","warehouse_ids","carrier_ids")
);
--> statement-breakpoint
CREATE TABLE "kpi_daily_shipments" (
	"day" date NOT NULL,
	"channel" text NOT NULL,
	"currency" text NOT NULL,
	"order_warehouse_ids" uuid[] NOT NULL,
	"order_carrier_ids" uuid[] NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"carrier_id" uuid NOT NULL,
	"shipments" integer NOT NULL,
	"cost_minor" bigint NOT NULL,
	"delivered_with_estimate" integer NOT NULL,
	"on_time" integer NOT NULL,
	CONSTRAINT "kpi_daily_shipments_day_channel_currency_order_warehouse_ids_order_carrier_ids_warehouse_id_carrier_id_pk" PRIMARY KEY("day","channel","currency","order_warehouse_ids","order_carrier_ids","warehouse_id","carrier_id")
);
--> statement-breakpoint
CREATE TABLE "kpi_dirty_orders" (
	"order_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpi_order_facts" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"placed_at" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"currency" text NOT NULL,
	"warehouse_ids" uuid[] NOT NULL,
	"carrier_ids" uuid[] NOT NULL,
	"units" integer NOT NULL,
	"total_minor" bigint NOT NULL,
	"at_once" integer NOT NULL,
	"at_once_known" integer NOT NULL,
	"backordered" integer NOT NULL,
	"shipped_units" integer NOT NULL,
	"returned_units" integer NOT NULL,
	"ship_hours" double precision,
	"deliver_hours" double precision
);
--> statement-breakpoint
CREATE TABLE "kpi_shipment_facts" (
	"shipment_id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"placed_at" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"order_warehouse_ids" uuid[] NOT NULL,
	"order_carrier_ids" uuid[] NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"carrier_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"cost_minor" bigint NOT NULL,
	"delivered_with_estimate" integer NOT NULL,
	"on_time" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpi_state" (
	"id" text PRIMARY KEY NOT NULL,
	"time_zone" text NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "kpi_order_facts_placed_idx" ON "kpi_order_facts" USING btree ("placed_at");--> statement-breakpoint
CREATE INDEX "kpi_shipment_facts_order_idx" ON "kpi_shipment_facts" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "kpi_shipment_facts_placed_idx" ON "kpi_shipment_facts" USING btree ("placed_at");