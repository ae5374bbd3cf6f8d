/**
 * The stock figures of a KPI report from the stock part of the read model (kpi.table.ts):
 * bins holding stock (warehousingCostPerOrder's bin-days), stock on hand and its value
 * (inventoryTurnover, daysOfSupply) and stockouts (stockoutRate). The definitions are over the
 * inventory ledger (inventory_movements); walking a year of it took 12 s on the benchmark's store
 * (1.9 M movements), so the ledger is kept per local day:
 *
 * - kpi_stock_days: per (variant, warehouse) and day with movements, the net, units shipped and
 *   the on-hand at the day's end; kpi_bin_days: per bin and day, the quantity at the day's end and
 *   whether the bin started (+1) or stopped (-1) holding stock that day;
 * - kpi_stock_warehouse_days / kpi_stock_value_days: those summed per day and warehouse (value at
 *   the preferred supplier's cost, per currency), so the on-hand, value and bins held at any day's
 *   end are running sums over a few rows per day;
 * - kpi_stock_pairs (when each pair was first stocked) and kpi_stockout_spans (each interval at or
 *   below 0 after that, to its next movement), exact to the instant, so stockouts need no ledger.
 *
 * Whole local days of a report read the day rows; the partial days at its ends and every hour of an
 * HOUR report read the movements of those days, on top of the day rows before them. Refresh (in
 * refreshKpiFacts' transaction): the movements the trigger logged mark (pair, day) and (bin, day);
 * each marked pair and bin is recomputed from its earliest marked day on (movements are appended at
 * now(), so that is today's rows), then the warehouse sums from that day on. A change of costs
 * recomputes the value rollup from kpi_stock_days.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { kpiBucket, type KpiPeriod } from './kpi.period.js';
import { keyed, num, sourcesOf, sqlIn, ts, type BucketRow as Row, type KpiRows, type KpiScope } from './kpi.service.js';
import { DateTime } from 'luxon';

const localDay = (column: SQL, tz: string) => sql`(${column} at time zone ${tz})::date`;
const dayStart = (day: SQL, tz: string) => sql`(${day}::timestamp at time zone ${tz})`;

// ---------------------------------------------------------------------------------------------
// Refresh

/**
 * Recomputes the pairs (variant_id, warehouse_id, day) of `keys` from their day on: day rows,
 * first-stocked instant, stockout spans. `keys`: a relation, at most one row per pair; `whole`:
 * every pair from its first movement (a rebuild: one pass over the ledger, not an index walk per pair).
 */
