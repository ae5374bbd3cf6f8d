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
import { withExecutor, type ServiceContext } from '../../shared/service-context.js';
import { DateTime } from 'luxon';
import type { Executor } from '../../db/client.js';
import { inTransaction } from '../../db/tx.js';
import { DURATION_KINDS, durationBin, refreshKpiFacts } from './kpi.facts.js';
import { kpiBucket, kpiPeriod, type KpiGranularity, type KpiPeriod } from './kpi.period.js';
import { csatFigures, forecastFigures, slaFigures } from './kpi.quality.js';
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
 * The filter's conditions on the order row `o` (an alias of orders): its channel, a fulfillment
 * order in one of the warehouses, an outbound shipment by one of the carriers; `only` picks some.
 * One definition for every figure group that narrows through orders.
 */
export function orderFilter(scope: KpiScope, o: SQL, only: readonly ('channels' | 'warehouses' | 'carriers')[] = ['channels', 'warehouses', 'carriers']): SQL[] {
  const where: SQL[] = [];
  if (scope.channels && only.includes('channels')) where.push(sqlIn(sql`${o}.channel`, scope.channels));
  if (scope.warehouseIds && only.includes('warehouses')) where.push(sql`exists (select 1 from fulfillment_orders fo where fo.order_id = ${o}.id and ${sqlIn(sql`fo.warehouse_id`, scope.warehouseIds)})`);
  if (scope.carrierIds && only.includes('carriers')) where.push(sql`exists (select 1 from shipments cs where cs.order_id = ${o}.id and cs.direction = 'OUTBOUND' and ${sqlIn(sql`cs.carrier_id`, scope.carrierIds)})`);
  return where;
}

/** Rows keyed by bucket start, the totals row (grouping = 1) under 'total'. */
export function keyed<R extends { b: Date | string | null; g: number | string }, T>(rows: readonly R[], map: (r: R) => T): KpiRows<T> {
  const out: KpiRows<T> = new Map();
  for (const r of rows) out.set(Number(r.g) === 1 ? 'total' : new Date(r.b as Date | string).getTime(), map(r));
  return out;
}

