/**
 * The KPI read model: kpi_order_facts (one narrow row per non-cancelled order: its dimensions,
 * units, money, flags and the two durations), kpi_shipment_facts (one per outbound shipment of
 * such an order), kpi_pick_facts (units picked per such order and warehouse) and their sums per
 * local day and dimensions (kpi_daily_orders, kpi_daily_shipments, kpi_daily_picks), so a year of figures reads a few thousand rollup rows instead of joining a
 * million orders to five tables.
 *
 * Exact and read-your-writes: triggers on every table a figure reads (migration
 * 0028_kpi_dirty_triggers) append the order's id to kpi_dirty_orders in the writer's transaction;
 * `refreshKpiFacts`, run at the start of every kpis call, drains that log in one transaction:
 * subtracts the marked orders' old facts from the rollups, recomputes their facts from the source
 * tables with the same expressions the reference query uses, and adds them back. A kpis call after a
 * mutation's response therefore sees it. The kpi_state row serialises refreshers (FOR UPDATE), and
 * the first call after the migration (or after STORE_TIMEZONE changed) rebuilds everything. The
 * stock tables (kpi.stock.ts) are refreshed in the same transaction from their own logs.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { inTransaction } from '../../db/tx.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { pickGap, pickSeconds } from './kpi.period.js';
import { rebuildStock, refreshStock } from './kpi.stock.js';

const hours = (column: SQL) => sql`(extract(epoch from ${column}) / 3600.0)::float8`;

/** The facts of the orders `where` selects (over orders o): the figures' definitions, in one place. */
function orderFactsSelect(where: SQL): SQL {
  return sql`select o.id, o.created_at, o.channel, o.currency,
      coalesce((select array_agg(distinct fo.warehouse_id order by fo.warehouse_id) from fulfillment_orders fo where fo.order_id = o.id), '{}'),
      coalesce((select array_agg(distinct s.carrier_id order by s.carrier_id) from shipments s where s.order_id = o.id and s.direction = 'OUTBOUND'), '{}'),
      coalesce(l.units, 0), o.total_minor, coalesce(l.at_once, 0), coalesce(l.at_once_known, 0),
      (exists (select 1 from order_events e where e.order_id = o.id and e.status = 'BACKORDERED'))::int,
      coalesce(l.shipped, 0), coalesce(r.returned, 0),
      (select ${hours(sql`min(fs.created_at) - o.created_at`)} from shipments fs where fs.order_id = o.id and fs.direction = 'OUTBOUND'),
      ${hours(sql`o.delivered_at - o.created_at`)}
    from orders o
    left join lateral (
      select sum(ol.quantity) as units, sum(ol.allocated_at_creation) as at_once,
        sum(ol.quantity) filter (where ol.allocated_at_creation is not null) as at_once_known, sum(ol.shipped_quantity) as shipped
      from order_lines ol where ol.order_id = o.id) l on true
    left join lateral (
      select sum(rl.received_quantity) as returned from return_requests rr join return_lines rl on rl.return_request_id = rr.id where rr.order_id = o.id) r on true
    where o.status <> 'CANCELLED' and ${where}`;
}

const ORDER_FACT_COLUMNS = sql`(order_id, placed_at, channel, currency, warehouse_ids, carrier_ids, units, total_minor, at_once, at_once_known, backordered, shipped_units, returned_units, ship_hours, deliver_hours)`;

/** Shipment facts of the orders whose facts `factWhere` (over kpi_order_facts f) selects; run after those are written. */
function shipmentFactsSelect(factWhere: SQL): SQL {
  return sql`select s.id, f.order_id, f.placed_at, f.channel, f.warehouse_ids, f.carrier_ids, fo.warehouse_id, s.carrier_id, s.currency, s.cost_minor,
      (s.delivered_at is not null and s.estimated_delivery_to is not null)::int, coalesce(s.delivered_at <= s.estimated_delivery_to, false)::int
    from kpi_order_facts f join shipments s on s.order_id = f.order_id and s.direction = 'OUTBOUND' join fulfillment_orders fo on fo.id = s.fulfillment_order_id
    where ${factWhere}`;
}
const SHIPMENT_FACT_COLUMNS = sql`(shipment_id, order_id, placed_at, channel, order_warehouse_ids, order_carrier_ids, warehouse_id, carrier_id, currency, cost_minor, delivered_with_estimate, on_time)`;

