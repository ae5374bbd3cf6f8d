/**
 * The refund function against the contract: properties over random returns (fast-check), an
 * independent BigInt computation of the same rule, and worked examples a merchant can check by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../../shared/money.js';
import { completesOrderForSellerFault, type OrderReturnLine } from './returns.refunding.js';
import { computeRefund, discountShare, type RefundInput } from './returns.refund.js';
import { isSellerFault, RETURN_REASONS, type ReturnReasonValue } from './returns.table.js';

const RUB = 'RUB';

const lineArb = fc.record({
  unitPriceMinor: fc.integer({ min: 0, max: 50_000_000 }),
  quantity: fc.integer({ min: 0, max: 40 }),
  reason: fc.constantFrom(...RETURN_REASONS),
});

const inputArb = fc.record({
  // A percent with at most two decimals, as the policy stores it (0.00 .. 100.00).
  feeBasisPoints: fc.integer({ min: 0, max: 10_000 }),
  lines: fc.array(lineArb, { minLength: 0, maxLength: 8 }),
  shippingMinor: fc.integer({ min: 0, max: 5_000_000 }),
  completes: fc.boolean(),
});

type Generated = typeof inputArb extends fc.Arbitrary<infer T> ? T : never;

function toInput(g: Generated): RefundInput {
  return {
    currency: RUB,
    restockingFeePercent: g.feeBasisPoints / 100,
    lines: g.lines.map((l) => ({ unitPrice: money(l.unitPriceMinor, RUB), quantity: l.quantity, reason: l.reason })),
    orderShipping: money(g.shippingMinor, RUB),
    completesOrderForSellerFault: g.completes,
  };
}

/** The contract's rule computed apart, in BigInt: fee per non-seller-fault line = round half up (amount × bp / 10000). */
function reference(g: Generated): { amount: bigint; shipping: bigint; fee: bigint; goods: bigint } {
  let goods = 0n;
  let fee = 0n;
  for (const l of g.lines) {
    const amount = BigInt(l.unitPriceMinor) * BigInt(l.quantity);
    goods += amount;
    if (!isSellerFault(l.reason)) {
      const scaled = amount * BigInt(g.feeBasisPoints);
      const whole = scaled / 10_000n;
      const rest = scaled % 10_000n;
      fee += rest * 2n >= 10_000n ? whole + 1n : whole;
    }
  }
  const shipping = g.completes ? BigInt(g.shippingMinor) : 0n;
  return { amount: goods - fee + shipping, shipping, fee, goods };
}

describe('computeRefund (properties)', () => {
  it('equals the independent BigInt computation of the contract, per-line half-up rounding included', () => {
    fc.assert(
      fc.property(inputArb, (g) => {
        const r = computeRefund(toInput(g));
        const ref = reference(g);
        expect(BigInt(r.amount.amountMinor)).toBe(ref.amount);
        expect(BigInt(r.restockingFee.amountMinor)).toBe(ref.fee);
        expect(BigInt(r.shipping.amountMinor)).toBe(ref.shipping);
        expect([r.amount.currency, r.shipping.currency, r.restockingFee.currency]).toEqual([RUB, RUB, RUB]);
      }),
      { numRuns: 2000 },
    );
  });

  it('is never negative and never above what was paid for the returned units plus shipping', () => {
    fc.assert(
      fc.property(inputArb, (g) => {
        const r = computeRefund(toInput(g));
        const paid = g.lines.reduce((s, l) => s + l.unitPriceMinor * l.quantity, 0);
        expect(r.amount.amountMinor).toBeGreaterThanOrEqual(0);
        expect(r.amount.amountMinor).toBeLessThanOrEqual(paid + g.shippingMinor);
        expect(r.restockingFee.amountMinor).toBeGreaterThanOrEqual(0);
        expect(r.restockingFee.amountMinor).toBeLessThanOrEqual(paid);
      }),
      { numRuns: 2000 },
    );
  });

  it('includes the shipping only when the return completes the order for seller fault, and then all of it', () => {
    fc.assert(
      fc.property(inputArb, (g) => {
        const withShipping = computeRefund(toInput({ ...g, completes: true }));
        const without = computeRefund(toInput({ ...g, completes: false }));
        expect(without.shipping.amountMinor).toBe(0);
        expect(withShipping.shipping.amountMinor).toBe(g.shippingMinor);
        expect(withShipping.amount.amountMinor - without.amount.amountMinor).toBe(g.shippingMinor);
      }),
    );
  });

  it('charges no restocking fee on seller-fault lines, whatever the percent', () => {
    const sellerLine = lineArb.filter((l) => isSellerFault(l.reason));
    fc.assert(
      fc.property(fc.array(sellerLine, { maxLength: 8 }), fc.integer({ min: 0, max: 10_000 }), (lines, bp) => {
        const r = computeRefund(toInput({ feeBasisPoints: bp, lines, shippingMinor: 0, completes: false }));
        expect(r.restockingFee.amountMinor).toBe(0);
        expect(r.amount.amountMinor).toBe(lines.reduce((s, l) => s + l.unitPriceMinor * l.quantity, 0));
      }),
    );
  });

  it('a fee of 0 % or a refund of seller-fault lines only refunds every unit at its price', () => {
    fc.assert(
      fc.property(inputArb, (g) => {
        const r = computeRefund(toInput({ ...g, feeBasisPoints: 0, completes: false }));
        expect(r.amount.amountMinor).toBe(g.lines.reduce((s, l) => s + l.unitPriceMinor * l.quantity, 0));
      }),
    );
  });
});

