CREATE TABLE "notification_events" (
	"notification_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"status" text NOT NULL,
	"previous_status" text,
	"message" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_events_notification_id_sequence_pk" PRIMARY KEY("notification_id","sequence")
);
--> statement-breakpoint
CREATE TABLE "webhook_delivery_events" (
	"delivery_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"status" text NOT NULL,
	"previous_status" text,
	"message" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_delivery_events_delivery_id_sequence_pk" PRIMARY KEY("delivery_id","sequence")
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "last_sequence" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "last_sequence" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_events" ADD CONSTRAINT "notification_events_notification_id_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_delivery_events" ADD CONSTRAINT "webhook_delivery_events_delivery_id_webhook_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."webhook_deliveries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Backfill: every existing delivery and notification starts its timeline with its current status (sequence 1; last_sequence defaults to 1).
INSERT INTO "webhook_delivery_events" ("delivery_id", "sequence", "status", "previous_status", "message", "occurred_at")
SELECT "id", 1, "status", NULL, NULL, coalesce("delivered_at", "created_at") FROM "webhook_deliveries";--> statement-breakpoint
INSERT INTO "notification_events" ("notification_id", "sequence", "status", "previous_status", "message", "occurred_at")
SELECT "id", 1, "status", NULL, NULL, coalesce("sent_at", "created_at") FROM "notifications";
