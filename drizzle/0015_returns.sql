CREATE SEQUENCE "public"."return_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 100001 CACHE 1;--> statement-breakpoint
CREATE TABLE "return_claims" (
	"order_line_id" uuid PRIMARY KEY NOT NULL,
	"claimed" integer NOT NULL,
	CONSTRAINT "return_claims_claimed" CHECK ("return_claims"."claimed" >= 0)
);
--> statement-breakpoint
CREATE TABLE "return_events" (
	"return_request_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"status" text NOT NULL,
	"previous_status" text,
	"message" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "return_events_return_request_id_sequence_pk" PRIMARY KEY("return_request_id","sequence")
);
--> statement-breakpoint
CREATE TABLE "return_line_dispositions" (
	"return_line_id" uuid NOT NULL,
	"disposition" text NOT NULL,
	"quantity" integer NOT NULL,
	CONSTRAINT "return_line_dispositions_return_line_id_disposition_pk" PRIMARY KEY("return_line_id","disposition"),
	CONSTRAINT "return_line_dispositions_qty" CHECK ("return_line_dispositions"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "return_lines" (
	"id" uuid PRIMARY KEY NOT NULL,
	"return_request_id" uuid NOT NULL,
	"order_line_id" uuid NOT NULL,
	"variant_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"reason" text NOT NULL,
	"comment" text,
	"received_quantity" integer DEFAULT 0 NOT NULL,
	"missing_quantity" integer DEFAULT 0 NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "return_lines_qty" CHECK ("return_lines"."quantity" > 0 and "return_lines"."received_quantity" >= 0 and "return_lines"."missing_quantity" >= 0 and "return_lines"."received_quantity" + "return_lines"."missing_quantity" <= "return_lines"."quantity")
);
--> statement-breakpoint
CREATE TABLE "return_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"window_days" integer DEFAULT 14 NOT NULL,
	"restocking_fee_percent" double precision DEFAULT 0 NOT NULL,
	"non_returnable_categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"auto_approve_max_minor" integer,
	"auto_approve_currency" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "return_policies_window" CHECK ("return_policies"."window_days" between 0 and 365),
	CONSTRAINT "return_policies_fee" CHECK ("return_policies"."restocking_fee_percent" between 0 and 100),
	CONSTRAINT "return_policies_auto" CHECK (("return_policies"."auto_approve_max_minor" is null) = ("return_policies"."auto_approve_currency" is null))
);
--> statement-breakpoint
CREATE TABLE "return_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"order_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"warehouse_id" uuid,
	"status" text NOT NULL,
	"last_sequence" integer DEFAULT 1 NOT NULL,
	"rejection_reason" text,
	"return_shipment_id" uuid,
	"requested_by" text,
	"currency" text NOT NULL,
	"refund_amount_minor" integer,
	"refund_shipping_minor" integer,
	"refund_restocking_fee_minor" integer,
	"refund_external_reference" text,
	"refunded_at" timestamp with time zone,
	"received_at" timestamp with time zone,
	"inspected_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "return_requests_number_unique" UNIQUE("number")
);
--> statement-breakpoint
ALTER TABLE "shipments" DROP CONSTRAINT "shipments_fulfillment_order_id_unique";--> statement-breakpoint
ALTER TABLE "shipments" ADD COLUMN "direction" text DEFAULT 'OUTBOUND' NOT NULL;--> statement-breakpoint
ALTER TABLE "return_claims" ADD CONSTRAINT "return_claims_order_line_id_order_lines_id_fk" FOREIGN KEY ("order_line_id") REFERENCES "public"."order_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_events" ADD CONSTRAINT "return_events_return_request_id_return_requests_id_fk" FOREIGN KEY ("return_request_id") REFERENCES "public"."return_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_line_dispositions" ADD CONSTRAINT "return_line_dispositions_return_line_id_return_lines_id_fk" FOREIGN KEY ("return_line_id") REFERENCES "public"."return_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_lines" ADD CONSTRAINT "return_lines_return_request_id_return_requests_id_fk" FOREIGN KEY ("return_request_id") REFERENCES "public"."return_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_lines" ADD CONSTRAINT "return_lines_order_line_id_order_lines_id_fk" FOREIGN KEY ("order_line_id") REFERENCES "public"."order_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_lines" ADD CONSTRAINT "return_lines_variant_id_product_variants_id_fk" FOREIGN KEY ("variant_id") REFERENCES "public"."product_variants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_requests" ADD CONSTRAINT "return_requests_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_requests" ADD CONSTRAINT "return_requests_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_requests" ADD CONSTRAINT "return_requests_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "public"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_requests" ADD CONSTRAINT "return_requests_return_shipment_id_shipments_id_fk" FOREIGN KEY ("return_shipment_id") REFERENCES "public"."shipments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "return_lines_return_idx" ON "return_lines" USING btree ("return_request_id");--> statement-breakpoint
CREATE INDEX "return_lines_order_line_idx" ON "return_lines" USING btree ("order_line_id");--> statement-breakpoint
CREATE INDEX "return_requests_order_idx" ON "return_requests" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "return_requests_customer_idx" ON "return_requests" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "return_requests_status_idx" ON "return_requests" USING btree ("status");--> statement-breakpoint
CREATE INDEX "return_requests_created_idx" ON "return_requests" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "shipments_fulfillment_order_outbound_uq" ON "shipments" USING btree ("fulfillment_order_id") WHERE "shipments"."direction" = 'OUTBOUND';