CREATE TABLE "fulfillment_order_events" (
	"fulfillment_order_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"status" text NOT NULL,
	"previous_status" text,
	"message" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fulfillment_order_events_fulfillment_order_id_sequence_pk" PRIMARY KEY("fulfillment_order_id","sequence")
);
--> statement-breakpoint
CREATE TABLE "pick_list_events" (
	"pick_list_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"status" text NOT NULL,
	"previous_status" text,
	"message" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pick_list_events_pick_list_id_sequence_pk" PRIMARY KEY("pick_list_id","sequence")
);
--> statement-breakpoint
ALTER TABLE "fulfillment_orders" ADD COLUMN "last_sequence" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "pick_lists" ADD COLUMN "status" text DEFAULT 'OPEN' NOT NULL;--> statement-breakpoint
ALTER TABLE "pick_lists" ADD COLUMN "last_sequence" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Backfill (hand-written): every existing fulfillment order and pick list gets history row 1, its
-- current status (a status reached before history was kept: when is known only for OPEN and COMPLETED).
UPDATE "pick_lists" SET "status" = 'COMPLETED' WHERE "completed_at" IS NOT NULL;--> statement-breakpoint
INSERT INTO "fulfillment_order_events" ("fulfillment_order_id", "sequence", "status", "previous_status", "message", "occurred_at")
SELECT "id", 1, "status", NULL, 'recorded before fulfillment history was kept', CASE WHEN "status" = 'OPEN' THEN "created_at" ELSE now() END
FROM "fulfillment_orders";--> statement-breakpoint
INSERT INTO "pick_list_events" ("pick_list_id", "sequence", "status", "previous_status", "message", "occurred_at")
SELECT "id", 1, "status", NULL, 'recorded before pick list history was kept', coalesce("completed_at", "created_at")
FROM "pick_lists";--> statement-breakpoint
ALTER TABLE "fulfillment_order_events" ADD CONSTRAINT "fulfillment_order_events_fulfillment_order_id_fulfillment_orders_id_fk" FOREIGN KEY ("fulfillment_order_id") REFERENCES "public"."fulfillment_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pick_list_events" ADD CONSTRAINT "pick_list_events_pick_list_id_pick_lists_id_fk" FOREIGN KEY ("pick_list_id") REFERENCES "public"."pick_lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pick_lists" ADD CONSTRAINT "pick_lists_completed_status" CHECK (("pick_lists"."status" = 'COMPLETED') = ("pick_lists"."completed_at" is not null));