/**
 * The orders module's port for per-customer order figures (the CRM export, loyalty.export.ts):
 * how many orders each customer placed and when the last one was, for a set of customers, in one
 * aggregate statement on orders_customer_idx.
 */
import { count, inArray, max } from 'drizzle-orm';
import { AccessError } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { orders } from './order.table.js';

export interface CustomerOrderStats {
  /** Orders placed, whatever became of them (cancelled ones included, as a CRM's "orders" count does). */
  orderCount: number;
  /** When the latest of them was placed. */
  lastOrderAt: Date;
}

/**
 * Order count and last order date per customer id; customers without orders are absent from the
 * map. Callers with read_customers or read_orders only (FORBIDDEN otherwise).
 */
export async function orderStatsByCustomerIds(ctx: ServiceContext, customerIds: readonly string[]): Promise<Map<string, CustomerOrderStats>> {
  const p = ctx.principal;
  if (!hasScope(p, 'read_customers') && !hasScope(p, 'read_orders')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_customers.');
  const stats = new Map<string, CustomerOrderStats>();
  if (!customerIds.length) return stats;
  const rows = await ctx.database.db
    .select({ customerId: orders.customerId, n: count(), last: max(orders.createdAt) })
    .from(orders)
    .where(inArray(orders.customerId, [...customerIds]))
    .groupBy(orders.customerId);
  for (const r of rows) stats.set(r.customerId, { orderCount: Number(r.n), lastOrderAt: new Date(r.last!) });
  return stats;
}
