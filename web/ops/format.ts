/** How the dashboard shows numbers (en-US; a missing figure is an em dash). */
export const NONE = '—';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export interface Money {
  amountMinor: number;
  currency: string;
}

export const formatInt = (n: number | null | undefined) => (n == null ? NONE : integer.format(n));
export const formatHours = (h: number | null | undefined) => (h == null ? NONE : `${oneDecimal.format(h)} h`);
export const formatRate = (r: number | null | undefined) => (r == null ? NONE : `${oneDecimal.format(r * 100)}%`);
/** Money in major units (2 decimals, or `digits`), e.g. "RUB 1,234.50". */
export function formatMoney(m: Money | null | undefined, digits = 2): string {
  if (!m) return NONE;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency, currencyDisplay: 'code', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(m.amountMinor / 100);
  } catch {
    return `${(m.amountMinor / 100).toFixed(digits)} ${m.currency}`;
  }
}
