/**
 * The goods refunded per order (loyalty's tiers subtract them from the paid spend), without
 * loyalty reading the returns tables.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { returnRequests } from './returns.table.js';

/**
 * Σ refunded paid goods (refund − shipping refunded + restocking fee kept − the order discount's
 * share: what the customer had paid for the inspected units) of the REFUNDED returns of these
 * orders, minor units, by order id.
 */
export async function refundedPaidGoodsByOrderIds(executor: Executor, orderIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!orderIds.length) return out;
  const rows = await executor
    .select({
      orderId: returnRequests.orderId,
      amount: returnRequests.refundAmountMinor,
      shipping: returnRequests.refundShippingMinor,
      fee: returnRequests.refundRestockingFeeMinor,
      discount: returnRequests.refundDiscountMinor,
    })
    .from(returnRequests)
    .where(and(inArray(returnRequests.orderId, [...orderIds]), eq(returnRequests.status, 'REFUNDED')));
  for (const r of rows) out.set(r.orderId, (out.get(r.orderId) ?? 0) + (r.amount ?? 0) - (r.shipping ?? 0) + (r.fee ?? 0) - (r.discount ?? 0));
  return out;
}
