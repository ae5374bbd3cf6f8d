/**
 * Delivery quotes as signed, expiring tokens: a deliveryOptions answer carries everything
 * orderCreate must trust (service, type, pickup point, price, window) plus a hash of the cart and
 * destination it was computed for, HMAC-SHA256 signed with the server's QUOTE_SECRET. No table,
 * no lookup: any instance with the same secret verifies it; changing a byte breaks the signature.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DeliveryTypeValue } from '../orders/order.table.js';

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
  return createHash('sha256').update(canon).digest('base64url').slice(0, 22);
}

/** One per process when QUOTE_SECRET is unset: quotes then verify only on the instance that made them. */
const processSecret = randomBytes(32).toString('base64url');
export const quoteSecret = (configured: string | undefined): string => configured ?? processSecret;

const mac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest();

export function signQuote(secret: string, payload: QuotePayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `q1.${body}.${mac(secret, body).toString('base64url')}`;
}

export type QuoteCheck = { ok: true; payload: QuotePayload } | { ok: false; code: 'DELIVERY_OPTION_INVALID' | 'DELIVERY_OPTION_EXPIRED'; message: string };

/** Signature first (a tampered token is INVALID even if also expired), then shape, then expiry. */
export function verifyQuote(secret: string, token: string, nowMs: number): QuoteCheck {
  const invalid = (message: string): QuoteCheck => ({ ok: false, code: 'DELIVERY_OPTION_INVALID', message });
  if (typeof token !== 'string' || token.length > 2048) return invalid('Not a delivery option id.');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'q1') return invalid('Not a delivery option id.');
  const [, body, sig] = parts as [string, string, string];
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid('The delivery option id is not one this server issued (tampered or from another server).');
  let p: QuotePayload;
  try {
    p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as QuotePayload;
  } catch {
    return invalid('Malformed delivery option id.');
  }
  if (p?.v !== 1 || typeof p.s !== 'string' || !Number.isSafeInteger(p.p) || typeof p.x !== 'number') return invalid('Malformed delivery option id.');
  if (p.x <= nowMs) return { ok: false, code: 'DELIVERY_OPTION_EXPIRED', message: 'This delivery option has expired; ask for delivery options again.' };
  return { ok: true, payload: p };
}
