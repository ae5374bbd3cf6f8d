/**
 * Issue 18 item 2: the KPI read model (kpi_order_facts, daily rollups, the dirty-order log drained
 * before each read) gives exactly what the straightforward query over the source tables gives: a
 * randomized store (the benchmark's generator, a random seed, written with triggers on), then
 * random changes by plain SQL (cancel, deliver, ship, return, backorder events, a new order, a
 * moved fulfillment order), each followed by kpis over random periods (aligned to days or not),
 * granularities and filters, compared figure by figure with the reference below (the first
 * implementation of kpis: joins and percentile_cont over orders, lines, shipments, events, returns).
 */
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKpiData, generateKpiLedger } from '../scripts/bench/kpis-data.js';
import { inTransaction } from '../src/db/tx.js';
import { kpiPeriod } from '../src/modules/metrics/kpi.period.js';
import { updateCostModel } from '../src/modules/metrics/cost-model.service.js';
import { kpiBucket, PICK_SESSION_GAP_SECONDS } from '../src/modules/metrics/kpi.period.js';
import { keyed, kpis, orderFilter, sqlIn, type KpiRows, type KpiScope, type KpiValuesView } from '../src/modules/metrics/kpi.service.js';
import { sliceOf, slicesCte, stockFigures, stockoutFigures, type StockFigures, type StockoutFigures } from '../src/modules/metrics/kpi.stock.js';
import { money, proportionOf } from '../src/shared/money.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { startApp, type TestApp } from './harness.js';

const DAY = 86_400_000;
const PICKED_UNIT_MINOR = 100;
const hours = (column: SQL) => sql`(extract(epoch from ${column}) / 3600.0)::float8`;

let t: TestApp;
let ctx: ServiceContext;
const seed = Math.round((Math.random() * 2 - 1) * 1e6) / 1e6;
const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 7 * 60_000);
const rows = <T>(q: SQL) => t.app.database.rows<T>(q);

beforeAll(async () => {
  t = await startApp();
  ctx = t.app.context({ kind: 'STAFF', name: 'kpis-test', scopes: ['admin'] }).services;
  // One transaction: one connection for the generator's temporary tables (PostgreSQL pool).
  await inTransaction(t.app.database, async (tx) => {
    await generateKpiData((text) => tx.execute(sql.raw(text)), { orders: 400, end, days: 40, customers: 50, seed });
    // Bins, a supplier's costs, weekly receipts and a shipment movement per line shipped (triggers on).
    await generateKpiLedger((text) => tx.execute(sql.raw(text)), { end, days: 40, bulk: false });
  });
  await updateCostModel(ctx, { perUnitPicked: money(PICKED_UNIT_MINOR, 'RUB') });
}, 180_000);
afterAll(async () => {
  await t?.close();
});

/** The orders of the scope: placed in [from, to), not cancelled, narrowed by the filter; with their bucket `b`. */
function scopedOrders(scope: KpiScope): SQL {
  const { period } = scope;
  const where: SQL[] = [sql`o.created_at >= ${period.from.toISOString()}::timestamptz`, sql`o.created_at < ${period.to.toISOString()}::timestamptz`, sql`o.status <> 'CANCELLED'`];
  where.push(...orderFilter(scope, sql`o`));
  return sql`select o.id, o.created_at, o.delivered_at, o.total_minor, o.currency, ${kpiBucket(sql`o.created_at`, period)} as b
    from orders o where ${sql.join(where, sql` and `)}`;
}


// The stock figures straight from the ledger: the first implementation (window functions over
// every movement before `to`), against which the stock read model (kpi.stock.ts) is compared.
type Row = Record<string, unknown> & { b: Date | string | null; g: number };
const num = (v: unknown): number => (v == null ? 0 : Number(v));
const warehouseCondition = (scope: KpiScope, column: SQL): SQL => (scope.warehouseIds ? sqlIn(column, scope.warehouseIds) : sql`true`);
function bounds(scope: KpiScope) {
  const { period } = scope;
  return { F: sql`${period.from.toISOString()}::timestamptz`, T: sql`${period.to.toISOString()}::timestamptz`, bucket: (c: SQL) => kpiBucket(c, period) };
}


/**
 * From the ledger (inventory_movements before `to`, in the filter's warehouses), per slice: bins
 * holding stock at pe, on-hand units and their value at pe, units shipped and their cost in
 * [max(ss, from), pe); summed over each bucket's slices (weighted by w where a figure is per day).
 */
