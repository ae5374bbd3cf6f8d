ALTER TABLE "order_lines" ADD COLUMN "allocated_at_creation" integer;--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at");