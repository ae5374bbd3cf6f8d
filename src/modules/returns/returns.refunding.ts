/**
 * Recording the refund of an inspected return: the amount by `computeRefund` (returns.refund.ts)
 * from the inspected quantities, the order's prices and the store's restocking fee, with the
 * payment system's reference. Waybill pays nothing itself: the RETURN_UPDATED webhook and the
 * Refund object are what the storefront's payment integration acts on.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { transact } from '../../events/outbox.js';
import { BusinessError } from '../../shared/errors.js';
import { transition } from '../../shared/lifecycle.js';
import { add, money, subtract } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { linesByOrderIds } from '../orders/order.service.js';
import { orderRowsByIds } from '../orders/order.shipping.js';
import { warehousesByIds } from '../warehouse/warehouse.service.js';
import { computeRefund, discountShare, type RefundAmounts, type RefundLine } from './returns.refund.js';
import { requireReturn, requireReturnsWrite } from './returns.access.js';
import { RETURN_REFUND_HOOKS } from './returns.hooks.js';
import { returnLifecycle, type ReturnRow } from './returns.state.js';
import { isSellerFault, returnLineDispositions, returnLines, returnPolicies, returnRequests } from './returns.table.js';

export interface RefundReturnInput {
  id: string;
  externalReference?: string | null;
}

/**
 * The restocking fee percent of the store's policy (row 'default'; 0 when there is none), read in
 * the caller's transaction. (returns.service.ts has the full policy; this is the one figure the
 * refund needs, read where the refund is decided.)
 */
export async function policyForRefund(_ctx: ServiceContext, executor: Executor): Promise<{ restockingFeePercent: number }> {
  const [row] = await executor.select({ restockingFeePercent: returnPolicies.restockingFeePercent }).from(returnPolicies).where(eq(returnPolicies.id, 'default'));
  return { restockingFeePercent: row?.restockingFeePercent ?? 0 };
}

/** An order line as the refund sees it. */
export interface RefundOrderLine {
  id: string;
  shippedQuantity: number;
}

/** A line of one of the order's returns, with that return's status and earlier shipping refund. */
export interface OrderReturnLine {
  returnId: string;
  status: ReturnRow['status'];
  orderLineId: string;
  quantity: number;
  missingQuantity: number;
  reason: (typeof returnLines.$inferSelect)['reason'];
}

/**
 * Whether the return `returnId` completes its order for the seller's fault: with it, every shipped
 * unit of the order is in returns that are not REJECTED or CANCELLED, for seller-fault reasons
 * (units recorded missing at receipt do not count as returned), and no other return of the order
 * has refunded the shipping. Pure.
 */
export function completesOrderForSellerFault(
  returnId: string,
  orderLines: readonly RefundOrderLine[],
  lines: readonly OrderReturnLine[],
  shippingRefunded: readonly { returnId: string; refundShippingMinor: number | null }[],
): boolean {
  if (shippingRefunded.some((r) => r.returnId !== returnId && (r.refundShippingMinor ?? 0) > 0)) return false;
  if (!lines.some((l) => l.returnId === returnId)) return false;
  const covered = new Map<string, number>();
  for (const l of lines) {
    if (l.status === 'REJECTED' || l.status === 'CANCELLED' || !isSellerFault(l.reason)) continue;
    covered.set(l.orderLineId, (covered.get(l.orderLineId) ?? 0) + l.quantity - l.missingQuantity);
  }
  const shipped = orderLines.filter((l) => l.shippedQuantity > 0);
  return shipped.length > 0 && shipped.every((l) => (covered.get(l.id) ?? 0) >= l.shippedQuantity);
}

/**
 * Records the refund of an INSPECTED return and moves it to REFUNDED (payload: amount, the part
 * of it the order's points discount settles, what the payment system pays, and the currency, for
 * the storefront's payment integration). Refunds of one order take turns (their
 * return rows are locked), so the order's shipping is refunded once, on the return that completes
 * it. Errors: NOT_FOUND, INVALID, INVALID_STATE_TRANSITION (not INSPECTED, e.g. refunded already).
 */
