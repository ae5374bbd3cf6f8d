/**
 * The store's invariants, read straight from the database after a fault: what a partial write
 * (a transaction half applied, an outbox row without its change, a reservation without its order)
 * would break. Each check is one SQL statement that returns the offending rows; `checkInvariants`
 * returns one readable line per violation (none = consistent). For any scenario of the fault suite:
 * give it a postgres.js client on the app's database.
 *
 * Covered (orders created, cancelled, fulfilled to any step; stock received, moved, picked, shipped):
 * - every order has lines, its gapless status history 1..last_sequence ending in its status, and one
 *   order.status_changed outbox row per history row;
 * - an order line's allocated quantity is what its live (not cancelled) fulfillment lines hold;
 * - inventory_levels.allocated = the units of open fulfillment lines (not cancelled, not shipped) of
 *   that variant and warehouse: allocations match reservations;
 * - stock ledger: bin_stock per bin and variant = the sum of that bin's movements; on_hand per variant
 *   and warehouse = its bins' stock = the sum of its movements.
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
    name: 'on hand differs from the bins or from the movements',
    query: `select v.sku || ' @ ' || w.code || ': on_hand ' || coalesce(lv.on_hand, 0) || ', bins ' || coalesce(b.q, 0) || ', movements ' || coalesce(m.q, 0) as what
      from (select variant_id, warehouse_id from inventory_levels union select variant_id, warehouse_id from inventory_movements) k
      join product_variants v on v.id = k.variant_id join warehouses w on w.id = k.warehouse_id
      left join inventory_levels lv on lv.variant_id = k.variant_id and lv.warehouse_id = k.warehouse_id
      left join lateral (select sum(quantity)::int as q from bin_stock bs where bs.variant_id = k.variant_id and bs.warehouse_id = k.warehouse_id) b on true
      left join lateral (select sum(quantity_delta)::int as q from inventory_movements im where im.variant_id = k.variant_id and im.warehouse_id = k.warehouse_id) m on true
      where coalesce(lv.on_hand, 0) <> coalesce(b.q, 0) or coalesce(lv.on_hand, 0) <> coalesce(m.q, 0)`,
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
