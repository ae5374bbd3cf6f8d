import { describe, expect, it } from 'vitest';
import { add, basisPointsOf, linesTotal, money, multiply, percentToBasisPoints, ratio, roundedMoney, subtract, sum } from './money.js';

describe('money', () => {
  it('adds, multiplies and sums in minor units of one currency', () => {
    expect(add(money(1050, 'RUB'), money(99, 'RUB'))).toEqual(money(1149, 'RUB'));
    expect(multiply(money(1999, 'RUB'), 3)).toEqual(money(5997, 'RUB'));
    expect(sum([money(1, 'EUR'), money(2, 'EUR'), money(3, 'EUR')], 'EUR')).toEqual(money(6, 'EUR'));
    expect(sum([], 'EUR')).toEqual(money(0, 'EUR'));
  });

  it('refuses mixed currencies, fractional quantities and amounts', () => {
    expect(() => add(money(1, 'RUB'), money(1, 'EUR'))).toThrow(RangeError);
    expect(() => multiply(money(1, 'RUB'), 1.5)).toThrow(RangeError);
    expect(() => money(1.5, 'RUB')).toThrow(RangeError);
  });

  it('totals order lines (price × quantity), or null when the total is past the safe integers', () => {
    const rub = (n: number) => money(n, 'RUB');
    expect(linesTotal([{ unitPrice: rub(99_000), quantity: 2 }, { unitPrice: rub(1_500), quantity: 3 }], 'RUB')).toEqual(rub(202_500));
    expect(linesTotal([], 'RUB')).toEqual(rub(0));
    expect(linesTotal([{ unitPrice: rub(Number.MAX_SAFE_INTEGER), quantity: 2 }], 'RUB')).toBeNull();
    expect(linesTotal([{ unitPrice: rub(2 ** 52), quantity: 1 }, { unitPrice: rub(2 ** 52), quantity: 1 }], 'RUB')).toBeNull();
    expect(() => linesTotal([{ unitPrice: money(1, 'EUR'), quantity: 1 }], 'RUB')).toThrow(RangeError);
  });

  it('rounds fractional minor units (averages, per-kg rates) half up', () => {
    expect(roundedMoney(1234.5, 'RUB')).toEqual(money(1235, 'RUB'));
    expect(roundedMoney(1234.49, 'RUB')).toEqual(money(1234, 'RUB'));
  });

  it('takes basis points of an amount exactly, rounded half up to whole minor units', () => {
    const rub = (n: number) => money(n, 'RUB');
    expect(basisPointsOf(rub(375_000), 1250)).toEqual(rub(46_875)); // 12.5 % of 3750.00
    expect(basisPointsOf(rub(33_333), 1250)).toEqual(rub(4_167)); // 4166.625 → 4167
    expect(basisPointsOf(rub(1), 5000)).toEqual(rub(1)); // 0.5 → 1
    expect(basisPointsOf(rub(1), 4999)).toEqual(rub(0)); // 0.4999 → 0
    expect(basisPointsOf(rub(10_005), 5000)).toEqual(rub(5_003)); // 5002.5 → 5003
    expect(basisPointsOf(rub(0), 10_000)).toEqual(rub(0));
    expect(basisPointsOf(rub(123_456), 0)).toEqual(rub(0));
    expect(basisPointsOf(rub(123_456), 10_000)).toEqual(rub(123_456));
    // Past 2^53 in the intermediate product, still exact (BigInt inside).
    expect(basisPointsOf(rub(Number.MAX_SAFE_INTEGER), 10_000)).toEqual(rub(Number.MAX_SAFE_INTEGER));
    expect(basisPointsOf(rub(Number.MAX_SAFE_INTEGER), 5_000)).toEqual(rub(4_503_599_627_370_496)); // (2^53 − 1) / 2 rounded up
    // Symmetric for negative amounts: half away from zero.
    expect(basisPointsOf(rub(-1), 5000)).toEqual(rub(-1));
    expect(basisPointsOf(rub(-33_333), 1250)).toEqual(rub(-4_167));
    expect(basisPointsOf(money(999, 'EUR'), 1000)).toEqual(money(100, 'EUR'));
    expect(() => basisPointsOf(rub(100), 12.5)).toThrow(RangeError);
    expect(() => basisPointsOf(rub(100), -1)).toThrow(RangeError);
  });

  it('turns a percent with two decimals into basis points, and subtracts in one currency', () => {
    expect([12.5, 0.29, 33.33, 100, 0].map(percentToBasisPoints)).toEqual([1250, 29, 3333, 10_000, 0]);
    expect(subtract(money(500, 'RUB'), money(125, 'RUB'))).toEqual(money(375, 'RUB'));
    expect(() => subtract(money(1, 'RUB'), money(1, 'EUR'))).toThrow(RangeError);
  });

  it('divides two amounts of one currency into a plain ratio, refusing mixed currencies and a zero divisor', () => {
    expect(ratio(money(10_000, 'EUR'), money(500, 'EUR'))).toBe(20);
    expect(() => ratio(money(1, 'EUR'), money(1, 'USD'))).toThrow(RangeError);
    expect(() => ratio(money(1, 'EUR'), money(0, 'EUR'))).toThrow(RangeError);
  });
});
