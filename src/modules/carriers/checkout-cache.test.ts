/**
 * Checkout's cached reads (stock availability, today's pickup-point usage; CHECKOUT_CACHE_TTL_MS):
 * a repeated deliveryOptions answer comes from the cache, and no answer ever shows what a
 * committed change made stale: on the instance that made it at once, on the other instances as
 * soon as the event arrives through the pub/sub. The TTL is long here, so only invalidation can
 * explain a fresh answer; a change written behind the API's back shows once the TTL has passed.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierCreateDocument, DeliveryOptionsDocument, OrderCreateDocument, PickupPointCreateDocument } from '../../../test/generated/graphql.js';
import { address, stockedStore } from '../../../test/factories/stock.js';
import { freshPostgresDatabase, realPostgresUrl, realRedisUrl, startApp, type TestApp } from '../../../test/harness.js';

const rub = (amountMinor: number) => ({ amountMinor, currency: 'RUB' });

/** One carrier with a courier and a pickup-point service, and one pickup point near the destination taking `capacity` parcels a day. */
async function carrierAndPoint(t: TestApp, capacity: number) {
  const services = [
    { code: 'C_COURIER', name: 'Courier', deliveryType: 'COURIER' as const, transitDaysMin: 1, transitDaysMax: 2, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: rub(300_00) }] },
    { code: 'C_PVZ', name: 'Pickup', deliveryType: 'PICKUP_POINT' as const, transitDaysMin: 2, transitDaysMax: 3, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: rub(150_00) }] },
  ];
  expect((await t.admin(CarrierCreateDocument, { input: { code: 'CC', name: 'Carrier', services } })).carrierCreate.userErrors).toEqual([]);
  const point = await t.admin(PickupPointCreateDocument, {
    input: { code: 'PT-1', name: 'Point', carrierCode: 'CC', dailyCapacity: capacity, address: { line1: 'ул. Пункт 1', city: 'Москва', postalCode: '125009', countryCode: 'RU', location: { lat: 55.765, lng: 37.61 } } },
  });
  expect(point.pickupPointCreate.userErrors).toEqual([]);
}

const ask = (t: TestApp, sku: string) =>
  t.gql(DeliveryOptionsDocument, { input: { destination: address() as never, lines: [{ sku, quantity: 1 }], currency: 'RUB' } }, { token: null });

/** Where the courier option ships from, the pickup points offered, and the SQL statements the answer ran. */
async function checkout(t: TestApp, sku: string) {
  const r = await ask(t, sku);
  expect(r.errors).toBeUndefined();
  const options = r.data!.deliveryOptions;
  return {
    shipsFrom: options.find((o) => o.type === 'COURIER')!.shipsFrom.map((w) => w.code),
    points: options.filter((o) => o.pickupPoint).map((o) => `${o.pickupPoint!.code}:${o.pickupPoint!.availableCapacity}`),
    statements: Number(r.headers.get('x-sql-statements')),
  };
}

const order = (t: TestApp, sku: string, deliveryOptionId?: string) =>
  t.admin(OrderCreateDocument, {
    input: { channel: 'web', currency: 'RUB', customer: { email: 'cache@example.ru' }, shippingAddress: address() as never, lines: [{ sku, quantity: 1 }], ...(deliveryOptionId ? { deliveryOptionId } : { deliveryType: 'COURIER' }) },
  });

