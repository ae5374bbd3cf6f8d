/**
 * Demand history and demandForecast (issue 15, item 3), over real HTTP with a ManualClock:
 * history from orders really shipped (order → pick → pack → shipment), weeks in the warehouse's
 * time zone (America/New_York here, so a Sunday-night shipment is in another week in UTC), zero
 * weeks, the current week left out, imports filling only the weeks without ledger shipments and
 * replacing on re-import, bad imports writing nothing, the forecast cache, seasonality, the
 * interval invariants, horizon limits and a restricted PARTNER key.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('../../src/modules/planning/forecast/select.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/modules/planning/forecast/select.js')>();
  return { ...m, forecastSeries: vi.fn(m.forecastSeries) };
});

import { forecastSeries } from '../../src/modules/planning/forecast/select.js';
import { demandOutlook } from '../../src/modules/planning/demand.service.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import {
  ApiKeyCreateDocument,
  BinLocationsCreateDocument,
  CarrierCreateDocument,
  DemandForecastDocument,
  DemandHistoryImportDocument,
  InventoryReceiveDocument,
  OrderCreateDocument,
  ProductCreateDocument,
  ShipmentCreateDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
  type DemandForecastQuery,
  type DemandHistoryLineInput,
} from '../generated/graphql.js';
import { productInput } from '../factories/catalog.js';
import { pickAndPack } from '../factories/fulfillment.js';
import { address } from '../factories/stock.js';
import { startApp, type TestApp } from '../harness.js';

const NY = 'DNY';
const MSK = 'DMS';
const CARRIER = 'DCAR';
const clock = new ManualClock(new Date('2026-01-05T12:00:00Z'));
let t: TestApp;
let ctx: ServiceContext;
let partner: string;
const sku = { shipped: '', imported: '', none: '', seasonal: '', bad: '' };
const ids = new Map<string, string>();
let nyId = '';
let orders = 0;

const ok = (errors: readonly unknown[], what: string) => {
  if (errors.length) throw new Error(`${what}: ${JSON.stringify(errors)}`);
};

/** An order of `quantity` units shipped out of NY at `at` (the clock is moved there): orderCreate, pick, pack, shipmentCreate. */
async function ship(s: string, quantity: number, at: string): Promise<void> {
  clock.set(new Date(at));
  const created = (
    await t.admin(OrderCreateDocument, {
      input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: `demand.${++orders}@example.ru`, name: 'Анна' }, shippingAddress: address() as never, lines: [{ sku: s, quantity }] },
    })
  ).orderCreate;
  ok(created.userErrors, 'orderCreate');
  const [foId] = await pickAndPack(t, NY, [created.order!.id], { weightGrams: 500, dimensions: { lengthMm: 300, widthMm: 200, heightMm: 150 } });
  ok((await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId!, serviceCode: `${CARRIER}_COURIER` } })).shipmentCreate.userErrors, 'shipmentCreate');
}

const history = async (s: string) => (await demandOutlook(ctx, { variantId: ids.get(s)!, warehouseId: nyId }, 4)).history;

async function forecast(s: string, horizonWeeks?: number, token?: string) {
  const r = await t.gql(DemandForecastDocument, { sku: s, warehouseCode: NY, horizonWeeks }, token ? { token } : {});
  return r;
}

/** lower80 <= mean <= upper80 and lower80 >= 0 at every point. */
function expectInvariants(f: NonNullable<DemandForecastQuery['demandForecast']>) {
  for (const p of f.points) {
    expect(p.lower80).toBeGreaterThanOrEqual(0);
    expect(p.lower80).toBeLessThanOrEqual(p.mean);
    expect(p.mean).toBeLessThanOrEqual(p.upper80);
  }
}

const importLines = (lines: DemandHistoryLineInput[], warehouseCode = NY, token?: string) =>
  t.gql(DemandHistoryImportDocument, { input: { warehouseCode, lines } }, token ? { token } : {});

