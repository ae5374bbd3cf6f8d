/**
 * What a customer paid for delivered orders (loyalty's tiers read it: the rolling 365 days' paid
 * spend), without loyalty reading the orders table.
 */
import { and, eq, gt } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { orders } from './order.table.js';

export interface DeliveredPayment {
  orderId: string;
  /** subtotal − points discount (shipping excluded), minor units of the order's currency. */
  paidMinor: number;
  deliveredAt: Date;
}

/** The customer's DELIVERED orders in `currency` delivered after `since`, through the caller's executor. */
export async function deliveredPaymentsOfCustomer(executor: Executor, customerId: string, currency: string, since: Date): Promise<DeliveredPayment[]> {
  const rows = await executor
    .select({ orderId: orders.id, subtotalMinor: orders.subtotalMinor, discountMinor: orders.discountMinor, deliveredAt: orders.deliveredAt })
    .from(orders)
    .where(and(eq(orders.customerId, customerId), eq(orders.status, 'DELIVERED'), eq(orders.currency, currency), gt(orders.deliveredAt, since)));
  return rows.map((r) => ({ orderId: r.orderId, paidMinor: r.subtotalMinor - r.discountMinor, deliveredAt: r.deliveredAt! }));
}