export async function refundReturn(ctx: ServiceContext, input: RefundReturnInput): Promise<ReturnRow> {
  requireReturnsWrite(ctx);
  const reference = input.externalReference?.trim() || null;
  if (reference && reference.length > 200) throw BusinessError.of('INVALID', 'externalReference is at most 200 characters.', ['input', 'externalReference']);
  const ret = await requireReturn(ctx, input.id);
  const [order] = await orderRowsByIds(ctx, [ret.orderId]);
  if (!order) throw new Error(`return ${ret.number} has no order`);
  const orderLines = await linesByOrderIds(ctx, [order.id]);
  const [warehouse] = ret.warehouseId ? await warehousesByIds(ctx, [ret.warehouseId]) : [];
  return transact(ctx, async (tx, events) => {
    // Every return of the order, locked in id order: concurrent refunds of one order take turns,
    // so two returns cannot both see the shipping still unrefunded.
    const siblings = await tx.select().from(returnRequests).where(eq(returnRequests.orderId, order.id)).orderBy(asc(returnRequests.id)).for('update');
    const current = siblings.find((r) => r.id === ret.id)!;
    const lines = await tx.select().from(returnLines).where(inArray(returnLines.returnRequestId, siblings.map((r) => r.id)));
    const own = lines.filter((l) => l.returnRequestId === ret.id);
    const dispositions = own.length ? await tx.select().from(returnLineDispositions).where(inArray(returnLineDispositions.returnLineId, own.map((l) => l.id))) : [];
    const inspected = new Map<string, number>();
    for (const d of dispositions) inspected.set(d.returnLineId, (inspected.get(d.returnLineId) ?? 0) + d.quantity);
    const priceOf = new Map(orderLines.map((l) => [l.id, l.unitPriceMinor]));
    const statusOf = new Map(siblings.map((r) => [r.id, r.status]));
    const refundLines: RefundLine[] = own.map((l) => ({ unitPrice: money(priceOf.get(l.orderLineId) ?? 0, order.currency), quantity: inspected.get(l.id) ?? 0, reason: l.reason }));
    const completes = completesOrderForSellerFault(
      ret.id,
      orderLines,
      lines.map((l) => ({ returnId: l.returnRequestId, status: statusOf.get(l.returnRequestId)!, orderLineId: l.orderLineId, quantity: l.quantity, missingQuantity: l.missingQuantity, reason: l.reason })),
      siblings.map((r) => ({ returnId: r.id, refundShippingMinor: r.refundShippingMinor })),
    );
    const { restockingFeePercent } = await policyForRefund(ctx, tx);
    const refund: RefundAmounts = computeRefund({
      currency: order.currency,
      restockingFeePercent,
      lines: refundLines,
      orderShipping: money(order.shippingMinor, order.currency),
      completesOrderForSellerFault: completes,
    });
    const goods = add(subtract(refund.amount, refund.shipping), refund.restockingFee);
    // The order's points discount paid for part of these goods: that part comes back as points
    // (loyalty's refund hook), the rest is what the payment system pays.
    const earlier = siblings.filter((r) => r.status === 'REFUNDED' && r.id !== ret.id);
    const settledBefore = money(earlier.reduce((s, r) => s + (r.refundDiscountMinor ?? 0), 0), order.currency);
    const discount = discountShare({
      discount: money(order.discountMinor, order.currency),
      subtotal: money(order.subtotalMinor, order.currency),
      goodsBefore: money(earlier.reduce((s, r) => s + (r.refundAmountMinor ?? 0) - (r.refundShippingMinor ?? 0) + (r.refundRestockingFeeMinor ?? 0), 0), order.currency),
      settledBefore,
      goods,
      amount: refund.amount,
    });
    const at = ctx.clock.now();
    // The kernel refuses anything but INSPECTED → REFUNDED (a second refund included).
    const refunded = await transition(tx, events, returnLifecycle, current, 'REFUNDED', {
      at,
      message: `Refund of ${refund.amount.amountMinor} ${refund.amount.currency} (minor units) recorded${reference ? `: ${reference}` : ''}`,
      set: {
        refundAmountMinor: refund.amount.amountMinor,
        refundShippingMinor: refund.shipping.amountMinor,
        refundRestockingFeeMinor: refund.restockingFee.amountMinor,
        refundDiscountMinor: discount.amountMinor,
        refundExternalReference: reference,
        refundedAt: at,
      },
      payload: { refundAmountMinor: refund.amount.amountMinor, refundDiscountMinor: discount.amountMinor, refundPaymentMinor: refund.amount.amountMinor - discount.amountMinor, currency: refund.amount.currency, warehouseCode: warehouse?.code ?? null },
    });
    for (const hook of ctx.extensions.list(RETURN_REFUND_HOOKS)) await hook(ctx, tx, events, { returnRequest: refunded, order, goods, amount: refund.amount, discount, discountSoFar: add(settledBefore, discount) });
    return refunded;
  });
}
