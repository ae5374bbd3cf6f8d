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

export function subtract(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`currency mismatch: ${a.currency} vs ${b.currency}`);
  return money(a.amountMinor - b.amountMinor, a.currency);
}

export function multiply(a: Money, qty: number): Money {
  if (!Number.isInteger(qty)) throw new RangeError('quantity must be an integer');
  return money(a.amountMinor * qty, a.currency);
}

export function sum(items: Money[], currency: string): Money {
  return items.reduce((acc, m) => add(acc, m), money(0, currency));
}

/**
 * Σ unit price × quantity over the lines, in `currency`; null when the exact total (or a step on
 * the way) is past the safe integers, so a caller can refuse the input instead of failing.
 */
export function linesTotal(lines: readonly { unitPrice: Money; quantity: number }[], currency: string): Money | null {
  let total = 0;
  for (const l of lines) {
    if (l.unitPrice.currency !== currency) throw new RangeError(`currency mismatch: ${l.unitPrice.currency} vs ${currency}`);
    if (!Number.isInteger(l.quantity)) throw new RangeError('quantity must be an integer');
    total += l.unitPrice.amountMinor * l.quantity;
    if (!Number.isSafeInteger(total)) return null;
  }
  return money(total, currency);
}

/**
 * a / b as a plain number (same currency): a dimensionless ratio of two amounts, e.g. ordering
 * cost over unit holding cost in the economic order quantity. Throws on a zero divisor.
 */
export function ratio(a: Money, b: Money): number {
  if (a.currency !== b.currency) throw new RangeError(`currency mismatch: ${a.currency} vs ${b.currency}`);
  if (b.amountMinor === 0) throw new RangeError('ratio: division by a zero amount');
  return a.amountMinor / b.amountMinor;
}

/** A fractional amount of minor units (an average, a rate per kg) rounded to whole minor units, half up. */
export function roundedMoney(fractionalMinor: number, currency: string): Money {
  return money(Math.round(fractionalMinor), currency);
}

/**
 * `basisPoints` / 10,000 of an amount (1250 bp = 12.5 %), rounded half up to whole minor units,
 * exactly (integer arithmetic: no float lands just below a half).
 */
export function basisPointsOf(m: Money, basisPoints: number): Money {
  if (!Number.isInteger(basisPoints) || basisPoints < 0) throw new RangeError(`basis points must be a non-negative integer, got ${basisPoints}`);
  const scaled = BigInt(m.amountMinor) * BigInt(basisPoints);
  const sign = scaled < 0n ? -1n : 1n;
  const abs = scaled * sign;
  return money(Number(sign * ((abs + 5000n) / 10000n)), m.currency);
}

/**
 * The share of `m` that `part` is of `whole` (m × part / whole; part and whole in any one unit:
 * minor units of goods, points), rounded half up to whole minor units, exactly (integer arithmetic).
 * E.g. the part of an order's discount that falls on the goods of one return.
 */
export function proportionOf(m: Money, part: number, whole: number): Money {
  if (!Number.isSafeInteger(part) || !Number.isSafeInteger(whole) || whole <= 0 || part < 0) throw new RangeError(`proportionOf: ${part} of ${whole}`);
  const scaled = BigInt(m.amountMinor) * BigInt(part);
  const w = BigInt(whole);
  const sign = scaled < 0n ? -1n : 1n;
  return money(Number(sign * ((scaled * sign * 2n + w) / (2n * w))), m.currency);
}

/** A percent with at most two decimals as basis points (12.5 → 1250). */
export const percentToBasisPoints = (percent: number): number => Math.round(percent * 100);

/**
 * An amount for people, in a locale ("1 234,50 ₽" in ru, "RUB 1,234.50" in en) through
 * Intl.NumberFormat. The minor units become an exact decimal string (Intl formats strings without
 * going through a float), with the currency's own number of decimals.
 */
export function formatMoney(m: Money, locale: string): string {
  const nf = new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency });
  const digits = nf.resolvedOptions().maximumFractionDigits ?? 2;
  const abs = BigInt(Math.abs(m.amountMinor)).toString().padStart(digits + 1, '0');
  const decimal = `${m.amountMinor < 0 ? '-' : ''}${digits ? `${abs.slice(0, -digits)}.${abs.slice(-digits)}` : abs}`;
  return nf.format(decimal as unknown as number);
}

/** Minor units in one whole unit of the currency (100 for RUB and EUR, 1 for JPY, 1000 for KWD). */
export function minorPerUnit(currency: string): number {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return 10 ** digits;
}

/** The amount in whole currency units, as a fraction (1234.50 RUB → 1234.5). */
export const inWholeUnits = (m: Money): number => m.amountMinor / minorPerUnit(m.currency);