beforeAll(async () => {
  t = await startApp({ clock });
  ctx = t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services;
  for (const k of Object.keys(sku) as (keyof typeof sku)[]) {
    const p = productInput();
    ok((await t.admin(ProductCreateDocument, { input: p })).productCreate.userErrors, 'productCreate');
    sku[k] = p.variants[0]!.sku;
  }
  for (const [code, timezone] of [
    [NY, 'America/New_York'],
    [MSK, 'Europe/Moscow'],
  ] as const) {
    const w = await t.admin(WarehouseCreateDocument, {
      input: { code, name: code, cutoffTime: '14:00', timezone, address: { name: 'Склад', line1: 'Складская 1', city: 'Москва', postalCode: '109000', countryCode: 'RU', location: { lat: 55.7, lng: 37.7 } } },
    });
    ok(w.warehouseCreate.userErrors, 'warehouseCreate');
    await t.admin(ZoneCreateDocument, { input: { warehouseCode: code, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
    await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: code, zoneCode: 'P', aisles: ['A'], racks: 1, levels: 1, positions: 1 } });
  }
  ok((await t.admin(InventoryReceiveDocument, { input: { warehouseCode: NY, binBarcode: `${NY}-A-01-01-01`, lines: [{ sku: sku.shipped, quantity: 100 }] } })).inventoryReceive.userErrors, 'receive');
  ok(
    (
      await t.admin(CarrierCreateDocument, {
        input: {
          code: CARRIER,
          name: 'Demand Express',
          services: [
            {
              code: `${CARRIER}_COURIER`,
              name: 'Courier',
              deliveryType: 'COURIER',
              transitDaysMin: 1,
              transitDaysMax: 3,
              maxWeightGrams: 30_000,
              rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 300_00, currency: 'RUB' } }],
            },
          ],
        },
      })
    ).carrierCreate.userErrors,
    'carrierCreate',
  );
  const key = (await t.admin(ApiKeyCreateDocument, { input: { name: 'msk partner', kind: 'PARTNER', scopes: ['read_inventory', 'write_inventory'], warehouseCodes: [MSK] } })).apiKeyCreate;
  ok(key.userErrors, 'apiKeyCreate');
  partner = key.secret!;
  // Variant ids (the service-level checks below read the series itself).
  const { variantsBySkus } = await import('../../src/modules/catalog/catalog.service.js');
  for (const v of await variantsBySkus(ctx, Object.values(sku))) ids.set(v.sku, v.id);
  const { warehouseByCode } = await import('../../src/modules/warehouse/warehouse.service.js');
  nyId = (await warehouseByCode(ctx, NY))!.id;
  // Week of Mon 2026-01-05: 2 units on Sunday 2026-01-11 23:30 New York time (Monday 04:30 UTC, the next week in UTC).
  await ship(sku.shipped, 2, '2026-01-12T04:30:00Z');
  // Week of 2026-01-12: nothing. Week of 2026-01-19: 3 units. Week of 2026-01-26: nothing.
  await ship(sku.shipped, 3, '2026-01-21T15:00:00Z');
  // The current week (2026-02-02, incomplete on Wednesday 2026-02-04): 1 unit, not history yet.
  await ship(sku.shipped, 1, '2026-02-03T15:00:00Z');
  clock.set(new Date('2026-02-04T12:00:00Z'));
}, 120_000);

afterAll(async () => t?.close());

describe('demand history from the ledger', () => {
  it('counts shipped units per week in the warehouse time zone, zero weeks included, without the current week', async () => {
    expect(await history(sku.shipped)).toEqual([2, 0, 3, 0]);
    const r = await forecast(sku.shipped);
    expect(r.errors).toBeUndefined();
    const f = r.data!.demandForecast!;
    expect(f.variant.sku).toBe(sku.shipped);
    expect(f.warehouse.code).toBe(NY);
    expect(f.historyWeeks).toBe(4);
    // Eight weeks (the default), the first the Monday after the current week, 00:00 New York time (EST, UTC-5).
    expect(f.points.map((p) => p.weekStart)).toEqual(
      ['2026-02-09', '2026-02-16', '2026-02-23', '2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30'].map((d) =>
        // 2026-03-08 DST: from the week of 03-09 midnight is 04:00 UTC
        d < '2026-03-09' ? `${d}T05:00:00.000Z` : `${d}T04:00:00.000Z`,
      ),
    );
    expectInvariants(f);
    // Four weeks of [2, 0, 3, 0]: whatever the method, the interval admits demand.
    expect(f.points.every((p) => p.upper80 > 0)).toBe(true);
  });

  it('a SKU with no history has historyWeeks 0, method NONE and zero means', async () => {
    const f = (await forecast(sku.none, 3)).data!.demandForecast!;
    expect(f).toMatchObject({ historyWeeks: 0, method: 'NONE', backtest: null });
    expect(f.points).toHaveLength(3);
    expect(f.points.every((p) => p.mean === 0 && p.lower80 === 0 && p.upper80 === 0)).toBe(true);
  });
});