/** Pick facts (units picked per order and warehouse) of the orders whose facts `factWhere` selects; run after those are written. */
function pickFactsSelect(factWhere: SQL): SQL {
  return sql`select f.order_id, fo.warehouse_id, f.placed_at, f.channel, f.warehouse_ids, f.carrier_ids, sum(fl.picked_quantity)::int
    from kpi_order_facts f join fulfillment_orders fo on fo.order_id = f.order_id join fulfillment_lines fl on fl.fulfillment_order_id = fo.id
    where ${factWhere}
    group by f.order_id, fo.warehouse_id, f.placed_at, f.channel, f.warehouse_ids, f.carrier_ids
    having sum(fl.picked_quantity) > 0`;
}
const PICK_FACT_COLUMNS = sql`(order_id, warehouse_id, placed_at, channel, order_warehouse_ids, order_carrier_ids, picked_units)`;

const localDay = (column: SQL, tz: string) => sql`(${column} at time zone ${tz})::date`;

/**
 * The histogram bin of a duration in hours (kpi_daily_durations): whole hours. The same expression
 * as the bin indexes' of kpi_order_facts (kpi.table.ts), so the planner uses them.
 */
export const durationBin = (hoursColumn: SQL): SQL => sql`floor(${hoursColumn})::int`;
/** kind 0: ship_hours, 1: deliver_hours, with their bins, as rows of the facts `f` (a lateral). */
export const DURATION_KINDS = sql`(values (0::smallint, f.ship_hours, ${durationBin(sql`f.ship_hours`)}), (1::smallint, f.deliver_hours, ${durationBin(sql`f.deliver_hours`)})) k(kind, hours, bin)`;

/** Adds (sign 1) or subtracts (-1) the facts `where` selects to/from the rollups (`orderWhere` also selects pick facts). */
async function applyToRollups(tx: Executor, tz: string, sign: 1 | -1, orderWhere: SQL, shipmentWhere: SQL): Promise<void> {
  const s = sql.raw(String(sign));
  await tx.execute(sql`insert into kpi_daily_orders (day, channel, currency, warehouse_ids, carrier_ids, orders, units, total_minor, at_once, at_once_known, backordered,
      shipped_units, returned_units, ship_n, ship_sum, deliver_n, deliver_sum)
    select ${localDay(sql`placed_at`, tz)}, channel, currency, warehouse_ids, carrier_ids, ${s} * count(*), ${s} * sum(units), ${s} * sum(total_minor), ${s} * sum(at_once),
      ${s} * sum(at_once_known), ${s} * sum(backordered), ${s} * sum(shipped_units), ${s} * sum(returned_units), ${s} * count(ship_hours), ${s} * coalesce(sum(ship_hours), 0),
      ${s} * count(deliver_hours), ${s} * coalesce(sum(deliver_hours), 0)
    from kpi_order_facts where ${orderWhere}
    group by 1, 2, 3, 4, 5
    on conflict (day, channel, currency, warehouse_ids, carrier_ids) do update set orders = kpi_daily_orders.orders + excluded.orders,
      units = kpi_daily_orders.units + excluded.units, total_minor = kpi_daily_orders.total_minor + excluded.total_minor,
      at_once = kpi_daily_orders.at_once + excluded.at_once, at_once_known = kpi_daily_orders.at_once_known + excluded.at_once_known,
      backordered = kpi_daily_orders.backordered + excluded.backordered, shipped_units = kpi_daily_orders.shipped_units + excluded.shipped_units,
      returned_units = kpi_daily_orders.returned_units + excluded.returned_units, ship_n = kpi_daily_orders.ship_n + excluded.ship_n,
      ship_sum = kpi_daily_orders.ship_sum + excluded.ship_sum, deliver_n = kpi_daily_orders.deliver_n + excluded.deliver_n,
      deliver_sum = kpi_daily_orders.deliver_sum + excluded.deliver_sum`);
  await tx.execute(sql`insert into kpi_daily_shipments (day, channel, currency, order_warehouse_ids, order_carrier_ids, warehouse_id, carrier_id, shipments, cost_minor,
      delivered_with_estimate, on_time)
    select ${localDay(sql`placed_at`, tz)}, channel, currency, order_warehouse_ids, order_carrier_ids, warehouse_id, carrier_id, ${s} * count(*), ${s} * sum(cost_minor),
      ${s} * sum(delivered_with_estimate), ${s} * sum(on_time)
    from kpi_shipment_facts where ${shipmentWhere}
    group by 1, 2, 3, 4, 5, 6, 7
    on conflict (day, channel, currency, order_warehouse_ids, order_carrier_ids, warehouse_id, carrier_id) do update set
      shipments = kpi_daily_shipments.shipments + excluded.shipments, cost_minor = kpi_daily_shipments.cost_minor + excluded.cost_minor,
      delivered_with_estimate = kpi_daily_shipments.delivered_with_estimate + excluded.delivered_with_estimate, on_time = kpi_daily_shipments.on_time + excluded.on_time`);
  await tx.execute(sql`insert into kpi_daily_picks (day, channel, order_warehouse_ids, order_carrier_ids, warehouse_id, facts, picked_units)
    select ${localDay(sql`placed_at`, tz)}, channel, order_warehouse_ids, order_carrier_ids, warehouse_id, ${s} * count(*), ${s} * sum(picked_units)
    from kpi_pick_facts where ${orderWhere}
    group by 1, 2, 3, 4, 5
    on conflict (day, channel, order_warehouse_ids, order_carrier_ids, warehouse_id) do update set
      facts = kpi_daily_picks.facts + excluded.facts, picked_units = kpi_daily_picks.picked_units + excluded.picked_units`);
  await tx.execute(sql`insert into kpi_daily_durations (day, kind, bin, n)
    select ${localDay(sql`f.placed_at`, tz)}, k.kind, k.bin, ${s} * count(*)
    from kpi_order_facts f cross join lateral ${DURATION_KINDS} where k.bin is not null and ${orderWhere}
    group by 1, 2, 3
    on conflict (day, kind, bin) do update set n = kpi_daily_durations.n + excluded.n`);
}

