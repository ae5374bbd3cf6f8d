CREATE TABLE "kpi_daily_durations" (
	"day" date NOT NULL,
	"kind" smallint NOT NULL,
	"bin" integer NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "kpi_daily_durations_day_kind_bin_pk" PRIMARY KEY("day","kind","bin")
);
--> statement-breakpoint
CREATE INDEX "kpi_order_facts_ship_bin_idx" ON "kpi_order_facts" USING btree ((floor("ship_hours")::int),"placed_at","ship_hours");--> statement-breakpoint
CREATE INDEX "kpi_order_facts_deliver_bin_idx" ON "kpi_order_facts" USING btree ((floor("deliver_hours")::int),"placed_at","deliver_hours");