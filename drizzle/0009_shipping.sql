CREATE TABLE "route_plans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"date" text NOT NULL,
	"routes" jsonb NOT NULL,
	"unassigned" jsonb NOT NULL,
	"vehicles_used" integer NOT NULL,
	"total_distance_km" double precision NOT NULL,
	"total_duration_minutes" double precision NOT NULL,
	"solve_ms" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "carrier_rates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"service_id" uuid NOT NULL,
	"country_code" text NOT NULL,
	"region" text,
	"postal_code_prefix" text,
	"max_weight_grams" integer NOT NULL,
	"price_minor" integer NOT NULL,
	"currency" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "carrier_services" (
	"id" uuid PRIMARY KEY NOT NULL,
	"carrier_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"delivery_type" text NOT NULL,
	"transit_days_min" integer NOT NULL,
	"transit_days_max" integer NOT NULL,
	"volumetric_divisor" integer NOT NULL,
	"max_weight_grams" integer NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "carrier_services_code_unique" UNIQUE("code"),
	CONSTRAINT "carrier_services_transit" CHECK ("carrier_services"."transit_days_min" >= 0 and "carrier_services"."transit_days_max" >= "carrier_services"."transit_days_min")
);
--> statement-breakpoint
CREATE TABLE "carriers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"adapter" text DEFAULT 'rate_card' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "carriers_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "pickup_point_usage" (
	"pickup_point_id" uuid NOT NULL,
	"day" date NOT NULL,
	"used" integer NOT NULL,
	CONSTRAINT "pickup_point_usage_pickup_point_id_day_pk" PRIMARY KEY("pickup_point_id","day"),
	CONSTRAINT "pickup_point_usage_nonneg" CHECK ("pickup_point_usage"."used" >= 0)
);
--> statement-breakpoint
CREATE TABLE "pickup_points" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"carrier_id" uuid,
	"address" jsonb NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"daily_capacity" integer NOT NULL,
	"opening_hours" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pickup_points_code_unique" UNIQUE("code"),
	CONSTRAINT "pickup_points_capacity" CHECK ("pickup_points"."daily_capacity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "shipments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"fulfillment_order_id" uuid NOT NULL,
	"carrier_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"tracking_number" text NOT NULL,
	"status" text NOT NULL,
	"cost_minor" integer NOT NULL,
	"currency" text NOT NULL,
	"weight_grams" integer NOT NULL,
	"parcel" jsonb NOT NULL,
	"label_format" text NOT NULL,
	"label_content" text NOT NULL,
	"label_zpl" text,
	"destination_city" text,
	"pickup_point_id" uuid,
	"estimated_delivery_from" timestamp with time zone,
	"estimated_delivery_to" timestamp with time zone,
	"last_event_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "shipments_fulfillment_order_id_unique" UNIQUE("fulfillment_order_id"),
	CONSTRAINT "shipments_tracking_number_unique" UNIQUE("tracking_number")
);
--> statement-breakpoint
CREATE TABLE "tracking_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"shipment_id" uuid NOT NULL,
	"carrier_id" uuid NOT NULL,
	"external_event_id" text NOT NULL,
	"status" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"location" text,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tracking_events_carrier_external_uq" UNIQUE("carrier_id","external_event_id")
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "carrier_service_code" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "pickup_point_id" uuid;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "estimated_delivery_from" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "estimated_delivery_to" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "warehouses" ADD COLUMN "cutoff_time" text DEFAULT '14:00' NOT NULL;--> statement-breakpoint
ALTER TABLE "warehouses" ADD COLUMN "timezone" text DEFAULT 'Europe/Moscow' NOT NULL;--> statement-breakpoint
ALTER TABLE "route_plans" ADD CONSTRAINT "route_plans_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "public"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_rates" ADD CONSTRAINT "carrier_rates_service_id_carrier_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."carrier_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_services" ADD CONSTRAINT "carrier_services_carrier_id_carriers_id_fk" FOREIGN KEY ("carrier_id") REFERENCES "public"."carriers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pickup_point_usage" ADD CONSTRAINT "pickup_point_usage_pickup_point_id_pickup_points_id_fk" FOREIGN KEY ("pickup_point_id") REFERENCES "public"."pickup_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pickup_points" ADD CONSTRAINT "pickup_points_carrier_id_carriers_id_fk" FOREIGN KEY ("carrier_id") REFERENCES "public"."carriers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_fulfillment_order_id_fulfillment_orders_id_fk" FOREIGN KEY ("fulfillment_order_id") REFERENCES "public"."fulfillment_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_carrier_id_carriers_id_fk" FOREIGN KEY ("carrier_id") REFERENCES "public"."carriers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_service_id_carrier_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."carrier_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_pickup_point_id_pickup_points_id_fk" FOREIGN KEY ("pickup_point_id") REFERENCES "public"."pickup_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_shipment_id_shipments_id_fk" FOREIGN KEY ("shipment_id") REFERENCES "public"."shipments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_carrier_id_carriers_id_fk" FOREIGN KEY ("carrier_id") REFERENCES "public"."carriers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "route_plans_warehouse_date_idx" ON "route_plans" USING btree ("warehouse_id","date");--> statement-breakpoint
CREATE INDEX "carrier_rates_service_country_idx" ON "carrier_rates" USING btree ("service_id","country_code");--> statement-breakpoint
CREATE INDEX "carrier_services_carrier_idx" ON "carrier_services" USING btree ("carrier_id");--> statement-breakpoint
CREATE INDEX "pickup_points_lat_lng_idx" ON "pickup_points" USING btree ("lat","lng");--> statement-breakpoint
CREATE INDEX "shipments_order_idx" ON "shipments" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "shipments_service_created_idx" ON "shipments" USING btree ("service_id","created_at");--> statement-breakpoint
CREATE INDEX "shipments_carrier_status_idx" ON "shipments" USING btree ("carrier_id","status");--> statement-breakpoint
CREATE INDEX "tracking_events_shipment_idx" ON "tracking_events" USING btree ("shipment_id","occurred_at");