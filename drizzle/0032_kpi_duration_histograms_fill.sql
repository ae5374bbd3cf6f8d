-- Fills the duration histograms of an already built KPI read model from its facts, in the time zone
-- it was built for (a fresh database has no kpi_state row yet: its first kpis call rebuilds everything).
INSERT INTO kpi_daily_durations (day, kind, bin, n)
SELECT (f.placed_at AT TIME ZONE s.time_zone)::date, k.kind, k.bin, count(*)::int
FROM kpi_state s
CROSS JOIN kpi_order_facts f
CROSS JOIN LATERAL (VALUES (0::smallint, floor(f.ship_hours)::int), (1::smallint, floor(f.deliver_hours)::int)) k(kind, bin)
WHERE s.id = 'default' AND s.time_zone <> '' AND k.bin IS NOT NULL
GROUP BY 1, 2, 3;
