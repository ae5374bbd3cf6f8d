CREATE TABLE "cost_models" (
	"id" text PRIMARY KEY NOT NULL,
	"currency" text,
	"per_order_handled_minor" integer,
	"per_unit_picked_minor" integer,
	"storage_per_bin_day_minor" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cost_models_non_negative" CHECK (coalesce("cost_models"."per_order_handled_minor", 0) >= 0 and coalesce("cost_models"."per_unit_picked_minor", 0) >= 0 and coalesce("cost_models"."storage_per_bin_day_minor", 0) >= 0),
	CONSTRAINT "cost_models_currency" CHECK (("cost_models"."currency" is null) = ("cost_models"."per_order_handled_minor" is null and "cost_models"."per_unit_picked_minor" is null and "cost_models"."storage_per_bin_day_minor" is null))
);
