import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addBusinessDays, deliveryWindow, dispatchDate, isBusinessDay, isValidCutoff, isValidTimeZone, publicHolidayDates, supportsHolidays, type DispatchCalendar } from './calendar.js';
import {
  boxFits,
  boxVolumeMm3,
  chargeableWeightGrams,
  DEFAULT_BOXES,
  estimateParcel,
  itemSides,
  itemsEnvelope,
  volumetricWeightGrams,
  type Box,
  type ParcelItem,
} from './parcel.js';
import { matchRate, matchRateIndexed, normalizePostalCode, rateRowMatches, validateRateCard, type Destination, type RateRow } from './rates.js';
import { generateTrackingNumber, isValidTrackingNumber, normalizeTrackingNumber, s10CheckDigit } from './tracking-number.js';

const item = (weightGrams: number, l: number | null, w: number | null, h: number | null, quantity = 1): ParcelItem => ({ weightGrams, lengthMm: l, widthMm: w, heightMm: h, quantity });

const itemArb = fc.record({
  weightGrams: fc.integer({ min: 0, max: 8_000 }),
  lengthMm: fc.option(fc.integer({ min: 1, max: 700 }), { nil: null }),
  widthMm: fc.option(fc.integer({ min: 1, max: 500 }), { nil: null }),
  heightMm: fc.option(fc.integer({ min: 1, max: 450 }), { nil: null }),
  quantity: fc.integer({ min: 0, max: 6 }),
});
const boxArb = fc.record({
  code: fc.string({ minLength: 1, maxLength: 6 }),
  lengthMm: fc.integer({ min: 50, max: 800 }),
  widthMm: fc.integer({ min: 50, max: 800 }),
  heightMm: fc.integer({ min: 20, max: 800 }),
  tareGrams: fc.integer({ min: 0, max: 800 }),
  maxWeightGrams: fc.integer({ min: 500, max: 40_000 }),
});
const fillArb = fc.double({ min: 0.3, max: 1, noNaN: true });

