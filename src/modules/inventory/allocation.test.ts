/**
 * The reservation primitives under real concurrency (PostgreSQL, a pool of 20 connections), called
 * as order intake and cancellation call them: reserveAll / releaseStock in the caller's
 * transaction, with the level-changed event. 500 concurrent reservations of 1 unit against 37 on
 * hand grant exactly 37; a reservation of several levels is all or nothing.
 */
import { describe, expect, it } from 'vitest';
import { BinLocationsCreateDocument, InventoryLevelsDocument, InventoryReceiveDocument, ProductCreateDocument, WarehouseCreateDocument, ZoneCreateDocument } from '../../../test/generated/graphql.js';
import { productInput } from '../../../test/factories/catalog.js';
import { freshPostgresDatabase, realPostgresUrl, startApp } from '../../../test/harness.js';
import { transact } from '../../events/outbox.js';
import { BusinessError } from '../../shared/errors.js';
import { variantsBySkus } from '../catalog/catalog.service.js';
import { warehouseByCode } from '../warehouse/warehouse.service.js';
import { levelChangedEvents } from './inventory.events.js';
import { releaseStock, reserveAll } from './reservation.service.js';

describe.skipIf(!realPostgresUrl)('allocation on PostgreSQL under contention', () => {
  it('500 concurrent reservations of 1 against 37 on hand: 37 granted, 463 refused, no deadlock; all or nothing across levels', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const t = await startApp({ databaseUrl: db.url, env: { DB_POOL_SIZE: '20' } });
    try {
      const p = productInput({}, 2);
      const [sku, other] = p.variants.map((v) => v.sku);
      const { productCreate } = await t.admin(ProductCreateDocument, { input: p });
      expect(productCreate.product).toBeTruthy();
      const address = { line1: 'Склад 1', city: 'Казань', postalCode: '420000', countryCode: 'RU' };
      await t.admin(WarehouseCreateDocument, { input: { code: 'KZN1', name: 'Kazan', address } });
      await t.admin(ZoneCreateDocument, { input: { warehouseCode: 'KZN1', code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
      await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: 'KZN1', zoneCode: 'P', aisles: ['A'], racks: 1, levels: 1, positions: 2 } });
      const { inventoryReceive } = await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'KZN1', lines: [{ sku: sku!, quantity: 37 }, { sku: other!, quantity: 5 }] } });
      expect(inventoryReceive.userErrors).toEqual([]);

      const ctx = t.app.context({ kind: 'STAFF', name: 'race', scopes: ['admin'] }).services;
      const warehouse = (await warehouseByCode(ctx, 'KZN1'))!;
      const ids = new Map((await variantsBySkus(ctx, [sku!, other!])).map((v) => [v.sku, v.id]));
      const variantId = ids.get(sku!)!;
      const otherId = ids.get(other!)!;
      const level = async (s: string) => (await t.admin(InventoryLevelsDocument, { sku: s, warehouseCode: 'KZN1' })).inventoryLevels[0];
      // As orderCreate does: reserve in the transaction that writes the event; false means nothing was reserved.
      const reserve = (lines: { variantId: string; quantity: number }[]) =>
        transact(ctx, async (tx, events) => {
          const ok = await reserveAll(ctx, tx, lines.map((l) => ({ ...l, warehouseId: warehouse.id })));
          if (ok) await events.emit(...levelChangedEvents(warehouse, lines.map((l) => l.variantId)));
          return ok;
        });
      // As orderCancel does.
      const release = (quantity: number) =>
        transact(ctx, async (tx, events) => {
          await releaseStock(tx, variantId, warehouse.id, quantity);
          await events.emit(...levelChangedEvents(warehouse, [variantId]));
        });

      const outcomes = await Promise.allSettled(Array.from({ length: 500 }, () => reserve([{ variantId, quantity: 1 }])));
      const granted = outcomes.filter((o) => o.status === 'fulfilled' && o.value === true).length;
      const refused = outcomes.filter((o) => o.status === 'fulfilled' && o.value === false).length;
      const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      expect(failed).toEqual([]);
      expect(granted).toBe(37);
      expect(refused).toBe(463);
      expect(await level(sku!)).toMatchObject({ onHand: 37, allocated: 37, available: 0 });

      // All or nothing: one level short refuses the whole reservation and leaves the other untouched.
      expect(await reserve([{ variantId: otherId, quantity: 2 }, { variantId, quantity: 1 }])).toBe(false);
      expect(await level(other!)).toMatchObject({ onHand: 5, allocated: 0, available: 5 });

      // Releasing gives the units back; releasing more than allocated is refused.
      await release(2);
      await expect(release(100)).rejects.toBeInstanceOf(BusinessError);
      expect(await level(sku!)).toMatchObject({ allocated: 35, available: 2 });
    } finally {
      await t.close();
      await db.drop();
    }
  }, 60_000);
});