async function referenceStock(scope: KpiScope): Promise<KpiRows<StockFigures>> {
  const { F, T } = bounds(scope);
  const found = await rows<Row>(sql`
    with ${slicesCte(scope)},
    cost as (
      select sp.variant_id, sp.unit_cost_minor::float8 as c from supplier_products sp join suppliers su on su.id = sp.supplier_id
      where sp.preferred and su.currency = ${scope.currency}),
    m as (
      select m.variant_id, m.bin_id, m.quantity_delta as d, m.reason, m.created_at as t
      from inventory_movements m where m.created_at < ${T} and ${warehouseCondition(scope, sql`m.warehouse_id`)}),
    binbal as (select bin_id, t, sum(d) as d from m where bin_id is not null group by bin_id, t),
    binint as (select bin_id, t, lead(t) over w as tn, sum(d) over w as q from binbal window w as (partition by bin_id order by t)),
    binev as (
      select k, sum(e) as e from (
        select ${sliceOf(scope, sql`t`)} as k, 1 as e from binint where q > 0
        union all
        select ${sliceOf(scope, sql`tn`)} as k, -1 as e from binint where q > 0 and tn is not null) x
      group by k),
    mv as (
      select ${sliceOf(scope, sql`m.t`)} as k,
        sum(m.d)::float8 as units,
        sum(m.d * c.c)::float8 as value,
        sum(-m.d) filter (where m.reason = 'SHIPMENT' and m.t >= ${F})::float8 as shipped,
        sum(-m.d * c.c) filter (where m.reason = 'SHIPMENT' and m.t >= ${F})::float8 as cogs
      from m left join cost c on c.variant_id = m.variant_id group by 1),
    per as (
      select s.ss, s.w, s.b,
        sum(coalesce(be.e, 0)) over (order by s.ss)::float8 as bins,
        sum(coalesce(mv.units, 0)) over (order by s.ss)::float8 as onhand,
        sum(coalesce(mv.value, 0)) over (order by s.ss)::float8 as value,
        coalesce(mv.shipped, 0) as shipped, coalesce(mv.cogs, 0) as cogs
      from slices s left join binev be on be.k = s.ss left join mv on mv.k = s.ss)
    select per.b, grouping(per.b) as g,
      sum(per.bins * per.w)::float8 as bin_days,
      sum(per.value * per.w)::float8 as value_days,
      sum(per.w)::float8 as days,
      (array_agg(per.onhand order by per.ss desc))[1]::float8 as onhand_end,
      sum(per.shipped)::float8 as shipped,
      sum(per.cogs)::float8 as cogs
    from per group by grouping sets ((per.b), ())`);
  return keyed(found, (r) => ({
    binDays: num(r.bin_days),
    valueDays: num(r.value_days),
    days: num(r.days),
    onHandEnd: num(r.onhand_end),
    shipped: num(r.shipped),
    cogs: num(r.cogs),
  }));
}


/**
 * (variant, warehouse) pairs of the filter's warehouses: those stocked before the bucket's end
 * (min(next start, to)) — their ledger on-hand (the net of their movements, per instant) was above
 * 0 at some instant before it — and those whose on-hand was 0 at some instant of
 * [max(start, from), min(next start, to)) after they were first stocked.
 */