describe('estimateParcel', () => {
  it('puts two small items into the smallest mailer and adds its tare to the weight', () => {
    // 2 x 120x80x40 = 768 cm^3, well under 80% of the 3 l mailer.
    expect(estimateParcel([item(300, 120, 80, 40, 2)])).toEqual({ weightGrams: 680, lengthMm: 200, widthMm: 150, heightMm: 100, box: 'MAILER_XS' });
  });

  it('rotates items: a long thin item goes into the flat box, not a bigger carton', () => {
    // 340 mm is longer than the mailer and box S (250); the flat 350x250x50 takes it lying down.
    expect(estimateParcel([item(200, 20, 340, 30)]).box).toBe('FLAT_A4');
    // ...but not when it is too thick for the flat box's 50 mm.
    expect(estimateParcel([item(200, 60, 340, 60)]).box).toBe('BOX_L');
  });

  it('counts an item with unknown dimensions as 100x100x50 mm', () => {
    // 6 x 0.5 l = 3 l > 80% of the 3 l mailer; the flat box (4.375 l * 0.8 = 3.5 l) takes it.
    expect(estimateParcel([item(100, null, 100, 50, 6)]).box).toBe('FLAT_A4');
    expect(itemSides(item(1, 10, null, 10))).toEqual([100, 100, 50]);
    // Four (2 l) fit 80% of the mailer (2.4 l); five (2.5 l) do not.
    expect(estimateParcel([item(100, null, null, null, 4)]).box).toBe('MAILER_XS');
    expect(estimateParcel([item(100, null, null, null, 5)]).box).toBe('FLAT_A4');
  });

  it('respects the fill factor', () => {
    // 2.9 l of items: fits the 3 l mailer at fill 1, not at 0.8.
    const items = [item(100, 145, 200, 100)];
    expect(estimateParcel(items, { fillFactor: 1 }).box).toBe('MAILER_XS');
    expect(estimateParcel(items).box).toBe('BOX_S');
  });

  it('moves to a stronger box when the gross weight exceeds the limit', () => {
    // 2.95 kg + 80 g tare > 3 kg mailer limit; the flat box holds 2 kg; box S (5 kg) it is.
    expect(estimateParcel([item(2_950, 100, 100, 100)])).toMatchObject({ box: 'BOX_S', weightGrams: 3_080 });
    expect(estimateParcel([item(2_900, 100, 100, 100)])).toMatchObject({ box: 'MAILER_XS', weightGrams: 2_980 });
  });

  it('makes a custom parcel when nothing fits: longest item side, then near-cube sides for the volume', () => {
    // 3 x 1000x200x100 mm: 60 l / 0.8 = 75 l; L = 1000, W = H = ceil(sqrt(75e6 / 1000)) = 274.
    expect(estimateParcel([item(300, 1000, 200, 100, 3)])).toEqual({ weightGrams: 900, lengthMm: 1000, widthMm: 274, heightMm: 274, box: null });
    // Too heavy for any box (25 kg gross max): weight only, dimensions from the volume.
    expect(estimateParcel([item(30_000, 100, 100, 100)])).toEqual({ weightGrams: 30_000, lengthMm: 108, widthMm: 108, heightMm: 108, box: null });
  });

  it('gives the smallest box and its tare for an empty shipment, and ignores zero quantities', () => {
    expect(estimateParcel([])).toMatchObject({ box: 'MAILER_XS', weightGrams: 80 });
    expect(estimateParcel([item(50_000, 5_000, 5_000, 5_000, 0)])).toMatchObject({ box: 'MAILER_XS', weightGrams: 80 });
  });

  it('rejects nonsense input', () => {
    expect(() => estimateParcel([item(-1, 1, 1, 1)])).toThrow(RangeError);
    expect(() => estimateParcel([item(1, 1, 1, 1, 1.5)])).toThrow(RangeError);
    expect(() => estimateParcel([], { fillFactor: 0 })).toThrow(RangeError);
    expect(() => estimateParcel([], { fillFactor: 1.2 })).toThrow(RangeError);
  });

  it('custom parcel sides stay longest first when the fill factor is a float just below 1 (fast-check seed -1743367117)', () => {
    const items = [{ weightGrams: 0, lengthMm: null, widthMm: null, heightMm: null, quantity: 2 }];
    const tiny = { code: 'TINY', lengthMm: 50, widthMm: 50, heightMm: 20, tareGrams: 0, maxWeightGrams: 500 };
    const p = estimateParcel(items, { boxes: [tiny], fillFactor: 0.9999999999999998 });
    expect(p.box).toBeNull();
    expect(p.lengthMm).toBeGreaterThanOrEqual(p.widthMm);
    expect(p.widthMm).toBeGreaterThanOrEqual(p.heightMm);
    expect(p.lengthMm * p.widthMm * p.heightMm).toBeGreaterThanOrEqual(1_000_000);
  });

  it('keeps the default catalogue sane: unique codes, 6+ sizes from 200x150x100 to 600x400x400', () => {
    expect(new Set(DEFAULT_BOXES.map((b) => b.code)).size).toBe(DEFAULT_BOXES.length);
    expect(DEFAULT_BOXES.length).toBeGreaterThanOrEqual(6);
    const volumes = DEFAULT_BOXES.map(boxVolumeMm3);
    expect(Math.min(...volumes)).toBe(200 * 150 * 100);
    expect(Math.max(...volumes)).toBe(600 * 400 * 400);
    for (const b of DEFAULT_BOXES) expect(b.maxWeightGrams).toBeGreaterThan(b.tareGrams);
  });

  it('property: a chosen box holds the items (volume * fill, each item, gross weight) and no smaller box does', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 8 }), fc.option(fc.array(boxArb, { minLength: 1, maxLength: 8 }), { nil: undefined }), fillArb, (items, boxes, fillFactor) => {
        const catalogue: readonly Box[] = boxes ?? DEFAULT_BOXES;
        const parcel = estimateParcel(items, { boxes: catalogue, fillFactor });
        const env = itemsEnvelope(items);
        const fitting = catalogue.filter((b) => boxFits(b, env, fillFactor));
        if (parcel.box === null) {
          expect(fitting).toEqual([]);
          const [l, w, h] = [parcel.lengthMm, parcel.widthMm, parcel.heightMm];
          expect([l, w, h].every(Number.isFinite)).toBe(true);
          expect(l >= w && w >= h).toBe(true);
          expect(l * w * h * fillFactor).toBeGreaterThanOrEqual(env.volumeMm3 * (1 - 1e-12));
          expect([l, w, h].every((s, i) => s >= env.maxSides[i])).toBe(true);
          expect(parcel.weightGrams).toBe(env.weightGrams);
          return;
        }
        const box = catalogue.find((b) => b.code === parcel.box && b.lengthMm === parcel.lengthMm && b.widthMm === parcel.widthMm && b.heightMm === parcel.heightMm)!;
        expect(box).toBeDefined();
        expect(boxVolumeMm3(box) * fillFactor).toBeGreaterThanOrEqual(env.volumeMm3);
        for (const it of items.filter((i) => i.quantity > 0)) {
          const s = itemSides(it);
          const b = [box.lengthMm, box.widthMm, box.heightMm].sort((x, y) => y - x);
          expect(b[0] >= s[0] && b[1] >= s[1] && b[2] >= s[2]).toBe(true);
        }
        expect(parcel.weightGrams).toBe(env.weightGrams + box.tareGrams);
        expect(parcel.weightGrams).toBeLessThanOrEqual(box.maxWeightGrams);
        expect(Math.min(...fitting.map(boxVolumeMm3))).toBe(boxVolumeMm3(box));
      }),
      { numRuns: 500 },
    );
  });
});

