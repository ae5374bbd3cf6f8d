/**
 * Dates a person types for real events (an inbound delivery's expected arrival) lie between
 * 2000-01-01 and 2100-01-01 UTC; "0001-01-01" or "9999-12-31" is a typo or a placeholder, refused
 * rather than stored, sorted first and shown on every dashboard.
 */
export const PLAUSIBLE_DATE_MIN = new Date('2000-01-01T00:00:00Z');
export const PLAUSIBLE_DATE_MAX = new Date('2100-01-01T00:00:00Z');

/** True for a valid Date at or after PLAUSIBLE_DATE_MIN and before PLAUSIBLE_DATE_MAX. */
export function isPlausibleDate(d: Date): boolean {
  const t = d.getTime();
  return t >= PLAUSIBLE_DATE_MIN.getTime() && t < PLAUSIBLE_DATE_MAX.getTime();
}
