/** orderCreate under real concurrency on PostgreSQL: never oversells, never deadlocks. */
import { describe, expect, it } from 'vitest';
import { InventoryLevelsDocument, OrderCreateDocument, OrdersDocument } from '../../../test/generated/graphql.js';
import { address, stockedStore } from '../../../test/factories/stock.js';
import { freshPostgresDatabase, realPostgresUrl, startApp } from '../../../test/harness.js';

describe.skipIf(!realPostgresUrl)('orderCreate race on PostgreSQL', () => {
  it('300 concurrent orders of 1 unit against 25 units over two warehouses: exactly 25 allocated, 275 refused', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const t = await startApp({ databaseUrl: db.url, env: { DB_POOL_SIZE: '20' } });
    try {
      const [sku] = await stockedStore(t, { msk: [15], spb: [10] });
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          t.gql(OrderCreateDocument, {
            input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: `race${i}@example.ru` }, shippingAddress: address(), lines: [{ sku: sku!, quantity: 1 }] },
          }),
        ),
      );
      // Any GraphQL error is shown with its code and message (a refusal is a userError, never an error).
      expect(results.flatMap((r) => (r.errors ?? []).map((e) => `${e.extensions?.code}: ${e.message}`))).toEqual([]);
      const created = results.filter((r) => r.data!.orderCreate.order);
      const refused = results.filter((r) => r.data!.orderCreate.userErrors[0]?.code === 'INSUFFICIENT_STOCK');
      expect(created.length).toBe(25);
      expect(refused.length).toBe(275);
      expect(created.every((r) => r.data!.orderCreate.order!.status === 'ALLOCATED')).toBe(true);
      const levels = (await t.admin(InventoryLevelsDocument, { sku: sku! })).inventoryLevels;
      expect(levels.map((l) => [l.warehouse.code, l.onHand, l.allocated, l.available]).sort()).toEqual([
        ['MSK1', 15, 15, 0],
        ['SPB1', 10, 10, 0],
      ]);
      expect((await t.admin(OrdersDocument, { first: 1 })).orders.totalCount).toBe(25);
    } finally {
      await t.close();
      await db.drop();
    }
  }, 120_000);
});
