/**
 * The refund of a return, as the contract defines it, as a pure function (property-tested in
 * returns.refund.test.ts):
 *   Σ over lines of unitPrice × inspected quantity,
 *   minus restockingFeePercent of that line's amount for each line whose reason is not the
 *   seller's fault (rounded half up per line),
 *   plus the order's shipping price once, on the return that completes the order, when every
 *   shipped unit of the order has been returned for a seller-fault reason.
 */
import { add, basisPointsOf, money, multiply, percentToBasisPoints, subtract, type Money } from '../../shared/money.js';
import { isSellerFault, type ReturnReasonValue } from './returns.table.js';

export interface RefundLine {
  unitPrice: Money;
  /** Units refunded: inspected (or, for an estimate at request time, requested). */
  quantity: number;
  reason: ReturnReasonValue;
}

export interface RefundInput {
  currency: string;
  restockingFeePercent: number;
  lines: readonly RefundLine[];
  /** The order's shipping price. */
  orderShipping: Money;
  /**
   * True when this return completes the order: with it, every shipped unit of the order is in
   * returns that are not REJECTED or CANCELLED, all for seller-fault reasons, and no earlier
   * return of the order refunded the shipping.
   */
  completesOrderForSellerFault: boolean;
}

export interface RefundAmounts {
  amount: Money;
  shipping: Money;
  restockingFee: Money;
}

export function computeRefund(input: RefundInput): RefundAmounts {
  const bp = percentToBasisPoints(input.restockingFeePercent);
  const zero = money(0, input.currency);
  let goods = zero;
  let fee = zero;
  for (const l of input.lines) {
    const lineAmount = multiply(l.unitPrice, l.quantity);
    goods = add(goods, lineAmount);
    if (!isSellerFault(l.reason)) fee = add(fee, basisPointsOf(lineAmount, bp));
  }
  const shipping = input.completesOrderForSellerFault ? input.orderShipping : zero;
  return { amount: subtract(add(goods, shipping), fee), shipping, restockingFee: fee };
}