describe('demandHistoryImport', () => {
  it('fills only the weeks in which the ledger has no shipment, normalised to the Monday; importing a week again replaces it', async () => {
    const r = await importLines([
      { sku: sku.shipped, weekStart: '2025-12-22T12:00:00Z', units: 4 },
      // Sunday 2025-12-28 20:00 New York time (Monday 01:00 UTC): the week of 2025-12-22 in UTC terms would be 12-29's.
      { sku: sku.shipped, weekStart: '2026-01-04T01:00:00Z', units: 5 },
      { sku: sku.shipped, weekStart: '2026-01-05T12:00:00Z', units: 100 }, // the ledger shipped 2 then: ignored
      { sku: sku.shipped, weekStart: '2026-01-14T12:00:00Z', units: 7 }, // a Wednesday of a week without shipments
    ]);
    expect(r.data!.demandHistoryImport).toEqual({ imported: 4, userErrors: [] });
    expect(await history(sku.shipped)).toEqual([4, 5, 2, 7, 3, 0]);
    const again = await importLines([{ sku: sku.shipped, weekStart: '2026-01-12T06:00:00Z', units: 9 }]);
    expect(again.data!.demandHistoryImport).toEqual({ imported: 1, userErrors: [] });
    expect(await history(sku.shipped)).toEqual([4, 5, 2, 9, 3, 0]);
    expect((await forecast(sku.shipped)).data!.demandForecast!.historyWeeks).toBe(6);
  });

  it('refuses bad lines, every error at once, and writes nothing', async () => {
    const before = await history(sku.shipped);
    const good = { sku: sku.bad, weekStart: '2026-01-19T12:00:00Z', units: 1 };
    const r = await importLines([
      good,
      { sku: 'NO-SUCH-SKU', weekStart: '2026-01-19T12:00:00Z', units: 1 },
      { sku: sku.shipped, weekStart: '2025-11-03T12:00:00Z', units: -1 },
      { sku: sku.shipped, weekStart: '2026-02-02T12:00:00Z', units: 1 }, // the current week
      { sku: sku.shipped, weekStart: '2026-03-02T12:00:00Z', units: 1 }, // the future
      { sku: sku.bad, weekStart: '2026-01-21T12:00:00Z', units: 2 }, // the same week as line 0
    ]);
    expect(r.data!.demandHistoryImport.imported).toBe(0);
    expect(r.data!.demandHistoryImport.userErrors.map((e) => [e.code, e.field])).toEqual([
      ['NOT_FOUND', ['input', 'lines', '1', 'sku']],
      ['INVALID', ['input', 'lines', '2', 'units']],
      ['INVALID', ['input', 'lines', '3', 'weekStart']],
      ['INVALID', ['input', 'lines', '4', 'weekStart']],
      ['INVALID', ['input', 'lines', '5', 'weekStart']],
    ]);
    expect(await history(sku.shipped)).toEqual(before);
    expect(await history(sku.bad)).toEqual([]);

    const tooMany = Array.from({ length: 10_001 }, () => good);
    const big = await importLines(tooMany);
    expect(big.data!.demandHistoryImport).toMatchObject({ imported: 0, userErrors: [{ code: 'INVALID', field: ['input', 'lines'] }] });
    expect(await history(sku.bad)).toEqual([]);

    const nowhere = await importLines([good], 'NOPE');
    expect(nowhere.data!.demandHistoryImport.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'warehouseCode'] })]);
    expect(await history(sku.bad)).toEqual([]);
  });
});

