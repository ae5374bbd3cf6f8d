/**
 * UPU S10 item identifiers: 2-letter service indicator, 8-digit serial, check digit, 2-letter
 * ISO 3166-1 country of the issuer, e.g. RR473124829GB.
 *
 * Check digit: weights 8,6,4,2,3,5,9,7 over the serial; c = 11 - (sum mod 11); 10 -> 0, 11 -> 5.
 * Every weight is non-zero mod 11, so a single changed serial digit always changes the sum mod 11,
 * but the final mapping sends both sum mod 11 = 0 and = 6 to check digit 5: a changed digit that
 * moves the sum between those two residues goes undetected (RR000000005GB and RR900000005GB both
 * validate). That is the standard, not a bug here; tracking lookups must not rely on the check
 * digit to tell two real numbers apart.
 */
import { randomInt } from 'node:crypto';

const WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7] as const;
const S10 = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/;

/** The S10 check digit of an 8-digit serial. Throws RangeError unless `serial8` is exactly 8 digits. */
export function s10CheckDigit(serial8: string): number {
  if (!/^\d{8}$/.test(serial8)) throw new RangeError(`S10 serial must be 8 digits, got "${serial8}"`);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(serial8[i]) * WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 0 : c === 11 ? 5 : c;
}

/**
 * A new S10 number with a random serial from node:crypto's randomInt (a CSPRNG), so numbers can't
 * be enumerated from one another; uniqueness is the caller's (a unique index, retry on conflict:
 * with 10^8 serials per prefix and country, collisions become likely after ~10^4 numbers).
 * prefix: 2 upper-case letters, e.g. 'RA'; countryCode: 2 upper-case letters.
 */
export function generateTrackingNumber(prefix: string, countryCode: string): string {
  if (!/^[A-Z]{2}$/.test(prefix)) throw new RangeError(`S10 service indicator must be 2 upper-case letters, got "${prefix}"`);
  if (!/^[A-Z]{2}$/.test(countryCode)) throw new RangeError(`S10 country code must be 2 upper-case letters, got "${countryCode}"`);
  const serial = String(randomInt(0, 100_000_000)).padStart(8, '0');
  return `${prefix}${serial}${s10CheckDigit(serial)}${countryCode}`;
}

/** Exactly 13 characters in S10 form (upper case, no spaces) with a correct check digit. */
export function isValidTrackingNumber(s: string): boolean {
  const m = typeof s === 'string' ? S10.exec(s) : null;
  return m !== null && s10CheckDigit(m[2]) === Number(m[3]);
}

/** What people type or scan ("rr 473 124 829 gb") in the canonical form: no whitespace, upper case. */
export function normalizeTrackingNumber(s: string): string {
  return s.replace(/\s+/g, '').toUpperCase();
}
