/**
 * returnAnalytics: units returned over units shipped per group, Wilson intervals, flags, access,
 * bad periods and a constant statement count. The shipping history is inserted in bulk (see
 * test/factories/returns-analytics.ts); each scenario lives in its own month, so they do not mix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyCreateDocument, ReturnAnalyticsDocument, type ReturnAnalyticsQuery, type ReturnAnalyticsGroupBy } from '../../../test/generated/graphql.js';
import { returnsOf, shippedHistory, type ReturnSpec, type ShippedLine, type ShippedSpec } from '../../../test/factories/returns-analytics.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { wilsonInterval, Z_95 } from '../../shared/wilson.js';

describe('wilsonInterval (95%)', () => {
  // Reference values: scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method='wilson').
  it.each([
    [10, 100, 0.05522913706067508, 0.17436566150491345],
    [0, 10, 0, 0.27753279986288926],
    [2, 3, 0.20765960080204782, 0.9385080552796038],
    [60, 200, 0.24074744682371402, 0.36679068372719265],
    [3, 3, 0.4385029682449546, 1],
    [1, 1, 0.20654931437723745, 1],
    [50, 1000, 0.03813026239274881, 0.06531382024425081],
    [81, 263, 0.2552885198782742, 0.36620957698280004],
  ])('%i of %i → [%f, %f]', (k, n, low, high) => {
    const ci = wilsonInterval(k, n);
    expect(ci.low).toBeCloseTo(low, 12);
    expect(ci.high).toBeCloseTo(high, 12);
  });

  it('is [0, 0] with no trials, stays within [0, 1], narrows as trials grow, and uses z = 1.959963984540054', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 0 });
    expect(Z_95).toBe(1.959963984540054);
    let previous = 1;
    for (const n of [10, 100, 1000, 10_000]) {
      const { low, high } = wilsonInterval(n / 10, n);
      expect(low).toBeGreaterThanOrEqual(0);
      expect(high).toBeLessThanOrEqual(1);
      expect(low).toBeLessThan(0.1);
      expect(high).toBeGreaterThan(0.1);
      expect(high - low).toBeLessThan(previous);
      previous = high - low;
    }
    expect(() => wilsonInterval(4, 3)).toThrow(RangeError);
  });
});

let t: TestApp;
let ctx: ServiceContext;
beforeAll(async () => {
  t = await startApp();
  ctx = t.app.context({ kind: 'STAFF', name: 'analytics-test', scopes: ['admin'] }).services;
}, 60_000);
afterAll(async () => t?.close());

type Stat = ReturnAnalyticsQuery['returnAnalytics'][number];
const analytics = async (from: string, to: string, groupBy: ReturnAnalyticsGroupBy, token?: string | null) => t.gql(ReturnAnalyticsDocument, { from, to, groupBy }, { token });
const stats = async (from: string, to: string, groupBy: ReturnAnalyticsGroupBy, token?: string): Promise<Stat[]> => {
  const r = await analytics(from, to, groupBy, token);
  if (r.errors?.length || !r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.returnAnalytics;
};
const brief = (s: Stat[]) => s.map((x) => [x.key, x.unitsShipped, x.unitsReturned]);
const day = (d: string, h = 12) => new Date(`${d}T${String(h).padStart(2, '0')}:00:00Z`);

describe('returnAnalytics on a hand-made month', () => {
  // January 2026: two shoe SKUs and a mug, two carriers, two warehouses.
  const FROM = '2026-01-01T00:00:00Z';
  const TO = '2026-02-01T00:00:00Z';
  let lines: ShippedLine[];
  beforeAll(async () => {
    const specs: ShippedSpec[] = [
      { sku: 'JAN-SHOE-1', category: 'apparel/shoes', units: 10, carrierCode: 'JANCA', warehouseCode: 'JANWA', shippedAt: day('2026-01-05') },
      { sku: 'JAN-SHOE-2', category: 'apparel/shoes', units: 5, carrierCode: 'JANCB', warehouseCode: 'JANWA', shippedAt: day('2026-01-10') },
      { sku: 'JAN-MUG-1', category: 'home/kitchen', units: 20, carrierCode: 'JANCB', warehouseCode: 'JANWB', shippedAt: day('2026-01-31', 23) },
      // A return parcel carrying mugs back: not goods shipped.
      { sku: 'JAN-MUG-1', category: 'home/kitchen', units: 5, carrierCode: 'JANCB', warehouseCode: 'JANWB', shippedAt: day('2026-01-20'), direction: 'RETURN' },
      // Shipped in February (outside the period), with returns of its own.
      { sku: 'JAN-SHOE-1', category: 'apparel/shoes', units: 10, carrierCode: 'JANCA', warehouseCode: 'JANWA', shippedAt: day('2026-02-01', 0) },
    ];
    lines = await shippedHistory(ctx, specs);
    const [shoe1, shoe2, mug, returnParcel, february] = lines as [ShippedLine, ShippedLine, ShippedLine, ShippedLine, ShippedLine];
    const returns: ReturnSpec[] = [
      { line: shoe1, quantity: 3, reason: 'SIZE_TOO_SMALL' },
      { line: shoe1, quantity: 1, reason: 'SIZE_TOO_LARGE', status: 'REFUNDED' },
      { line: shoe1, quantity: 2, reason: 'CHANGED_MIND', status: 'REJECTED' },
      { line: shoe1, quantity: 1, reason: 'OTHER', status: 'CANCELLED' },
      { line: shoe2, quantity: 1, reason: 'DAMAGED', status: 'RECEIVED' },
      { line: mug, quantity: 2, reason: 'DAMAGED', status: 'INSPECTED' },
      { line: returnParcel, quantity: 5, reason: 'DEFECTIVE', status: 'APPROVED' },
      { line: february, quantity: 5, reason: 'DEFECTIVE', status: 'APPROVED' },
    ];
    await returnsOf(ctx, returns);
  }, 60_000);

  it('puts the overall rate first under "ALL", then the SKUs by rate; REJECTED and CANCELLED returns, return parcels and other months do not count', async () => {
    const s = await stats(FROM, TO, 'SKU');
    expect(brief(s)).toEqual([
      ['ALL', 35, 7],
      ['JAN-SHOE-1', 10, 4],
      ['JAN-SHOE-2', 5, 1],
      ['JAN-MUG-1', 20, 2],
    ]);
    expect(s[0]!.returnRate).toBeCloseTo(0.2, 12);
    expect(s[0]!.reasons).toEqual([
      { reason: 'DAMAGED', units: 3 },
      { reason: 'SIZE_TOO_SMALL', units: 3 },
      { reason: 'SIZE_TOO_LARGE', units: 1 },
    ]);
    expect(s[1]!.reasons).toEqual([
      { reason: 'SIZE_TOO_SMALL', units: 3 },
      { reason: 'SIZE_TOO_LARGE', units: 1 },
    ]);
    const ci = wilsonInterval(4, 10);
    expect(s[1]).toMatchObject({ returnRate: 0.4, rateLow: ci.low, rateHigh: ci.high, flagged: false });
    expect(s[0]!.flagged).toBe(false);
  });

  it('groups by product category', async () => {
    expect(brief(await stats(FROM, TO, 'CATEGORY'))).toEqual([
      ['ALL', 35, 7],
      ['apparel/shoes', 15, 5],
      ['home/kitchen', 20, 2],
    ]);
  });

  it('groups by reason: the units returned for each reason over every unit shipped (ties by key)', async () => {
    const s = await stats(FROM, TO, 'REASON');
    expect(brief(s)).toEqual([
      ['ALL', 35, 7],
      ['DAMAGED', 35, 3],
      ['SIZE_TOO_SMALL', 35, 3],
      ['SIZE_TOO_LARGE', 35, 1],
    ]);
    expect(s[1]!.reasons).toEqual([{ reason: 'DAMAGED', units: 3 }]);
  });

  it('groups by the carrier of the outbound shipment and by the shipping warehouse', async () => {
    expect(brief(await stats(FROM, TO, 'CARRIER'))).toEqual([
      ['ALL', 35, 7],
      ['JANCA', 10, 4],
      ['JANCB', 25, 3],
    ]);
    expect(brief(await stats(FROM, TO, 'WAREHOUSE'))).toEqual([
      ['ALL', 35, 7],
      ['JANWA', 15, 5],
      ['JANWB', 20, 2],
    ]);
  });

  it('takes the period by the shipment date, [from, to): the February shipment and its returns count in February only', async () => {
    expect(brief(await stats('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', 'SKU'))).toEqual([
      ['ALL', 10, 5],
      ['JAN-SHOE-1', 10, 5],
    ]);
    expect(brief(await stats('2026-01-31T23:00:00Z', '2026-01-31T23:00:01Z', 'SKU'))).toEqual([
      ['ALL', 20, 2],
      ['JAN-MUG-1', 20, 2],
    ]);
    // Nothing shipped: only the overall row, all zeros.
    expect(await stats('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z', 'SKU')).toEqual([
      { key: 'ALL', unitsShipped: 0, unitsReturned: 0, returnRate: 0, rateLow: 0, rateHigh: 0, flagged: false, reasons: [] },
    ]);
  });

  it('shows a PARTNER restricted to warehouses only its warehouses; needs read_returns', async () => {
    const key = async (input: { name: string; kind: 'PARTNER' | 'STAFF'; scopes: string[]; warehouseCodes?: string[] }) =>
      (await t.admin(ApiKeyCreateDocument, { input })).apiKeyCreate.secret!;
    const partner = await key({ name: 'WA partner', kind: 'PARTNER', scopes: ['read_returns'], warehouseCodes: ['JANWA'] });
    expect(brief(await stats(FROM, TO, 'WAREHOUSE', partner))).toEqual([
      ['ALL', 15, 5],
      ['JANWA', 15, 5],
    ]);
    expect(brief(await stats(FROM, TO, 'SKU', partner))).toEqual([
      ['ALL', 15, 5],
      ['JAN-SHOE-1', 10, 4],
      ['JAN-SHOE-2', 5, 1],
    ]);
    const noScope = await key({ name: 'orders only', kind: 'STAFF', scopes: ['read_orders'] });
    expect((await analytics(FROM, TO, 'SKU', noScope)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await analytics(FROM, TO, 'SKU', null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a period that is empty, reversed or longer than 366 days with BAD_USER_INPUT', async () => {
    for (const [from, to] of [
      [FROM, FROM],
      [TO, FROM],
      ['2025-01-01T00:00:00Z', '2026-01-02T00:00:01Z'],
    ] as const) {
      const r = await analytics(from, to, 'SKU');
      expect(r.data).toBeNull();
      expect(r.errors?.[0]?.extensions?.code, `${from} → ${to}`).toBe('BAD_USER_INPUT');
    }
    // 366 days exactly is allowed.
    expect((await analytics('2025-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 'SKU')).errors).toBeUndefined();
  });
});

describe('returnAnalytics with a line shipped in two parcels', () => {
  // May 2026: 3 units leave with one carrier, the 2 backordered units later with another; 4 come back.
  beforeAll(async () => {
    const [first] = await shippedHistory(ctx, [{ sku: 'MAY-SPLIT', category: 'toys', units: 3, carrierCode: 'MAYCX', warehouseCode: 'MAYW', shippedAt: day('2026-05-02') }]);
    await shippedHistory(ctx, [{ sku: 'MAY-SPLIT', units: 2, carrierCode: 'MAYCY', warehouseCode: 'MAYW', shippedAt: day('2026-05-20'), sameLineAs: first! }]);
    await returnsOf(ctx, [
      { line: first!, quantity: 1, reason: 'WRONG_ITEM', status: 'REFUNDED' },
      { line: first!, quantity: 3, reason: 'DEFECTIVE', status: 'APPROVED' },
    ]);
  }, 60_000);

  it('matches returned units to the first shipped units of the line, so no group returns more than it shipped', async () => {
    const may = await stats('2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z', 'CARRIER');
    expect(may.map((x) => [x.key, x.unitsShipped, x.unitsReturned, x.reasons])).toEqual([
      ['ALL', 5, 4, [{ reason: 'DEFECTIVE', units: 3 }, { reason: 'WRONG_ITEM', units: 1 }]],
      ['MAYCX', 3, 3, [{ reason: 'DEFECTIVE', units: 2 }, { reason: 'WRONG_ITEM', units: 1 }]],
      ['MAYCY', 2, 1, [{ reason: 'DEFECTIVE', units: 1 }]],
    ]);
    // Only the second parcel in the period: one returned unit is left over for it.
    expect(brief(await stats('2026-05-10T00:00:00Z', '2026-06-01T00:00:00Z', 'SKU'))).toEqual([
      ['ALL', 2, 1],
      ['MAY-SPLIT', 2, 1],
    ]);
  });
});

describe('returnAnalytics flags only real outliers', () => {
  // March 2026: a 5% baseline over thousands of units, one SKU at 30% of 200, one at 10% of 20.
  const FROM = '2026-03-01T00:00:00Z';
  const TO = '2026-04-01T00:00:00Z';
  const statements = async (groupBy: ReturnAnalyticsGroupBy) => Number((await analytics(FROM, TO, groupBy)).headers.get('x-sql-statements'));
  let before: Record<ReturnAnalyticsGroupBy, number>;

  beforeAll(async () => {
    // Statements with almost nothing in the period, for the comparison below.
    const one = await shippedHistory(ctx, [{ sku: 'MAR-SEED', units: 1, carrierCode: 'MARC0', warehouseCode: 'MARW0', shippedAt: day('2026-03-01') }]);
    await returnsOf(ctx, [{ line: one[0]!, quantity: 1, reason: 'OTHER', status: 'CANCELLED' }]);
    before = {} as Record<ReturnAnalyticsGroupBy, number>;
    for (const g of ['SKU', 'CATEGORY', 'REASON', 'CARRIER', 'WAREHOUSE'] as const) before[g] = await statements(g);

    const specs: ShippedSpec[] = [];
    // Background: 100 SKUs in 4 categories, 1,000 lines of 4 units (4,000 units) over 3 carriers and 2 warehouses.
    for (let i = 0; i < 1000; i++) {
      const sku = `MAR-BG-${i % 100}`;
      specs.push({ sku, category: `cat/${i % 4}`, units: 4, carrierCode: `MARC${1 + (i % 3)}`, warehouseCode: `MARW${1 + (i % 2)}`, shippedAt: day(`2026-03-${String(1 + (i % 28)).padStart(2, '0')}`, i % 24) });
    }
    for (let i = 0; i < 20; i++) specs.push({ sku: 'MAR-HOT', category: 'cat/0', units: 10, carrierCode: 'MARC1', warehouseCode: 'MARW1', shippedAt: day('2026-03-15', i) });
    specs.push({ sku: 'MAR-TINY', category: 'cat/2', units: 3, carrierCode: 'MARC3', warehouseCode: 'MARW1', shippedAt: day('2026-03-17') });
    for (let i = 0; i < 2; i++) specs.push({ sku: 'MAR-FEW', category: 'cat/1', units: 10, carrierCode: 'MARC2', warehouseCode: 'MARW2', shippedAt: day('2026-03-16', i) });
    const lines = await shippedHistory(ctx, specs);
    const returns: ReturnSpec[] = [];
    // 5% of the background, evenly: one unit back from 2 of each SKU's 10 lines (200 of 4,000 units).
    lines.slice(0, 1000).forEach((l, i) => {
      if (Math.floor(i / 100) % 5 === 0) returns.push({ line: l, quantity: 1, reason: i % 2 ? 'SIZE_TOO_SMALL' : 'CHANGED_MIND', status: i % 3 ? 'REFUNDED' : 'APPROVED' });
    });
    // MAR-HOT: 3 of every 10 units come back defective (60 of 200).
    lines.slice(1000, 1020).forEach((l) => returns.push({ line: l, quantity: 3, reason: 'DEFECTIVE', status: 'INSPECTED' }));
    // MAR-TINY: 2 of 3 (the example of noise).
    returns.push({ line: lines[1020]!, quantity: 2, reason: 'DEFECTIVE', status: 'RECEIVED' });
    // MAR-FEW: 2 of 20.
    lines.slice(1021, 1023).forEach((l) => returns.push({ line: l, quantity: 1, reason: 'DAMAGED', status: 'RECEIVED' }));
    await returnsOf(ctx, returns);
  }, 120_000);

  it('flags a SKU with 60 returns of 200 against a 5% baseline, not one with 2 of 20 nor the background', async () => {
    const s = await stats(FROM, TO, 'SKU');
    const all = s[0]!;
    expect(all).toMatchObject({ key: 'ALL', unitsShipped: 4224, unitsReturned: 264, flagged: false });
    expect(all.returnRate).toBeCloseTo(264 / 4224, 12);
    const hot = s.find((x) => x.key === 'MAR-HOT')!;
    const few = s.find((x) => x.key === 'MAR-FEW')!;
    expect(hot).toMatchObject({ unitsShipped: 200, unitsReturned: 60, returnRate: 0.3, flagged: true, reasons: [{ reason: 'DEFECTIVE', units: 60 }] });
    expect(hot.rateLow).toBeGreaterThan(all.returnRate);
    // 10% is twice the store's rate, but 20 units are too few to tell it from chance.
    expect(few).toMatchObject({ unitsShipped: 20, unitsReturned: 2, returnRate: 0.1, flagged: false });
    expect(few.rateLow).toBeLessThan(all.returnRate);
    // 2 of 3: an interval wholly above the store's rate, but two parcels are not a finding.
    const tiny = s.find((x) => x.key === 'MAR-TINY')!;
    expect(tiny).toMatchObject({ unitsShipped: 3, unitsReturned: 2, flagged: false });
    expect(tiny.rateLow).toBeGreaterThan(all.returnRate);
    expect(s.filter((x) => x.flagged).map((x) => x.key)).toEqual(['MAR-HOT']);
    // Highest rate first.
    expect(s.slice(1, 3).map((x) => x.key)).toEqual(['MAR-TINY', 'MAR-HOT']);
    for (let i = 2; i < s.length; i++) expect(s[i]!.returnRate).toBeLessThanOrEqual(s[i - 1]!.returnRate);
  });

  it('splits by reason (none stands out against all units shipped), and keeps its statement count whatever the data size', async () => {
    const byReason = await stats(FROM, TO, 'REASON');
    expect(byReason.slice(1).map((x) => [x.key, x.unitsReturned, x.flagged])).toEqual([
      ['CHANGED_MIND', 100, false],
      ['SIZE_TOO_SMALL', 100, false],
      ['DEFECTIVE', 62, false],
      ['DAMAGED', 2, false],
    ]);
    for (const g of ['SKU', 'CATEGORY', 'REASON', 'CARRIER', 'WAREHOUSE'] as const) {
      const n = await statements(g);
      expect(n, g).toBe(before[g]);
      expect(n, g).toBeLessThanOrEqual(2);
    }
  });
});
