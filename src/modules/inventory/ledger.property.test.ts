/**
 * Property: after any sequence of receive / move / adjust / count / reserve / release, the sum of
 * ledger movements equals on-hand for every variant, bin and warehouse, and nothing is negative
 * (available = onHand - allocated >= 0). Runs through the services on a real database; reserve and
 * release go through the primitives order intake and cancellation call (reserveAll, releaseStock in
 * the caller's transaction).
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinLocationsCreateDocument, ProductCreateDocument, WarehouseCreateDocument, ZoneCreateDocument } from '../../../test/generated/graphql.js';
import { productInput } from '../../../test/factories/catalog.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { BusinessError } from '../../shared/errors.js';
import { transact } from '../../events/outbox.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsBySkus } from '../catalog/catalog.service.js';
import { warehouseByCode, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { levelChangedEvents } from './inventory.events.js';
import { adjustInventory, moveInventory, receiveInventory, submitCycleCount } from './ledger.service.js';
import { releaseStock, reserveAll } from './reservation.service.js';

let t: TestApp;
let ctx: ServiceContext;
let wh: WarehouseRow;
const skus: string[] = [];
const variantIds: string[] = [];
const bins = ['PF-A-01-01-01', 'PF-A-01-01-02', 'PF-A-02-01-01', 'PF-A-02-01-02'];

beforeAll(async () => {
  t = await startApp();
  for (let i = 0; i < 3; i++) {
    const p = productInput();
    skus.push(p.variants[0]!.sku);
    await t.admin(ProductCreateDocument, { input: p });
  }
  const address = { line1: 'x', city: 'Москва', postalCode: '101000', countryCode: 'RU' };
  await t.admin(WarehouseCreateDocument, { input: { code: 'PF', name: 'Property', address } });
  await t.admin(ZoneCreateDocument, { input: { warehouseCode: 'PF', code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
  await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: 'PF', zoneCode: 'P', aisles: ['A'], racks: 2, levels: 1, positions: 2, capacityUnits: 60 } });
  ctx = t.app.context({ kind: 'STAFF', name: 'property', scopes: ['admin'] }).services;
  wh = (await warehouseByCode(ctx, 'PF'))!;
  const bySku = new Map((await variantsBySkus(ctx, skus)).map((v) => [v.sku, v.id]));
  for (const sku of skus) variantIds.push(bySku.get(sku)!);
});
afterAll(async () => t?.close());

const op = fc.oneof(
  fc.record({ kind: fc.constant('receive' as const), sku: fc.nat(2), bin: fc.option(fc.nat(3), { nil: undefined }), qty: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('move' as const), sku: fc.nat(2), from: fc.nat(3), to: fc.nat(3), qty: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('adjust' as const), sku: fc.nat(2), bin: fc.nat(3), delta: fc.integer({ min: -15, max: 15 }) }),
  fc.record({ kind: fc.constant('count' as const), sku: fc.nat(2), bin: fc.nat(3), qty: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('reserve' as const), sku: fc.nat(2), qty: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant('release' as const), sku: fc.nat(2), qty: fc.integer({ min: 1, max: 10 }) }),
);

async function apply(o: Record<string, number | string | undefined>): Promise<void> {
  const sku = skus[o.sku as number]!;
  switch (o.kind) {
    case 'receive':
      return void (await receiveInventory(ctx, { warehouseCode: 'PF', binBarcode: o.bin === undefined ? null : bins[o.bin as number], lines: [{ sku, quantity: o.qty as number }] }));
    case 'move':
      return void (await moveInventory(ctx, { warehouseCode: 'PF', fromBinBarcode: bins[o.from as number]!, toBinBarcode: bins[o.to as number]!, lines: [{ sku, quantity: o.qty as number }] }));
    case 'adjust':
      return void (await adjustInventory(ctx, { warehouseCode: 'PF', binBarcode: bins[o.bin as number]!, sku, quantityDelta: o.delta as number, reason: 'ADJUSTMENT' }));
    case 'count':
      return void (await submitCycleCount(ctx, { warehouseCode: 'PF', binBarcode: bins[o.bin as number]!, counts: [{ sku, quantity: o.qty as number }] }));
    case 'reserve': {
      const variantId = variantIds[o.sku as number]!;
      return transact(ctx, async (tx, events) => {
        if (await reserveAll(ctx, tx, [{ variantId, warehouseId: wh.id, quantity: o.qty as number }])) await events.emit(...levelChangedEvents(wh, [variantId]));
      });
    }
    default: {
      const variantId = variantIds[o.sku as number]!;
      return transact(ctx, async (tx, events) => {
        await releaseStock(tx, variantId, wh.id, o.qty as number);
        await events.emit(...levelChangedEvents(wh, [variantId]));
      });
    }
  }
}

async function invariantsHold() {
  const rows = (q: ReturnType<typeof sql>) => t.app.database.rows(q);
  expect(await rows(sql`select 1 from inventory_levels where on_hand < 0 or allocated < 0 or allocated > on_hand`)).toEqual([]);
  expect(await rows(sql`select 1 from bin_stock where quantity < 0`)).toEqual([]);
  expect(
    await rows(sql`select l.variant_id from inventory_levels l left join (select variant_id, warehouse_id, sum(quantity_delta)::int s from inventory_movements group by 1, 2) m
      on m.variant_id = l.variant_id and m.warehouse_id = l.warehouse_id where coalesce(m.s, 0) <> l.on_hand`),
  ).toEqual([]);
  expect(
    await rows(sql`select b.bin_id from bin_stock b left join (select bin_id, variant_id, sum(quantity_delta)::int s from inventory_movements where bin_id is not null group by 1, 2) m
      on m.bin_id = b.bin_id and m.variant_id = b.variant_id where coalesce(m.s, 0) <> b.quantity`),
  ).toEqual([]);
  expect(
    await rows(sql`select l.variant_id from inventory_levels l left join (select variant_id, warehouse_id, sum(quantity)::int s from bin_stock group by 1, 2) b
      on b.variant_id = l.variant_id and b.warehouse_id = l.warehouse_id where coalesce(b.s, 0) <> l.on_hand`),
  ).toEqual([]);
}

describe('stock ledger property', () => {
  it('sum of movements = onHand per variant, bin and warehouse; nothing negative, after every operation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        for (const o of ops) {
          try {
            await apply(o as never);
          } catch (err) {
            // Refusals (not enough stock, bin full, zero delta...) are fine; they must change nothing.
            if (!(err instanceof BusinessError)) throw err;
          }
          await invariantsHold();
        }
      }),
      { numRuns: 25, seed: 20261125 },
    );
  }, 120_000);
});
