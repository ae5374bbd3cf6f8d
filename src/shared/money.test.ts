import { describe, expect, it } from 'vitest';
import { add, linesTotal, money, multiply, roundedMoney, sum } from './money.js';

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
});