/** A row of a bucketed KPI query: bucket start `b`, `g` = 1 on the totals row (grouping sets). */
export type BucketRow = Record<string, unknown> & { b: Date | string | null; g: number };
/** A driver's numeric value (number, bigint or numeric string) as a number; null → 0. */
export const num = (v: unknown): number => (v == null ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

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

/**
 * Where a figure group reads a period from (kpi.facts.ts): whole local days from the daily rollups,
 * the rest (the partial days at either end, every hour of an HOUR report) from the fact rows.
 */
export interface KpiSources {
  /** Local dates [dayFrom, dayTo) read from the rollups; null: none. */
  days: { from: string; to: string } | null;
  /** Fact rows of these instants' ranges [from, to). */
  factRanges: [Date, Date][];
}

export function sourcesOf(period: KpiPeriod): KpiSources {
  if (period.granularity === 'HOUR') return { days: null, factRanges: [[period.from, period.to]] };
  let first = DateTime.fromJSDate(period.from, { zone: period.timeZone }).startOf('day');
  if (first.toMillis() < period.from.getTime()) first = first.plus({ days: 1 }).startOf('day');
  const last = DateTime.fromJSDate(period.to, { zone: period.timeZone }).startOf('day');
  if (first.toMillis() >= last.toMillis()) return { days: null, factRanges: [[period.from, period.to]] };
  const ranges: [Date, Date][] = [];
  if (period.from.getTime() < first.toMillis()) ranges.push([period.from, first.toJSDate()]);
  if (last.toMillis() < period.to.getTime()) ranges.push([last.toJSDate(), period.to]);
  return { days: { from: first.toISODate()!, to: last.toISODate()! }, factRanges: ranges };
}

export const uuidArray = (ids: readonly string[]): SQL => sql`${`{${ids.join(',')}}`}::uuid[]`;
/** An instant as a timestamptz literal parameter. */
export const ts = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`;

/** The scope's filter over a fact or rollup row (order dimensions `wh`, `car`; shipment's own `sw`, `sc` when given). */
export function dimensionFilter(scope: KpiScope, wh: SQL, car: SQL, shipment?: { warehouse: SQL; carrier: SQL }): SQL[] {
  const where: SQL[] = [];
  if (scope.channels) where.push(sqlIn(sql`channel`, scope.channels));
  if (scope.warehouseIds) where.push(sql`${wh} && ${uuidArray(scope.warehouseIds)}`);
  if (scope.carrierIds) where.push(sql`${car} && ${uuidArray(scope.carrierIds)}`);
  if (shipment && scope.warehouseIds) where.push(sql`${shipment.warehouse} = any(${uuidArray(scope.warehouseIds)})`);
  if (shipment && scope.carrierIds) where.push(sql`${shipment.carrier} = any(${uuidArray(scope.carrierIds)})`);
  return where;
}

export const and = (parts: SQL[]): SQL => (parts.length ? sql.join(parts, sql` and `) : sql`true`);
export const inRanges = (ranges: [Date, Date][]): SQL =>
  ranges.length ? sql`(${sql.join(ranges.map(([a, b]) => sql`(placed_at >= ${ts(a)} and placed_at < ${ts(b)})`), sql` or `)})` : sql`false`;
export const dayBucket = (period: KpiPeriod): SQL => kpiBucket(sql`(day::timestamp at time zone ${period.timeZone})`, period);

const PERCENTILES = [0.5, 0.9, 0.99] as const;
const DURATIONS = ['ship_hours', 'deliver_hours'] as const;

/** p50, p90, p99 of each duration kind (index in DURATIONS), per bucket and for the totals. */
type DurationPercentiles = KpiRows<(number | null)[][]>;

/**
 * Exact percentile_cont of the two durations over each bucket's and the period's fact rows, without
 * sorting them all: (1) count the rows per whole-hour bin (kpi_daily_durations for whole local days
 * of an unfiltered report, which holds all dimensions together; fact rows for the rest and for
 * filtered reports), and keep the bins that hold rank floor((n-1)p) or ceil((n-1)p) of some p;
 * (2) read only those bins' values from the facts (index-only scans of kpi_order_facts_*_bin_idx),
 * sorted, and interpolate as percentile_cont does. Two statements, whatever the number of buckets.
 */
async function durationPercentiles(ctx: ServiceContext, scope: KpiScope, src: KpiSources, dims: SQL[], tx: Executor): Promise<DurationPercentiles> {
  const { period } = scope;
  const histograms = src.days !== null && dims.length === 0;
  const factRanges: [Date, Date][] = histograms ? src.factRanges : [[period.from, period.to]];
  const parts: SQL[] = [];
  if (histograms) parts.push(sql`select ${dayBucket(period)} as b, kind, bin, n from kpi_daily_durations where day >= ${src.days!.from}::date and day < ${src.days!.to}::date`);
  if (factRanges.length) {
    parts.push(sql`select ${kpiBucket(sql`f.placed_at`, period)} as b, k.kind, k.bin, 1 as n from kpi_order_facts f cross join lateral ${DURATION_KINDS}
      where k.bin is not null and ${inRanges(factRanges)} and ${and(dims)}`);
  }
  const ps = sql`${`{${PERCENTILES.join(',')}}`}::float8[]`;
  const bins = await ctx.database.rows<{ b: Date | null; g: number; kind: number; bin: number; n: number; before: number; total: number }>(
    sql`with h as (${sql.join(parts, sql` union all `)}),
      a as (select b, grouping(b) as g, kind, bin, sum(n)::int as n from h group by grouping sets ((b, kind, bin), (kind, bin))),
      c as (select a.*, (sum(n) over (partition by g, b, kind order by bin) - n)::int as before, (sum(n) over (partition by g, b, kind))::int as total from a)
    select b, g, kind, bin, n, before, total from c
    where exists (select 1 from unnest(${ps}) p where floor((total - 1) * p) < before + n and ceil((total - 1) * p) >= before)`,
    tx,
  );
  // Which ranks of which set are wanted, and the bins (targets) to read them from.
  interface Target { key: number | 'total'; kind: number; bin: number; before: number; lo: number; hi: number }
  const targets = new Map<string, Target>();
  const sets = new Map<string, { key: number | 'total'; kind: number; total: number; bins: { bin: number; before: number; n: number }[] }>();
  for (const r of bins) {
    const key: number | 'total' = Number(r.g) === 1 ? 'total' : new Date(r.b as Date | string).getTime();
    const id = `${key}:${r.kind}`;
    let set = sets.get(id);
    if (!set) sets.set(id, (set = { key, kind: Number(r.kind), total: Number(r.total), bins: [] }));
    set.bins.push({ bin: Number(r.bin), before: Number(r.before), n: Number(r.n) });
  }
  const binOf = (set: { key: number | 'total'; kind: number; bins: { bin: number; before: number; n: number }[] }, rank: number): Target => {
    const b = set.bins.find((x) => x.before <= rank && rank < x.before + x.n)!;
    const id = `${set.key}:${set.kind}:${b.bin}`;
    let t = targets.get(id);
    if (!t) targets.set(id, (t = { key: set.key, kind: set.kind, bin: b.bin, before: b.before, lo: rank, hi: rank }));
    t.lo = Math.min(t.lo, rank);
    t.hi = Math.max(t.hi, rank);
    return t;
  };
  const wanted = [...sets.values()].map((set) => ({
    set,
    ranks: PERCENTILES.map((p) => {
      const pos = p * (set.total - 1);
      const first = Math.floor(pos);
      const second = Math.ceil(pos);
      return { pos, first, second, a: binOf(set, first), b: binOf(set, second) };
    }),
  }));
  const list = [...targets.values()];
  const values = new Map<Target, number[]>();
  if (list.length) {
    const rangeOf = (key: number | 'total'): [Date, Date] => {
      if (key === 'total') return [period.from, period.to];
      const i = period.starts.findIndex((d) => d.getTime() === key);
      const end = i + 1 < period.starts.length ? period.starts[i + 1]!.getTime() : period.to.getTime();
      return [new Date(Math.max(key, period.from.getTime())), new Date(Math.min(end, period.to.getTime()))];
    };
    const arr = (xs: readonly (number | string)[], type: string) => sql`${`{${xs.join(',')}}`}::${sql.raw(type)}`;
    const ranges = list.map((t) => rangeOf(t.key));
    const valuesOf = (column: (typeof DURATIONS)[number]) =>
      sql`(select (array_agg(f.${sql.identifier(column)} order by f.${sql.identifier(column)}))[t.lo + 1 : t.hi + 1] from kpi_order_facts f
        where ${durationBin(sql`f.${sql.identifier(column)}`)} = t.bin and f.placed_at >= t.a and f.placed_at < t.z and ${and(dims)})`;
    const read = await ctx.database.rows<{ i: number; v: number[] | null }>(
      sql`select t.i, case when t.kind = 0 then ${valuesOf('ship_hours')} else ${valuesOf('deliver_hours')} end as v
      from unnest(${arr(list.map((_, i) => i), 'int[]')}, ${arr(list.map((t) => t.kind), 'int[]')}, ${arr(list.map((t) => t.bin), 'int[]')},
        ${arr(ranges.map(([a]) => `"${a.toISOString()}"`), 'timestamptz[]')}, ${arr(ranges.map(([, z]) => `"${z.toISOString()}"`), 'timestamptz[]')},
        ${arr(list.map((t) => t.lo - t.before), 'int[]')}, ${arr(list.map((t) => t.hi - t.before), 'int[]')}) t(i, kind, bin, a, z, lo, hi)`,
      tx,
    );
    for (const r of read) values.set(list[Number(r.i)]!, (r.v ?? []).map(Number));
  }
  const at = (t: Target, rank: number): number => {
    const v = values.get(t)?.[rank - t.lo];
    if (v === undefined) throw new Error(`kpis: rank ${rank} missing from duration bin ${t.bin} (the read model changed under the report)`);
    return v;
  };
  const out: DurationPercentiles = new Map();
  for (const { set, ranks } of wanted) {
    let row = out.get(set.key);
    if (!row) out.set(set.key, (row = DURATIONS.map(() => PERCENTILES.map(() => null as number | null))));
    // percentile_cont's own arithmetic (float8_lerp): first + (pos - first_row) * (second - first).
    row[set.kind] = ranks.map(({ pos, first, second, a, b }) => {
      const lo = at(a, first);
      return second > first ? lo + (pos - first) * (at(b, second) - lo) : lo;
    });
  }
  return out;
}

/** Orders, units, revenue, fill and backorder rates, returned and shipped units, the two durations. */
async function orderFigures(ctx: ServiceContext, scope: KpiScope, tx: Executor): Promise<KpiRows<OrderFigures>> {
  const { period } = scope;
  const src = sourcesOf(period);
  const dims = dimensionFilter(scope, sql`warehouse_ids`, sql`carrier_ids`);
  const cur = scope.currency;
  const parts: SQL[] = [];
  if (src.days) {
    parts.push(sql`select ${dayBucket(period)} as b, orders, units, case when currency = ${cur} then total_minor else 0 end as revenue, at_once, at_once_known, backordered,
        shipped_units, returned_units, ship_n, ship_sum, deliver_n, deliver_sum
      from kpi_daily_orders where day >= ${src.days.from}::date and day < ${src.days.to}::date and ${and(dims)}`);
  }
  if (src.factRanges.length) {
    parts.push(sql`select ${kpiBucket(sql`placed_at`, period)} as b, 1 as orders, units, case when currency = ${cur} then total_minor else 0 end as revenue, at_once, at_once_known,
        backordered, shipped_units, returned_units, (ship_hours is not null)::int as ship_n, coalesce(ship_hours, 0) as ship_sum, (deliver_hours is not null)::int as deliver_n,
        coalesce(deliver_hours, 0) as deliver_sum
      from kpi_order_facts where ${inRanges(src.factRanges)} and ${and(dims)}`);
  }
  const sums = await ctx.database.rows<Record<string, unknown> & { b: Date | null; g: number }>(
    sql`select s.b, grouping(s.b) as g, sum(orders)::int as orders, coalesce(sum(units), 0)::float8 as units, coalesce(sum(revenue), 0)::float8 as revenue,
      coalesce(sum(at_once), 0)::float8 as at_once, coalesce(sum(at_once_known), 0)::float8 as at_once_known, coalesce(sum(backordered), 0)::int as backordered,
      coalesce(sum(shipped_units), 0)::float8 as shipped, coalesce(sum(returned_units), 0)::float8 as returned,
      coalesce(sum(ship_n), 0)::int as ship_n, sum(ship_sum)::float8 as ship_sum, coalesce(sum(deliver_n), 0)::int as deliver_n, sum(deliver_sum)::float8 as deliver_sum
    from (${sql.join(parts, sql` union all `)}) s
    group by grouping sets ((s.b), ())`,
    tx,
  );
  const pctRows = await durationPercentiles(ctx, scope, src, dims, tx);
  const stats = (n: number, sum: unknown, p: (number | null)[] | null | undefined): DurationStatsView =>
    n > 0 ? { p50: numOrNull(p?.[0]), p90: numOrNull(p?.[1]), p99: numOrNull(p?.[2]), mean: Number(sum) / n, count: n } : { p50: null, p90: null, p99: null, mean: null, count: 0 };
  const out: KpiRows<OrderFigures> = new Map();
  for (const [key, r] of keyed(sums, (r) => r)) {
    const p = pctRows.get(key);
    out.set(key, {
      orders: num(r.orders),
      units: num(r.units),
      revenueMinor: num(r.revenue),
      atOnce: num(r.at_once),
      atOnceKnown: num(r.at_once_known),
      backordered: num(r.backordered),
      shippedUnits: num(r.shipped),
      returnedUnits: num(r.returned),
      orderToShip: stats(num(r.ship_n), r.ship_sum, p?.[0]),
      orderToDelivery: stats(num(r.deliver_n), r.deliver_sum, p?.[1]),
    });
  }
  return out;
}

interface ShipmentFigures {
  costMinor: number;
  deliveredWithEstimate: number;
  onTime: number;
}

/** The outbound shipments of the scope's orders, narrowed to the filter's warehouses and carriers: cost and punctuality. */
async function shipmentFigures(ctx: ServiceContext, scope: KpiScope, tx: Executor): Promise<KpiRows<ShipmentFigures>> {
  const { period } = scope;
  const src = sourcesOf(period);
  const dims = dimensionFilter(scope, sql`order_warehouse_ids`, sql`order_carrier_ids`, { warehouse: sql`warehouse_id`, carrier: sql`carrier_id` });
  const cur = scope.currency;
  const parts: SQL[] = [];
  if (src.days) {
    parts.push(sql`select ${dayBucket(period)} as b, case when currency = ${cur} then cost_minor else 0 end as cost, delivered_with_estimate, on_time
      from kpi_daily_shipments where day >= ${src.days.from}::date and day < ${src.days.to}::date and ${and(dims)}`);
  }
  if (src.factRanges.length) {
    parts.push(sql`select ${kpiBucket(sql`placed_at`, period)} as b, case when currency = ${cur} then cost_minor else 0 end as cost, delivered_with_estimate, on_time
      from kpi_shipment_facts where ${inRanges(src.factRanges)} and ${and(dims)}`);
  }
  const rows = await ctx.database.rows<Record<string, unknown> & { b: Date | null; g: number }>(
    sql`select s.b, grouping(s.b) as g, coalesce(sum(cost), 0)::float8 as cost, coalesce(sum(delivered_with_estimate), 0)::int as delivered, coalesce(sum(on_time), 0)::int as on_time
    from (${sql.join(parts, sql` union all `)}) s
    group by grouping sets ((s.b), ())`,
    tx,
  );
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
  await refreshKpiFacts(ctx);
  // One snapshot for every figure group: the buckets and totals of all groups describe the same rows.
  const [orderRows, shipmentRows, csatRows, slaRows, forecastRows, warehouseValues] = await inTransaction(
    ctx.database,
    async (tx) => {
      const inTx = withExecutor(ctx, tx);
      const orders = await orderFigures(ctx, scope, tx);
      // Warehousing cost is per order of the same cohort.
      const handled = (key: number | 'total') => orders.get(key)?.orders ?? 0;
      return [orders, await shipmentFigures(ctx, scope, tx), await csatFigures(inTx, scope), await slaFigures(inTx, scope), await forecastFigures(inTx, scope), await warehouseFigures(inTx, scope, handled)] as const;
    },
    { isolation: 'repeatable read' },
  );
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
      csatAverage: rate(csatRows.get(key)?.scoreSum ?? 0, csatRows.get(key)?.responses ?? 0),
      csatResponses: csatRows.get(key)?.responses ?? 0,
      forecastMape: rate(forecastRows.get(key)?.apeSum ?? 0, forecastRows.get(key)?.weeks ?? 0),
      supportSlaRate: rate(slaRows.get(key)?.met ?? 0, slaRows.get(key)?.decided ?? 0),
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