describe('volumetric and chargeable weight', () => {
  it('divides mm^3 by the divisor into grams, rounding up', () => {
    // 400x300x250 mm = 30 l; /5000 -> 6000 g, the same as 30000 cm^3 / 5000 = 6 kg.
    expect(volumetricWeightGrams({ lengthMm: 400, widthMm: 300, heightMm: 250 }, 5000)).toBe(6_000);
    expect(volumetricWeightGrams({ lengthMm: 1, widthMm: 1, heightMm: 1 }, 5000)).toBe(1);
    expect(volumetricWeightGrams({ lengthMm: 0, widthMm: 1, heightMm: 1 }, 5000)).toBe(0);
    expect(() => volumetricWeightGrams({ lengthMm: 1, widthMm: 1, heightMm: 1 }, 0)).toThrow(RangeError);
  });

  it('charges a light bulky parcel by volume and a dense one by weight', () => {
    const bulky = { weightGrams: 1_200, lengthMm: 400, widthMm: 300, heightMm: 250, box: 'BOX_L' };
    expect(chargeableWeightGrams(bulky, 5000)).toBe(6_000);
    expect(chargeableWeightGrams({ ...bulky, weightGrams: 9_000 }, 5000)).toBe(9_000);
  });

  it('property: chargeable weight is at least the actual and the volumetric weight', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 8 }), fc.integer({ min: 1_000, max: 10_000 }), (items, divisor) => {
        const p = estimateParcel(items);
        const c = chargeableWeightGrams(p, divisor);
        expect(c).toBeGreaterThanOrEqual(p.weightGrams);
        expect(c).toBeGreaterThanOrEqual(volumetricWeightGrams(p, divisor));
      }),
      { numRuns: 300 },
    );
  });
});

const row = (countryCode: string, maxWeightGrams: number, priceMinor: number, extra: Partial<RateRow> = {}): RateRow => ({
  countryCode,
  region: null,
  postalCodePrefix: null,
  maxWeightGrams,
  priceMinor,
  currency: 'RUB',
  ...extra,
});