describe('computeRefund (worked examples)', () => {
  const line = (priceMinor: number, quantity: number, reason: ReturnReasonValue) => ({ unitPrice: money(priceMinor, RUB), quantity, reason });
  const refund = (percent: number, lines: ReturnType<typeof line>[], shippingMinor = 0, completes = false) =>
    computeRefund({ currency: RUB, restockingFeePercent: percent, lines, orderShipping: money(shippingMinor, RUB), completesOrderForSellerFault: completes });

  it('1250.00 × 3 changed mind at 12.5 %: fee 468.75, refund 3281.25', () => {
    expect(refund(12.5, [line(1250_00, 3, 'CHANGED_MIND')])).toEqual({ amount: money(3281_25, RUB), shipping: money(0, RUB), restockingFee: money(468_75, RUB) });
  });

  it('the same units returned DEFECTIVE: no fee, 3750.00', () => {
    expect(refund(12.5, [line(1250_00, 3, 'DEFECTIVE')])).toEqual({ amount: money(3750_00, RUB), shipping: money(0, RUB), restockingFee: money(0, RUB) });
  });

  it('rounds half up per line: 333.33 at 12.5 % is a fee of 41.67 (41.66625)', () => {
    expect(refund(12.5, [line(333_33, 1, 'SIZE_TOO_SMALL')]).restockingFee).toEqual(money(41_67, RUB));
  });

  it('per line, not on the sum: two lines of 0.01 at 50 % keep 0.02 (0.005 + 0.005 each rounded up), not 0.01', () => {
    const r = refund(50, [line(1, 1, 'CHANGED_MIND'), line(1, 1, 'OTHER')]);
    expect(r.restockingFee).toEqual(money(2, RUB));
    expect(r.amount).toEqual(money(0, RUB));
  });

  it('a mixed return: fee only on the customer-side line; shipping 300.00 once when it completes the order', () => {
    const r = refund(10, [line(2000_00, 1, 'SIZE_TOO_LARGE'), line(999_99, 2, 'DAMAGED')], 300_00, true);
    // 2000.00 − 200.00 fee + 1999.98 + 300.00
    expect(r).toEqual({ amount: money(4099_98, RUB), shipping: money(300_00, RUB), restockingFee: money(200_00, RUB) });
  });

  it('units inspected as 0 (all missing) refund nothing', () => {
    expect(refund(12.5, [line(1250_00, 0, 'CHANGED_MIND')]).amount).toEqual(money(0, RUB));
  });
});

