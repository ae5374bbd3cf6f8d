/** orderStatusChanged across two instances on one PostgreSQL and one Redis. */
import { describe, expect, it } from 'vitest';
import { OrderCancelDocument, OrderCreateDocument } from '../../../test/generated/graphql.js';
import { address, stockedStore } from '../../../test/factories/stock.js';
import { collect, freshPostgresDatabase, realPostgresUrl, realRedisUrl, settle, startApp } from '../../../test/harness.js';

describe.skipIf(!realPostgresUrl || !realRedisUrl)('order status across instances (PostgreSQL + Redis)', () => {
  it('a watcher on instance A sees the changes made on instance B, in order, and resumes with afterSequence', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const env = { REDIS_URL: realRedisUrl! };
    const a = await startApp({ databaseUrl: db.url, env });
    const b = await startApp({ databaseUrl: db.url, env });
    try {
      const [sku] = await stockedStore(b, { msk: [5], spb: [0] });
      const order = (
        await b.admin(OrderCreateDocument, {
          input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'multi@example.ru' }, shippingAddress: address(), lines: [{ sku: sku!, quantity: 1 }] },
        })
      ).orderCreate.order!;
      const q = 'subscription($id: ID, $after: Int) { orderStatusChanged(orderId: $id, afterSequence: $after) { event { sequence status } } }';
      const watch = collect<{ orderStatusChanged: { event: { sequence: number; status: string } } }>(a.ws(a.adminKey), q, { id: order.id, after: 0 });
      await watch.next(1, 8000); // replayed: sequence 1
      await settle(300);
      await b.admin(OrderCancelDocument, { input: { id: order.id } });
      const items = await watch.next(2, 8000);
      expect(items.map((i) => [i.data!.orderStatusChanged.event.sequence, i.data!.orderStatusChanged.event.status])).toEqual([
        [1, 'ALLOCATED'],
        [2, 'CANCELLED'],
      ]);
      watch.dispose();
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  }, 60_000);
});