async function refreshPairs(tx: Executor, tz: string, keys: SQL, whole = false): Promise<void> {
  // k: the pair, the start s0 of its first day to redo, its on-hand before s0 and when it was
  // first stocked if before s0 (else the walk finds it).
  const k = sql`k0 as (select * from (${keys}) k),
    k as (
      select k0.variant_id, k0.warehouse_id, k0.day, ${dayStart(sql`k0.day`, tz)} as s0,
        coalesce((select d.end_quantity from kpi_stock_days d where d.warehouse_id = k0.warehouse_id and d.variant_id = k0.variant_id and d.day < k0.day
          order by d.day desc limit 1), 0) as b,
        (select p.first_stocked_at from kpi_stock_pairs p where p.warehouse_id = k0.warehouse_id and p.variant_id = k0.variant_id
          and p.first_stocked_at < ${dayStart(sql`k0.day`, tz)}) as fs
      from k0)`;
  // The span open at s0 (begun before, at or below 0 since) now ends at the pair's first instant from s0 on.
  await tx.execute(sql`with ${k}
    update kpi_stockout_spans s set to_at = (select min(m.created_at) from inventory_movements m
        where m.variant_id = k.variant_id and m.warehouse_id = k.warehouse_id and m.created_at >= k.s0)
    from k where s.warehouse_id = k.warehouse_id and s.variant_id = k.variant_id and s.from_at < k.s0 and (s.to_at is null or s.to_at >= k.s0)`);
  await tx.execute(sql`with ${k}, a as (delete from kpi_stockout_spans s using k where s.warehouse_id = k.warehouse_id and s.variant_id = k.variant_id and s.from_at >= k.s0),
      b as (delete from kpi_stock_pairs p using k where p.warehouse_id = k.warehouse_id and p.variant_id = k.variant_id and p.first_stocked_at >= k.s0)
    delete from kpi_stock_days d using k where d.warehouse_id = k.warehouse_id and d.variant_id = k.variant_id and d.day >= k.day`);
  // The walk: per instant from s0 on, the on-hand q after it and the next instant tn.
  await tx.execute(sql`with ${k},
    pm as (
      select m.variant_id, m.warehouse_id, m.created_at as t, sum(m.quantity_delta) as d,
        coalesce(sum(-m.quantity_delta) filter (where m.reason = 'SHIPMENT'), 0) as shipped
      from k ${
        whole
          ? sql`join inventory_movements m on m.variant_id = k.variant_id and m.warehouse_id = k.warehouse_id`
          : // Per pair through the (variant, warehouse, created_at) index (offset 0: not flattened into
            // a hash join over the whole ledger, which the planner picks not knowing s0).
            sql`cross join lateral (select m.* from inventory_movements m where m.variant_id = k.variant_id and m.warehouse_id = k.warehouse_id and m.created_at >= k.s0 offset 0) m`
      }
      group by 1, 2, 3),
    pi as (
      select pm.*, k.b + sum(pm.d) over w as q, lead(pm.t) over w as tn
      from pm join k on k.variant_id = pm.variant_id and k.warehouse_id = pm.warehouse_id
      window w as (partition by pm.variant_id, pm.warehouse_id order by pm.t)),
    fs as (
      select k.variant_id, k.warehouse_id, coalesce(k.fs, p.first) as fs
      from k left join (select variant_id, warehouse_id, min(t) as first from pi where q > 0 group by 1, 2) p on p.variant_id = k.variant_id and p.warehouse_id = k.warehouse_id),
    days as (
      insert into kpi_stock_days (warehouse_id, variant_id, day, net, shipped, end_quantity)
      select warehouse_id, variant_id, ${localDay(sql`t`, tz)}, sum(d), sum(shipped), (array_agg(q order by t desc))[1] from pi group by 1, 2, 3),
    pairs as (
      insert into kpi_stock_pairs (warehouse_id, variant_id, first_stocked_at)
      select warehouse_id, variant_id, fs from fs where fs is not null
      on conflict (warehouse_id, variant_id) do nothing)
    insert into kpi_stockout_spans (warehouse_id, variant_id, from_at, to_at)
    select pi.warehouse_id, pi.variant_id, pi.t, pi.tn from pi join fs on fs.variant_id = pi.variant_id and fs.warehouse_id = pi.warehouse_id
    where pi.q <= 0 and pi.t > fs.fs`);
}

/** Recomputes the bins (bin_id, day) of `keys` from their day on (`whole`: as refreshPairs'). */
async function refreshBins(tx: Executor, tz: string, keys: SQL, whole = false): Promise<void> {
  await tx.execute(sql`with k as (select * from (${keys}) k)
    delete from kpi_bin_days d using k where d.bin_id = k.bin_id and d.day >= k.day`);
  await tx.execute(sql`insert into kpi_bin_days (bin_id, day, warehouse_id, end_quantity, ev)
    with k as (
      select k0.bin_id, k0.day, ${dayStart(sql`k0.day`, tz)} as s0,
        coalesce((select d.end_quantity from kpi_bin_days d where d.bin_id = k0.bin_id and d.day < k0.day order by d.day desc limit 1), 0) as b
      from (${keys}) k0),
    bd as (
      select m.bin_id, min(m.warehouse_id::text)::uuid as warehouse_id, ${localDay(sql`m.created_at`, tz)} as day, sum(m.quantity_delta) as d
      from k ${
        whole
          ? sql`join inventory_movements m on m.bin_id = k.bin_id`
          : sql`cross join lateral (select m.* from inventory_movements m where m.bin_id = k.bin_id and m.created_at >= k.s0 offset 0) m`
      }
      group by 1, 3),
    x as (select bd.*, k.b, k.b + sum(bd.d) over (partition by bd.bin_id order by bd.day) as e from bd join k on k.bin_id = bd.bin_id)
    select bin_id, day, warehouse_id, e, ((e > 0)::int - (coalesce(lag(e) over (partition by bin_id order by day), b) > 0)::int)::smallint from x`);
}