describe('completesOrderForSellerFault', () => {
  const orderLines = [
    { id: 'ol1', shippedQuantity: 2 },
    { id: 'ol2', shippedQuantity: 1 },
    { id: 'ol3', shippedQuantity: 0 },
  ];
  const rl = (returnId: string, orderLineId: string, quantity: number, reason: ReturnReasonValue, over: Partial<OrderReturnLine> = {}): OrderReturnLine => ({
    returnId,
    status: 'INSPECTED',
    orderLineId,
    quantity,
    missingQuantity: 0,
    reason,
    ...over,
  });

  it('true when every shipped unit is in live seller-fault returns (lines never shipped do not count)', () => {
    expect(completesOrderForSellerFault('r1', orderLines, [rl('r1', 'ol1', 2, 'DAMAGED'), rl('r1', 'ol2', 1, 'WRONG_ITEM')], [])).toBe(true);
  });

  it('counts the other returns of the order, but not REJECTED or CANCELLED ones', () => {
    const other = rl('r0', 'ol1', 2, 'DEFECTIVE', { status: 'REFUNDED' });
    expect(completesOrderForSellerFault('r1', orderLines, [other, rl('r1', 'ol2', 1, 'DAMAGED')], [{ returnId: 'r0', refundShippingMinor: 0 }])).toBe(true);
    expect(completesOrderForSellerFault('r1', orderLines, [{ ...other, status: 'CANCELLED' }, rl('r1', 'ol2', 1, 'DAMAGED')], [])).toBe(false);
    expect(completesOrderForSellerFault('r1', orderLines, [{ ...other, status: 'REJECTED' }, rl('r1', 'ol2', 1, 'DAMAGED')], [])).toBe(false);
  });

  it('false when a unit came back for a customer-side reason, or went missing, or shipping was refunded before', () => {
    expect(completesOrderForSellerFault('r1', orderLines, [rl('r1', 'ol1', 2, 'DAMAGED'), rl('r1', 'ol2', 1, 'CHANGED_MIND')], [])).toBe(false);
    expect(completesOrderForSellerFault('r1', orderLines, [rl('r1', 'ol1', 2, 'DAMAGED', { missingQuantity: 1 }), rl('r1', 'ol2', 1, 'DAMAGED')], [])).toBe(false);
    expect(
      completesOrderForSellerFault('r1', orderLines, [rl('r0', 'ol1', 2, 'DAMAGED', { status: 'REFUNDED' }), rl('r1', 'ol2', 1, 'DAMAGED')], [{ returnId: 'r0', refundShippingMinor: 300_00 }]),
    ).toBe(false);
  });
});

describe('discountShare: the part of a refund the order’s points discount paid for', () => {
  const m = (n: number) => money(n, RUB);

  it('worked example: 4 × 1 000 ₽ with 1 000 ₽ off, returned 1 then 3: 250 ₽ then 750 ₽', () => {
    const base = { discount: m(1000_00), subtotal: m(4000_00) };
    const first = discountShare({ ...base, goodsBefore: m(0), settledBefore: m(0), goods: m(1000_00), amount: m(1000_00) });
    expect(first).toEqual(m(250_00));
    expect(discountShare({ ...base, goodsBefore: m(1000_00), settledBefore: first, goods: m(3000_00), amount: m(3000_00) })).toEqual(m(750_00));
  });

  it('over any split of a fully returned order the shares add up to the whole discount, each within 0..amount', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5_000_000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 100 }),
        (parts, percent) => {
          const subtotal = parts.reduce((s, p) => s + p, 0);
          const discount = Math.floor((subtotal * percent) / 100);
          let goodsBefore = 0;
          let settled = 0;
          for (const goods of parts) {
            const share = discountShare({ discount: m(discount), subtotal: m(subtotal), goodsBefore: m(goodsBefore), settledBefore: m(settled), goods: m(goods), amount: m(goods) });
            expect(share.amountMinor).toBeGreaterThanOrEqual(0);
            expect(share.amountMinor).toBeLessThanOrEqual(goods);
            // Never more than its proportional part, give or take the rounding of one minor unit.
            expect(Math.abs(share.amountMinor - (discount * goods) / subtotal)).toBeLessThanOrEqual(1);
            goodsBefore += goods;
            settled += share.amountMinor;
          }
          expect(settled).toBe(discount);
        },
      ),
    );
  });

  it('a restocking fee that eats the refund caps the share at the amount; no discount, no share', () => {
    expect(discountShare({ discount: m(500_00), subtotal: m(1000_00), goodsBefore: m(0), settledBefore: m(0), goods: m(1000_00), amount: m(100_00) })).toEqual(m(100_00));
    expect(discountShare({ discount: m(0), subtotal: m(1000_00), goodsBefore: m(0), settledBefore: m(0), goods: m(1000_00), amount: m(1000_00) })).toEqual(m(0));
  });
});
