CREATE TABLE "shipment_status_events" (
	"shipment_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"status" text NOT NULL,
	"previous_status" text,
	"message" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shipment_status_events_shipment_id_sequence_pk" PRIMARY KEY("shipment_id","sequence")
);
--> statement-breakpoint
ALTER TABLE "shipments" ADD COLUMN "last_sequence" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "shipment_status_events" ADD CONSTRAINT "shipment_status_events_shipment_id_shipments_id_fk" FOREIGN KEY ("shipment_id") REFERENCES "public"."shipments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Backfill: every existing shipment's history starts with its current status (sequence 1, matching last_sequence = 1), at its latest event's time.
INSERT INTO "shipment_status_events" ("shipment_id", "sequence", "status", "previous_status", "message", "occurred_at")
SELECT "id", 1, "status", NULL, 'backfilled: status when the history began', coalesce("last_event_at", "created_at") FROM "shipments";
