CREATE TABLE "loyalty_accounts" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"balance" integer DEFAULT 0 NOT NULL,
	"lifetime_points" integer DEFAULT 0 NOT NULL,
	"tier_code" text,
	"rolling_spend_minor" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loyalty_accounts_balance_nonneg" CHECK ("loyalty_accounts"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "loyalty_program" (
	"id" text PRIMARY KEY DEFAULT 'default' NOT NULL,
	"points_per_currency_unit" double precision NOT NULL,
	"point_value_minor" integer NOT NULL,
	"currency" text NOT NULL,
	"expiry_days" integer NOT NULL,
	"max_redeem_share" double precision NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loyalty_program_values" CHECK ("loyalty_program"."points_per_currency_unit" >= 0 and "loyalty_program"."point_value_minor" > 0 and "loyalty_program"."expiry_days" > 0 and "loyalty_program"."max_redeem_share" >= 0 and "loyalty_program"."max_redeem_share" <= 1)
);
--> statement-breakpoint
CREATE TABLE "loyalty_tiers" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"min_spend_minor" integer NOT NULL,
	"earn_multiplier" double precision NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "loyalty_tiers_values" CHECK ("loyalty_tiers"."min_spend_minor" >= 0 and "loyalty_tiers"."earn_multiplier" > 0)
);
--> statement-breakpoint
CREATE TABLE "loyalty_transactions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"points" integer NOT NULL,
	"order_id" uuid,
	"return_request_id" uuid,
	"reason" text,
	"expires_at" timestamp with time zone,
	"remaining" integer DEFAULT 0 NOT NULL,
	"shortfall" integer DEFAULT 0 NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loyalty_transactions_remaining" CHECK ("loyalty_transactions"."remaining" >= 0 and "loyalty_transactions"."shortfall" >= 0)
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "points_redeemed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "discount_minor" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "loyalty_accounts" ADD CONSTRAINT "loyalty_accounts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loyalty_transactions" ADD CONSTRAINT "loyalty_transactions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loyalty_transactions" ADD CONSTRAINT "loyalty_transactions_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loyalty_transactions" ADD CONSTRAINT "loyalty_transactions_return_request_id_return_requests_id_fk" FOREIGN KEY ("return_request_id") REFERENCES "public"."return_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "loyalty_transactions_customer_idx" ON "loyalty_transactions" USING btree ("customer_id","id");--> statement-breakpoint
CREATE INDEX "loyalty_transactions_lots_idx" ON "loyalty_transactions" USING btree ("customer_id","expires_at") WHERE "loyalty_transactions"."remaining" > 0;--> statement-breakpoint
CREATE UNIQUE INDEX "loyalty_transactions_earn_uq" ON "loyalty_transactions" USING btree ("order_id") WHERE "loyalty_transactions"."kind" = 'EARN';--> statement-breakpoint
CREATE UNIQUE INDEX "loyalty_transactions_redeem_uq" ON "loyalty_transactions" USING btree ("order_id") WHERE "loyalty_transactions"."kind" = 'REDEEM';--> statement-breakpoint
CREATE UNIQUE INDEX "loyalty_transactions_return_uq" ON "loyalty_transactions" USING btree ("return_request_id") WHERE "loyalty_transactions"."kind" = 'REVERSAL' and "loyalty_transactions"."return_request_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "loyalty_transactions_giveback_uq" ON "loyalty_transactions" USING btree ("order_id") WHERE "loyalty_transactions"."kind" = 'REVERSAL' and "loyalty_transactions"."return_request_id" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "loyalty_transactions_adjust_uq" ON "loyalty_transactions" USING btree ("customer_id","idempotency_key") WHERE "loyalty_transactions"."kind" = 'ADJUST';