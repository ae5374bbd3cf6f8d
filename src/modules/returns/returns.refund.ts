/**
 * The refund of a return, as the contract defines it, as a pure function (property-tested in
 * returns.refund.test.ts):
 *   Σ over lines of unitPrice × inspected quantity,
 *   minus restockingFeePercent of that line's amount for each line whose reason is not the
 *   seller's fault (rounded half up per line),
 *   plus the order's shipping price once, on the return that completes the order, when every
 *   shipped unit of the order has been returned for a seller-fault reason.
 */
import { add, basisPointsOf, money, multiply, percentToBasisPoints, proportionOf, subtract, type Money } from '../../shared/money.js';
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

export interface DiscountShareInput {
  /** The order's discount (points redeemed at checkout) and the subtotal it was taken off. */
  discount: Money;
  subtotal: Money;
  /** Goods (unit price × units) refunded by the order's earlier refunds, and the discount they settled. */
  goodsBefore: Money;
  settledBefore: Money;
  /** This refund's goods and its amount (goods + shipping − restocking fee). */
  goods: Money;
  amount: Money;
}

/**
 * The part of a refund that the order's discount paid for. The discount falls on the goods in
 * proportion to their price: the goods refunded so far, this return's included, carry
 * round(discount × their price / subtotal); this return's share is that minus what the order's
 * earlier refunds settled, so the shares add up to the whole discount when every unit comes back
 * (no rounding drift across partial returns). Never more than the refund's amount (a restocking fee
 * can eat the refund) nor less than 0. Pure.
 */
export function discountShare(input: DiscountShareInput): Money {
  const zero = money(0, input.discount.currency);
  if (input.discount.amountMinor <= 0 || input.subtotal.amountMinor <= 0) return zero;
  const goodsSoFar = Math.min(add(input.goodsBefore, input.goods).amountMinor, input.subtotal.amountMinor);
  const dueSoFar = proportionOf(input.discount, goodsSoFar, input.subtotal.amountMinor);
  const share = subtract(dueSoFar, input.settledBefore).amountMinor;
  return money(Math.max(0, Math.min(share, input.amount.amountMinor)), input.discount.currency);
}