/**
 * Recomputes kpi_scan_days for the (warehouse, actor, local day) keys `keys` selects (a relation
 * with warehouse_id, actor, day; null: every scan), from warehouse_scans, after deleting those rows.
 */
async function refreshScanDays(tx: Executor, tz: string, keys: SQL | null): Promise<void> {
  const day = localDay(sql`ws.scanned_at`, tz);
  if (keys) await tx.execute(sql`delete from kpi_scan_days d using (${keys}) k where d.warehouse_id = k.warehouse_id and d.actor = k.actor and d.day = k.day`);
  const scans = keys
    ? sql`select ws.*, k.day from (${keys}) k join warehouse_scans ws on ws.warehouse_id = k.warehouse_id and ws.actor = k.actor
        and ws.scanned_at >= (k.day::timestamp at time zone ${tz}) and ws.scanned_at < ((k.day + 1)::timestamp at time zone ${tz})`
    : sql`select ws.*, ${day} as day from warehouse_scans ws`;
  await tx.execute(sql`insert into kpi_scan_days (day, warehouse_id, actor, kind, scans, matched, units, first_at, last_at, gap_seconds)
    select x.day, x.warehouse_id, x.actor, x.kind, count(*), count(*) filter (where x.matched), coalesce(sum(x.quantity) filter (where x.kind = 'PICK' and x.matched), 0),
      min(x.scanned_at), max(x.scanned_at), ${pickSeconds(sql`x.gap`)}
    from (select s.*, ${pickGap(sql`s`, sql`s.day`)} as gap from (${scans}) s) x
    group by x.day, x.warehouse_id, x.actor, x.kind`);
}

const READ_MODEL_TABLES = [
  'kpi_dirty_orders',
  'kpi_dirty_scans',
  'kpi_order_facts',
  'kpi_shipment_facts',
  'kpi_pick_facts',
  'kpi_daily_orders',
  'kpi_daily_shipments',
  'kpi_daily_picks',
  'kpi_daily_durations',
  'kpi_scan_days',
  'kpi_stock_days',
  'kpi_stock_pairs',
  'kpi_stockout_spans',
  'kpi_bin_days',
  'kpi_stock_warehouse_days',
  'kpi_stock_value_days',
];

/** Recomputes the read model from the source tables (first use, or the store's time zone changed). */
async function rebuild(tx: Executor, tz: string, postgres: boolean): Promise<void> {
  // A maintenance pass over every order: not bounded by the per-request statement timeout.
  if (postgres) await tx.execute(sql`set local statement_timeout = 0`);
  for (const t of READ_MODEL_TABLES) await tx.execute(sql`delete from ${sql.identifier(t)}`);
  await tx.execute(sql`insert into kpi_order_facts ${ORDER_FACT_COLUMNS} ${orderFactsSelect(sql`true`)}`);
  await tx.execute(sql`insert into kpi_shipment_facts ${SHIPMENT_FACT_COLUMNS} ${shipmentFactsSelect(sql`true`)}`);
  await tx.execute(sql`insert into kpi_pick_facts ${PICK_FACT_COLUMNS} ${pickFactsSelect(sql`true`)}`);
  await applyToRollups(tx, tz, 1, sql`true`, sql`true`);
  await tx.execute(sql`insert into kpi_state (id, time_zone, built_at) values ('default', ${tz}, now())
    on conflict (id) do update set time_zone = excluded.time_zone, built_at = excluded.built_at`);
  // Fresh statistics: the planner otherwise sees the empty tables of the migration.
  await refreshScanDays(tx, tz, null);
  await rebuildStock(tx, tz);
  for (const t of READ_MODEL_TABLES.slice(2)) await tx.execute(sql`analyze ${sql.identifier(t)}`);
}

