ALTER TABLE "inventory_levels" DROP CONSTRAINT "inventory_levels_no_oversell";--> statement-breakpoint
ALTER TABLE "inventory_levels" ADD COLUMN "unsellable" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Backfill: units already in bins of RETURNS zones stop being available (capped at what is not allocated, so rows that
-- already promised such units to orders keep those promises and the new check holds).
UPDATE "inventory_levels" l SET "unsellable" = least(r.units, greatest(l."on_hand" - l."allocated", 0))
FROM (
	SELECT s."variant_id", s."warehouse_id", sum(s."quantity")::int AS units
	FROM "bin_stock" s JOIN "bin_locations" b ON b."id" = s."bin_id" JOIN "zones" z ON z."id" = b."zone_id"
	WHERE z."kind" = 'RETURNS' AND s."quantity" > 0
	GROUP BY 1, 2
) r
WHERE r."variant_id" = l."variant_id" AND r."warehouse_id" = l."warehouse_id";--> statement-breakpoint
ALTER TABLE "inventory_levels" ADD CONSTRAINT "inventory_levels_unsellable_nonneg" CHECK ("inventory_levels"."unsellable" >= 0);--> statement-breakpoint
ALTER TABLE "inventory_levels" ADD CONSTRAINT "inventory_levels_no_oversell" CHECK ("inventory_levels"."allocated" + "inventory_levels"."unsellable" <= "inventory_levels"."on_hand");