describe('checkout cache on one instance', () => {
  let t: TestApp;
  let sku: string;
  beforeAll(async () => {
    t = await startApp({ env: { CHECKOUT_CACHE_TTL_MS: '600000' } });
    [sku] = (await stockedStore(t, { msk: [1], spb: [5] })) as [string];
    await carrierAndPoint(t, 2);
  }, 120_000);
  afterAll(async () => t?.close());

  it('answers a repeated question from the cache, and every committed change of stock or pickup usage shows in the next answer', async () => {
    const first = await checkout(t, sku);
    expect(first).toMatchObject({ shipsFrom: ['MSK1'], points: ['PT-1:2'] });
    const again = await checkout(t, sku);
    expect(again).toMatchObject({ shipsFrom: ['MSK1'], points: ['PT-1:2'] });
    expect(again.statements).toBeLessThan(first.statements); // availability and usage were not read again

    // The last unit in Moscow is ordered: the next answer ships from Saint Petersburg.
    expect((await order(t, sku)).orderCreate.userErrors).toEqual([]);
    expect(await checkout(t, sku)).toMatchObject({ shipsFrom: ['SPB1'], points: ['PT-1:2'] });

    // The point's two slots are taken, one order at a time: each answer shows what is left, then none.
    for (const left of [1, 0]) {
      const pickup = (await ask(t, sku)).data!.deliveryOptions.find((o) => o.pickupPoint)!;
      expect((await order(t, sku, pickup.id)).orderCreate.userErrors).toEqual([]);
      expect((await checkout(t, sku)).points).toEqual(left ? [`PT-1:${left}`] : []);
    }
  });
});

describe('checkout cache TTL', () => {
  it('a change that bypassed the events (as if its message were lost) shows once the entry expires', async () => {
    const t = await startApp({ env: { CHECKOUT_CACHE_TTL_MS: '400' } });
    try {
      const [sku] = (await stockedStore(t, { msk: [3], spb: [3] })) as [string];
      await carrierAndPoint(t, 2);
      expect(await checkout(t, sku)).toMatchObject({ shipsFrom: ['MSK1'], points: ['PT-1:2'] });
      await t.app.database.rows(sql`update inventory_levels set allocated = on_hand where warehouse_id = (select id from warehouses where code = 'MSK1')`);
      await t.app.database.rows(sql`insert into pickup_point_usage (pickup_point_id, day, used) select id, current_date, 2 from pickup_points`);
      // Past the TTL an entry is served once more while it is read again: the change shows soon after.
      await new Promise((r) => setTimeout(r, 500));
      const until = Date.now() + 3000;
      let seen = await checkout(t, sku);
      while (Date.now() < until && (seen.shipsFrom[0] !== 'SPB1' || seen.points.length)) seen = await checkout(t, sku);
      expect(seen).toMatchObject({ shipsFrom: ['SPB1'], points: [] });
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe.skipIf(!realPostgresUrl || !realRedisUrl)('checkout cache across instances (PostgreSQL + Redis)', () => {
  it("instance B's answers follow the stock and pickup usage instance A commits, through the pub/sub", async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const env = { REDIS_URL: realRedisUrl!, CHECKOUT_CACHE_TTL_MS: '600000' };
    const a = await startApp({ databaseUrl: db.url, env });
    const b = await startApp({ databaseUrl: db.url, env });
    try {
      const [sku] = (await stockedStore(a, { msk: [1], spb: [5] })) as [string];
      await carrierAndPoint(a, 1);
      expect(await checkout(b, sku)).toMatchObject({ shipsFrom: ['MSK1'], points: ['PT-1:1'] });
      expect(await checkout(b, sku)).toMatchObject({ shipsFrom: ['MSK1'], points: ['PT-1:1'] }); // now from B's cache

      const pickup = (await ask(a, sku)).data!.deliveryOptions.find((o) => o.pickupPoint)!;
      expect((await order(a, sku, pickup.id)).orderCreate.userErrors).toEqual([]); // the Moscow unit and the point's only slot
      const until = Date.now() + 5000;
      let seen = await checkout(b, sku);
      while (Date.now() < until && (seen.shipsFrom[0] !== 'SPB1' || seen.points.length)) {
        await new Promise((r) => setTimeout(r, 50));
        seen = await checkout(b, sku);
      }
      expect(seen).toMatchObject({ shipsFrom: ['SPB1'], points: [] });
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  }, 60_000);
});
