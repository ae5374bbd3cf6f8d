CREATE TABLE "csat_responses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid,
	"ticket_id" uuid,
	"customer_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "csat_responses_score_ck" CHECK ("csat_responses"."score" between 1 and 5),
	CONSTRAINT "csat_responses_comment_ck" CHECK (char_length("csat_responses"."comment") <= 2000),
	CONSTRAINT "csat_responses_subject_ck" CHECK (("csat_responses"."order_id" is null) <> ("csat_responses"."ticket_id" is null))
);
--> statement-breakpoint
ALTER TABLE "notifications" ALTER COLUMN "order_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "ticket_id" uuid;--> statement-breakpoint
ALTER TABLE "csat_responses" ADD CONSTRAINT "csat_responses_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "csat_responses" ADD CONSTRAINT "csat_responses_ticket_id_support_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."support_tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "csat_responses" ADD CONSTRAINT "csat_responses_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "csat_responses_order_uq" ON "csat_responses" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "csat_responses_ticket_uq" ON "csat_responses" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "csat_responses_created_idx" ON "csat_responses" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_ticket_id_support_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."support_tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notifications_ticket_idx" ON "notifications" USING btree ("ticket_id");--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_subject_ck" CHECK (("notifications"."order_id" is null) <> ("notifications"."ticket_id" is null));