/**
 * Property: after any sequence of receive / move / adjust / count / reserve / release, and of
 * returned units received into the RETURNS zone and then restocked, written off or kept there,
 * the sum of ledger movements equals on-hand for every variant, bin and warehouse, nothing is
 * negative (available = onHand - allocated - unsellable >= 0), `unsellable` is exactly the stock in
 * RETURNS bins, and availability (what allocation reads) never counts it. Runs through the services
 * on a real database; reserve and release go through the primitives order intake and cancellation
 * call (reserveAll, releaseStock in the caller's transaction), the returned units through the
 * ledger functions returns call (receiveReturnedUnits, disposeReturnedUnits in the caller's transaction).
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
import { variantsBySkus, type VariantRow } from '../catalog/catalog.service.js';
import { warehouseByCode, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { availabilityByVariants } from './availability.service.js';
import { levelChangedEvents } from './inventory.events.js';
import { receiveInventory } from './inbound.service.js';
import { adjustInventory, disposeReturnedUnits, moveInventory, receiveReturnedUnits, submitCycleCount } from './ledger.service.js';
import { releaseStock, reserveAll } from './reservation.service.js';

let t: TestApp;
let ctx: ServiceContext;
let wh: WarehouseRow;
const skus: string[] = [];
const variantIds: string[] = [];
const variants: VariantRow[] = [];
// Four sellable bins, then two of the RETURNS zone: move, adjust and count reach both kinds.
const bins = ['PF-A-01-01-01', 'PF-A-01-01-02', 'PF-A-02-01-01', 'PF-A-02-01-02', 'PF-R-01-01-01', 'PF-R-01-01-02'];

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
  await t.admin(ZoneCreateDocument, { input: { warehouseCode: 'PF', code: 'R', name: 'Returns', kind: 'RETURNS', distanceRank: 3 } });
  await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: 'PF', zoneCode: 'R', aisles: ['R'], racks: 1, levels: 1, positions: 2, capacityUnits: 40 } });
  ctx = t.app.context({ kind: 'STAFF', name: 'property', scopes: ['admin'] }).services;
  wh = (await warehouseByCode(ctx, 'PF'))!;
  const bySku = new Map((await variantsBySkus(ctx, skus)).map((v) => [v.sku, v.id]));
  for (const sku of skus) variantIds.push(bySku.get(sku)!);
  const rows = new Map((await variantsBySkus(ctx, skus)).map((v) => [v.sku, v]));
  for (const sku of skus) variants.push(rows.get(sku)!);
});
afterAll(async () => t?.close());

const op = fc.oneof(
  fc.record({ kind: fc.constant('receive' as const), sku: fc.nat(2), bin: fc.option(fc.nat(5), { nil: undefined }), qty: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('move' as const), sku: fc.nat(2), from: fc.nat(5), to: fc.nat(5), qty: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('adjust' as const), sku: fc.nat(2), bin: fc.nat(5), delta: fc.integer({ min: -15, max: 15 }) }),
  fc.record({ kind: fc.constant('count' as const), sku: fc.nat(2), bin: fc.nat(5), qty: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('reserve' as const), sku: fc.nat(2), qty: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant('release' as const), sku: fc.nat(2), qty: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant('returnIn' as const), sku: fc.nat(2), qty: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('inspect' as const), sku: fc.nat(2), qty: fc.integer({ min: 1, max: 8 }), action: fc.constantFrom('RESTOCK' as const, 'WRITE_OFF' as const, 'KEEP' as const) }),
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
    case 'returnIn':
      return void (await transact(ctx, (tx, events) =>
        receiveReturnedUnits(ctx, tx, events, wh, { reference: 'RMA-PF', units: [{ variantId: variantIds[o.sku as number]!, quantity: o.qty as number }] }, ['input']),
      ));
    case 'inspect':
      return void (await transact(ctx, (tx, events) =>
        disposeReturnedUnits(
          ctx,
          tx,
          events,
          wh,
          { reference: 'RMA-PF', dispositions: [{ variant: variants[o.sku as number]!, quantity: o.qty as number, action: o.action as 'RESTOCK' | 'WRITE_OFF' | 'KEEP', label: 'REFURBISH' }] },
          ['input'],
        ),
      ));
    case 'release': {
      const variantId = variantIds[o.sku as number]!;
      return transact(ctx, async (tx, events) => {
        await releaseStock(tx, variantId, wh.id, o.qty as number);
        await events.emit(...levelChangedEvents(wh, [variantId]));
      });
    }
  }
}

async function invariantsHold() {
  const rows = <T = Record<string, unknown>>(q: ReturnType<typeof sql>) => t.app.database.rows<T>(q);
  expect(await rows(sql`select 1 from inventory_levels where on_hand < 0 or allocated < 0 or unsellable < 0 or allocated + unsellable > on_hand`)).toEqual([]);
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
  // The stock in RETURNS bins, computed apart from the ledger's own bookkeeping.
  const returnsStock = await rows<{ variant_id: string; on_hand: number; allocated: number; unsellable: number; in_returns: number }>(sql`
    select l.variant_id, l.on_hand, l.allocated, l.unsellable, coalesce((select sum(s.quantity)::int from bin_stock s join bin_locations b on b.id = s.bin_id join zones z on z.id = b.zone_id
      where z.kind = 'RETURNS' and s.variant_id = l.variant_id and s.warehouse_id = l.warehouse_id), 0) in_returns
    from inventory_levels l where l.warehouse_id = ${wh.id}`);
  expect(returnsStock.filter((r) => r.unsellable !== r.in_returns)).toEqual([]);
  // What allocation reads never counts RETURNS-zone units.
  const available = new Map((await availabilityByVariants(t.app.database.db, variantIds)).filter((a) => a.warehouseId === wh.id).map((a) => [a.variantId, a.available]));
  for (const r of returnsStock) expect(available.get(r.variant_id) ?? 0).toBe(r.on_hand - r.allocated - r.in_returns);
}

describe('stock ledger property', () => {
  it('sum of movements = onHand per variant, bin and warehouse; nothing negative; RETURNS-zone stock never available, after every operation', async () => {
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
    // The returned-units operations really ran (not only refused), in both zones' directions.
    const ran = await t.app.database.rows<{ reason: string }>(sql`select distinct reason from inventory_movements where reference like 'RMA-PF%'`);
    expect(ran.map((r) => r.reason).sort()).toEqual(['MOVE', 'RECEIPT', 'RETURN_RESTOCK', 'WRITE_OFF']);
  }, 120_000);
});
