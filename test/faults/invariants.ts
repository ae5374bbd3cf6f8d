/**
 * The store's invariants, read straight from the database after a fault: what a partial write
 * (a transaction half applied, an outbox row without its change, a reservation without its order)
 * would break. Each check is one SQL statement that returns the offending rows; `checkInvariants`
 * returns one readable line per violation (none = consistent). For any scenario of the fault suite
 * (the outages, the crash, the fuzzing before and after): give it a postgres.js client on the app's
 * database.
 *
 * Covered (orders created, cancelled, fulfilled to any step; stock received, moved, picked, shipped,
 * returned; loyalty points):
 * - every order has lines, its gapless status history 1..last_sequence ending in its status, and one
 *   order.status_changed outbox row per history row;
 * - an order line's allocated quantity is what its live (not cancelled) fulfillment lines hold;
 * - inventory_levels.allocated = the units of open fulfillment lines (not cancelled, not shipped) of
 *   that variant and warehouse: allocations match reservations;
 * - stock ledger: bin_stock per bin and variant = the sum of that bin's movements; on_hand per variant
 *   and warehouse = its bins' stock plus staging (picked units waiting to ship, movements without a
 *   bin) = the sum of its movements; staging within what is allocated; nothing negative; the
 *   RETURNS zone's stock is the level's unsellable;
 * - order lines: shipped ≤ allocated ≤ ordered; totals add up; fulfillment lines picked ≤ quantity;
 * - a loyalty balance is the sum of its ledger and of its open lots.
 */
import type { Sql } from 'postgres';

interface Check {
  name: string;
  query: string;
}