describe('forecast cache', () => {
  it('computes a forecast once and again only when a new shipment or import changes the history', async () => {
    const calls = () => vi.mocked(forecastSeries).mock.calls.length;
    const first = (await forecast(sku.shipped, 5)).data!.demandForecast!;
    const n = calls();
    expect((await forecast(sku.shipped, 5)).data!.demandForecast!).toEqual(first);
    expect(calls()).toBe(n); // a repeated call does not recompute

    // A shipment in the current week is not history yet: nothing changes, nothing is recomputed.
    await ship(sku.shipped, 4, '2026-02-04T13:00:00Z');
    expect((await forecast(sku.shipped, 5)).data!.demandForecast!).toEqual(first);
    expect(calls()).toBe(n);

    // The week completes: 1 + 4 units in the week of 2026-02-02 become history.
    clock.set(new Date('2026-02-10T12:00:00Z'));
    expect(await history(sku.shipped)).toEqual([4, 5, 2, 9, 3, 0, 5]);
    const afterShipment = (await forecast(sku.shipped, 5)).data!.demandForecast!;
    expect(afterShipment.historyWeeks).toBe(7);
    expect(afterShipment.points[0]!.weekStart).toBe('2026-02-16T05:00:00.000Z');
    expect(calls()).toBeGreaterThan(n);
    const m = calls();
    await forecast(sku.shipped, 5);
    expect(calls()).toBe(m);

    // An import (a week before the ledger's first) changes it again.
    ok((await importLines([{ sku: sku.shipped, weekStart: '2025-12-15T12:00:00Z', units: 40 }])).data!.demandHistoryImport.userErrors, 'import');
    const afterImport = (await forecast(sku.shipped, 5)).data!.demandForecast!;
    expect(afterImport.historyWeeks).toBe(8);
    expect(afterImport).not.toEqual(afterShipment);
    expect(calls()).toBe(m + 1);
    expectInvariants(afterImport);
  });
});

describe('demandForecast', () => {
  it('horizonWeeks outside 1 to 52, an unknown SKU or an unknown warehouse is BAD_USER_INPUT', async () => {
    for (const h of [0, 53]) {
      const r = await forecast(sku.shipped, h);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect((await forecast(sku.shipped, 52)).data!.demandForecast!.points).toHaveLength(52);
    expect((await forecast('NO-SUCH-SKU')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.gql(DemandForecastDocument, { sku: sku.shipped, warehouseCode: 'NOPE' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a PARTNER key restricted to another warehouse gets no forecast there (as for an unknown warehouse) and cannot import there', async () => {
    const r = await forecast(sku.shipped, 4, partner);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.data?.demandForecast ?? null).toBeNull();
    const before = await history(sku.bad);
    const imp = await importLines([{ sku: sku.bad, weekStart: '2026-01-19T12:00:00Z', units: 3 }], NY, partner);
    expect(imp.data!.demandHistoryImport.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'warehouseCode'] })]);
    expect(await history(sku.bad)).toEqual(before);
    // Its own warehouse works.
    const own = await t.gql(DemandForecastDocument, { sku: sku.shipped, warehouseCode: MSK }, { token: partner });
    expect(own.data!.demandForecast).toMatchObject({ historyWeeks: 0, warehouse: { code: MSK } });
  });

  it('two years of history with a November peak forecast the peak in the November weeks', async () => {
    clock.set(new Date('2026-10-14T12:00:00Z')); // Wednesday; the last complete week starts 2026-10-05
    const start = Date.parse('2024-10-14T12:00:00Z');
    const lines = Array.from({ length: 104 }, (_, i) => {
      const w = i % 52; // weeks 3..6 of each year: the Mondays of November
      return { sku: sku.seasonal, weekStart: new Date(start + i * 7 * 86_400_000).toISOString(), units: 20 + ((w * 7) % 11) + (w >= 3 && w <= 6 ? 80 : 0) };
    });
    expect(new Date(start + 3 * 7 * 86_400_000).toISOString().slice(0, 10)).toBe('2024-11-04');
    expect((await importLines(lines)).data!.demandHistoryImport).toEqual({ imported: 104, userErrors: [] });
    const f = (await forecast(sku.seasonal, 8)).data!.demandForecast!;
    expect(f.historyWeeks).toBe(104);
    expect(f.backtest).not.toBeNull();
    expectInvariants(f);
    const byWeek = new Map(f.points.map((p) => [p.weekStart.slice(0, 10), p.mean]));
    expect([...byWeek.keys()]).toEqual(['2026-10-19', '2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30', '2026-12-07']);
    const peak = ['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23'].map((d) => byWeek.get(d)!);
    const rest = ['2026-10-19', '2026-10-26', '2026-11-30', '2026-12-07'].map((d) => byWeek.get(d)!);
    expect(Math.min(...peak)).toBeGreaterThan(2 * Math.max(...rest));
    // New York midnight: EDT (UTC-4) until 2026-11-01, EST (UTC-5) after.
    expect(f.points[1]!.weekStart).toBe('2026-10-26T04:00:00.000Z');
    expect(f.points[2]!.weekStart).toBe('2026-11-02T05:00:00.000Z');
  });
});
