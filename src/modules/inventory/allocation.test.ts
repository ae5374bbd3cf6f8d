/**
 * The allocation primitive under real concurrency (PostgreSQL, a pool of 20 connections):
 * 500 concurrent reservations of 1 unit against 37 on hand grant exactly 37.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { BinLocationsCreateDocument, InventoryLevelsDocument, InventoryReceiveDocument, ProductCreateDocument, WarehouseCreateDocument, ZoneCreateDocument } from '../../../test/generated/graphql.js';
import { productInput } from '../../../test/factories/catalog.js';
import { freshPostgresDatabase, realPostgresUrl, startApp } from '../../../test/harness.js';
import { BusinessError } from '../../shared/errors.js';
import { warehouseByCode } from '../warehouse/warehouse.service.js';
import { release, reserve } from './inventory.service.js';

describe.skipIf(!realPostgresUrl)('allocation on PostgreSQL under contention', () => {
  it('500 concurrent reservations of 1 against 37 on hand: 37 granted, 463 INSUFFICIENT_STOCK, no deadlock', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const t = await startApp({ databaseUrl: db.url, env: { DB_POOL_SIZE: '20' } });
    try {
      const p = productInput();
      const sku = p.variants[0]!.sku;
      const { productCreate } = await t.admin(ProductCreateDocument, { input: p });
      const address = { line1: 'Склад 1', city: 'Казань', postalCode: '420000', countryCode: 'RU' };
      await t.admin(WarehouseCreateDocument, { input: { code: 'KZN1', name: 'Kazan', address } });
      await t.admin(ZoneCreateDocument, { input: { warehouseCode: 'KZN1', code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
      await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: 'KZN1', zoneCode: 'P', aisles: ['A'], racks: 1, levels: 1, positions: 1 } });
      await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'KZN1', lines: [{ sku, quantity: 37 }] } });

      const ctx = t.app.context({ kind: 'STAFF', name: 'race', scopes: ['admin'] }).services;
      const warehouse = (await warehouseByCode(ctx, 'KZN1'))!;
      const variantId = (await t.app.database.rows<{ id: string }>(sql`select id from product_variants where sku = ${sku}`))[0]!.id;
      expect(productCreate.product).toBeTruthy();
      const outcomes = await Promise.allSettled(Array.from({ length: 500 }, () => reserve(ctx, { variantId, warehouse, quantity: 1 })));
      const granted = outcomes.filter((o) => o.status === 'fulfilled').length;
      const refused = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof BusinessError && o.reason.errors[0]!.code === 'INSUFFICIENT_STOCK').length;
      expect(granted).toBe(37);
      expect(refused).toBe(463);
      const [level] = (await t.admin(InventoryLevelsDocument, { sku, warehouseCode: 'KZN1' })).inventoryLevels;
      expect(level).toMatchObject({ onHand: 37, allocated: 37, available: 0 });
      // Releasing gives the units back; releasing more than allocated is refused.
      await release(ctx, { variantId, warehouse, quantity: 2 });
      await expect(release(ctx, { variantId, warehouse, quantity: 100 })).rejects.toBeInstanceOf(BusinessError);
      expect((await t.admin(InventoryLevelsDocument, { sku, warehouseCode: 'KZN1' })).inventoryLevels[0]).toMatchObject({ allocated: 35, available: 2 });
    } finally {
      await t.close();
      await db.drop();
    }
  }, 60_000);
});
