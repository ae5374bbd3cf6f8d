CREATE TABLE "kpi_daily_picks" (
	"day" date NOT NULL,
	"channel" text NOT NULL,
	"order_warehouse_ids" uuid[] NOT NULL,
	"order_carrier_ids" uuid[] NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"facts" integer NOT NULL,
	"picked_units" bigint NOT NULL,
	CONSTRAINT "kpi_daily_picks_day_channel_order_warehouse_ids_order_carrier_ids_warehouse_id_pk" PRIMARY KEY("day","channel","order_warehouse_ids","order_carrier_ids","warehouse_id")
);
--> statement-breakpoint
CREATE TABLE "kpi_dirty_scans" (
	"warehouse_id" uuid NOT NULL,
	"actor" text NOT NULL,
	"scanned_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpi_pick_facts" (
	"order_id" uuid NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"placed_at" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"order_warehouse_ids" uuid[] NOT NULL,
	"order_carrier_ids" uuid[] NOT NULL,
	"picked_units" integer NOT NULL,
	CONSTRAINT "kpi_pick_facts_order_id_warehouse_id_pk" PRIMARY KEY("order_id","warehouse_id")
);
--> statement-breakpoint
CREATE TABLE "kpi_scan_days" (
	"day" date NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"actor" text NOT NULL,
	"kind" text NOT NULL,
	"scans" integer NOT NULL,
	"matched" integer NOT NULL,
	"units" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"gap_seconds" double precision NOT NULL,
	CONSTRAINT "kpi_scan_days_day_warehouse_id_actor_kind_pk" PRIMARY KEY("day","warehouse_id","actor","kind")
);
--> statement-breakpoint
CREATE INDEX "kpi_pick_facts_placed_idx" ON "kpi_pick_facts" USING btree ("placed_at");--> statement-breakpoint
CREATE INDEX "warehouse_scans_actor_idx" ON "warehouse_scans" USING btree ("warehouse_id","actor","scanned_at");