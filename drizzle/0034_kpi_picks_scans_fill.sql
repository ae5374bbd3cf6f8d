-- Units picked per order and warehouse in the KPI read model: a change to a fulfillment line's
-- picked quantity marks its order for the next refresh, as the other tables' triggers do (0028).
CREATE FUNCTION kpi_mark_order_of_fulfillment_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO kpi_dirty_orders (order_id)
  SELECT fo.order_id FROM fulfillment_orders fo WHERE fo.id IN (NEW.fulfillment_order_id, OLD.fulfillment_order_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER kpi_fulfillment_lines AFTER INSERT OR DELETE OR UPDATE OF fulfillment_order_id, picked_quantity ON fulfillment_lines FOR EACH ROW EXECUTE FUNCTION kpi_mark_order_of_fulfillment_line();
--> statement-breakpoint
-- Fills the new facts and their rollup of an already built read model, in the time zone it was
-- built for (a fresh database has no kpi_state row yet: its first kpis call rebuilds everything).
INSERT INTO kpi_pick_facts (order_id, warehouse_id, placed_at, channel, order_warehouse_ids, order_carrier_ids, picked_units)
SELECT f.order_id, fo.warehouse_id, f.placed_at, f.channel, f.warehouse_ids, f.carrier_ids, sum(fl.picked_quantity)::int
FROM kpi_state s
CROSS JOIN kpi_order_facts f
JOIN fulfillment_orders fo ON fo.order_id = f.order_id
JOIN fulfillment_lines fl ON fl.fulfillment_order_id = fo.id
WHERE s.id = 'default' AND s.time_zone <> ''
GROUP BY f.order_id, fo.warehouse_id, f.placed_at, f.channel, f.warehouse_ids, f.carrier_ids
HAVING sum(fl.picked_quantity) > 0;
--> statement-breakpoint
INSERT INTO kpi_daily_picks (day, channel, order_warehouse_ids, order_carrier_ids, warehouse_id, facts, picked_units)
SELECT (p.placed_at AT TIME ZONE s.time_zone)::date, p.channel, p.order_warehouse_ids, p.order_carrier_ids, p.warehouse_id, count(*)::int, sum(p.picked_units)
FROM kpi_state s
CROSS JOIN kpi_pick_facts p
WHERE s.id = 'default' AND s.time_zone <> ''
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
-- The scan rollup (kpi_scan_days): every scan written marks its actor's day for the next refresh.
CREATE FUNCTION kpi_mark_scan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN INSERT INTO kpi_dirty_scans (warehouse_id, actor, scanned_at) VALUES (OLD.warehouse_id, OLD.actor, OLD.scanned_at); END IF;
  IF TG_OP <> 'DELETE' THEN INSERT INTO kpi_dirty_scans (warehouse_id, actor, scanned_at) VALUES (NEW.warehouse_id, NEW.actor, NEW.scanned_at); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER kpi_warehouse_scans AFTER INSERT OR DELETE OR UPDATE OF warehouse_id, actor, kind, quantity, matched, scanned_at ON warehouse_scans FOR EACH ROW EXECUTE FUNCTION kpi_mark_scan();
--> statement-breakpoint
-- Fills the scan rollup of an already built read model (the same statement as kpi.facts.ts's).
INSERT INTO kpi_scan_days (day, warehouse_id, actor, kind, scans, matched, units, first_at, last_at, gap_seconds)
SELECT x.day, x.warehouse_id, x.actor, x.kind, count(*)::int, (count(*) FILTER (WHERE x.matched))::int,
  coalesce(sum(x.quantity) FILTER (WHERE x.kind = 'PICK' AND x.matched), 0), min(x.scanned_at), max(x.scanned_at),
  coalesce(sum(x.gap) FILTER (WHERE x.gap < 900), 0)
FROM (
  SELECT ws.*, d.day, CASE WHEN ws.kind = 'PICK'
    THEN extract(epoch FROM ws.scanned_at - lag(ws.scanned_at) OVER (PARTITION BY ws.kind, ws.actor, ws.warehouse_id, d.day ORDER BY ws.scanned_at, ws.id)) END::float8 AS gap
  FROM kpi_state s CROSS JOIN warehouse_scans ws CROSS JOIN LATERAL (SELECT (ws.scanned_at AT TIME ZONE s.time_zone)::date AS day) d
  WHERE s.id = 'default' AND s.time_zone <> '') x
GROUP BY x.day, x.warehouse_id, x.actor, x.kind;
