/** recordPicks: picks that already happened, through the ledger at their own times (the seed's pick history uses it). */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT_PRINCIPAL } from '../../../scripts/lib/script-app.js';
import { productInput } from '../../../test/factories/catalog.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { ManualClock } from '../../shared/clock.js';
import { BusinessError } from '../../shared/errors.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { createProduct } from '../catalog/catalog.service.js';
import { createBinGrid, createWarehouse, createZone } from '../warehouse/warehouse.service.js';
import { levelOf, picksByVariant } from './availability.service.js';
import { receiveInventory } from './inbound.service.js';
import { recordPicks } from './ledger.service.js';

let t: TestApp;
let ctx: ServiceContext;
const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
let variantId = '';
let binId = '';
let otherBinId = '';
let warehouseId = '';

const address = { line1: 'ул. Складская, 1', city: 'Москва', postalCode: '101000', countryCode: 'RU', location: { lat: 55.75, lng: 37.62 } };

beforeAll(async () => {
  t = await startApp({ clock });
  ctx = t.app.context(SCRIPT_PRINCIPAL).services;
  const p = productInput({}, 1);
  await createProduct(ctx, p as never);
  for (const code of ['RP1', 'RP2']) {
    const w = await createWarehouse(ctx, { code, name: code, address });
    if (code === 'RP1') warehouseId = w.id;
    await createZone(ctx, { warehouseCode: code, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 });
    const bins = await createBinGrid(ctx, { warehouseCode: code, zoneCode: 'P', aisles: ['A'], racks: 1, levels: 1, positions: 1, capacityUnits: 100 });
    if (code === 'RP1') binId = bins[0]!.id;
    else otherBinId = bins[0]!.id;
  }
  const [m] = await receiveInventory(ctx, { warehouseCode: 'RP1', lines: [{ sku: p.variants[0]!.sku, quantity: 20 }] });
  variantId = m!.variantId;
});
afterAll(async () => t?.close());

const ledgerSum = async () => {
  const [row] = await t.app.database.rows<{ s: number | string }>(
    sql`select coalesce(sum(quantity_delta), 0)::int as s from inventory_movements where variant_id = ${variantId} and warehouse_id = ${warehouseId}`,
  );
  return Number(row!.s);
};

describe('recordPicks', () => {
  it('takes the units out of the bin and on hand, one PICK movement per line at its own time, and keeps sum(movements) = on hand', async () => {
    const before = clock.now().getTime();
    const at1 = new Date(before - 10 * 86_400_000);
    const at2 = new Date(before - 2 * 86_400_000);
    const rows = await recordPicks(ctx, {
      warehouseCode: 'RP1',
      picks: [
        { variantId, binId, quantity: 3, reference: 'HIST-1', at: at1 },
        { variantId, binId, quantity: 2, reference: 'HIST-2', at: at2 },
      ],
    });
    expect(rows.map((r) => [r.reference, r.quantityDelta, r.reason, r.createdAt.getTime()])).toEqual([
      ['HIST-1', -3, 'PICK', at1.getTime()],
      ['HIST-2', -2, 'PICK', at2.getTime()],
    ]);
    expect((await levelOf(ctx, variantId, warehouseId))!.onHand).toBe(15);
    expect(await ledgerSum()).toBe(15);
    // The velocity window sees them at their recorded times: 5 units in 30 days, only 2 in the last 5.
    expect((await picksByVariant(ctx, warehouseId, 30)).get(variantId)).toBe(5);
    expect((await picksByVariant(ctx, warehouseId, 5)).get(variantId)).toBe(2);
  });

  it('refuses a time in the future, a bin of another warehouse and more than the bin holds, writing nothing', async () => {
    const refused = async (picks: Parameters<typeof recordPicks>[1]['picks']) => {
      const err = await recordPicks(ctx, { warehouseCode: 'RP1', picks }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusinessError);
      return (err as BusinessError).errors.map((e) => e.code);
    };
    const past = new Date(clock.now().getTime() - 60_000);
    expect(await refused([{ variantId, binId, quantity: 1, reference: 'F', at: new Date(clock.now().getTime() + 60_000) }])).toEqual(['INVALID']);
    expect(await refused([{ variantId, binId: otherBinId, quantity: 1, reference: 'X', at: past }])).toEqual(['NOT_FOUND']);
    expect(
      await refused([
        { variantId, binId, quantity: 10, reference: 'A', at: past },
        { variantId, binId, quantity: 10, reference: 'B', at: past },
      ]),
    ).toEqual(['INSUFFICIENT_STOCK']);
    expect((await levelOf(ctx, variantId, warehouseId))!.onHand).toBe(15);
    expect(await ledgerSum()).toBe(15);
  });
});
