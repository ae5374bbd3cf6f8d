ALTER TABLE "fulfillment_orders" ADD COLUMN "packed_weight_grams" integer;--> statement-breakpoint
ALTER TABLE "fulfillment_orders" ADD COLUMN "packed_length_mm" integer;--> statement-breakpoint
ALTER TABLE "fulfillment_orders" ADD COLUMN "packed_width_mm" integer;--> statement-breakpoint
ALTER TABLE "fulfillment_orders" ADD COLUMN "packed_height_mm" integer;--> statement-breakpoint
ALTER TABLE "fulfillment_orders" ADD COLUMN "packed_at" timestamp with time zone;