/** Recomputes the warehouse sums and their values (warehouse_id, day) of `keys` from their day on. */
async function refreshWarehouseDays(tx: Executor, keys: SQL): Promise<void> {
  await tx.execute(sql`with k as (select * from (${keys}) k), a as (delete from kpi_stock_value_days d using k where d.warehouse_id = k.warehouse_id and d.day >= k.day)
    delete from kpi_stock_warehouse_days d using k where d.warehouse_id = k.warehouse_id and d.day >= k.day`);
  await tx.execute(sql`insert into kpi_stock_warehouse_days (day, warehouse_id, net, shipped, bin_ev)
    with k as (select * from (${keys}) k)
    select day, warehouse_id, sum(net), sum(shipped), sum(ev) from (
      select d.day, d.warehouse_id, d.net, d.shipped, 0 as ev from k cross join lateral (select * from kpi_stock_days d where d.warehouse_id = k.warehouse_id and d.day >= k.day offset 0) d
      union all
      select d.day, d.warehouse_id, 0, 0, d.ev from k cross join lateral (select * from kpi_bin_days d where d.warehouse_id = k.warehouse_id and d.day >= k.day offset 0) d) x
    group by 1, 2`);
  await tx.execute(sql`insert into kpi_stock_value_days (day, warehouse_id, currency, net_value, cogs)
    with k as (select * from (${keys}) k)
    select d.day, d.warehouse_id, su.currency, sum(d.net * sp.unit_cost_minor), sum(d.shipped * sp.unit_cost_minor)
    from k cross join lateral (select * from kpi_stock_days d where d.warehouse_id = k.warehouse_id and d.day >= k.day offset 0) d
      join supplier_products sp on sp.variant_id = d.variant_id and sp.preferred join suppliers su on su.id = sp.supplier_id
    group by 1, 2, 3`);
}

/** Every stock table from the ledger (a rebuild of the read model). */
export async function rebuildStock(tx: Executor, tz: string): Promise<void> {
  for (const t of ['kpi_stock_days', 'kpi_stock_pairs', 'kpi_stockout_spans', 'kpi_bin_days', 'kpi_stock_warehouse_days', 'kpi_stock_value_days']) {
    await tx.execute(sql`delete from ${sql.identifier(t)}`);
  }
  await tx.execute(sql`delete from kpi_dirty_stock`);
  await tx.execute(sql`delete from kpi_dirty_costs`);
  await refreshPairs(tx, tz, sql`select variant_id, warehouse_id, ${localDay(sql`min(created_at)`, tz)} as day from inventory_movements group by 1, 2`, true);
  await refreshBins(tx, tz, sql`select bin_id, ${localDay(sql`min(created_at)`, tz)} as day from inventory_movements where bin_id is not null group by 1`, true);
  await refreshWarehouseDays(tx, sql`select id as warehouse_id, '-infinity'::date as day from warehouses`);
}

