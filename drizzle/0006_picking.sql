CREATE TABLE "pick_list_lines" (
	"id" uuid PRIMARY KEY NOT NULL,
	"pick_list_id" uuid NOT NULL,
	"bin_id" uuid NOT NULL,
	"variant_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"picked_quantity" integer DEFAULT 0 NOT NULL,
	"pick_sequence" integer NOT NULL,
	CONSTRAINT "pick_list_lines_picked" CHECK ("pick_list_lines"."picked_quantity" >= 0 and "pick_list_lines"."picked_quantity" <= "pick_list_lines"."quantity")
);
--> statement-breakpoint
CREATE TABLE "pick_list_orders" (
	"pick_list_id" uuid NOT NULL,
	"fulfillment_order_id" uuid NOT NULL,
	CONSTRAINT "pick_list_orders_pick_list_id_fulfillment_order_id_pk" PRIMARY KEY("pick_list_id","fulfillment_order_id")
);
--> statement-breakpoint
CREATE TABLE "pick_lists" (
	"id" uuid PRIMARY KEY NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"completed_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pick_list_lines" ADD CONSTRAINT "pick_list_lines_pick_list_id_pick_lists_id_fk" FOREIGN KEY ("pick_list_id") REFERENCES "public"."pick_lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pick_list_lines" ADD CONSTRAINT "pick_list_lines_variant_id_product_variants_id_fk" FOREIGN KEY ("variant_id") REFERENCES "public"."product_variants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pick_list_orders" ADD CONSTRAINT "pick_list_orders_pick_list_id_pick_lists_id_fk" FOREIGN KEY ("pick_list_id") REFERENCES "public"."pick_lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pick_list_orders" ADD CONSTRAINT "pick_list_orders_fulfillment_order_id_fulfillment_orders_id_fk" FOREIGN KEY ("fulfillment_order_id") REFERENCES "public"."fulfillment_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pick_lists" ADD CONSTRAINT "pick_lists_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "public"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pick_list_lines_list_idx" ON "pick_list_lines" USING btree ("pick_list_id");--> statement-breakpoint
CREATE INDEX "pick_lists_warehouse_idx" ON "pick_lists" USING btree ("warehouse_id");