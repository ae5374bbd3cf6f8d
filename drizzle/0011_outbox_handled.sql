ALTER TABLE "outbox" ADD COLUMN "handled_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "outbox_unhandled_idx" ON "outbox" USING btree ("id") WHERE "outbox"."handled_at" is null;--> statement-breakpoint
-- Rows published before this migration were handled in the same transaction.
UPDATE "outbox" SET "handled_at" = "published_at" WHERE "published_at" IS NOT NULL;