async function referenceStockouts(scope: KpiScope): Promise<KpiRows<StockoutFigures>> {
  const { F, T, bucket } = bounds(scope);
  const found = await rows<Row>(sql`
    with ${slicesCte(scope)},
    bk as (select b, min(greatest(ss, ${F})) as bs, max(pe) as be from slices group by b),
    pm as (
      select variant_id, warehouse_id, created_at as t, sum(quantity_delta) as d from inventory_movements
      where created_at < ${T} and ${warehouseCondition(scope, sql`warehouse_id`)} group by 1, 2, 3),
    pi as (select variant_id, warehouse_id, t, lead(t) over w as tn, sum(d) over w as q from pm window w as (partition by variant_id, warehouse_id order by t)),
    fp as (select variant_id, warehouse_id, min(t) as t from pi where q > 0 group by 1, 2),
    z as (
      select pi.variant_id, pi.warehouse_id, pi.t, coalesce(pi.tn, ${T}) as tn from pi join fp on fp.variant_id = pi.variant_id and fp.warehouse_id = pi.warehouse_id
      where pi.q <= 0 and pi.t > fp.t and coalesce(pi.tn, ${T}) > ${F}),
    hits as (select bk.b, count(distinct (z.variant_id, z.warehouse_id))::int as n from z join bk on bk.bs < z.tn and bk.be > z.t group by bk.b),
    firsts as (select greatest(${bucket(sql`fp.t`)}, (select min(b) from bk)) as b, count(*)::int as n from fp group by 1)
    select bk.b, 0 as g, coalesce(h.n, 0) as hit, sum(coalesce(f.n, 0)) over (order by bk.b)::int as pairs
    from bk left join hits h on h.b = bk.b left join firsts f on f.b = bk.b
    union all
    select null, 1, (select count(distinct (variant_id, warehouse_id))::int from z), (select count(*)::int from fp)`);
  return keyed(found, (r) => ({ pairs: num(r.pairs), hit: num(r.hit) }));
}


/** The reference: the straightforward statements over the source tables. */
async function reference(scope: KpiScope) {
  const durations = (name: string, h: SQL) => sql`percentile_cont(0.5) within group (order by ${h}) as ${sql.identifier(`${name}_p50`)},
    percentile_cont(0.9) within group (order by ${h}) as ${sql.identifier(`${name}_p90`)},
    percentile_cont(0.99) within group (order by ${h}) as ${sql.identifier(`${name}_p99`)},
    avg(${h})::float8 as ${sql.identifier(`${name}_mean`)}, count(${h})::int as ${sql.identifier(`${name}_n`)}`;
  const o = await rows<Record<string, unknown> & { b: Date | null; g: number }>(sql`
    with o as (${scopedOrders(scope)})
    select o.b, grouping(o.b) as g, count(*)::int as orders, coalesce(sum(l.units), 0)::float8 as units,
      coalesce(sum(o.total_minor) filter (where o.currency = ${scope.currency}), 0)::float8 as revenue,
      coalesce(sum(l.at_once), 0)::float8 as at_once, coalesce(sum(l.at_once_known), 0)::float8 as at_once_known,
      count(*) filter (where exists (select 1 from order_events e where e.order_id = o.id and e.status = 'BACKORDERED'))::int as backordered,
      coalesce(sum(l.shipped), 0)::float8 as shipped, coalesce(sum(r.returned), 0)::float8 as returned,
      ${durations('ship', sql`s.h`)}, ${durations('deliver', hours(sql`o.delivered_at - o.created_at`))}
    from o
    cross join lateral (select sum(ol.quantity) as units, sum(ol.allocated_at_creation) as at_once,
        sum(ol.quantity) filter (where ol.allocated_at_creation is not null) as at_once_known, sum(ol.shipped_quantity) as shipped
      from order_lines ol where ol.order_id = o.id) l
    cross join lateral (select ${hours(sql`min(fs.created_at) - o.created_at`)} as h from shipments fs where fs.order_id = o.id and fs.direction = 'OUTBOUND') s
    cross join lateral (select sum(rl.received_quantity) as returned from return_requests rr join return_lines rl on rl.return_request_id = rr.id where rr.order_id = o.id) r
    group by grouping sets ((o.b), ())`);
  const where: SQL[] = [sql`s.direction = 'OUTBOUND'`];
  if (scope.carrierIds) where.push(sqlIn(sql`s.carrier_id`, scope.carrierIds));
  if (scope.warehouseIds) where.push(sql`exists (select 1 from fulfillment_orders fo where fo.id = s.fulfillment_order_id and ${sqlIn(sql`fo.warehouse_id`, scope.warehouseIds)})`);
  const s = await rows<Record<string, unknown> & { b: Date | null; g: number }>(sql`
    with o as (${scopedOrders(scope)})
    select o.b, grouping(o.b) as g, coalesce(sum(s.cost_minor) filter (where s.currency = ${scope.currency}), 0)::float8 as cost,
      count(*) filter (where s.delivered_at is not null and s.estimated_delivery_to is not null)::int as delivered,
      count(*) filter (where s.delivered_at <= s.estimated_delivery_to)::int as on_time
    from o join shipments s on s.order_id = o.id where ${sql.join(where, sql` and `)}
    group by grouping sets ((o.b), ())`);
  // Units picked for the scope's orders in the filter's warehouses; scans of the period with
  // picker-hours from consecutive pick scans (the first implementation, straight over warehouse_scans).
  const picked = await rows<Record<string, unknown> & { b: Date | null; g: number }>(sql`
    with o as (${scopedOrders(scope)})
    select o.b, grouping(o.b) as g, coalesce(sum(p.units), 0)::float8 as picked
    from o cross join lateral (
      select sum(fl.picked_quantity) as units from fulfillment_orders fo join fulfillment_lines fl on fl.fulfillment_order_id = fo.id
      where fo.order_id = o.id and ${scope.warehouseIds ? sqlIn(sql`fo.warehouse_id`, scope.warehouseIds) : sql`true`}) p
    group by grouping sets ((o.b), ())`);
  const scanWhere: SQL[] = [
    sql`s.scanned_at >= ${scope.period.from.toISOString()}::timestamptz`,
    sql`s.scanned_at < ${scope.period.to.toISOString()}::timestamptz`,
    scope.warehouseIds ? sqlIn(sql`s.warehouse_id`, scope.warehouseIds) : sql`true`,
  ];
  if (scope.channels || scope.carrierIds) {
    scanWhere.push(sql`exists (select 1 from fulfillment_orders fo join orders o on o.id = fo.order_id
      where (fo.id = s.fulfillment_order_id or exists (select 1 from pick_list_orders plo where plo.pick_list_id = s.pick_list_id and plo.fulfillment_order_id = fo.id))
        and ${sql.join(orderFilter(scope, sql`o`, ['channels', 'carriers']), sql` and `)})`);
  }
  const scans = await rows<Record<string, unknown> & { b: Date | null; g: number }>(sql`
    with x as (
      select s.*, ${kpiBucket(sql`s.scanned_at`, scope.period)} as b, case when s.kind = 'PICK'
        then extract(epoch from s.scanned_at - lag(s.scanned_at) over (partition by s.kind, s.actor, s.warehouse_id order by s.scanned_at, s.id)) end::float8 as gap
      from warehouse_scans s where ${sql.join(scanWhere, sql` and `)})
    select x.b, grouping(x.b) as g, count(*)::int as scans, count(*) filter (where x.matched)::int as matched,
      coalesce(sum(x.quantity) filter (where x.kind = 'PICK' and x.matched), 0)::float8 as units,
      (coalesce(sum(x.gap) filter (where x.gap < ${PICK_SESSION_GAP_SECONDS}), 0) / 3600.0)::float8 as hours
    from x group by grouping sets ((x.b), ())`);
  return { o: keyed(o, (r) => r), s: keyed(s, (r) => r), picked: keyed(picked, (r) => Number(r.picked)), scans: keyed(scans, (r) => r) };
}

