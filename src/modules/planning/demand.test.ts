/** demand.service at the service level: which ledger movements are demand, statements per call for many keys, a 10,000-line import. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT_PRINCIPAL } from '../../../scripts/lib/script-app.js';
import { productInput } from '../../../test/factories/catalog.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { statementCounter } from '../../db/client.js';
import { transact } from '../../events/outbox.js';
import { ManualClock } from '../../shared/clock.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { createProduct, variantsBySkus } from '../catalog/catalog.service.js';
import { receiveInventory } from '../inventory/inbound.service.js';
import { pickFromBin, recordPicks } from '../inventory/ledger.service.js';
import { createBinGrid, createWarehouse, createZone, warehouseByCode } from '../warehouse/warehouse.service.js';
import { sql } from 'drizzle-orm';
import { demandHistoryImport, demandOutlooks, demandOutlooksByHorizon } from './demand.service.js';

let t: TestApp;
let ctx: ServiceContext;
// Wednesday; the current week (Moscow) starts Monday 2026-03-02.
const clock = new ManualClock(new Date('2026-03-04T09:00:00Z'));
const skus: string[] = [];
const variantIds: string[] = [];
let warehouseId = '';
let binId = '';

const address = { line1: 'ул. Складская, 1', city: 'Москва', postalCode: '101000', countryCode: 'RU', location: { lat: 55.75, lng: 37.62 } };

beforeAll(async () => {
  t = await startApp({ clock });
  ctx = t.app.context(SCRIPT_PRINCIPAL).services;
  for (let i = 0; i < 30; i++) {
    const p = productInput({}, 1);
    await createProduct(ctx, p as never);
    skus.push(p.variants[0]!.sku);
  }
  const w = await createWarehouse(ctx, { code: 'DM1', name: 'DM1', address, timezone: 'Europe/Moscow' });
  warehouseId = w.id;
  await createZone(ctx, { warehouseCode: 'DM1', code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 });
  binId = (await createBinGrid(ctx, { warehouseCode: 'DM1', zoneCode: 'P', aisles: ['A'], racks: 1, levels: 1, positions: 1 }))[0]!.id;
  await receiveInventory(ctx, { warehouseCode: 'DM1', binBarcode: 'DM1-A-01-01-01', lines: [{ sku: skus[0]!, quantity: 50 }] });
  const bySku = new Map((await variantsBySkus(ctx, skus)).map((v) => [v.sku, v.id]));
  for (const s of skus) variantIds.push(bySku.get(s)!);
}, 60_000);
afterAll(async () => t?.close());

describe('demand history', () => {
  it('counts recorded picks (units that left on-hand) as demand, and an order pick into staging only once it ships', async () => {
    const v = variantIds[0]!;
    // Week of 2026-02-16: 3 units picked in another system (recordPicks).
    await recordPicks(ctx, { warehouseCode: 'DM1', picks: [{ variantId: v, binId, quantity: 3, reference: 'HIST-1', at: new Date('2026-02-18T10:00:00Z') }] });
    // Week of 2026-02-23: 4 units picked for an order, into staging, not shipped: no demand yet.
    clock.set(new Date('2026-02-25T10:00:00Z'));
    const warehouse = (await warehouseByCode(ctx, 'DM1'))!;
    await transact(ctx, (tx, events) => pickFromBin(ctx, tx, events, warehouse, { binId, variantId: v, quantity: 4, reference: 'pick:test' }, ['input']));
    clock.set(new Date('2026-03-04T09:00:00Z'));
    const o = (await demandOutlooks(ctx, [{ variantId: v, warehouseId }], 2)).get(`${v}|${warehouseId}`)!;
    expect(o.history).toEqual([3, 0]);
    expect(o.weekStarts.map((d) => d.toISOString())).toEqual(['2026-03-08T21:00:00.000Z', '2026-03-15T21:00:00.000Z']); // Monday 00:00 Moscow (UTC+3)
    expect(o.forecast.mean).toHaveLength(2);
    expect(o.firstStep).toBe(2);
  });

  it('reads the history of many keys with the same statements as one key', async () => {
    await demandHistoryImport(ctx, { warehouseCode: 'DM1', lines: skus.slice(1).map((sku, i) => ({ sku, weekStart: new Date('2026-02-10T12:00:00Z'), units: i })) });
    const count = async (keys: { variantId: string; warehouseId: string }[]) => {
      const store = { count: 0 };
      const got = await statementCounter.run(store, () => demandOutlooks(ctx, keys, 4));
      return { statements: store.count, got };
    };
    const one = await count([{ variantId: variantIds[1]!, warehouseId }]);
    const all = await count(variantIds.map((variantId) => ({ variantId, warehouseId })));
    expect(all.got.size).toBe(30);
    expect(all.statements).toBe(one.statements);
    expect(all.statements).toBeLessThanOrEqual(4); // the warehouses' time zones, the ledger, the imports, the fresh forecasts' snapshots
    // The same histories again: forecasts from the cache, no snapshot written.
    expect((await count(variantIds.map((variantId) => ({ variantId, warehouseId })))).statements).toBeLessThanOrEqual(3);
    expect(all.got.get(`${variantIds[5]}|${warehouseId}`)!.history).toEqual([4, 0, 0]); // weeks of 02-09, 02-16, 02-23
  });

  it('reads the history once whatever the horizons asked (reorder policies ask each key for its own)', async () => {
    const keys = variantIds.map((variantId, i) => ({ variantId, warehouseId, horizonWeeks: 1 + (i % 5) }));
    const store = { count: 0 };
    const got = await statementCounter.run(store, () => demandOutlooksByHorizon(ctx, keys));
    expect(got.size).toBe(30);
    expect(store.count).toBeLessThanOrEqual(4); // five horizons, still the time zones, the ledger, the imports, one insert of snapshots
    const k = keys[7]!; // horizon 3
    const o = got.get(`${k.variantId}|${warehouseId}|3`)!;
    expect(o.weekStarts).toHaveLength(3);
    expect(o).toEqual((await demandOutlooks(ctx, [k], 3)).get(`${k.variantId}|${warehouseId}`));
  });

  it('imports 10,000 lines with one INSERT', async () => {
    const lines = skus.slice(0, 20).flatMap((sku) =>
      Array.from({ length: 500 }, (_, i) => ({ sku, weekStart: new Date(Date.parse('2016-03-02T12:00:00Z') + i * 7 * 86_400_000), units: i % 7 })),
    );
    expect(lines).toHaveLength(10_000);
    const store = { count: 0, statements: [] as string[] };
    const r = await statementCounter.run(store, () => demandHistoryImport(ctx, { warehouseCode: 'DM1', lines }));
    expect(r).toEqual({ imported: 10_000 });
    expect(store.statements.filter((s) => /^\s*insert/i.test(s))).toHaveLength(1);
    // Capped at 156 weeks of history.
    const o = (await demandOutlooks(ctx, [{ variantId: variantIds[10]!, warehouseId }], 1)).get(`${variantIds[10]}|${warehouseId}`)!;
    expect(o.history).toHaveLength(156);
  });

  it('keeps the first week of each fresh forecast, the latest made before the week started winning', async () => {
    const k = { variantId: variantIds[25]!, warehouseId };
    const snapshots = () =>
      t.app.database.rows<{ week: string; units: number; made_at: Date | string }>(
        sql`select to_char(week_start, 'YYYY-MM-DD') as week, units, made_at from forecast_snapshots where variant_id = ${k.variantId} order by week_start`,
      );
    const start = clock.now();
    try {
      clock.set(new Date('2026-03-04T09:00:00Z')); // Wednesday of the week of 03-02: forecasts are for the week of 03-09
      const weeks = ['2026-02-03', '2026-02-10', '2026-02-17', '2026-02-24'];
      await demandHistoryImport(ctx, { warehouseCode: 'DM1', lines: weeks.map((w, i) => ({ sku: skus[25]!, weekStart: new Date(`${w}T12:00:00Z`), units: 10 + i })) });
      const first = (await demandOutlooks(ctx, [k], 2)).get(`${k.variantId}|${warehouseId}`)!;
      expect((await snapshots()).map((r) => [r.week, Number(r.units), new Date(r.made_at).toISOString()])).toEqual([['2026-03-09', first.forecast.mean[0], '2026-03-04T09:00:00.000Z']]);
      // The history changes later that week: the newer forecast replaces it.
      clock.set(new Date('2026-03-06T09:00:00Z'));
      await demandHistoryImport(ctx, { warehouseCode: 'DM1', lines: [{ sku: skus[25]!, weekStart: new Date('2026-02-24T12:00:00Z'), units: 40 }] });
      const second = (await demandOutlooks(ctx, [k], 2)).get(`${k.variantId}|${warehouseId}`)!;
      expect(second.forecast.mean[0]).not.toBe(first.forecast.mean[0]);
      // The next week: a row for the week of 03-16; the week of 03-09 keeps the last forecast made before it started.
      clock.set(new Date('2026-03-10T09:00:00Z'));
      const third = (await demandOutlooks(ctx, [k], 1)).get(`${k.variantId}|${warehouseId}`)!;
      expect((await snapshots()).map((r) => [r.week, Number(r.units), new Date(r.made_at).toISOString()])).toEqual([
        ['2026-03-09', second.forecast.mean[0], '2026-03-06T09:00:00.000Z'],
        ['2026-03-16', third.forecast.mean[0], '2026-03-10T09:00:00.000Z'],
      ]);
    } finally {
      clock.set(start);
    }
  });
});
