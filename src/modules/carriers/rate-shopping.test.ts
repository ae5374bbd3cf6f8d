/** Rate shopping and delivery quotes: pure units. */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestValueScore, chooseService, lateRisk, type RateCandidate } from './rate-shopping.js';
import { quoteFactsHash, signQuote, verifyQuote, type QuotePayload } from './delivery.quote.js';

const c = (code: string, priceMinor: number, transitDaysMax: number, delivered = 0, late = 0): RateCandidate => ({ code, priceMinor, transitDaysMin: 1, transitDaysMax, delivered, late });

describe('chooseService', () => {
  const cheapSlowLate = c('CHEAP', 300_00, 6, 100, 60);
  const dearFastPunctual = c('FAST', 450_00, 1, 100, 2);
  const midReliable = c('MID', 350_00, 3, 100, 5);

  it('CHEAPEST takes the lowest price, FASTEST the shortest promise', () => {
    expect(chooseService([dearFastPunctual, cheapSlowLate, midReliable], 'CHEAPEST')!.code).toBe('CHEAP');
    expect(chooseService([cheapSlowLate, midReliable, dearFastPunctual], 'FASTEST')!.code).toBe('FAST');
  });

  it('BEST_VALUE weighs price by the late-delivery history', () => {
    // 300 x (1 + 61/102) = 479 vs 350 x (1 + 6/102) = 370.6 vs 450 x (1 + 3/102) = 463.2
    expect(chooseService([cheapSlowLate, dearFastPunctual, midReliable], 'BEST_VALUE')!.code).toBe('MID');
    // Without history every service counts as a coin flip: the cheapest wins.
    expect(chooseService([c('A', 500, 2), c('B', 400, 5)], 'BEST_VALUE')!.code).toBe('B');
    expect(lateRisk({ delivered: 0, late: 0 })).toBe(0.5);
  });

  it('is deterministic on ties and returns null for no candidates', () => {
    expect(chooseService([c('B', 100, 2), c('A', 100, 2)], 'CHEAPEST')!.code).toBe('A');
    expect(chooseService([], 'BEST_VALUE')).toBeNull();
  });

  it('property: the pick is never beaten on its own criterion', () => {
    const cand = fc.record({
      code: fc.string({ minLength: 1, maxLength: 4 }),
      priceMinor: fc.integer({ min: 0, max: 100_000 }),
      transitDaysMin: fc.constant(1),
      transitDaysMax: fc.integer({ min: 1, max: 20 }),
      delivered: fc.integer({ min: 0, max: 1000 }),
      late: fc.integer({ min: 0, max: 1000 }),
    }).map((x) => ({ ...x, late: Math.min(x.late, x.delivered) }));
    fc.assert(
      fc.property(fc.array(cand, { minLength: 1, maxLength: 8 }), (cs) => {
        expect(chooseService(cs, 'CHEAPEST')!.priceMinor).toBe(Math.min(...cs.map((x) => x.priceMinor)));
        expect(chooseService(cs, 'FASTEST')!.transitDaysMax).toBe(Math.min(...cs.map((x) => x.transitDaysMax)));
        expect(bestValueScore(chooseService(cs, 'BEST_VALUE')!)).toBe(Math.min(...cs.map(bestValueScore)));
      }),
    );
  });
});

describe('delivery quotes', () => {
  const secret = 'x'.repeat(32);
  const facts = { lines: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }], destination: { countryCode: 'RU', region: null, postalCode: '125 009', city: 'Москва' }, currency: 'RUB' };
  const payload = (over: Partial<QuotePayload> = {}): QuotePayload => ({ v: 1, s: 'CDEK_COURIER', t: 'COURIER', p: 300_00, c: 'RUB', pp: null, f: 1, u: 2, x: 10_000, h: quoteFactsHash(facts), ...over });

  it('a quote id is short (one per option in every checkout answer) and round-trips every field, pickup point included', () => {
    const withPoint = payload({ t: 'PICKUP_POINT', pp: '0b9e2a1c-5f3d-4e6a-9b7c-1d2e3f4a5b6c', f: 1_764_100_000_000, u: 1_764_400_000_000, x: 1_764_101_800_000, p: 1 });
    const q = signQuote(secret, withPoint);
    expect(q.length).toBeLessThan(160);
    expect(verifyQuote(secret, q, 0)).toEqual({ ok: true, payload: withPoint });
  });

  it('still verifies q1 ids (base64 JSON, full HMAC) issued before the short form', () => {
    const body = Buffer.from(JSON.stringify(payload())).toString('base64url');
    const q1 = `q1.${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
    expect(verifyQuote(secret, q1, 0)).toEqual({ ok: true, payload: payload() });
    expect(verifyQuote(secret, q1.slice(0, -3) + 'AAA', 0)).toMatchObject({ ok: false, code: 'DELIVERY_OPTION_INVALID' });
  });

  it('verifies its own quotes until they expire', () => {
    const q = signQuote(secret, payload());
    expect(verifyQuote(secret, q, 9_999)).toEqual({ ok: true, payload: payload() });
    expect(verifyQuote(secret, q, 10_000)).toMatchObject({ ok: false, code: 'DELIVERY_OPTION_EXPIRED' });
  });

  it('refuses any change of a byte, another secret, and garbage', () => {
    const q = signQuote(secret, payload());
    const [, body, sig] = q.split('.');
    const cheaper = body!.replace(`~${(300_00).toString(36)}~RUB~`, '~1~RUB~');
    expect(cheaper).not.toBe(body);
    expect(verifyQuote(secret, `q2.${cheaper}.${sig}`, 0)).toMatchObject({ ok: false, code: 'DELIVERY_OPTION_INVALID' });
    expect(verifyQuote(secret, `q1.${Buffer.from(JSON.stringify(payload({ p: 1 }))).toString('base64url')}.${sig}`, 0)).toMatchObject({ ok: false, code: 'DELIVERY_OPTION_INVALID' });
    expect(verifyQuote('y'.repeat(32), q, 0)).toMatchObject({ ok: false, code: 'DELIVERY_OPTION_INVALID' });
    expect(verifyQuote(secret, `q1.${body}.${sig!.slice(0, -2)}`, 0)).toMatchObject({ ok: false, code: 'DELIVERY_OPTION_INVALID' });
    for (const junk of ['', 'forged', 'q1..', 'q2.a.b', 'q1.a.b.c']) expect(verifyQuote(secret, junk, 0).ok).toBe(false);
  });

  it('the facts hash ignores line order, case and spaces but not quantities or places', () => {
    const same = { ...facts, lines: [{ sku: 'B', quantity: 1 }, { sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }], destination: { ...facts.destination, postalCode: '125009', city: 'москва ' } };
    expect(quoteFactsHash(same)).toBe(quoteFactsHash(facts));
    expect(quoteFactsHash({ ...facts, lines: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 2 }] })).not.toBe(quoteFactsHash(facts));
    expect(quoteFactsHash({ ...facts, destination: { ...facts.destination, city: 'Тверь' } })).not.toBe(quoteFactsHash(facts));
    expect(quoteFactsHash({ ...facts, currency: 'EUR' })).not.toBe(quoteFactsHash(facts));
  });
});