describe('matchRate', () => {
  const card: RateRow[] = [
    row('RU', 1_000, 300_00),
    row('RU', 5_000, 500_00),
    row('RU', 20_000, 1_200_00),
    row('RU', 5_000, 450_00, { region: 'Moscow Oblast' }),
    row('RU', 5_000, 350_00, { postalCodePrefix: '1' }),
    row('RU', 5_000, 250_00, { postalCodePrefix: '101' }),
    row('GB', 2_000, 900_00, { postalCodePrefix: 'sw1a' }),
  ];

  it('takes the smallest country bracket that holds the weight', () => {
    expect(matchRate(card, { countryCode: 'RU' }, 800)?.priceMinor).toBe(300_00);
    expect(matchRate(card, { countryCode: 'RU' }, 1_000)?.priceMinor).toBe(300_00);
    expect(matchRate(card, { countryCode: 'RU' }, 1_001)?.priceMinor).toBe(500_00);
    expect(matchRate(card, { countryCode: 'ru' }, 19_999)?.priceMinor).toBe(1_200_00);
  });

  it('prefers a longer postal prefix over a shorter one, a prefix over a region, a region over the country', () => {
    expect(matchRate(card, { countryCode: 'RU', region: 'Moscow Oblast', postalCode: '101000' }, 800)?.priceMinor).toBe(250_00);
    expect(matchRate(card, { countryCode: 'RU', region: 'Moscow Oblast', postalCode: '140000' }, 800)?.priceMinor).toBe(350_00);
    expect(matchRate(card, { countryCode: 'RU', region: '  moscow oblast ', postalCode: '640000' }, 800)?.priceMinor).toBe(450_00);
    expect(matchRate(card, { countryCode: 'RU', region: 'Tver Oblast', postalCode: '640000' }, 800)?.priceMinor).toBe(300_00);
  });

  it('falls back to a less specific row when the specific rows stop below the weight', () => {
    expect(matchRate(card, { countryCode: 'RU', postalCode: '101000' }, 7_000)?.priceMinor).toBe(1_200_00);
  });

  it('compares postal codes without spaces and case', () => {
    expect(matchRate(card, { countryCode: 'GB', postalCode: 'SW1A 1AA' }, 500)?.priceMinor).toBe(900_00);
    expect(matchRate(card, { countryCode: 'gb', postalCode: 'sw1a1aa' }, 500)?.priceMinor).toBe(900_00);
    expect(normalizePostalCode(' sw1a 1aa ')).toBe('SW1A1AA');
  });

  it('returns null when no row matches the destination or holds the weight', () => {
    expect(matchRate(card, { countryCode: 'GB', postalCode: 'E1 6AN' }, 500)).toBeNull();
    expect(matchRate(card, { countryCode: 'GB' }, 500)).toBeNull();
    expect(matchRate(card, { countryCode: 'RU' }, 20_001)).toBeNull();
    expect(matchRate([], { countryCode: 'RU' }, 1)).toBeNull();
  });

  it('keeps card order on a full tie', () => {
    const a = row('RU', 1_000, 1);
    const b = row('RU', 1_000, 2);
    expect(matchRate([a, b], { countryCode: 'RU' }, 10)).toBe(a);
  });

  const rowArb = fc.record({
    countryCode: fc.constantFrom('RU', 'ru', 'KZ'),
    region: fc.constantFrom(null, 'Moscow', ' moscow', 'Tver', ''),
    postalCodePrefix: fc.constantFrom(null, '1', '10', '101', '1 01', '2', ''),
    maxWeightGrams: fc.integer({ min: 1, max: 30 }).map((n) => n * 1_000),
    priceMinor: fc.nat(100_000),
    currency: fc.constant('RUB'),
  });
  const destArb = fc.record({
    countryCode: fc.constantFrom('RU', 'KZ', 'Ru'),
    region: fc.constantFrom(undefined, null, 'Moscow', 'TVER', 'Omsk'),
    postalCode: fc.constantFrom(undefined, null, '101000', '10 1000', '123456', '200000', '640000'),
  });

  it('property: agrees with filter-then-sort by the documented order, and never returns a bracket below the weight', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 15 }), destArb, fc.integer({ min: 0, max: 32_000 }), (rows, dest: Destination, grams) => {
        const got = matchRate(rows, dest, grams);
        const prefixLen = (r: RateRow) => normalizePostalCode(r.postalCodePrefix)?.length ?? 0;
        const hasRegion = (r: RateRow) => (r.region?.trim() ? 1 : 0);
        const expected =
          rows
            .map((r, i) => ({ r, i }))
            .filter(({ r }) => r.maxWeightGrams >= grams && rateRowMatches(r, dest))
            .sort((a, b) => prefixLen(b.r) - prefixLen(a.r) || hasRegion(b.r) - hasRegion(a.r) || a.r.maxWeightGrams - b.r.maxWeightGrams || a.i - b.i)[0]?.r ?? null;
        expect(got).toBe(expected);
        if (got) {
          expect(got.maxWeightGrams).toBeGreaterThanOrEqual(grams);
          expect(got.countryCode.toUpperCase()).toBe(dest.countryCode.toUpperCase());
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('property: the indexed matcher (checkout prices with it) returns the very row matchRate returns, also when the same card is asked again', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 25 }), fc.array(fc.tuple(destArb, fc.integer({ min: 0, max: 32_000 })), { minLength: 1, maxLength: 5 }), (rows, asks) => {
        for (const [dest, grams] of asks) expect(matchRateIndexed(rows, dest as Destination, grams)).toBe(matchRate(rows, dest as Destination, grams));
      }),
      { numRuns: 1_000 },
    );
    const card = [row('RU', 1_000, 100), row('RU', 1_000, 50, { region: 'Tver' })];
    expect(matchRateIndexed(card, { countryCode: 'RU', region: 'tver ' }, 1_000)?.priceMinor).toBe(50);
    expect(matchRateIndexed(card, { countryCode: 'RU', region: 'Omsk' }, 1_000)?.priceMinor).toBe(100);
    expect(matchRateIndexed(card, { countryCode: 'RU' }, Number.NaN)).toBeNull();
  });
});

