/**
 * kpis (contract 10-metrics): the figures of a period and its buckets, computed in the database
 * from the rows every other query shows. The metrics module is the store's reporting read model:
 * its figure queries (kpi.*.ts) read the other modules' tables, read-only and by SQL, because a
 * figure must join orders, shipments, returns and scans in one statement to be both consistent
 * and fast; nothing else in the code base reads another module's tables.
 *
 * Each figure group returns one row per bucket plus one for the totals (GROUPING SETS), so bucket
 * and total are computed by the same statement from the same rows: counts and money of the buckets
 * add up to the totals, and percentiles are exact over each set (never averaged from buckets).
 */
import { sql, type SQL } from 'drizzle-orm';
import { AccessError } from '../../shared/errors.js';
import { money, proportionOf, ratio, type Money } from '../../shared/money.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { kpiBucket, kpiPeriod, type KpiGranularity, type KpiPeriod } from './kpi.period.js';
import { warehouseFigures } from './kpi.warehouse.js';

export interface KpiFilterInput {
  warehouseCodes?: readonly string[] | null;
  channels?: readonly string[] | null;
  carrierCodes?: readonly string[] | null;
}

export interface DurationStatsView {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  mean: number | null;
  count: number;
}

export interface KpiValuesView {
  orders: number;
  units: number;
  revenue: Money;
  orderToShip: DurationStatsView;
  orderToDelivery: DurationStatsView;
  onTimeDeliveryRate: number | null;
  fillRate: number | null;
  backorderRate: number | null;
  stockoutRate: number | null;
  shippingCost: Money;
  shippingCostPerOrder: Money | null;
  shippingCostShare: number | null;
  warehousingCostPerOrder: Money | null;
  returnRate: number | null;
  csatAverage: number | null;
  csatResponses: number;
  pickAccuracy: number | null;
  unitsPickedPerHour: number | null;
  inventoryTurnover: number | null;
  daysOfSupply: number | null;
  forecastMape: number | null;
  supportSlaRate: number | null;
}

export interface KpiReportView {
  from: Date;
  to: Date;
  granularity: KpiGranularity;
  totals: KpiValuesView;
  series: { start: Date; values: KpiValuesView }[];
}

/** What a figure group reads: the period, the filter resolved to ids (null: not filtered), the store currency. */
export interface KpiScope {
  period: KpiPeriod;
  warehouseIds: string[] | null;
  carrierIds: string[] | null;
  channels: string[] | null;
  currency: string;
}

/** A figure group's answer: per bucket start (epoch ms) and for the totals ('total'). */
export type KpiRows<T> = Map<number | 'total', T>;

const idList = (ids: readonly string[]): SQL => sql.join(ids.map((id) => sql`${id}`), sql`, `);
export const sqlIn = (column: SQL, values: readonly string[]): SQL => (values.length ? sql`${column} in (${idList(values)})` : sql`false`);

/**
 * The orders of the scope: placed in [from, to), not cancelled, narrowed by the filter; with their
 * bucket `b`. Columns: id, created_at, delivered_at, total_minor, currency, b.
 */
export function scopedOrders(scope: KpiScope): SQL {
  const { period } = scope;
  const where: SQL[] = [sql`o.created_at >= ${period.from.toISOString()}::timestamptz`, sql`o.created_at < ${period.to.toISOString()}::timestamptz`, sql`o.status <> 'CANCELLED'`];
  if (scope.channels) where.push(sqlIn(sql`o.channel`, scope.channels));
  if (scope.warehouseIds) where.push(sql`exists (select 1 from fulfillment_orders fo where fo.order_id = o.id and ${sqlIn(sql`fo.warehouse_id`, scope.warehouseIds)})`);
  if (scope.carrierIds) where.push(sql`exists (select 1 from shipments cs where cs.order_id = o.id and cs.direction = 'OUTBOUND' and ${sqlIn(sql`cs.carrier_id`, scope.carrierIds)})`);
  return sql`select o.id, o.created_at, o.delivered_at, o.total_minor, o.currency, ${kpiBucket(sql`o.created_at`, period)} as b
    from orders o where ${sql.join(where, sql` and `)}`;
}

/** Rows keyed by bucket start, the totals row (grouping = 1) under 'total'. */
export function keyed<R extends { b: Date | string | null; g: number | string }, T>(rows: readonly R[], map: (r: R) => T): KpiRows<T> {
  const out: KpiRows<T> = new Map();
  for (const r of rows) out.set(Number(r.g) === 1 ? 'total' : new Date(r.b as Date | string).getTime(), map(r));
  return out;
}