const CHECKS: Check[] = [
  {
    name: 'order without lines',
    query: `select o.number as what from orders o where not exists (select 1 from order_lines l where l.order_id = o.id)`,
  },
  {
    name: 'order history not gapless 1..last_sequence or not ending in its status',
    query: `select o.number || ': status ' || o.status || ', last_sequence ' || o.last_sequence || ', history ' || coalesce(h.n, 0) || ' rows up to ' || coalesce(h.top, 0) || ' ending ' || coalesce(h.last_status, '-') as what
      from orders o
      left join lateral (select count(*)::int as n, max(sequence) as top,
        (select e2.status from order_events e2 where e2.order_id = o.id order by e2.sequence desc limit 1) as last_status
        from order_events e where e.order_id = o.id) h on true
      where coalesce(h.n, 0) <> o.last_sequence or coalesce(h.top, 0) <> o.last_sequence or h.last_status is distinct from o.status`,
  },
  {
    name: 'order history row without its outbox event (or the reverse)',
    query: `select o.number || ': ' || coalesce(h.n, 0) || ' history rows, ' || coalesce(x.n, 0) || ' outbox events' as what
      from orders o
      left join lateral (select count(*)::int as n from order_events e where e.order_id = o.id) h on true
      left join lateral (select count(*)::int as n from outbox x where x.topic = 'order.status_changed' and x.payload->>'orderId' = o.id::text) x on true
      where coalesce(h.n, 0) <> coalesce(x.n, 0)`,
  },
  {
    name: 'order line allocated_quantity differs from its live fulfillment lines',
    query: `select o.number || ' ' || l.sku || ': allocated ' || l.allocated_quantity || ', fulfillment lines ' || coalesce(f.q, 0) as what
      from order_lines l join orders o on o.id = l.order_id
      left join lateral (select sum(fl.quantity)::int as q from fulfillment_lines fl join fulfillment_orders fo on fo.id = fl.fulfillment_order_id
        where fl.order_line_id = l.id and fo.status <> 'CANCELLED') f on true
      where l.allocated_quantity <> coalesce(f.q, 0)`,
  },
  {
    name: 'allocated stock differs from the open fulfillment lines (reservations)',
    query: `select v.sku || ' @ ' || w.code || ': allocated ' || coalesce(lv.allocated, 0) || ', reserved by open fulfillment lines ' || coalesce(r.q, 0) as what
      from (select variant_id, warehouse_id from inventory_levels
            union select fl.variant_id, fo.warehouse_id from fulfillment_lines fl join fulfillment_orders fo on fo.id = fl.fulfillment_order_id) k
      join product_variants v on v.id = k.variant_id join warehouses w on w.id = k.warehouse_id
      left join inventory_levels lv on lv.variant_id = k.variant_id and lv.warehouse_id = k.warehouse_id
      left join lateral (select sum(fl.quantity)::int as q from fulfillment_lines fl join fulfillment_orders fo on fo.id = fl.fulfillment_order_id
        where fl.variant_id = k.variant_id and fo.warehouse_id = k.warehouse_id and fo.status not in ('CANCELLED', 'SHIPPED')) r on true
      where coalesce(lv.allocated, 0) <> coalesce(r.q, 0)`,
  },
  {
    name: 'bin stock differs from the sum of its movements',
    query: `select v.sku || ' in bin ' || k.bin_id || ': bin_stock ' || coalesce(b.quantity, 0) || ', movements ' || coalesce(m.q, 0) as what
      from (select bin_id, variant_id from bin_stock union select bin_id, variant_id from inventory_movements where bin_id is not null) k
      join product_variants v on v.id = k.variant_id
      left join bin_stock b on b.bin_id = k.bin_id and b.variant_id = k.variant_id
      left join lateral (select sum(quantity_delta)::int as q from inventory_movements im where im.bin_id = k.bin_id and im.variant_id = k.variant_id) m on true
      where coalesce(b.quantity, 0) <> coalesce(m.q, 0)`,
  },
  {
    name: 'on hand differs from the movements',
    query: `select v.sku || ' @ ' || w.code || ': on_hand ' || coalesce(lv.on_hand, 0) || ', movements ' || coalesce(m.q, 0) as what
      from (select variant_id, warehouse_id from inventory_levels union select variant_id, warehouse_id from inventory_movements) k
      join product_variants v on v.id = k.variant_id join warehouses w on w.id = k.warehouse_id
      left join inventory_levels lv on lv.variant_id = k.variant_id and lv.warehouse_id = k.warehouse_id
      left join lateral (select sum(quantity_delta)::int as q from inventory_movements im where im.variant_id = k.variant_id and im.warehouse_id = k.warehouse_id) m on true
      where coalesce(lv.on_hand, 0) <> coalesce(m.q, 0)`,
  },
  {
    // Picked units wait in the warehouse's staging (movements without a bin) until shipped.
    name: 'staging (on hand minus the bins) negative or more than allocated',
    query: `select v.sku || ' @ ' || w.code || ': on_hand ' || l.on_hand || ', bins ' || coalesce(b.s, 0) || ', allocated ' || l.allocated as what
      from inventory_levels l join product_variants v on v.id = l.variant_id join warehouses w on w.id = l.warehouse_id
      left join (select variant_id, warehouse_id, sum(quantity)::int as s from bin_stock group by 1, 2) b on b.variant_id = l.variant_id and b.warehouse_id = l.warehouse_id
      where l.on_hand - coalesce(b.s, 0) < 0 or l.on_hand - coalesce(b.s, 0) > l.allocated`,
  },
  {
    name: 'negative stock',
    query: `select 'level ' || variant_id || ' @ ' || warehouse_id as what from inventory_levels
        where on_hand < 0 or allocated < 0 or unsellable < 0 or incoming < 0 or allocated + unsellable > on_hand
      union all select 'bin ' || bin_id || ' ' || variant_id from bin_stock where quantity < 0`,
  },
  {
    name: 'unsellable differs from the RETURNS-zone stock',
    query: `select l.variant_id || ' @ ' || l.warehouse_id || ': unsellable ' || l.unsellable || ', in RETURNS bins ' || coalesce(u.s, 0) as what
      from inventory_levels l
      left join (select b.variant_id, z.warehouse_id, sum(b.quantity)::int as s from bin_stock b join bin_locations bl on bl.id = b.bin_id
                   join zones z on z.id = bl.zone_id where z.kind = 'RETURNS' group by 1, 2) u on u.variant_id = l.variant_id and u.warehouse_id = l.warehouse_id
      where coalesce(u.s, 0) <> l.unsellable`,
  },
  {
    name: 'order line quantities out of order (shipped <= allocated <= ordered)',
    query: `select ol.id || ': ordered ' || ol.quantity || ', allocated ' || ol.allocated_quantity || ', shipped ' || ol.shipped_quantity as what from order_lines ol
      where ol.quantity <= 0 or ol.shipped_quantity < 0 or ol.shipped_quantity > ol.allocated_quantity or ol.allocated_quantity > ol.quantity`,
  },
  {
    name: 'order totals do not add up (total = subtotal + shipping - discount, none negative)',
    query: `select number || ': ' || subtotal_minor || ' + ' || shipping_minor || ' - ' || discount_minor || ' <> ' || total_minor as what from orders
      where total_minor <> subtotal_minor + shipping_minor - discount_minor or total_minor < 0 or subtotal_minor < 0 or shipping_minor < 0 or discount_minor < 0 or points_redeemed < 0`,
  },
  {
    name: 'fulfillment line picked out of range',
    query: `select id || ': quantity ' || quantity || ', picked ' || picked_quantity as what from fulfillment_lines where quantity <= 0 or picked_quantity < 0 or picked_quantity > quantity`,
  },
  {
    name: 'loyalty balance differs from its ledger or its open lots',
    query: `select a.customer_id || ': balance ' || a.balance as what from loyalty_accounts a
      where a.balance < 0
         or a.balance <> (select coalesce(sum(points), 0) from loyalty_transactions x where x.customer_id = a.customer_id)
         or a.balance <> (select coalesce(sum(remaining), 0) from loyalty_transactions x where x.customer_id = a.customer_id)`,
  },
];

/** One line per violated invariant row, e.g. "order without lines: WB-100007"; [] when the store is consistent. */
export async function checkInvariants(sql: Sql): Promise<string[]> {
  const out: string[] = [];
  for (const c of CHECKS) {
    const rows = await sql.unsafe<{ what: string }[]>(c.query);
    for (const r of rows) out.push(`${c.name}: ${r.what}`);
  }
  return out;
}

/** How many rows each check looked at is not reported; this says the store is not empty (a check over nothing proves nothing). */
export async function storeSize(sql: Sql): Promise<{ orders: number; movements: number; levels: number }> {
  const [r] = await sql.unsafe<{ orders: number; movements: number; levels: number }[]>(
    `select (select count(*)::int from orders) as orders, (select count(*)::int from inventory_movements) as movements, (select count(*)::int from inventory_levels) as levels`,
  );
  return r!;
}