describe('validateRateCard', () => {
  it('accepts a clean card', () => {
    expect(validateRateCard([row('RU', 1_000, 0), row('RU', 5_000, 100), row('RU', 5_000, 100, { region: 'Moscow' }), row('KZ', 5_000, 100)])).toEqual([]);
    expect(validateRateCard([])).toEqual([]);
  });

  it('reports each problem on its row and field', () => {
    const problems = validateRateCard([
      row('RU', 1_000, 100),
      row('ru', 1_500, 100), // lower case
      row('XX', 1_000, 100), // not an assigned code
      row('RUS', 1_000, 100), // alpha-3
      row('RU', 0, 100), // bracket <= 0
      row('RU', 2_000, -1), // negative price
      row('RU', 3_000, 1.5), // fractional minor units
      row('RU', 4_000, 100, { currency: 'USD' }), // mixed currencies
      row('RU', 5_000, 100, { currency: 'rub' }), // not upper-case ISO 4217
      row('RU', 1_000, 999), // same destination and bracket as row 0
      row('RU', 6_000, 100, { region: 'Moscow', postalCodePrefix: '10 1' }),
      row('RU', 6_000, 200, { region: ' moscow ', postalCodePrefix: '101' }), // same as row 10 once normalised
    ]);
    expect(problems.map(({ index, field }) => [index, field])).toEqual([
      [1, 'countryCode'],
      [2, 'countryCode'],
      [3, 'countryCode'],
      [4, 'maxWeightGrams'],
      [5, 'priceMinor'],
      [6, 'priceMinor'],
      [7, 'currency'],
      [8, 'currency'],
      [9, 'maxWeightGrams'],
      [11, 'maxWeightGrams'],
    ]);
    expect(problems.find((p) => p.index === 9)?.message).toMatch(/duplicates row 0/);
    expect(problems.find((p) => p.index === 7)?.message).toMatch(/mixed currencies/);
  });

  it('takes the first valid currency as the card currency', () => {
    expect(validateRateCard([row('RU', 1_000, 1, { currency: 'R' }), row('RU', 2_000, 1), row('RU', 3_000, 1)]).map((p) => p.index)).toEqual([0]);
  });
});

const ru: DispatchCalendar = { timezone: 'Europe/Moscow', cutoffTime: '14:00', countryCode: 'RU' };
const berlin: DispatchCalendar = { timezone: 'Europe/Berlin', cutoffTime: '14:00', countryCode: 'DE' };

describe('public holidays from date-holidays', () => {
  it('knows the Russian public holidays, with the New Year break expanded to single days', () => {
    // date-holidays gives Jan 2-6 as ONE entry ("Novogodnie kanikuly") spanning five days.
    expect([...publicHolidayDates('RU', 2027)].sort()).toEqual([
      '2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04', '2027-01-05', '2027-01-06', '2027-01-07', '2027-01-08',
      '2027-02-23', '2027-03-08', '2027-05-01', '2027-05-09', '2027-06-12', '2027-11-04',
    ]);
    // March 8 on a Sunday moves to Monday (2026); other weekend transfers and decree days are absent.
    expect(publicHolidayDates('RU', 2026).has('2026-03-09')).toBe(true);
    expect(publicHolidayDates('RU', 2026).has('2026-05-11')).toBe(false);
    expect(publicHolidayDates('RU', 2026).has('2026-01-09')).toBe(false);
  });

  it('counts only public holidays, not observances', () => {
    // Gruendonnerstag 2027-03-25 is an observance in DE; Karfreitag and Ostermontag are public.
    expect(isBusinessDay('2027-03-25', berlin)).toBe(true);
    expect(isBusinessDay('2027-03-26', berlin)).toBe(false);
    expect(isBusinessDay('2027-03-29', berlin)).toBe(false);
  });

  it('has weekends only for a country date-holidays does not know', () => {
    expect(supportsHolidays('RU')).toBe(true);
    expect(supportsHolidays('XX')).toBe(false);
    expect(isBusinessDay('2027-01-01', { countryCode: 'XX' })).toBe(true);
    expect(isBusinessDay('2027-01-02', { countryCode: 'XX' })).toBe(false);
  });
});

