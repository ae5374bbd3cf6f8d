/**
 * Bursts: 1,000 concurrent orderCreate for one SKU with 100 units over three warehouses, sent
 * round robin to TWO server processes on one PostgreSQL database and one Redis; then 100
 * concurrent retries of one order with one idempotency key.
 *
 * What the contract promises (contract 03, "Invariants"; OrderCreateInput.allowBackorder defaults
 * to false): allocation is atomic with order creation, "either every line is allocated (or
 * backordered when allowBackorder), or nothing is written". Without allowBackorder an order the
 * stock cannot cover is refused with the UserError INSUFFICIENT_STOCK (order null, nothing
 * written); it does not become BACKORDERED. So the burst (allowBackorder left at its default)
 * must end with exactly 100 orders ALLOCATED, one unit each, and 900 refused with
 * INSUFFICIENT_STOCK; no other outcome (no HTTP 5xx, no GraphQL error such as a deadlock or a
 * statement timeout), no level with negative availability, and the levels' allocations equal to
 * the orders' (order lines and fulfillment lines) in every warehouse.
 * Idempotency: "orderCreate with an idempotencyKey already used with the same input returns the
 * order created the first time (no second order, no second allocation) ... Holds under concurrent
 * retries of the same key."
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address } from '../factories/stock.js';
import { InventoryLevelsDocument, InventoryMovementsDocument } from '../generated/graphql.js';
import {
  apiClient,
  createWarehouses,
  figure,
  freshDatabase,
  KeepAliveClient,
  newAdminKey,
  OwnRedis,
  percentile,
  requireServices,
  startServer,
  stockOneSku,
  type GqlBody,
  type PostOutcome,
  type ServerProcess,
} from './lib.js';

const SCENARIO = 'bursts';
const ORDERS = 1_000;
const RETRIES = 100;
/** 100 units: 40 in Moscow, 35 in Tver, 25 in Saint Petersburg (orders go to Moscow: nearest first, then the others). */
const UNITS = { BMSK: 40, BTVR: 35, BSPB: 25 } as const;
const TOTAL_UNITS = 100;

const ORDER_CREATE = `mutation BurstOrder($input: OrderCreateInput!) {
  orderCreate(input: $input) { order { id number status lines { quantity allocatedQuantity } } userErrors { code message field } }
}`;
type OrderCreateResult = { orderCreate: { order: { id: string; number: string; status: string; lines: { quantity: number; allocatedQuantity: number }[] } | null; userErrors: { code: string; message: string }[] } };

const orderInput = (sku: string, i: number, key: string) => ({
  idempotencyKey: key,
  channel: 'web',
  currency: 'RUB',
  deliveryType: 'COURIER',
  customer: { email: `burst-${i}@example.com`, name: 'Burst Buyer' },
  shippingAddress: address(),
  lines: [{ sku, quantity: 1 }],
});

type Verdict = 'allocated' | 'refused' | 'http5xx' | 'deadlock' | 'other';

/** What one response was, by the rules in the module doc. */
function verdict(o: PostOutcome): Verdict {
  if (!o.ok) return 'other';
  if (o.status >= 500) return 'http5xx';
  const body = o.body as GqlBody<OrderCreateResult>;
  if (typeof body !== 'object' || !body) return 'other';
  if (body.errors?.length) return body.errors.some((e) => /deadlock/i.test(e.message)) ? 'deadlock' : 'other';
  if (o.status !== 200) return 'other';
  const p = body.data?.orderCreate;
  if (p?.order && !p.userErrors.length && p.order.status === 'ALLOCATED' && p.order.lines.every((l) => l.allocatedQuantity === l.quantity)) return 'allocated';
  if (p && !p.order && p.userErrors.length && p.userErrors.every((e) => e.code === 'INSUFFICIENT_STOCK')) return 'refused';
  return 'other';
}