const num = (v: unknown): number => (v == null ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const hours = (column: SQL) => sql`(extract(epoch from ${column}) / 3600.0)::float8`;

function durationColumns(name: string, h: SQL): SQL {
  return sql`percentile_cont(0.5) within group (order by ${h}) as ${sql.identifier(`${name}_p50`)},
    percentile_cont(0.9) within group (order by ${h}) as ${sql.identifier(`${name}_p90`)},
    percentile_cont(0.99) within group (order by ${h}) as ${sql.identifier(`${name}_p99`)},
    avg(${h})::float8 as ${sql.identifier(`${name}_mean`)},
    count(${h})::int as ${sql.identifier(`${name}_n`)}`;
}
const durationOf = (r: Record<string, unknown>, name: string): DurationStatsView => ({
  p50: numOrNull(r[`${name}_p50`]),
  p90: numOrNull(r[`${name}_p90`]),
  p99: numOrNull(r[`${name}_p99`]),
  mean: numOrNull(r[`${name}_mean`]),
  count: num(r[`${name}_n`]),
});

interface OrderFigures {
  orders: number;
  units: number;
  revenueMinor: number;
  atOnce: number;
  atOnceKnown: number;
  backordered: number;
  shippedUnits: number;
  returnedUnits: number;
  orderToShip: DurationStatsView;
  orderToDelivery: DurationStatsView;
}

/** Orders, units, revenue, fill and backorder rates, returned and shipped units, the two durations. */
async function orderFigures(ctx: ServiceContext, scope: KpiScope): Promise<KpiRows<OrderFigures>> {
  const rows = await ctx.database.rows<Record<string, unknown> & { b: Date | null; g: number }>(sql`
    with o as (${scopedOrders(scope)})
    select o.b, grouping(o.b) as g,
      count(*)::int as orders,
      coalesce(sum(l.units), 0)::float8 as units,
      coalesce(sum(o.total_minor) filter (where o.currency = ${scope.currency}), 0)::float8 as revenue,
      coalesce(sum(l.at_once), 0)::float8 as at_once,
      coalesce(sum(l.at_once_known), 0)::float8 as at_once_known,
      count(*) filter (where exists (select 1 from order_events e where e.order_id = o.id and e.status = 'BACKORDERED'))::int as backordered,
      coalesce(sum(l.shipped), 0)::float8 as shipped,
      coalesce(sum(r.returned), 0)::float8 as returned,
      ${durationColumns('ship', sql`s.h`)},
      ${durationColumns('deliver', hours(sql`o.delivered_at - o.created_at`))}
    from o
    cross join lateral (
      select sum(ol.quantity) as units, sum(ol.allocated_at_creation) as at_once,
        sum(ol.quantity) filter (where ol.allocated_at_creation is not null) as at_once_known, sum(ol.shipped_quantity) as shipped
      from order_lines ol where ol.order_id = o.id) l
    cross join lateral (select ${hours(sql`min(fs.created_at) - o.created_at`)} as h from shipments fs where fs.order_id = o.id and fs.direction = 'OUTBOUND') s
    cross join lateral (
      select sum(rl.received_quantity) as returned from return_requests rr join return_lines rl on rl.return_request_id = rr.id where rr.order_id = o.id) r
    group by grouping sets ((o.b), ())`);
  return keyed(rows, (r) => ({
    orders: num(r.orders),
    units: num(r.units),
    revenueMinor: num(r.revenue),
    atOnce: num(r.at_once),
    atOnceKnown: num(r.at_once_known),
    backordered: num(r.backordered),
    shippedUnits: num(r.shipped),
    returnedUnits: num(r.returned),
    orderToShip: durationOf(r, 'ship'),
    orderToDelivery: durationOf(r, 'deliver'),
  }));
}

interface ShipmentFigures {
  costMinor: number;
  deliveredWithEstimate: number;
  onTime: number;
}

/** The outbound shipments of the scope's orders, narrowed to the filter's warehouses and carriers: cost and punctuality. */
async function shipmentFigures(ctx: ServiceContext, scope: KpiScope): Promise<KpiRows<ShipmentFigures>> {
  const where: SQL[] = [sql`s.direction = 'OUTBOUND'`];
  if (scope.carrierIds) where.push(sqlIn(sql`s.carrier_id`, scope.carrierIds));
  if (scope.warehouseIds) where.push(sql`exists (select 1 from fulfillment_orders fo where fo.id = s.fulfillment_order_id and ${sqlIn(sql`fo.warehouse_id`, scope.warehouseIds)})`);
  const rows = await ctx.database.rows<Record<string, unknown> & { b: Date | null; g: number }>(sql`
    with o as (${scopedOrders(scope)})
    select o.b, grouping(o.b) as g,
      coalesce(sum(s.cost_minor) filter (where s.currency = ${scope.currency}), 0)::float8 as cost,
      count(*) filter (where s.delivered_at is not null and s.estimated_delivery_to is not null)::int as delivered,
      count(*) filter (where s.delivered_at <= s.estimated_delivery_to)::int as on_time
    from o join shipments s on s.order_id = o.id
    where ${sql.join(where, sql` and `)}
    group by grouping sets ((o.b), ())`);
  return keyed(rows, (r) => ({ costMinor: num(r.cost), deliveredWithEstimate: num(r.delivered), onTime: num(r.on_time) }));
}

/** Resolves the filter's codes to ids within what the caller may see; BAD_USER_INPUT for an unknown or hidden code. */
async function resolveScope(ctx: ServiceContext, period: KpiPeriod, filter: KpiFilterInput | null | undefined): Promise<KpiScope> {
  const restrictW = ctx.principal.warehouseCodes ?? null;
  const restrictC = ctx.principal.carrierCodes ?? null;
  const codes = (given: readonly string[] | null | undefined, restriction: readonly string[] | null): string[] | null => {
    const list = given && given.length ? [...new Set(given)] : null;
    return list ?? (restriction ? [...restriction] : null);
  };
  const wanted = { warehouses: codes(filter?.warehouseCodes, restrictW), carriers: codes(filter?.carrierCodes, restrictC) };
  const lookup = async (table: 'warehouses' | 'carriers', list: string[] | null, restriction: readonly string[] | null, what: string) => {
    if (!list) return null;
    const rows = await ctx.database.rows<{ id: string; code: string }>(sql`select id, code from ${sql.identifier(table)} where ${sqlIn(sql`code`, list)}`);
    const found = new Map(rows.map((r) => [r.code, r.id]));
    const missing = list.filter((c) => !found.has(c) || (restriction && !restriction.includes(c)));
    // Codes of the caller's own restriction that do not exist (a key restricted to a deleted warehouse) simply match nothing.
    const asked = filter?.[what === 'warehouse' ? 'warehouseCodes' : 'carrierCodes'];
    if (asked?.length && missing.length) throw new AccessError('BAD_USER_INPUT', `Unknown ${what} code${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`);
    return list.filter((c) => found.has(c)).map((c) => found.get(c)!);
  };
  const channels = filter?.channels && filter.channels.length ? [...new Set(filter.channels)] : null;
  return {
    period,
    warehouseIds: await lookup('warehouses', wanted.warehouses, restrictW, 'warehouse'),
    carrierIds: await lookup('carriers', wanted.carriers, restrictC, 'carrier'),
    channels,
    currency: ctx.config.STORE_CURRENCY,
  };
}

export interface KpisInput {
  from: Date;
  to: Date;
  granularity: KpiGranularity;
  filter?: KpiFilterInput | null;
}

/** The KPI report of [from, to) (read_metrics). BAD_USER_INPUT: a reversed period, too many buckets, an unknown warehouse or carrier code. */
export async function kpis(ctx: ServiceContext, input: KpisInput): Promise<KpiReportView> {
  if (ctx.principal.kind === 'CUSTOMER' || !hasScope(ctx.principal, 'read_metrics')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_metrics.');
  for (const list of [input.filter?.warehouseCodes, input.filter?.channels, input.filter?.carrierCodes]) {
    if (list && list.length > 100) throw new AccessError('BAD_USER_INPUT', 'At most 100 values per filter list.');
  }
  const period = kpiPeriod(input.from, input.to, input.granularity, ctx.config.STORE_TIMEZONE);
  const scope = await resolveScope(ctx, period, input.filter);
  const [orderRows, shipmentRows] = [await orderFigures(ctx, scope), await shipmentFigures(ctx, scope)];
  const warehouseValues = await warehouseFigures(ctx, scope);
  const valuesOf = (key: number | 'total'): KpiValuesView => {
    const o = orderRows.get(key);
    const s = shipmentRows.get(key);
    const orders = o?.orders ?? 0;
    const revenue = money(o?.revenueMinor ?? 0, scope.currency);
    const shippingCost = money(s?.costMinor ?? 0, scope.currency);
    const noDuration: DurationStatsView = { p50: null, p90: null, p99: null, mean: null, count: 0 };
    return {
      orders,
      units: o?.units ?? 0,
      revenue,
      orderToShip: o?.orderToShip ?? noDuration,
      orderToDelivery: o?.orderToDelivery ?? noDuration,
      onTimeDeliveryRate: rate(s?.onTime ?? 0, s?.deliveredWithEstimate ?? 0),
      fillRate: rate(o?.atOnce ?? 0, o?.atOnceKnown ?? 0),
      backorderRate: rate(o?.backordered ?? 0, orders),
      shippingCost,
      shippingCostPerOrder: orders > 0 ? proportionOf(shippingCost, 1, orders) : null,
      shippingCostShare: revenue.amountMinor > 0 ? ratio(shippingCost, revenue) : null,
      returnRate: rate(o?.returnedUnits ?? 0, o?.shippedUnits ?? 0),
      csatAverage: null,
      csatResponses: 0,
      forecastMape: null,
      supportSlaRate: null,
      ...warehouseValues(key),
    };
  };
  return {
    from: period.from,
    to: period.to,
    granularity: period.granularity,
    totals: valuesOf('total'),
    series: period.starts.map((start) => ({ start, values: valuesOf(start.getTime()) })),
  };
}