describe('dispatchDate', () => {
  it('is today before the cut-off and the next business day from the cut-off on', () => {
    // Tue 2026-11-10, Moscow is UTC+3 all year.
    expect(dispatchDate(new Date('2026-11-10T10:59:59Z'), ru)).toBe('2026-11-10'); // 13:59:59
    expect(dispatchDate(new Date('2026-11-10T11:00:00Z'), ru)).toBe('2026-11-11'); // 14:00 exactly
    expect(dispatchDate(new Date('2026-11-10T20:30:00Z'), ru)).toBe('2026-11-11'); // 23:30
  });

  it('uses the warehouse zone for the date: 22:30 UTC is already tomorrow in Moscow', () => {
    expect(dispatchDate(new Date('2026-11-09T22:30:00Z'), ru)).toBe('2026-11-10'); // Tue 01:30 MSK
    expect(dispatchDate(new Date('2026-11-09T22:30:00Z'), { ...ru, timezone: 'America/New_York' })).toBe('2026-11-10'); // Mon 17:30 EST
  });

  it('moves Friday after the cut-off and the weekend to Monday', () => {
    expect(dispatchDate(new Date('2026-11-13T12:00:00Z'), ru)).toBe('2026-11-16'); // Fri 15:00
    expect(dispatchDate(new Date('2026-11-14T08:00:00Z'), ru)).toBe('2026-11-16'); // Sat 11:00
    expect(dispatchDate(new Date('2026-11-15T08:00:00Z'), ru)).toBe('2026-11-16'); // Sun 11:00
  });

  it('skips Unity Day (Wed 2026-11-04) and the New Year holidays', () => {
    expect(dispatchDate(new Date('2026-11-03T12:00:00Z'), ru)).toBe('2026-11-05'); // Tue after cut-off
    expect(dispatchDate(new Date('2026-11-04T08:00:00Z'), ru)).toBe('2026-11-05'); // on the holiday, morning
    expect(dispatchDate(new Date('2026-12-31T12:00:00Z'), ru)).toBe('2027-01-11'); // Thu after cut-off; Jan 1-8 + weekend
    expect(dispatchDate(new Date('2027-01-05T07:00:00Z'), ru)).toBe('2027-01-11');
  });

  it('reads the cut-off in local time across the DST change (Berlin, last Sunday of March 2026)', () => {
    // Fri 2026-03-27 is CET (UTC+1): 14:00 local = 13:00Z.
    expect(dispatchDate(new Date('2026-03-27T12:59:00Z'), berlin)).toBe('2026-03-27');
    expect(dispatchDate(new Date('2026-03-27T13:00:00Z'), berlin)).toBe('2026-03-30');
    // Mon 2026-03-30 is CEST (UTC+2): 14:00 local = 12:00Z.
    expect(dispatchDate(new Date('2026-03-30T11:59:00Z'), berlin)).toBe('2026-03-30');
    expect(dispatchDate(new Date('2026-03-30T12:00:00Z'), berlin)).toBe('2026-03-31');
  });

  it('rejects a bad zone or cut-off', () => {
    expect(() => dispatchDate(new Date(), { ...ru, timezone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => dispatchDate(new Date(), { ...ru, cutoffTime: '2pm' })).toThrow(RangeError);
  });
});

describe('addBusinessDays', () => {
  it('skips weekends and holidays, both ways; 0 keeps the date', () => {
    expect(addBusinessDays('2026-11-13', 1, ru)).toBe('2026-11-16');
    expect(addBusinessDays('2026-11-02', 3, ru)).toBe('2026-11-06'); // Tue, Thu, Fri (Wed 4th is Unity Day)
    expect(addBusinessDays('2026-12-30', 2, ru)).toBe('2027-01-11');
    expect(addBusinessDays('2027-01-11', -2, ru)).toBe('2026-12-30');
    expect(addBusinessDays('2026-11-14', 0, ru)).toBe('2026-11-14');
  });

  it('rejects a malformed date or a fractional n', () => {
    expect(() => addBusinessDays('2026-13-01', 1, ru)).toThrow(RangeError);
    expect(() => addBusinessDays('14.11.2026', 1, ru)).toThrow(RangeError);
    expect(() => addBusinessDays('2026-11-14', 1.5, ru)).toThrow(RangeError);
  });
});

describe('deliveryWindow', () => {
  it('runs from the start of the min-th to the end of the max-th business day after dispatch, in the warehouse zone', () => {
    // Wed 2026-12-30 15:00 MSK: after the cut-off, dispatch Thu Dec 31; +1 = Mon Jan 11, +3 = Wed Jan 13.
    expect(deliveryWindow(new Date('2026-12-30T12:00:00Z'), ru, 1, 3)).toEqual({
      from: new Date('2027-01-10T21:00:00.000Z'),
      to: new Date('2027-01-13T20:59:59.999Z'),
      dispatchDate: '2026-12-31',
    });
  });

  it('gets the day boundaries right across the DST change', () => {
    // Dispatch Fri 2026-03-27 (CET, midnight = 23:00Z before); +1 = Mon Mar 30 (CEST, ends 21:59:59.999Z).
    expect(deliveryWindow(new Date('2026-03-27T08:00:00Z'), berlin, 0, 1)).toEqual({
      from: new Date('2026-03-26T23:00:00.000Z'),
      to: new Date('2026-03-30T21:59:59.999Z'),
      dispatchDate: '2026-03-27',
    });
    // Easter 2027 shares the weekend with the change: Thu Mar 25 14:00 CET is past the cut-off,
    // Good Friday and Easter Monday are holidays, so dispatch is Tue Mar 30 (CEST).
    expect(deliveryWindow(new Date('2027-03-25T13:00:00Z'), berlin, 0, 1)).toEqual({
      from: new Date('2027-03-29T22:00:00.000Z'),
      to: new Date('2027-03-31T21:59:59.999Z'),
      dispatchDate: '2027-03-30',
    });
  });

  it('rejects min > max or negative transit days', () => {
    expect(() => deliveryWindow(new Date(), ru, 3, 1)).toThrow(RangeError);
    expect(() => deliveryWindow(new Date(), ru, -1, 1)).toThrow(RangeError);
  });

  it('property: dispatch is a business day not before the local order date; the window starts and ends on business days, in order', () => {
    const cals = [ru, berlin, { timezone: 'America/New_York', cutoffTime: '17:30', countryCode: 'US' }, { timezone: 'Asia/Vladivostok', cutoffTime: '00:00', countryCode: 'RU' }];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(...cals),
        fc.nat(5),
        fc.nat(5),
        (now, cal, a, b) => {
          const [min, max] = a <= b ? [a, b] : [b, a];
          const w = deliveryWindow(now, cal, min, max);
          const localToday = new Intl.DateTimeFormat('en-CA', { timeZone: cal.timezone }).format(now);
          expect(w.dispatchDate >= localToday).toBe(true);
          expect(isBusinessDay(w.dispatchDate, cal)).toBe(true);
          expect(w.from.getTime()).toBeLessThan(w.to.getTime());
          // Start of the local order day: at most one (DST-long) day before the order.
          expect(w.from.getTime()).toBeGreaterThan(now.getTime() - 26 * 3_600_000);
          const localDate = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: cal.timezone }).format(d);
          expect(isBusinessDay(localDate(w.from), cal)).toBe(true);
          expect(isBusinessDay(localDate(w.to), cal)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('time zone and cut-off validation', () => {
  it('accepts IANA zones and HH:MM only', () => {
    expect(isValidTimeZone('Europe/Moscow')).toBe(true);
    expect(isValidTimeZone('Asia/Vladivostok')).toBe(true);
    expect(isValidTimeZone('Moscow')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    for (const ok of ['00:00', '09:30', '14:00', '23:59']) expect(isValidCutoff(ok)).toBe(true);
    for (const bad of ['24:00', '9:30', '14:60', '14:00:00', '2pm', '']) expect(isValidCutoff(bad)).toBe(false);
  });
});

describe('S10 tracking numbers', () => {
  it('computes the check digit of the published example RR473124829GB', () => {
    // Sum 4*8 + 7*6 + 3*4 + 1*2 + 2*3 + 4*5 + 8*9 + 2*7 = 200; 11 - 200 mod 11 = 9.
    expect(s10CheckDigit('47312482')).toBe(9);
    expect(isValidTrackingNumber('RR473124829GB')).toBe(true);
    expect(isValidTrackingNumber('RR473124828GB')).toBe(false);
  });

  it('maps 10 to 0 and 11 to 5 (hand-computed)', () => {
    // 00000000: sum 0, c = 11 -> 5.
    expect(s10CheckDigit('00000000')).toBe(5);
    // 00000010: sum 9, 11 - 9 = 2.
    expect(s10CheckDigit('00000010')).toBe(2);
    // 10000000: sum 8, 11 - 8 = 3.   00000001: sum 7, c = 4.
    expect(s10CheckDigit('10000000')).toBe(3);
    expect(s10CheckDigit('00000001')).toBe(4);
    // 00000100: sum 5 -> 6.  sum 1 -> c = 10 -> 0: 70000000 is 56 = 5*11 + 1.
    expect(s10CheckDigit('00000100')).toBe(6);
    expect(s10CheckDigit('70000000')).toBe(0);
    // A memorised "EE876543214CN" does not check out: 8*8+7*6+6*4+5*2+4*3+3*5+2*9+1*7 = 192, 192 mod 11 = 5, c = 6.
    expect(s10CheckDigit('87654321')).toBe(6);
    expect(isValidTrackingNumber('EE876543214CN')).toBe(false);
    expect(isValidTrackingNumber('EE876543216CN')).toBe(true);
    expect(() => s10CheckDigit('1234567')).toThrow(RangeError);
  });

  it('checks the format strictly and normalises typed input', () => {
    for (const bad of ['rr473124829gb', 'RR 473 124 829 GB', 'R473124829GB', 'RR4731248290GB', 'RR47312482XGB', '']) expect(isValidTrackingNumber(bad)).toBe(false);
    expect(normalizeTrackingNumber(' rr 473 124 829 gb ')).toBe('RR473124829GB');
  });

  it('generates valid numbers with the given prefix and country, and rejects a bad prefix', () => {
    const n = generateTrackingNumber('RA', 'RU');
    expect(n).toMatch(/^RA\d{9}RU$/);
    expect(() => generateTrackingNumber('ra', 'RU')).toThrow(RangeError);
    expect(() => generateTrackingNumber('RA', 'RUS')).toThrow(RangeError);
  });

  it('property: every generated number validates', () => {
    const letters2 = fc.stringMatching(/^[A-Z]{2}$/);
    fc.assert(
      fc.property(letters2, letters2, (prefix, country) => {
        const n = generateTrackingNumber(prefix, country);
        expect(n.startsWith(prefix) && n.endsWith(country)).toBe(true);
        expect(isValidTrackingNumber(n)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: changing the check digit always invalidates', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8}$/), fc.integer({ min: 1, max: 9 }), (serial, delta) => {
        const wrong = (s10CheckDigit(serial) + delta) % 10;
        expect(isValidTrackingNumber(`RA${serial}${wrong}RU`)).toBe(false);
      }),
    );
  });

  // The S10 mapping sends sum mod 11 = 0 and = 6 both to 5, so a serial digit change that moves the
  // sum between those residues is invisible. Every other single-digit change is caught.
  const residue = (serial: string) => [...serial].reduce((s, d, i) => s + Number(d) * [8, 6, 4, 2, 3, 5, 9, 7][i], 0) % 11;

  it('property: changing one serial digit invalidates, except the 0 <-> 6 residue collision of the standard', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8}$/), fc.nat(7), fc.integer({ min: 1, max: 9 }), (serial, pos, delta) => {
        const valid = `RA${serial}${s10CheckDigit(serial)}RU`;
        const changedSerial = serial.slice(0, pos) + ((Number(serial[pos]) + delta) % 10) + serial.slice(pos + 1);
        const changed = `RA${changedSerial}${s10CheckDigit(serial)}RU`;
        expect(residue(changedSerial)).not.toBe(residue(serial));
        const collision = new Set([residue(serial), residue(changedSerial)]);
        expect(isValidTrackingNumber(changed)).toBe(collision.has(0) && collision.has(6));
        expect(isValidTrackingNumber(valid)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('shows the collision on a concrete pair', () => {
    expect(isValidTrackingNumber('RR000000005GB')).toBe(true);
    expect(isValidTrackingNumber('RR900000005GB')).toBe(true); // 9*8 = 72 = 6*11 + 6
  });
});

describe('estimateParcel edge cases', () => {
  it('an empty parcel with no box that fits has zero sides, not NaN (found by fast-check)', () => {
    const impossible: Box = { code: 'X', lengthMm: 50, widthMm: 50, heightMm: 20, tareGrams: 501, maxWeightGrams: 500 };
    expect(estimateParcel([], { boxes: [impossible], fillFactor: 0.3 })).toEqual({ weightGrams: 0, lengthMm: 0, widthMm: 0, heightMm: 0, box: null });
  });
});
