/**
 * The warehouse figures of a KPI report (pickAccuracy, unitsPickedPerHour, warehousingCostPerOrder,
 * stockoutRate, inventoryTurnover, daysOfSupply): four statements whatever the number of buckets,
 * each answering one row per bucket and one for the totals (the two stock ones in kpi.stock.ts). The
 * definitions (what a user recomputes by hand from warehouseScans, inventoryMovements, orders and
 * supplier products) are the field descriptions in kpi.types.ts; this file follows them exactly.
 *
 * Stock is not per channel or carrier: under a channel or carrier filter the stock figures
 * (stockoutRate, inventoryTurnover, daysOfSupply) are null and warehousingCostPerOrder leaves its
 * storage term out.
 */
import { sql, type SQL } from 'drizzle-orm';
import { money, proportionOf, roundedMoney, type Money } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { loadCostModel } from './cost-model.service.js';
import { bounds, stockFigures, stockoutFigures, warehouseCondition } from './kpi.stock.js';
import { kpiBucket, pickGap, pickSeconds } from './kpi.period.js';
import { and, dayBucket, dimensionFilter, inRanges, keyed, num, orderFilter, sourcesOf, uuidArray, type BucketRow as Row, type KpiRows, type KpiScope, type KpiSources, type KpiValuesView } from './kpi.service.js';

export type WarehouseValues = Pick<KpiValuesView, 'pickAccuracy' | 'unitsPickedPerHour' | 'warehousingCostPerOrder' | 'stockoutRate' | 'inventoryTurnover' | 'daysOfSupply'>;

interface ScanFigures {
  scans: number;
  matched: number;
  units: number;
  hours: number;
}

const scanRows = (r: Row): ScanFigures => ({ scans: num(r.scans), matched: num(r.matched), units: num(r.units), hours: num(r.hours) });

/**
 * Pick and pack scans of [from, to): how many, how many matched, units of accepted pick scans,
 * picker-hours. A DAY, WEEK or MONTH report without a channel or carrier filter reads the scan
 * rollup (kpi_scan_days) for whole local days and warehouse_scans for the partial days at its ends,
 * as segments per actor, warehouse and kind: each segment's own gaps plus, per actor and warehouse,
 * the gap from the previous segment's last pick scan to its first one when under 15 minutes (the
 * previous segment holds the actor's previous pick scan in the period: exactly the gap the
 * definition counts, in the bucket of its later scan). Otherwise, from warehouse_scans alone.
 */
async function scanFigures(ctx: ServiceContext, scope: KpiScope): Promise<KpiRows<ScanFigures>> {
  const src = sourcesOf(scope.period);
  if (scope.period.granularity !== 'HOUR' && !scope.channels && !scope.carrierIds && src.days) return scanFiguresFromRollup(ctx, scope, src);
  const { F, T, bucket } = bounds(scope);
  const where: SQL[] = [sql`s.scanned_at >= ${F}`, sql`s.scanned_at < ${T}`, warehouseCondition(scope, sql`s.warehouse_id`)];
  if (scope.channels || scope.carrierIds) {
    // Through the scan's fulfillment order (PACK) or its pick list's fulfillment orders (PICK).
    const orderConds = orderFilter(scope, sql`o`, ['channels', 'carriers']);
    where.push(sql`exists (select 1 from fulfillment_orders fo join orders o on o.id = fo.order_id
      where (fo.id = s.fulfillment_order_id or exists (select 1 from pick_list_orders plo where plo.pick_list_id = s.pick_list_id and plo.fulfillment_order_id = fo.id))
        and ${sql.join(orderConds, sql` and `)})`);
  }
  const rows = await ctx.database.rows<Row>(sql`
    with s as (
      select s.id, s.kind, s.actor, s.warehouse_id, s.quantity, s.matched, s.scanned_at, ${bucket(sql`s.scanned_at`)} as b
      from warehouse_scans s where ${sql.join(where, sql` and `)}),
    x as (select s.*, ${pickGap(sql`s`)} as gap from s)
    select x.b, grouping(x.b) as g,
      count(*)::int as scans,
      count(*) filter (where x.matched)::int as matched,
      coalesce(sum(x.quantity) filter (where x.kind = 'PICK' and x.matched), 0)::float8 as units,
      (${pickSeconds(sql`x.gap`)} / 3600.0)::float8 as hours
    from x group by grouping sets ((x.b), ())`);
  return keyed(rows, scanRows);
}

