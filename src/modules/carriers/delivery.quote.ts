/**
 * Delivery quotes as signed, expiring tokens: a deliveryOptions answer carries everything
 * orderCreate must trust (service, type, pickup point, price, window) plus a hash of the cart and
 * destination it was computed for, HMAC-SHA256 signed with the server's QUOTE_SECRET. No table,
 * no lookup: any instance with the same secret verifies it; changing a byte breaks the signature.
 */
import { createHmac, hash, randomBytes } from 'node:crypto';
import { secretEquals } from '../../shared/secret-compare.js';
import type { DeliveryTypeValue } from '../../shared/delivery-type.js';
import { hmacSha256, type HmacSha256 } from '../../shared/hmac.js';

export interface QuotePayload {
  v: 1;
  /** Carrier service code. */
  s: string;
  t: DeliveryTypeValue;
  /** Price in minor units, currency. */
  p: number;
  c: string;
  /** Pickup point id. */
  pp: string | null;
  /** Promised window, epoch ms. */
  f: number;
  u: number;
  /** Expiry, epoch ms. */
  x: number;
  /** Hash of the cart, destination and currency the quote is for. */
  h: string;
}

export interface QuoteFactsInput {
  lines: readonly { sku: string; quantity: number }[];
  destination: { countryCode: string; region?: string | null; postalCode: string; city: string };
  currency: string;
}

/** The same cart (lines merged per SKU, in any order) to the same place in the same currency hashes the same. */
export function quoteFactsHash(f: QuoteFactsInput): string {
  const qty = new Map<string, number>();
  for (const l of f.lines) qty.set(l.sku, (qty.get(l.sku) ?? 0) + l.quantity);
  const norm = (s: string | null | undefined) => (s ?? '').trim().toUpperCase().replace(/\s+/g, ' ');
  const canon = JSON.stringify([
    [...qty.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    norm(f.destination.countryCode),
    norm(f.destination.region),
    norm(f.destination.postalCode).replace(/ /g, ''),
    norm(f.destination.city),
    norm(f.currency),
  ]);
  return hash('sha256', canon, 'base64url').slice(0, 22);
}

/** One per process when QUOTE_SECRET is unset: quotes then verify only on the instance that made them. */
const processSecret = randomBytes(32).toString('base64url');
export const quoteSecret = (configured: string | undefined): string => configured ?? processSecret;

/** HMAC-SHA256 truncated to 128 bits, base64url (22 characters). */
// One signer per secret (there is one secret per process): hmac.ts says why not createHmac.
const signers = new Map<string, HmacSha256>();
const tag128 = (secret: string, message: string): string => {
  let s = signers.get(secret);
  if (!s) signers.set(secret, (s = hmacSha256(secret)));
  return s.tag128(message);
};

/**
 * `q2.<text>.<tag>`: the payload as short text (fields joined by "~", numbers in base 36, the
 * pickup point's uuid as 32 hex digits) and an HMAC-SHA256 over "q2." + text, truncated to 128 bits
 * (RFC 2104 allows truncation to half the output). A checkout answer carries one per option, so
 * the id is kept short: about 130 characters instead of the 300 of `q1` (base64 JSON, full HMAC),
 * which is still accepted until its tokens have expired.
 */
export function signQuote(secret: string, payload: QuotePayload): string {
  const { pp, ...quote } = payload;
  return quoteSigner(secret)(quote)(pp);
}

/**
 * signQuote for the many quotes of one answer: per service, the text of everything but the pickup
 * point is made once, then one id per point.
 */
export function quoteSigner(secret: string): (quote: Omit<QuotePayload, 'pp'>) => (pickupPointId: string | null) => string {
  const n36 = (n: number) => n.toString(36);
  return (q) => {
    const head = `${q.s}~${TYPE_LETTER[q.t]}~${n36(q.p)}~${q.c}~`;
    const tail = `~${n36(q.f)}~${n36(q.u)}~${n36(q.x)}~${q.h}`;
    return (pp) => {
      const text = pp === null ? head + tail : head + pp.replace(/-/g, '') + tail;
      return `q2.${text}.${tag128(secret, `q2.${text}`)}`;
    };
  };
}

const TYPE_LETTER: Record<DeliveryTypeValue, string> = { COURIER: 'C', PICKUP_POINT: 'P', PARTNER: 'R' };
const LETTER_TYPE = new Map(Object.entries(TYPE_LETTER).map(([t, l]) => [l, t as DeliveryTypeValue]));

function parseQ2(text: string): QuotePayload | null {
  const f = text.split('~');
  if (f.length !== 9) return null;
  const [s, t, p, c, pp, from, to, x, h] = f as [string, string, string, string, string, string, string, string, string];
  const int = (v: string) => (/^[0-9a-z]{1,11}$/.test(v) ? parseInt(v, 36) : NaN);
  const type = LETTER_TYPE.get(t);
  if (!type || !/^[0-9a-f]{32}$|^$/.test(pp)) return null;
  const payload: QuotePayload = {
    v: 1,
    s,
    t: type,
    p: int(p),
    c,
    pp: pp ? `${pp.slice(0, 8)}-${pp.slice(8, 12)}-${pp.slice(12, 16)}-${pp.slice(16, 20)}-${pp.slice(20)}` : null,
    f: int(from),
    u: int(to),
    x: int(x),
    h,
  };
  return [payload.p, payload.f, payload.u, payload.x].every(Number.isSafeInteger) ? payload : null;
}

export type QuoteCheck = { ok: true; payload: QuotePayload } | { ok: false; code: 'DELIVERY_OPTION_INVALID' | 'DELIVERY_OPTION_EXPIRED'; message: string };

/** Signature first (a tampered token is INVALID even if also expired), then shape, then expiry. */
export function verifyQuote(secret: string, token: string, nowMs: number): QuoteCheck {
  const invalid = (message: string): QuoteCheck => ({ ok: false, code: 'DELIVERY_OPTION_INVALID', message });
  if (typeof token !== 'string' || token.length > 2048) return invalid('Not a delivery option id.');
  const parts = token.split('.');
  if (parts.length !== 3 || (parts[0] !== 'q1' && parts[0] !== 'q2')) return invalid('Not a delivery option id.');
  const [version, body, sig] = parts as [string, string, string];
  const given = Buffer.from(sig, 'base64url');
  const expected = version === 'q2' ? Buffer.from(tag128(secret, `q2.${body}`), 'base64url') : createHmac('sha256', secret).update(body).digest();
  if (!secretEquals(given, expected)) return invalid('The delivery option id is not one this server issued (tampered or from another server).');
  let p: QuotePayload | null;
  if (version === 'q2') p = parseQ2(body);
  else {
    try {
      p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as QuotePayload;
    } catch {
      p = null;
    }
  }
  if (p?.v !== 1 || typeof p.s !== 'string' || !Number.isSafeInteger(p.p) || typeof p.x !== 'number') return invalid('Malformed delivery option id.');
  if (p.x <= nowMs) return { ok: false, code: 'DELIVERY_OPTION_EXPIRED', message: 'This delivery option has expired; ask for delivery options again.' };
  return { ok: true, payload: p };
}
