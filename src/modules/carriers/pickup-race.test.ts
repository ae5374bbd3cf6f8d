/** Pickup-point capacity under real concurrency on PostgreSQL: the last slots go to exactly as many orders as there are. */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { CarrierCreateDocument, DeliveryOptionsDocument, InventoryLevelsDocument, OrderCreateDocument, PickupPointCreateDocument } from '../../../test/generated/graphql.js';
import { address, stockedStore } from '../../../test/factories/stock.js';
import { freshPostgresDatabase, realPostgresUrl, startApp } from '../../../test/harness.js';

describe.skipIf(!realPostgresUrl)('pickup capacity race on PostgreSQL', () => {
  it('40 concurrent orders to a point with 5 slots left: exactly 5 placed, 35 PICKUP_POINT_FULL with nothing reserved', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const t = await startApp({ databaseUrl: db.url, env: { DB_POOL_SIZE: '20' } });
    try {
      const [sku] = await stockedStore(t, { msk: [100], spb: [0] });
      await t.admin(CarrierCreateDocument, {
        input: {
          code: 'PVZ',
          name: 'PVZ',
          services: [{ code: 'PVZ_POINT', name: 'Point', deliveryType: 'PICKUP_POINT', transitDaysMin: 2, transitDaysMax: 3, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 150_00, currency: 'RUB' } }] }],
        },
      });
      await t.admin(PickupPointCreateDocument, {
        input: { code: 'P5', name: 'P5', carrierCode: 'PVZ', dailyCapacity: 5, address: { line1: 'ул. Пункт 1', city: 'Москва', postalCode: '125009', countryCode: 'RU', location: { lat: 55.761, lng: 37.61 } } },
      });
      const lines = [{ sku: sku!, quantity: 1 }];
      const [option] = (await t.admin(DeliveryOptionsDocument, { input: { destination: address(), lines, currency: 'RUB' } })).deliveryOptions;
      expect(option!.pickupPoint!.code).toBe('P5');
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          t.gql(OrderCreateDocument, { input: { channel: 'web', currency: 'RUB', deliveryOptionId: option!.id, customer: { email: `pvz${i}@example.ru` }, shippingAddress: address(), lines } }),
        ),
      );
      expect(results.every((r) => !r.errors)).toBe(true);
      expect(results.filter((r) => r.data!.orderCreate.order).length).toBe(5);
      expect(results.filter((r) => r.data!.orderCreate.userErrors[0]?.code === 'PICKUP_POINT_FULL').length).toBe(35);
      const [usage] = await t.app.database.rows<{ used: number }>(sql`select used from pickup_point_usage`);
      expect(usage!.used).toBe(5);
      const [lvl] = (await t.admin(InventoryLevelsDocument, { sku: sku!, warehouseCode: 'MSK1' })).inventoryLevels;
      expect(lvl!.allocated).toBe(5);
    } finally {
      await t.close();
      await db.drop();
    }
  }, 120_000);
});
