/** Money: integer minor units plus an ISO 4217 currency. All arithmetic on money lives here. */

export interface Money {
  amountMinor: number;
  currency: string;
}

const currencies = new Set<string>(
  (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('currency'),
);

export const isCurrency = (c: string): boolean => /^[A-Z]{3}$/.test(c) && currencies.has(c);

export const isMinorAmount = (n: number): boolean => Number.isSafeInteger(n);

export function money(amountMinor: number, currency: string): Money {
  if (!isMinorAmount(amountMinor)) throw new RangeError(`amount must be an integer, got ${amountMinor}`);
  return { amountMinor, currency };
}

export function add(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`currency mismatch: ${a.currency} vs ${b.currency}`);
  return money(a.amountMinor + b.amountMinor, a.currency);
}

export function multiply(a: Money, qty: number): Money {
  if (!Number.isInteger(qty)) throw new RangeError('quantity must be an integer');
  return money(a.amountMinor * qty, a.currency);
}

export function sum(items: Money[], currency: string): Money {
  return items.reduce((acc, m) => add(acc, m), money(0, currency));
}
