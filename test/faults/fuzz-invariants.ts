/**
 * The stock ledger and order invariants fuzz.test.ts checks before and after the fuzzing (straight
 * SQL on the server's database, apart from the code under test): each check is a query that
 * returns the rows breaking it, so an empty result is a pass and a failure names the rows.
 * The ledger checks are the ones test/seed.test.ts and ledger.property.test.ts keep; the
 * reservation and order checks follow order.service.ts (intake reserves what fulfillment lines
 * hold, cancel releases the open parts, shipping takes on-hand and allocated down together).
 */
import type postgres from 'postgres';

export const INVARIANTS: Record<string, string> = {
  /** Per variant and warehouse, the movements sum to on hand. */
  'ledger sums to on hand per warehouse': `
    select l.variant_id, l.warehouse_id, l.on_hand, coalesce(m.s, 0) as ledger from inventory_levels l
    left join (select variant_id, warehouse_id, sum(quantity_delta)::int as s from inventory_movements group by 1, 2) m
      on m.variant_id = l.variant_id and m.warehouse_id = l.warehouse_id
    where coalesce(m.s, 0) <> l.on_hand`,
  /** Per bin, the movements sum to the bin's stock. */
  'ledger sums to on hand per bin': `
    select b.bin_id, b.variant_id, b.quantity, coalesce(m.s, 0) as ledger from bin_stock b
    left join (select bin_id, variant_id, sum(quantity_delta)::int as s from inventory_movements where bin_id is not null group by 1, 2) m
      on m.bin_id = b.bin_id and m.variant_id = b.variant_id
    where coalesce(m.s, 0) <> b.quantity`,
  /**
   * Picked units wait in the warehouse's staging (movements without a bin) until shipped: on hand
   * minus the bins is that staging, never negative and never more than is allocated.
   */
  'staging within allocated': `
    select l.variant_id, l.warehouse_id, l.on_hand, l.allocated, coalesce(b.s, 0) as in_bins from inventory_levels l
    left join (select variant_id, warehouse_id, sum(quantity)::int as s from bin_stock group by 1, 2) b
      on b.variant_id = l.variant_id and b.warehouse_id = l.warehouse_id
    where l.on_hand - coalesce(b.s, 0) < 0 or l.on_hand - coalesce(b.s, 0) > l.allocated`,
  'no negative stock': `
    select 'level' as what, variant_id::text as id from inventory_levels where on_hand < 0 or allocated < 0 or unsellable < 0 or incoming < 0 or allocated + unsellable > on_hand
    union all select 'bin', bin_id::text from bin_stock where quantity < 0`,
  /** RETURNS-zone units are the level's unsellable ones. */
  'unsellable is the RETURNS-zone stock': `
    select l.variant_id, l.warehouse_id, l.unsellable, coalesce(u.s, 0) as in_returns from inventory_levels l
    left join (select b.variant_id, z.warehouse_id, sum(b.quantity)::int as s from bin_stock b join bin_locations bl on bl.id = b.bin_id
                 join zones z on z.id = bl.zone_id where z.kind = 'RETURNS' group by 1, 2) u
      on u.variant_id = l.variant_id and u.warehouse_id = l.warehouse_id
    where coalesce(u.s, 0) <> l.unsellable`,
  /** What is allocated in a warehouse is exactly what its open fulfillment orders hold. */
  'reservations match open fulfillment lines': `
    select l.variant_id, l.warehouse_id, l.allocated, coalesce(f.s, 0) as held from inventory_levels l
    full join (select fl.variant_id, fo.warehouse_id, sum(fl.quantity)::int as s from fulfillment_lines fl
                 join fulfillment_orders fo on fo.id = fl.fulfillment_order_id
                where fo.status not in ('SHIPPED', 'CANCELLED') group by 1, 2) f
      on f.variant_id = l.variant_id and f.warehouse_id = l.warehouse_id
    where coalesce(l.allocated, 0) <> coalesce(f.s, 0)`,
  /** An order line's allocated quantity is what its fulfillment lines (not cancelled) hold; shipped ≤ allocated ≤ ordered. */
  'order lines match their fulfillment lines': `
    select ol.id, ol.quantity, ol.allocated_quantity, ol.shipped_quantity, coalesce(f.s, 0) as held from order_lines ol
    left join (select fl.order_line_id, sum(fl.quantity)::int as s from fulfillment_lines fl
                 join fulfillment_orders fo on fo.id = fl.fulfillment_order_id
                where fo.status <> 'CANCELLED' group by 1) f on f.order_line_id = ol.id
    where ol.quantity <= 0 or ol.shipped_quantity < 0 or ol.shipped_quantity > ol.allocated_quantity or ol.allocated_quantity > ol.quantity
       or (ol.allocated_quantity <> coalesce(f.s, 0) and exists (select 1 from orders o where o.id = ol.order_id and o.status <> 'CANCELLED'))`,
  'every order has lines': `select o.id, o.number from orders o where not exists (select 1 from order_lines ol where ol.order_id = o.id)`,
  /** total = subtotal + shipping - discount, nothing negative. */
  'order totals add up': `
    select id, number, subtotal_minor, shipping_minor, discount_minor, total_minor from orders
    where total_minor <> subtotal_minor + shipping_minor - discount_minor or total_minor < 0 or subtotal_minor < 0 or shipping_minor < 0 or discount_minor < 0 or points_redeemed < 0`,
  /** A fulfillment order never holds more than picked ≤ quantity. */
  'fulfillment lines in range': `select id from fulfillment_lines where quantity <= 0 or picked_quantity < 0 or picked_quantity > quantity`,
  /** Loyalty: the balance is the sum of the ledger and of the lots still open. */
  'loyalty balance is its ledger': `
    select a.customer_id, a.balance from loyalty_accounts a
    where a.balance < 0
       or a.balance <> (select coalesce(sum(points), 0) from loyalty_transactions x where x.customer_id = a.customer_id)
       or a.balance <> (select coalesce(sum(remaining), 0) from loyalty_transactions x where x.customer_id = a.customer_id)`,
};

/** Runs every check; returns the breaking rows per check (empty: all hold). */
export async function invariantViolations(sql: postgres.Sql): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [name, q] of Object.entries(INVARIANTS)) {
    const rows = await sql.unsafe(q);
    if (rows.length) out[name] = rows.slice(0, 5).map((r) => ({ ...r }));
  }
  return out;
}