/** Drains kpi_dirty_stock and kpi_dirty_costs into the stock tables (see the module comment). */
export async function refreshStock(database: Database, tx: Executor, tz: string): Promise<void> {
  // Small statements the planner over-estimates (unnest keys, per-warehouse ranges): JIT compiling
  // them cost ~150 ms each, more than running them (bench store, refresh after 100 movements: 424 → 48 ms).
  if (database.kind === 'postgres') await tx.execute(sql`set local jit = off`);
  // The marked pairs and bins with their earliest marked local day (at most one row per pair and per bin).
  const marks = await database.rows<{ variant_id: string; warehouse_id: string; bin_id: string | null; day: string }>(
    sql`with d as (delete from kpi_dirty_stock returning variant_id, warehouse_id, bin_id, created_at)
      select variant_id::text, warehouse_id::text, null as bin_id, min(${localDay(sql`created_at`, tz)})::text as day from d group by 1, 2
      union all
      select null, warehouse_id::text, bin_id::text, min(${localDay(sql`created_at`, tz)})::text from d where bin_id is not null group by bin_id, warehouse_id`,
    tx,
  );
  const [costs] = await database.rows<{ n: number }>(sql`with d as (delete from kpi_dirty_costs returning 1) select count(*)::int as n from d`, tx);
  const array = (values: readonly string[], type: string) => sql`${`{${values.map((v) => JSON.stringify(v)).join(',')}}`}::${sql.raw(type)}`;
  const pairs = marks.filter((m) => m.variant_id);
  const binDay = new Map<string, string>();
  for (const m of marks) if (m.bin_id && !(binDay.get(m.bin_id)! <= m.day)) binDay.set(m.bin_id, m.day);
  const bins = [...binDay].map(([bin_id, day]) => ({ bin_id, day }));
  if (pairs.length) {
    await refreshPairs(tx, tz, sql`select * from unnest(${array(pairs.map((m) => m.variant_id), 'uuid[]')}, ${array(pairs.map((m) => m.warehouse_id), 'uuid[]')},
      ${array(pairs.map((m) => m.day), 'date[]')}) k(variant_id, warehouse_id, day)`);
  }
  if (bins.length) await refreshBins(tx, tz, sql`select * from unnest(${array(bins.map((m) => m.bin_id), 'uuid[]')}, ${array(bins.map((m) => m.day), 'date[]')}) k(bin_id, day)`);
  if (Number(costs?.n ?? 0) > 0) {
    // Revalue everything: the warehouse sums of every day (rare: a cost or a currency changed).
    await refreshWarehouseDays(tx, sql`select id as warehouse_id, '-infinity'::date as day from warehouses`);
  } else if (marks.length) {
    await refreshWarehouseDays(tx, sql`select warehouse_id, min(day) as day
      from unnest(${array(marks.map((m) => m.warehouse_id), 'uuid[]')}, ${array(marks.map((m) => m.day), 'date[]')}) k(warehouse_id, day) group by 1`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The period's bounds and the bucket of a timestamptz, as SQL (also kpi.warehouse.ts'). */
export function bounds(scope: KpiScope) {
  const { period } = scope;
  return { F: ts(period.from), T: ts(period.to), Z: sql`${period.timeZone}`, bucket: (c: SQL) => kpiBucket(c, period) };
}

/**
 * CTEs `days` and `slices`: the period cut into slices (hours for an HOUR series, else days of the
 * store's time zone); each slice has its start ss, end se, the instant pe = min(se, to) at which
 * stock is read, its weight w (its part inside [from, to) over the length of its calendar day, so a
 * whole day weighs 1 and an hour 1/24, 1/23 or 1/25) and its bucket b.
 */
export function slicesCte(scope: KpiScope): SQL {
  const { F, T, Z, bucket } = bounds(scope);
  const inner =
    scope.period.granularity === 'HOUR'
      ? sql`select h as ss, h + interval '1 hour' as se, d.ds, d.de from days d cross join lateral generate_series(d.ds, d.de - interval '1 hour', interval '1 hour') h`
      : sql`select d.ds as ss, d.de as se, d.ds, d.de from days d`;
  return sql`days as (
      select (ld at time zone ${Z}) as ds, ((ld + interval '1 day') at time zone ${Z}) as de
      from generate_series(date_trunc('day', ${F} at time zone ${Z}), ${T} at time zone ${Z}, interval '1 day') ld),
    slices as (
      select x.ss, x.se, least(x.se, ${T}) as pe,
        (extract(epoch from least(x.se, ${T}) - greatest(x.ss, ${F})) / extract(epoch from x.de - x.ds))::float8 as w,
        ${bucket(sql`x.ss`)} as b
      from (${inner}) x where least(x.se, ${T}) > greatest(x.ss, ${F}))`;
}

/** SQL: the start of the slice holding the timestamptz `t`, or the first slice for anything earlier. */
export function sliceOf(scope: KpiScope, t: SQL): SQL {
  const { Z } = bounds(scope);
  const unit = scope.period.granularity === 'HOUR' ? 'hour' : 'day';
  return sql`greatest(date_trunc(${unit}, ${t} at time zone ${Z}) at time zone ${Z}, (select min(ss) from slices))`;
}

export const warehouseCondition = (scope: KpiScope, column: SQL): SQL => (scope.warehouseIds ? sqlIn(column, scope.warehouseIds) : sql`true`);

/**
 * Where the stock figures read a period from: the day rows before `baseBefore` (the local day
 * holding `from`) as the opening state, the day rows of `days` (whole local days, slices of a DAY,
 * WEEK or MONTH report), and the movements of `raw` (the first day when `from` is not its start,
 * the last when `to` is not, every day of an HOUR report).
 */
export function stockSources(period: KpiPeriod): { baseBefore: string; days: { from: string; to: string } | null; raw: [Date, Date][] } {
  const firstDay = DateTime.fromJSDate(period.from, { zone: period.timeZone }).startOf('day');
  const baseBefore = firstDay.toISODate()!;
  const src = sourcesOf(period);
  if (!src.days) return { baseBefore, days: null, raw: [[firstDay.toJSDate(), period.to]] };
  const raw: [Date, Date][] = [];
  for (const [a, z] of src.factRanges) raw.push([a.getTime() === period.from.getTime() ? firstDay.toJSDate() : a, z]);
  return { baseBefore, days: src.days, raw };
}

export interface StockFigures {
  binDays: number;
  valueDays: number;
  days: number;
  onHandEnd: number;
  shipped: number;
  cogs: number;
}

/**
 * Per slice: bins holding stock at pe, on-hand units and their value at pe, units shipped and their
 * cost in [max(ss, from), pe); summed over each bucket's slices (weighted by w where a figure is
 * per day). Each source adds per-slice changes (k: the slice; anything before the first slice
 * lands in it); running sums over the slices give the states.
 */
export async function stockFigures(ctx: ServiceContext, scope: KpiScope): Promise<KpiRows<StockFigures>> {
  const { F } = bounds(scope);
  const src = stockSources(scope.period);
  const wh = (c: SQL) => warehouseCondition(scope, c);
  const first = sql`(select min(ss) from slices)`;
  const parts: SQL[] = [
    sql`select ${first} as k, coalesce(sum(net), 0)::float8 as units, 0::float8 as value, coalesce(sum(bin_ev), 0)::float8 as bins, 0::float8 as shipped, 0::float8 as cogs
      from kpi_stock_warehouse_days where day < ${src.baseBefore}::date and ${wh(sql`warehouse_id`)}`,
    sql`select ${first}, 0, coalesce(sum(net_value), 0)::float8, 0, 0, 0
      from kpi_stock_value_days where day < ${src.baseBefore}::date and currency = ${scope.currency} and ${wh(sql`warehouse_id`)}`,
  ];
  if (src.days) {
    const inDays = sql`day >= ${src.days.from}::date and day < ${src.days.to}::date and ${wh(sql`warehouse_id`)}`;
    parts.push(sql`select ${dayStart(sql`day`, scope.period.timeZone)}, sum(net)::float8, 0, sum(bin_ev)::float8, sum(shipped)::float8, 0 from kpi_stock_warehouse_days where ${inDays} group by day`);
    parts.push(sql`select ${dayStart(sql`day`, scope.period.timeZone)}, 0, sum(net_value)::float8, 0, 0, sum(cogs)::float8 from kpi_stock_value_days where ${inDays} and currency = ${scope.currency} group by day`);
  }
  for (const [a, z] of src.raw) {
    const range = sql`m.created_at >= ${ts(a)} and m.created_at < ${ts(z)} and ${wh(sql`m.warehouse_id`)}`;
    parts.push(sql`select ${sliceOf(scope, sql`m.created_at`)}, sum(m.quantity_delta)::float8, sum(m.quantity_delta * c.c)::float8, 0,
        coalesce(sum(-m.quantity_delta) filter (where m.reason = 'SHIPMENT' and m.created_at >= ${F}), 0)::float8,
        coalesce(sum(-m.quantity_delta * c.c) filter (where m.reason = 'SHIPMENT' and m.created_at >= ${F}), 0)::float8
      from inventory_movements m left join cost c on c.variant_id = m.variant_id where ${range} group by 1`);
    // Bins: from each bin's quantity before the range, +1 / -1 where it starts / stops holding stock.
    parts.push(sql`select k, 0, 0, sum(e)::float8, 0, 0 from (
        select ${sliceOf(scope, sql`x.t`)} as k, ((x.q > 0)::int - (coalesce(lag(x.q) over w, x.b) > 0)::int) as e
        from (
          select bm.bin_id, bm.t, bm.b, bm.b + sum(bm.d) over (partition by bm.bin_id order by bm.t) as q
          from (
            select m.bin_id, m.created_at as t, sum(m.quantity_delta) as d,
              coalesce((select d.end_quantity from kpi_bin_days d where d.bin_id = m.bin_id and d.day < ${localDay(ts(a), scope.period.timeZone)} order by d.day desc limit 1), 0) as b
            from inventory_movements m where ${range} and m.bin_id is not null group by m.bin_id, m.created_at) bm) x
        window w as (partition by x.bin_id order by x.t)) y
      group by k`);
  }
  const rows = await ctx.database.rows<Row>(sql`
    with ${slicesCte(scope)},
    cost as (
      select sp.variant_id, sp.unit_cost_minor::float8 as c from supplier_products sp join suppliers su on su.id = sp.supplier_id
      where sp.preferred and su.currency = ${scope.currency}),
    ch as (select k, sum(units) as units, sum(value) as value, sum(bins) as bins, sum(shipped) as shipped, sum(cogs) as cogs
      from (${sql.join(parts, sql` union all `)}) p where k is not null group by k),
    per as (
      select s.ss, s.w, s.b,
        sum(coalesce(ch.bins, 0)) over (order by s.ss)::float8 as bins,
        sum(coalesce(ch.units, 0)) over (order by s.ss)::float8 as onhand,
        sum(coalesce(ch.value, 0)) over (order by s.ss)::float8 as value,
        coalesce(ch.shipped, 0) as shipped, coalesce(ch.cogs, 0) as cogs
      from slices s left join ch on ch.k = s.ss)
    select per.b, grouping(per.b) as g,
      sum(per.bins * per.w)::float8 as bin_days,
      sum(per.value * per.w)::float8 as value_days,
      sum(per.w)::float8 as days,
      (array_agg(per.onhand order by per.ss desc))[1]::float8 as onhand_end,
      sum(per.shipped)::float8 as shipped,
      sum(per.cogs)::float8 as cogs
    from per group by grouping sets ((per.b), ())`);
  return keyed(rows, (r) => ({
    binDays: num(r.bin_days),
    valueDays: num(r.value_days),
    days: num(r.days),
    onHandEnd: num(r.onhand_end),
    shipped: num(r.shipped),
    cogs: num(r.cogs),
  }));
}

export interface StockoutFigures {
  pairs: number;
  hit: number;
}

/**
 * (variant, warehouse) pairs of the filter's warehouses: those stocked before the bucket's end
 * (min(next start, to)) and those with a stockout span (on-hand at or below 0 after first stocked)
 * overlapping [max(start, from), min(next start, to)).
 */
export async function stockoutFigures(ctx: ServiceContext, scope: KpiScope): Promise<KpiRows<StockoutFigures>> {
  const { F, T, bucket } = bounds(scope);
  const rows = await ctx.database.rows<Row>(sql`
    with ${slicesCte(scope)},
    bk as (select b, min(greatest(ss, ${F})) as bs, max(pe) as be from slices group by b),
    fp as (select variant_id, warehouse_id, first_stocked_at as t from kpi_stock_pairs where first_stocked_at < ${T} and ${warehouseCondition(scope, sql`warehouse_id`)}),
    z as (
      select variant_id, warehouse_id, from_at as t, coalesce(to_at, ${T}) as tn from kpi_stockout_spans
      where from_at < ${T} and coalesce(to_at, ${T}) > ${F} and ${warehouseCondition(scope, sql`warehouse_id`)}),
    hits as (select bk.b, count(distinct (z.variant_id, z.warehouse_id))::int as n from z join bk on bk.bs < z.tn and bk.be > z.t group by bk.b),
    firsts as (select greatest(${bucket(sql`fp.t`)}, (select min(b) from bk)) as b, count(*)::int as n from fp group by 1)
    select bk.b, 0 as g, coalesce(h.n, 0) as hit, sum(coalesce(f.n, 0)) over (order by bk.b)::int as pairs
    from bk left join hits h on h.b = bk.b left join firsts f on f.b = bk.b
    union all
    select null, 1, (select count(distinct (variant_id, warehouse_id))::int from z), (select count(*)::int from fp)`);
  return keyed(rows, (r) => ({ pairs: num(r.pairs), hit: num(r.hit) }));
}