/** Brings the read model up to date with every committed write (see the module comment); true when it was (re)built from scratch. */
export async function refreshKpiFacts(ctx: ServiceContext): Promise<boolean> {
  const tz = ctx.config.STORE_TIMEZONE;
  const [pending] = await ctx.database.rows<{ stale: boolean }>(
    sql`select exists (select 1 from kpi_dirty_orders) or exists (select 1 from kpi_dirty_scans) or exists (select 1 from kpi_dirty_stock)
      or exists (select 1 from kpi_dirty_costs) or not exists (select 1 from kpi_state where id = 'default' and time_zone = ${tz}) as stale`,
  );
  if (!pending?.stale) return false;
  const rebuilt = await inTransaction(ctx.database, async (tx) => {
    // Insert-then-lock: the row exists for FOR UPDATE to serialise refreshers, also on the first run.
    await tx.execute(sql`insert into kpi_state (id, time_zone) values ('default', '') on conflict (id) do nothing`);
    const [state] = await ctx.database.rows<{ time_zone: string }>(sql`select time_zone from kpi_state where id = 'default' for update`, tx);
    if (state?.time_zone !== tz) return rebuild(tx, tz, ctx.database.kind === 'postgres').then(() => true);
    const scanKeys = await ctx.database.rows<{ warehouse_id: string; actor: string; day: string }>(
      sql`with d as (delete from kpi_dirty_scans returning warehouse_id, actor, scanned_at) select distinct warehouse_id, actor, ${localDay(sql`scanned_at`, tz)}::text as day from d`,
      tx,
    );
    if (scanKeys.length) {
      const col = (k: 'warehouse_id' | 'actor' | 'day', type: string) => sql`${`{${scanKeys.map((r) => JSON.stringify(r[k])).join(',')}}`}::${sql.raw(type)}`;
      await refreshScanDays(tx, tz, sql`select * from unnest(${col('warehouse_id', 'uuid[]')}, ${col('actor', 'text[]')}, ${col('day', 'date[]')}) k(warehouse_id, actor, day)`);
    }
    await refreshStock(ctx.database, tx, tz);
    const ids = await ctx.database.rows<{ order_id: string }>(sql`with d as (delete from kpi_dirty_orders returning order_id) select distinct order_id from d`, tx);
    if (!ids.length) return false;
    const list = sql`${`{${ids.map((r) => r.order_id).join(',')}}`}::uuid[]`;
    const orderWhere = sql`order_id = any(${list})`;
    await applyToRollups(tx, tz, -1, orderWhere, orderWhere);
    await tx.execute(sql`delete from kpi_shipment_facts where ${orderWhere}`);
    await tx.execute(sql`delete from kpi_pick_facts where ${orderWhere}`);
    await tx.execute(sql`delete from kpi_order_facts where ${orderWhere}`);
    await tx.execute(sql`insert into kpi_order_facts ${ORDER_FACT_COLUMNS} ${orderFactsSelect(sql`o.id = any(${list})`)}`);
    await tx.execute(sql`insert into kpi_shipment_facts ${SHIPMENT_FACT_COLUMNS} ${shipmentFactsSelect(sql`f.order_id = any(${list})`)}`);
    await tx.execute(sql`insert into kpi_pick_facts ${PICK_FACT_COLUMNS} ${pickFactsSelect(sql`f.order_id = any(${list})`)}`);
    await applyToRollups(tx, tz, 1, orderWhere, orderWhere);
    await tx.execute(sql`delete from kpi_daily_orders where orders = 0`);
    await tx.execute(sql`delete from kpi_daily_shipments where shipments = 0`);
    await tx.execute(sql`delete from kpi_daily_picks where facts = 0`);
    await tx.execute(sql`delete from kpi_daily_durations where n = 0`);
    return false;
  });
  // The percentiles read duration values by index-only scans (kpi_order_facts_*_bin_idx), which
  // need the visibility map of the freshly written facts; autovacuum keeps it up afterwards.
  if (rebuilt) await ctx.database.db.execute(sql`vacuum kpi_order_facts`);
  return rebuilt;
}