async function scanFiguresFromRollup(ctx: ServiceContext, scope: KpiScope, src: KpiSources): Promise<KpiRows<ScanFigures>> {
  const { period } = scope;
  const days = src.days!;
  const wh = (column: SQL) => (scope.warehouseIds ? sql`${column} = any(${uuidArray(scope.warehouseIds)})` : sql`true`);
  const parts: SQL[] = [
    sql`select ${dayBucket(period)} as b, warehouse_id, actor, kind, scans, matched, units, first_at, last_at, gap_seconds
      from kpi_scan_days where day >= ${days.from}::date and day < ${days.to}::date and ${wh(sql`warehouse_id`)}`,
  ];
  for (const [a, z] of src.factRanges) {
    // A partial day: one bucket; its segments from the raw scans, gaps inside the range only.
    parts.push(sql`select min(x.b), x.warehouse_id, x.actor, x.kind, count(*)::int, (count(*) filter (where x.matched))::int,
        coalesce(sum(x.quantity) filter (where x.kind = 'PICK' and x.matched), 0), min(x.scanned_at), max(x.scanned_at), ${pickSeconds(sql`x.gap`)}
      from (select ws.*, ${kpiBucket(sql`ws.scanned_at`, period)} as b, ${pickGap(sql`ws`)} as gap
        from warehouse_scans ws where ws.scanned_at >= ${a.toISOString()}::timestamptz and ws.scanned_at < ${z.toISOString()}::timestamptz and ${wh(sql`ws.warehouse_id`)}) x
      group by x.warehouse_id, x.actor, x.kind`);
  }
  const rows = await ctx.database.rows<Row>(sql`
    with seg as (${sql.join(parts, sql` union all `)}),
    chained as (
      select seg.*, case when kind = 'PICK'
        then extract(epoch from first_at - lag(last_at) over (partition by kind, actor, warehouse_id order by first_at)) end::float8 as cross_gap
      from seg)
    select b, grouping(b) as g, sum(scans)::int as scans, sum(matched)::int as matched, coalesce(sum(units) filter (where kind = 'PICK'), 0)::float8 as units,
      ((sum(gap_seconds) + ${pickSeconds(sql`cross_gap`)}) / 3600.0)::float8 as hours
    from chained group by grouping sets ((b), ())`);
  return keyed(rows, scanRows);
}

/**
 * Units picked for the scope's orders (their fulfillment lines' pickedQuantity, in the filter's
 * warehouses), per bucket: from the pick rollup for whole local days and the pick facts for the
 * rest (kpi.facts.ts), as the order figures are read.
 */
async function pickedUnits(ctx: ServiceContext, scope: KpiScope): Promise<KpiRows<number>> {
  const { period } = scope;
  const src = sourcesOf(period);
  const dims = dimensionFilter(scope, sql`order_warehouse_ids`, sql`order_carrier_ids`);
  if (scope.warehouseIds) dims.push(sql`warehouse_id = any(${uuidArray(scope.warehouseIds)})`);
  const parts: SQL[] = [];
  if (src.days) parts.push(sql`select ${dayBucket(period)} as b, picked_units from kpi_daily_picks where day >= ${src.days.from}::date and day < ${src.days.to}::date and ${and(dims)}`);
  if (src.factRanges.length) parts.push(sql`select ${kpiBucket(sql`placed_at`, period)} as b, picked_units from kpi_pick_facts where ${inRanges(src.factRanges)} and ${and(dims)}`);
  const rows = await ctx.database.rows<Row>(sql`
    select s.b, grouping(s.b) as g, coalesce(sum(s.picked_units), 0)::float8 as picked
    from (${sql.join(parts, sql` union all `)}) s group by grouping sets ((s.b), ())`);
  return keyed(rows, (r) => num(r.picked));
}

/**
 * Runs the warehouse figure groups (four statements and the cost model's row) and answers the six
 * figures per bucket key; `handledOrders` counts the orders of the report's cohort (the order figures').
 */
export async function warehouseFigures(
  ctx: ServiceContext,
  scope: KpiScope,
  handledOrders: (key: number | 'total') => number,
): Promise<(key: number | 'total') => WarehouseValues> {
  const stockScoped = !scope.channels && !scope.carrierIds;
  const scans = await scanFigures(ctx, scope);
  const picked = await pickedUnits(ctx, scope);
  const stock = stockScoped ? await stockFigures(ctx, scope) : null;
  const stockouts = stockScoped ? await stockoutFigures(ctx, scope) : null;
  const model = await loadCostModel(ctx.database.db);
  const rates = [model.perOrderHandled, model.perUnitPicked, model.storagePerBinDay].filter((m): m is Money => !!m);
  const modelUsable = rates.length > 0 && rates.every((m) => m.currency === scope.currency);
  const minor = (m: Money | null) => m?.amountMinor ?? 0;
  return (key) => {
    const s = scans.get(key);
    const st = stock?.get(key);
    const so = stockouts?.get(key);
    const orders = handledOrders(key);
    let warehousingCostPerOrder: Money | null = null;
    if (modelUsable && orders > 0) {
      const total = minor(model.perOrderHandled) * orders + minor(model.perUnitPicked) * (picked.get(key) ?? 0) + minor(model.storagePerBinDay) * (st?.binDays ?? 0);
      warehousingCostPerOrder = Number.isSafeInteger(total) ? proportionOf(money(total, scope.currency), 1, orders) : roundedMoney(total / orders, scope.currency);
    }
    const days = st?.days ?? 0;
    const avgValue = days > 0 ? (st?.valueDays ?? 0) / days : 0;
    return {
      pickAccuracy: s && s.scans > 0 ? s.matched / s.scans : null,
      unitsPickedPerHour: s && s.hours > 0 ? s.units / s.hours : null,
      warehousingCostPerOrder,
      stockoutRate: so && so.pairs > 0 ? so.hit / so.pairs : null,
      inventoryTurnover: st && avgValue > 0 ? ((st.cogs / avgValue) * 365) / days : null,
      daysOfSupply: st && st.shipped > 0 && days > 0 ? st.onHandEnd / (st.shipped / days) : null,
    };
  };
}