const close = (actual: number | null, expected: unknown, what: string) => {
  if (expected == null) expect(actual, what).toBeNull();
  else expect(Math.abs(actual! - Number(expected)), `${what}: ${actual} vs ${String(expected)}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(Number(expected))));
};

function compare(
  v: KpiValuesView,
  o: Record<string, unknown> | undefined,
  s: Record<string, unknown> | undefined,
  picked: number | undefined,
  scans: Record<string, unknown> | undefined,
  what: string,
) {
  const n = Number(o?.orders ?? 0);
  expect(v.orders, `${what} orders`).toBe(n);
  expect(v.units, `${what} units`).toBe(Number(o?.units ?? 0));
  expect(v.revenue.amountMinor, `${what} revenue`).toBe(Number(o?.revenue ?? 0));
  expect(v.shippingCost.amountMinor, `${what} shipping`).toBe(Number(s?.cost ?? 0));
  const rate = (a: unknown, b: unknown) => (Number(b ?? 0) > 0 ? Number(a) / Number(b) : null);
  close(v.fillRate, rate(o?.at_once, o?.at_once_known), `${what} fillRate`);
  close(v.backorderRate, rate(o?.backordered, n), `${what} backorderRate`);
  close(v.returnRate, rate(o?.returned, o?.shipped), `${what} returnRate`);
  close(v.onTimeDeliveryRate, rate(s?.on_time, s?.delivered), `${what} onTime`);
  // The cost model charges only PICKED_UNIT_MINOR per unit picked (beforeAll).
  expect(v.warehousingCostPerOrder?.amountMinor ?? null, `${what} picked units`).toBe(n > 0 ? proportionOf(money((picked ?? 0) * PICKED_UNIT_MINOR, 'RUB'), 1, n).amountMinor : null);
  close(v.pickAccuracy, rate(scans?.matched, scans?.scans), `${what} pickAccuracy`);
  close(v.unitsPickedPerHour, Number(scans?.hours ?? 0) > 0 ? Number(scans?.units) / Number(scans?.hours) : null, `${what} unitsPickedPerHour`);
  for (const [name, d] of [['ship', v.orderToShip], ['deliver', v.orderToDelivery]] as const) {
    expect(d.count, `${what} ${name} count`).toBe(Number(o?.[`${name}_n`] ?? 0));
    for (const k of ['p50', 'p90', 'p99', 'mean'] as const) close(d[k], o?.[`${name}_${k}`] ?? null, `${what} ${name} ${k}`);
  }
}

async function check(label: string, from: Date, to: Date, granularity: 'HOUR' | 'DAY' | 'WEEK' | 'MONTH', filter: { warehouseCodes?: string[]; carrierCodes?: string[]; channels?: string[] } = {}) {
  const report = await kpis(ctx, { from, to, granularity, filter });
  const ids = async (table: string, codes?: string[]) =>
    codes ? (await rows<{ id: string }>(sql`select id from ${sql.identifier(table)} where ${sqlIn(sql`code`, codes)}`)).map((r) => r.id) : null;
  const scope: KpiScope = {
    period: kpiPeriod(from, to, granularity, ctx.config.STORE_TIMEZONE),
    warehouseIds: await ids('warehouses', filter.warehouseCodes),
    carrierIds: await ids('carriers', filter.carrierCodes),
    channels: filter.channels ?? null,
    currency: ctx.config.STORE_CURRENCY,
  };
  const ref = await reference(scope);
  const what = `${label} seed ${seed} ${from.toISOString()}..${to.toISOString()} ${granularity} ${JSON.stringify(filter)}`;
  compare(report.totals, ref.o.get('total'), ref.s.get('total'), ref.picked.get('total'), ref.scans.get('total'), `${what} totals`);
  for (const b of report.series) {
    const k = b.start.getTime();
    compare(b.values, ref.o.get(k), ref.s.get(k), ref.picked.get(k), ref.scans.get(k), `${what} ${b.start.toISOString()}`);
  }
  if (!scope.channels && !scope.carrierIds) {
    // The stock figures' parts (kpis refreshed the read model above) against the ledger walk.
    const [stock, stockRef, outs, outsRef] = [await stockFigures(ctx, scope), await referenceStock(scope), await stockoutFigures(ctx, scope), await referenceStockouts(scope)];
    for (const key of ['total' as const, ...report.series.map((b) => b.start.getTime())]) {
      const [a, e, oa, oe] = [stock.get(key), stockRef.get(key), outs.get(key), outsRef.get(key)];
      for (const f of ['binDays', 'valueDays', 'days', 'onHandEnd', 'shipped', 'cogs'] as const) close(a?.[f] ?? 0, e?.[f] ?? 0, `${what} ${key} stock ${f}`);
      expect({ pairs: oa?.pairs ?? 0, hit: oa?.hit ?? 0 }, `${what} ${key} stockouts`).toEqual({ pairs: oe?.pairs ?? 0, hit: oe?.hit ?? 0 });
    }
  }
  return report;
}

/** Random periods: whole local days, unaligned instants, hours; every granularity; no filter or one of each. */
async function checkRandomPeriods(label: string, count: number) {
  const filters = [{}, { warehouseCodes: ['W1'] }, { warehouseCodes: ['W2', 'W3'] }, { carrierCodes: ['C2'] }, { channels: ['app'] }, { warehouseCodes: ['W3'], carrierCodes: ['C1', 'C4'], channels: ['web'] }];
  await check(`${label} all`, new Date(end.getTime() - 45 * DAY), new Date(end.getTime() + DAY), 'DAY');
  for (let i = 0; i < count; i++) {
    const a = end.getTime() - 42 * DAY + Math.random() * 44 * DAY;
    const aligned = Math.random() < 0.4;
    const from = new Date(aligned ? Math.floor(a / DAY) * DAY - 3 * 3_600_000 : a);
    const len = Math.random() < 0.3 ? Math.random() * 2 * DAY : Math.random() * 30 * DAY;
    const to = new Date(aligned ? from.getTime() + Math.max(1, Math.round(len / DAY)) * DAY : from.getTime() + len + 1000);
    const granularity = (['HOUR', 'DAY', 'WEEK', 'MONTH'] as const)[len < 3 * DAY ? Math.floor(Math.random() * 4) : 1 + Math.floor(Math.random() * 3)]!;
    await check(label, from, to, granularity, filters[Math.floor(Math.random() * filters.length)]);
  }
}

describe('kpis read model', () => {
  it('equals the straightforward query on a randomized store', async () => {
    const r = await check('initial', new Date(end.getTime() - 41 * DAY), end, 'WEEK');
    expect(r.totals.orders).toBeGreaterThan(300);
    expect(r.totals.orderToDelivery.count).toBeGreaterThan(100);
    expect(r.totals.returnRate).toBeGreaterThan(0);
    expect(r.totals.unitsPickedPerHour).toBeGreaterThan(0);
    expect(r.totals.pickAccuracy).toBeLessThan(1);
    // The ledger is there: stock turns (stockouts come with the writes below).
    expect(r.totals.stockoutRate).not.toBeNull();
    expect(r.totals.inventoryTurnover).toBeGreaterThan(0);
    expect(r.totals.daysOfSupply).toBeGreaterThan(0);
    await checkRandomPeriods('initial', 12);
  }, 180_000);

  it('stays equal after writes, read right after each (the dirty-order log drained by the read)', async () => {
    const pick = async (where: SQL, n: number) => (await rows<{ id: string }>(sql`select id from orders where ${where} order by random() limit ${n}`)).map((r) => r.id);
    /**
     * Up to `n` orders `where` selects; when the random store has none left (it holds 4 to 14 ALLOCATED
     * orders, and earlier changes use them up), not-cancelled orders with a fulfillment order instead:
     * every change below always writes something (an empty pick once made `in ()` / `= ::uuid` SQL).
     */
    const pickSome = async (where: SQL, n: number, fallback = sql`status <> 'CANCELLED' and exists (select 1 from fulfillment_orders fo where fo.order_id = orders.id)`) => {
      const ids = await pick(where, n);
      const found = ids.length ? ids : await pick(fallback, n);
      expect(found.length, 'orders to change').toBeGreaterThan(0);
      return found;
    };
    const inList = (ids: string[]) => sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `);
    const changes: [string, () => Promise<unknown>][] = [
      ['cancel', async () => rows(sql`update orders set status = 'CANCELLED', cancelled_at = now() where id in (${inList(await pickSome(sql`status = 'ALLOCATED'`, 3))})`)],
      ['deliver', async () => {
        const ids = await pickSome(sql`status = 'SHIPPED'`, 3);
        await rows(sql`update shipments set delivered_at = created_at + interval '50 hours', status = 'DELIVERED' where order_id in (${inList(ids)})`);
        return rows(sql`update orders set delivered_at = created_at + interval '61 hours', status = 'DELIVERED' where id in (${inList(ids)})`);
      }],
      ['ship', async () => {
        const [id] = await pickSome(sql`status = 'ALLOCATED' and exists (select 1 from fulfillment_orders fo where fo.order_id = orders.id)`, 1,
          // any order with a fulfillment order not yet shipped (one outbound shipment each)
          sql`exists (select 1 from fulfillment_orders fo where fo.order_id = orders.id and not exists (select 1 from shipments s where s.fulfillment_order_id = fo.id and s.direction = 'OUTBOUND'))`);
        await rows(sql`insert into shipments (id, order_id, fulfillment_order_id, carrier_id, service_id, tracking_number, status, cost_minor, currency, weight_grams, parcel, label_format, label_content, estimated_delivery_to, created_at, direction)
          select gen_random_uuid(), fo.order_id, fo.id, c.id, cs.id, 'T-' || gen_random_uuid(), 'LABEL_CREATED', 31700, 'RUB', 500, '{}', 'PDF', '', now() + interval '3 days', now() - interval '1 hour', 'OUTBOUND'
          from fulfillment_orders fo cross join (select * from carriers where code = 'C3') c join carrier_services cs on cs.carrier_id = c.id where fo.order_id = ${id}::uuid`);
        return rows(sql`update order_lines set shipped_quantity = quantity where order_id = ${id}::uuid`);
      }],
      ['return', async () => {
        const [id] = await pickSome(sql`status = 'DELIVERED'`, 1);
        await rows(sql`insert into return_requests (id, number, order_id, customer_id, status, currency) select gen_random_uuid(), 'RT-' || gen_random_uuid(), id, customer_id, 'REQUESTED', 'RUB' from orders where id = ${id}::uuid`);
        await rows(sql`insert into return_lines (id, return_request_id, order_line_id, variant_id, quantity, reason, position)
          select gen_random_uuid(), rr.id, ol.id, ol.variant_id, ol.quantity, 'DAMAGED', 1 from return_requests rr join order_lines ol on ol.order_id = rr.order_id where rr.order_id = ${id}::uuid`);
        return rows(sql`update return_lines set received_quantity = quantity where return_request_id in (select id from return_requests where order_id = ${id}::uuid)`);
      }],
      ['backorder event', async () => {
        const [id] = await pick(sql`true`, 1);
        return rows(sql`insert into order_events (order_id, sequence, status, occurred_at) select id, last_sequence + 100, 'BACKORDERED', now() from orders where id = ${id}::uuid`);
      }],
      ['new order', async () =>
        rows(sql`insert into orders (id, number, channel, status, customer_id, shipping_address, delivery_type, currency, subtotal_minor, shipping_minor, total_minor, created_at)
          select gen_random_uuid(), 'N-' || gen_random_uuid(), 'app', 'ALLOCATED', id, '{}', 'COURIER', 'RUB', 1000, 0, 1000, now() - interval '2 hours' from customers limit 1`)],
      ['move fulfillment order', async () => {
        const [id] = await pickSome(sql`status <> 'CANCELLED'`, 1);
        return rows(sql`update fulfillment_orders set warehouse_id = (select id from warehouses where code = 'W2') where order_id = ${id}::uuid`);
      }],
      ['pick', async () => {
        const [id] = await pickSome(sql`status = 'ALLOCATED' and exists (select 1 from fulfillment_orders fo where fo.order_id = orders.id)`, 1);
        return rows(sql`update fulfillment_lines set picked_quantity = quantity where fulfillment_order_id in (select id from fulfillment_orders where order_id = ${id}::uuid)`);
      }],
      ['scans', async () => {
        // Three pick scans of one picker minutes apart (one continuing a session across midnight of the store's day is likely over 3 runs) and a refused pack scan.
        const at = new Date(end.getTime() - Math.random() * 30 * DAY);
        for (const [i, matched] of [[0, true], [4, true], [9, false]] as const) {
          await rows(sql`insert into warehouse_scans (id, warehouse_id, kind, actor, pick_list_id, item_barcode, quantity, matched, error_code, scanned_at)
            select gen_random_uuid(), pl.warehouse_id, 'PICK', 'picker-1-1', pl.id, 'X', 2, ${matched}, ${matched ? null : 'WRONG_BIN_SCANNED'}, ${new Date(at.getTime() + i * 60_000).toISOString()}::timestamptz
            from pick_lists pl join warehouses w on w.id = pl.warehouse_id where w.code = 'W1' limit 1`);
        }
        return rows(sql`insert into warehouse_scans (id, warehouse_id, kind, actor, fulfillment_order_id, item_barcode, quantity, matched, error_code, scanned_at)
          select gen_random_uuid(), fo.warehouse_id, 'PACK', 'packer-9', fo.id, 'X', 1, false, 'PACK_MISMATCH', ${at.toISOString()}::timestamptz from fulfillment_orders fo limit 1`);
      }],
      ['receipt now', async () =>
        rows(sql`insert into inventory_movements (id, variant_id, warehouse_id, bin_id, quantity_delta, reason, reference)
          select gen_random_uuid(), m.variant_id, m.warehouse_id, m.bin_id, 7, 'RECEIPT', 'test' from inventory_movements m where m.bin_id is not null order by random() limit 1`)],
      ['a bin emptied now and a day ago (stockouts)', async () => {
        for (const ago of ['0 hours', '26 hours']) {
          await rows(sql`insert into inventory_movements (id, variant_id, warehouse_id, bin_id, quantity_delta, reason, reference, created_at)
            select gen_random_uuid(), b.variant_id, b.warehouse_id, b.bin_id, -b.q, 'SHIPMENT', 'test', now() - ${ago}::interval
            from (select variant_id, warehouse_id, bin_id, sum(quantity_delta) as q from inventory_movements where bin_id is not null and created_at < now() - ${ago}::interval
              group by 1, 2, 3 having sum(quantity_delta) > 0 order by random() limit 2) b`);
        }
      }],
      ['backdated movements, one without a bin', async () => {
        await rows(sql`insert into inventory_movements (id, variant_id, warehouse_id, bin_id, quantity_delta, reason, reference, created_at)
          select gen_random_uuid(), m.variant_id, m.warehouse_id, m.bin_id, -3, 'SHIPMENT', 'test', now() - interval '17 days 5 hours'
          from inventory_movements m where m.bin_id is not null order by random() limit 3`);
        return rows(sql`insert into inventory_movements (id, variant_id, warehouse_id, bin_id, quantity_delta, reason, reference, created_at)
          select gen_random_uuid(), m.variant_id, m.warehouse_id, null, 11, 'ADJUSTMENT', 'test', now() - interval '9 days'
          from inventory_movements m order by random() limit 1`);
      }],
      ['a movement removed', async () => rows(sql`delete from inventory_movements where id = (select id from inventory_movements where reason = 'RECEIPT' order by random() limit 1)`)],
      ['cost and currency changes', async () => {
        await rows(sql`update supplier_products set unit_cost_minor = unit_cost_minor + 1234 where variant_id in (select variant_id from supplier_products order by random() limit 5)`);
        await rows(sql`insert into suppliers (id, code, name, currency, lead_time_days) values (gen_random_uuid(), 'S-EUR', 'Euro supplier', 'EUR', 9)`);
        return rows(sql`update supplier_products set supplier_id = (select id from suppliers where code = 'S-EUR')
          where variant_id in (select variant_id from supplier_products order by random() limit 3)`);
      }],
      ['line quantity', async () => {
        const [id] = await pickSome(sql`status = 'ALLOCATED'`, 1);
        return rows(sql`update order_lines set quantity = quantity + 2 where order_id = ${id}::uuid`);
      }],
    ];
    for (const [name, change] of changes) {
      await change();
      await checkRandomPeriods(name, 3);
      if (name.startsWith('a bin emptied')) {
        const recent = await check(name, new Date(end.getTime() - 2 * DAY), new Date(Date.now() + 60_000), 'DAY', { warehouseCodes: ['W1', 'W2', 'W3'] });
        expect(recent.totals.stockoutRate).toBeGreaterThan(0);
      }
    }
    const [{ n }] = await rows<{ n: number }>(
      sql`select ((select count(*) from kpi_dirty_orders) + (select count(*) from kpi_dirty_scans) + (select count(*) from kpi_dirty_stock) + (select count(*) from kpi_dirty_costs))::int as n`,
    );
    expect(Number(n)).toBe(0);
  }, 300_000);

  it('the background pass catches up without a read: the dirty logs drained, the next read finds nothing to do', async () => {
    await rows(sql`update orders set status = 'CANCELLED', cancelled_at = now() where id in (select id from orders where status = 'ALLOCATED' limit 2)`);
    await rows(sql`insert into warehouse_scans (id, warehouse_id, kind, actor, pick_list_id, item_barcode, quantity, matched, scanned_at)
      select gen_random_uuid(), pl.warehouse_id, 'PICK', 'picker-bg', pl.id, 'X', 1, true, now() - interval '1 hour' from pick_lists pl limit 1`);
    await rows(sql`insert into inventory_movements (id, variant_id, warehouse_id, bin_id, quantity_delta, reason, reference)
      select gen_random_uuid(), variant_id, warehouse_id, bin_id, 2, 'RECEIPT', 'test' from inventory_movements where bin_id is not null limit 1`);
    const dirty = async () =>
      Number((await rows<{ n: number }>(sql`select (select count(*) from kpi_dirty_orders) + (select count(*) from kpi_dirty_scans) + (select count(*) from kpi_dirty_stock) as n`))[0]!.n);
    expect(await dirty()).toBeGreaterThan(0);
    await t.app.kpiRefresh.runOnce();
    expect(await dirty()).toBe(0);
    await checkRandomPeriods('after background pass', 2);
  }, 120_000);
});