describe('bursts on two instances', () => {
  const { postgresUrl } = requireServices();
  const key = newAdminKey();
  const client = new KeepAliveClient();
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let redis: OwnRedis;
  let servers: ServerProcess[] = [];
  let sql: postgres.Sql;

  beforeAll(async () => {
    db = await freshDatabase(postgresUrl);
    redis = await OwnRedis.start();
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, ADMIN_API_KEY: key, NODE_ENV: 'production', EXPLORER: 'false' };
    servers = await Promise.all([startServer(env), startServer(env)]);
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
  });

  afterAll(async () => {
    client.close();
    for (const s of servers) s.kill();
    await Promise.all(servers.map((s) => s.exited));
    await sql?.end();
    await redis?.kill();
    await db?.drop();
  });

  it(`${ORDERS} concurrent orderCreate for 100 units over three warehouses on two instances: exactly 100 allocated, 900 refused INSUFFICIENT_STOCK, none oversold, no 5xx or deadlock`, async () => {
    const api = apiClient(servers[0]!.url, key);
    await createWarehouses(api, [
      { code: 'BMSK', city: 'Москва', location: { lat: 55.7558, lng: 37.6173 } },
      { code: 'BTVR', city: 'Тверь', location: { lat: 56.8587, lng: 35.9176 } },
      { code: 'BSPB', city: 'Санкт-Петербург', location: { lat: 59.9343, lng: 30.3351 } },
    ]);
    const sku = await stockOneSku(api, UNITS);
    const urls = servers.map((s) => s.url);

    const run = Date.now().toString(36);
    const started = performance.now();
    // Client-side round robin: request i goes to instance i % 2.
    const outcomes = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) => client.gql(urls[i % urls.length]!, ORDER_CREATE, { input: orderInput(sku, i, `burst-${run}-${i}`) }, key)),
    );
    const elapsed = performance.now() - started;

    const counts: Record<Verdict, number> = { allocated: 0, refused: 0, http5xx: 0, deadlock: 0, other: 0 };
    const others: unknown[] = [];
    for (const o of outcomes) {
      const v = verdict(o);
      counts[v]++;
      if (v !== 'allocated' && v !== 'refused' && others.length < 5) others.push(o.ok ? { status: o.status, body: o.body } : { error: o.code, message: o.message });
    }
    const latencies = outcomes.map((o) => o.ms);
    const deadlocksLogged = servers.reduce((n, s) => n + (s.output().match(/deadlock detected/gi)?.length ?? 0), 0);
    figure(SCENARIO, 'requests', ORDERS);
    figure(SCENARIO, 'elapsed', Math.round(elapsed), 'ms');
    figure(SCENARIO, 'throughput', (ORDERS / elapsed) * 1000, 'req/s');
    figure(SCENARIO, 'latency p50', Math.round(percentile(latencies, 0.5)), 'ms');
    figure(SCENARIO, 'latency p99', Math.round(percentile(latencies, 0.99)), 'ms');
    figure(SCENARIO, 'orders allocated', counts.allocated);
    figure(SCENARIO, 'refused INSUFFICIENT_STOCK', counts.refused);
    figure(SCENARIO, 'HTTP 5xx', counts.http5xx);
    figure(SCENARIO, 'deadlocks (responses + server logs)', counts.deadlock + deadlocksLogged);
    figure(SCENARIO, 'other outcomes', counts.other);

    // Nothing the servers logged as an error or worse (pino levels 50, 60): a failure the responses hid
    // (shown with any unexpected outcome: the log says why).
    const errorLines = servers.flatMap((s) => s.output().split('\n').filter((l) => /"level":(50|60)/.test(l))).slice(0, 3);
    expect({ others, errorLines }).toEqual({ others: [], errorLines: [] });
    expect(counts).toEqual({ allocated: TOTAL_UNITS, refused: ORDERS - TOTAL_UNITS, http5xx: 0, deadlock: 0, other: 0 });
    expect(deadlocksLogged).toBe(0);
    // Both instances took part.
    const perInstance = urls.map((_, k) => outcomes.filter((o, i) => i % urls.length === k && verdict(o) === 'allocated').length);
    expect(perInstance.every((n) => n > 0)).toBe(true);

    // Through the API: the levels (on hand unchanged, all of it allocated, nothing negative) and the ledger (the receipts only).
    const levels = (await api.admin(InventoryLevelsDocument, { sku, first: 10 })).inventoryLevels;
    const byCode = Object.fromEntries(levels.map((l) => [l.warehouse.code, l]));
    for (const [code, units] of Object.entries(UNITS)) {
      expect(byCode[code], code).toMatchObject({ onHand: units, allocated: units, available: 0 });
    }
    expect(levels.reduce((n, l) => n + l.allocated, 0)).toBe(TOTAL_UNITS);
    expect(levels.every((l) => l.available >= 0)).toBe(true);
    const ledger = (await api.admin(InventoryMovementsDocument, { sku, first: 100 })).inventoryMovements;
    expect(ledger.nodes.map((m) => m.reason).sort()).toEqual(['RECEIPT', 'RECEIPT', 'RECEIPT']);
    expect(ledger.nodes.reduce((n, m) => n + m.quantityDelta, 0)).toBe(TOTAL_UNITS);
    figure(SCENARIO, 'units allocated (levels)', levels.reduce((n, l) => n + l.allocated, 0));

    // In the database: the orders' allocations are the levels' allocations, per warehouse, and each order is whole.
    const [orderRows] = await sql<{ orders: number; units: number }[]>`
      select count(distinct o.id)::int as orders, coalesce(sum(l.allocated_quantity), 0)::int as units
      from orders o join order_lines l on l.order_id = o.id where l.sku = ${sku}`;
    expect(orderRows).toEqual({ orders: TOTAL_UNITS, units: TOTAL_UNITS });
    const perWarehouse = await sql<{ code: string; level_allocated: number; fulfilled: number }[]>`
      select w.code, il.allocated as level_allocated,
        (select coalesce(sum(fl.quantity), 0)::int from fulfillment_lines fl join fulfillment_orders fo on fo.id = fl.fulfillment_order_id
          where fo.warehouse_id = w.id and fl.variant_id = il.variant_id and fo.status <> 'CANCELLED') as fulfilled
      from inventory_levels il join warehouses w on w.id = il.warehouse_id join product_variants v on v.id = il.variant_id
      where v.sku = ${sku} order by w.code`;
    expect(perWarehouse.map((r) => [r.code, r.level_allocated, r.fulfilled])).toEqual(
      Object.entries(UNITS).sort(([a], [b]) => a.localeCompare(b)).map(([code, units]) => [code, units, units]),
    );
    const [partial] = await sql<{ n: number }[]>`
      select count(*)::int as n from orders o
      where not exists (select 1 from fulfillment_orders fo where fo.order_id = o.id)
         or exists (select 1 from order_lines l where l.order_id = o.id and l.allocated_quantity <> l.quantity)`;
    expect(partial!.n).toBe(0);
    // The 100 successes are those 100 orders.
    const answered = outcomes.filter((o) => verdict(o) === 'allocated').map((o) => (o as { body: GqlBody<OrderCreateResult> }).body.data!.orderCreate.order!.number);
    const stored = await sql<{ number: string }[]>`select number from orders o where exists (select 1 from order_lines l where l.order_id = o.id and l.sku = ${sku})`;
    expect(new Set(answered)).toEqual(new Set(stored.map((r) => r.number)));
  });

  it(`${RETRIES} concurrent retries of one order with one idempotency key on two instances: one order, one allocation, every response names it`, async () => {
    const api = apiClient(servers[1]!.url, key);
    const sku = await stockOneSku(api, { BMSK: 5 });
    const urls = servers.map((s) => s.url);
    const idemKey = `retry-${Date.now().toString(36)}`;
    const input = orderInput(sku, 0, idemKey);
    const started = performance.now();
    const outcomes = await Promise.all(Array.from({ length: RETRIES }, (_, i) => client.gql(urls[i % urls.length]!, ORDER_CREATE, { input }, key)));
    const elapsed = performance.now() - started;

    const ids = new Set<string>();
    const numbers = new Set<string>();
    let failures = 0;
    for (const o of outcomes) {
      const v = verdict(o);
      if (v !== 'allocated') failures++;
      else {
        const order = (o as { body: GqlBody<OrderCreateResult> }).body.data!.orderCreate.order!;
        ids.add(order.id);
        numbers.add(order.number);
      }
    }
    figure(SCENARIO, 'idempotent retries', RETRIES);
    figure(SCENARIO, 'idempotent retries elapsed', Math.round(elapsed), 'ms');
    figure(SCENARIO, 'idempotent retries p99', Math.round(percentile(outcomes.map((o) => o.ms), 0.99)), 'ms');
    figure(SCENARIO, 'distinct orders named by the retries', ids.size);
    figure(SCENARIO, 'idempotent retries failed', failures);
    expect(failures).toBe(0);
    expect(ids.size).toBe(1);

    const rows = await sql<{ number: string; units: number }[]>`
      select o.number, sum(l.allocated_quantity)::int as units from orders o join order_lines l on l.order_id = o.id
      where o.idempotency_key = ${idemKey} group by o.id`;
    expect(rows).toEqual([{ number: [...numbers][0], units: 1 }]);
    const levels = (await api.admin(InventoryLevelsDocument, { sku, first: 10 })).inventoryLevels;
    expect(levels.map((l) => [l.warehouse.code, l.onHand, l.allocated])).toEqual([['BMSK', 5, 1]]);
  });
});
