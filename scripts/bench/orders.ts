/**
 * `npm run bench:orders [-- --duration 10 --warmup 2 --connections 16 --pool 16 --json]`
 *
 * orderCreate on PostgreSQL: `--connections` concurrent clients send `orderCreate` over HTTP
 * (admin key) for `--duration` seconds after a `--warmup`; each order has 2 lines of 2 distinct
 * SKUs chosen at random among 200 (1,000,000 units each received into one warehouse, so nothing
 * runs out), a random customer e-mail per request and no idempotency key. Next to it, the
 * ceiling measured in the same run with postgres.js (pool of the same size, same number of
 * workers): the same inserts and conditional stock updates as ONE transaction issued directly
 * (customer upsert, nextval, orders, 2 order_lines, 2 conditional inventory_levels updates,
 * fulfillment_orders, 2 fulfillment_lines, order_events, fulfillment_order_events, 5 outbox rows: order
 * created, order and fulfillment order status changed and a level change per variant, as the app writes).
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names the server: a fresh
 * database wb_bench_ord_<ts> is created for the run and dropped after it. The app runs in this
 * process (createApp, listening on a random port) with DB_POOL_SIZE=--pool (default --connections),
 * EXPOSE_SQL_COUNT=true, in-memory pub/sub, the outbox relay running.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import postgres from 'postgres';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../../src/config.js';
import { createProduct } from '../../src/modules/catalog/catalog.service.js';
import { LEVEL_CHANGED } from '../../src/modules/inventory/inventory.events.js';
import { receiveInventory } from '../../src/modules/inventory/inbound.service.js';
import { ORDER_CREATED, ORDER_STATUS_CHANGED } from '../../src/modules/orders/order.service.js';
import { FULFILLMENT_ORDER_STATUS_CHANGED } from '../../src/modules/orders/order.state.js';
import { binBarcode, createBinGrid, createWarehouse, createZone } from '../../src/modules/warehouse/warehouse.service.js';
import { createApp } from '../../src/server/app.js';
import { SCRIPT_PRINCIPAL } from '../lib/script-app.js';
import { createBenchDatabase, describeMachine, hammer as runLoops, log, machineInfo, type Rate, loadavg } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16' },
    /** DB_POOL_SIZE of the app and the ceiling's pool (default: --connections). */
    pool: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const duration = Number(flags.duration);
const warmup = Number(flags.warmup);
const connections = Number(flags.connections);
const pool = Number(flags.pool ?? flags.connections);

const SKUS = 200;
const STOCK = 1_000_000;
const PRICE = 99_000;

const hammer = (name: string, op: (i: number) => Promise<void>) => runLoops(name, { workers: connections, warmup, duration }, op);

const address = { line1: 'ул. Бенчмарковая, д. 1', city: 'Москва', postalCode: '101000', countryCode: 'RU', location: { lat: 55.75, lng: 37.62 } };


/** Two distinct indexes in [0, SKUS). */
function twoSkus(): [number, number] {
  const a = Math.floor(Math.random() * SKUS);
  const b = (a + 1 + Math.floor(Math.random() * (SKUS - 1))) % SKUS;
  return [a, b];
}

const ORDER_CREATE = `mutation C($input: OrderCreateInput!) { orderCreate(input: $input) { order { id number status } userErrors { code message field } } }`;

async function main() {
  const loadStart = loadavg();
  const machine = machineInfo();
  const bench = await createBenchDatabase('wb_bench_ord');
  const { name: dbName, url: dbUrl, pgVersion } = bench;
  const adminKey = `wb_live_${randomBytes(24).toString('base64url')}`;
  log(`database ${dbName} on PostgreSQL ${pgVersion}; pool ${pool}; load average ${loadStart}`);

  const rates: Rate[] = [];
  let statements: number | null = null;
  let relayBacklog: { events: number; drainMs: number } | null = null;
  try {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      LOG_LEVEL: 'warn',
      DB_POOL_SIZE: String(pool),
      ADMIN_API_KEY: adminKey,
      EXPOSE_SQL_COUNT: 'true',
    });
    const app = await createApp(config, { log: pino({ level: 'warn' }, pino.destination(2)) });
    try {
      const ctx = app.context(SCRIPT_PRINCIPAL).services;
      const wh = await createWarehouse(ctx, { code: 'ORD1', name: 'Bench ORD1', address });
      await createZone(ctx, { warehouseCode: 'ORD1', code: 'B', name: 'B', kind: 'BULK', distanceRank: 2 });
      await createBinGrid(ctx, { warehouseCode: 'ORD1', zoneCode: 'B', aisles: ['A'], racks: 1, levels: 1, positions: 1, capacityUnits: null });
      const skus = Array.from({ length: SKUS }, (_, i) => `ORD-${String(i + 1).padStart(3, '0')}`);
      await createProduct(ctx, {
        title: 'Bench product',
        variants: skus.map((sku) => ({ sku, title: sku, price: { amountMinor: PRICE, currency: 'RUB' }, weightGrams: 300 })),
      });
      const movements = await receiveInventory(ctx, { warehouseCode: 'ORD1', binBarcode: binBarcode('ORD1', 'A-01-01-01'), lines: skus.map((sku) => ({ sku, quantity: STOCK })) });
      void movements;
      const variantRows = await app.database.rows<{ id: string; sku: string }>(sql`select id, sku from product_variants`);
      const variantBySku = new Map(variantRows.map((v) => [v.sku, v.id]));
      const url = await app.listen(0, '127.0.0.1');

      const send = async () => {
        const [a, b] = twoSkus();
        const r = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${adminKey}` },
          body: JSON.stringify({
            query: ORDER_CREATE,
            variables: {
              input: {
                channel: 'web',
                currency: 'RUB',
                customer: { email: `c-${randomBytes(8).toString('hex')}@bench.example.com`, name: 'Bench Customer' },
                shippingAddress: address,
                deliveryType: 'COURIER',
                lines: [
                  { sku: skus[a]!, quantity: 1 },
                  { sku: skus[b]!, quantity: 1 },
                ],
              },
            },
          }),
        });
        const j = (await r.json()) as { data?: { orderCreate?: { order: { status: string } | null; userErrors: unknown[] } }; errors?: unknown };
        const p = j.data?.orderCreate;
        if (!r.ok || j.errors || !p?.order || p.userErrors.length) throw new Error(`orderCreate failed: ${r.status} ${JSON.stringify(j).slice(0, 400)}`);
        if (p.order.status !== 'ALLOCATED') throw new Error(`order ${p.order.status}`);
        return r;
      };
      const first = await send();
      const h = first.headers.get('x-sql-statements');
      statements = h == null ? null : Number(h);
      log(`one orderCreate: ${statements ?? '?'} SQL statements`);

      rates.push(await hammer(`app: orderCreate over HTTP (${connections} clients)`, async () => void (await send())));
      // Work the run left behind: the relay's durable handlers (notification rows, webhook lookups) lagging behind the orders.
      const [{ backlog }] = await app.database.rows<{ backlog: string }>(sql`select count(*)::text as backlog from outbox where published_at is null`);
      const d0 = performance.now();
      await app.relay.drain();
      relayBacklog = { events: Number(backlog), drainMs: performance.now() - d0 };
      log(`outbox backlog after the app run: ${backlog} events, drained in ${relayBacklog.drainMs.toFixed(0)} ms`);

      const pg = postgres(dbUrl, { max: pool, onnotice: () => {} });
      try {
        rates.push(
          await hammer(`ceiling: one transaction via postgres.js (${connections} workers)`, async () => {
            const [a, b] = twoSkus();
            const lines = [skus[a]!, skus[b]!].map((sku) => ({ sku, variantId: variantBySku.get(sku)! }));
            const email = `c-${randomBytes(8).toString('hex')}@bench.example.com`;
            await pg.begin(async (tx) => {
              let [cust] = await tx<{ id: string }[]>`insert into customers (id, email, name, locale) values (${uuidv7()}, ${email}, 'Bench Customer', 'en')
                on conflict (email) do nothing returning id`;
              if (!cust) [cust] = await tx<{ id: string }[]>`select id from customers where email = ${email}`;
              const [{ n }] = (await tx<{ n: string }[]>`select nextval('order_number_seq')::text as n`) as unknown as [{ n: string }];
              const orderId = uuidv7();
              const number = `WB-${n}`;
              const total = PRICE * lines.length;
              await tx`insert into orders (id, number, external_id, channel, status, customer_id, shipping_address, delivery_type, currency,
                  subtotal_minor, shipping_minor, total_minor, allow_backorder, idempotency_scope, idempotency_key, request_hash, last_sequence)
                values (${orderId}, ${number}, null, 'web', 'ALLOCATED', ${cust!.id}, ${tx.json(address)}, 'COURIER', 'RUB',
                  ${total}, 0, ${total}, false, null, null, null, 1) returning *`;
              const lineIds: string[] = [];
              for (const [i, l] of lines.entries()) {
                const id = uuidv7();
                lineIds.push(id);
                await tx`insert into order_lines (id, order_id, variant_id, sku, title, quantity, unit_price_minor, allocated_quantity, position)
                  values (${id}, ${orderId}, ${l.variantId}, ${l.sku}, ${l.sku}, 1, ${PRICE}, 1, ${i}) returning *`;
              }
              // Same order as the app: by warehouse, then variant id (no deadlocks between workers).
              for (const l of [...lines].sort((x, y) => x.variantId.localeCompare(y.variantId))) {
                const r = await tx`update inventory_levels set allocated = allocated + 1, updated_at = now()
                  where variant_id = ${l.variantId} and warehouse_id = ${wh.id} and on_hand - allocated >= 1 returning 1`;
                if (!r.length) throw new Error('out of stock');
              }
              const foId = uuidv7();
              await tx`insert into fulfillment_orders (id, order_id, warehouse_id, status) values (${foId}, ${orderId}, ${wh.id}, 'OPEN') returning *`;
              for (const [i, l] of lines.entries()) {
                await tx`insert into fulfillment_lines (id, fulfillment_order_id, order_line_id, variant_id, quantity) values (${uuidv7()}, ${foId}, ${lineIds[i]!}, ${l.variantId}, 1)`;
              }
              await tx`insert into order_events (order_id, sequence, status, previous_status, message, occurred_at) values (${orderId}, 1, 'ALLOCATED', null, 'Stock reserved', now())`;
              await tx`insert into fulfillment_order_events (fulfillment_order_id, sequence, status, previous_status, message, occurred_at) values (${foId}, 1, 'OPEN', null, 'Stock reserved', now())`;
              await tx`insert into outbox (id, topic, payload) values
                (${uuidv7()}, ${ORDER_CREATED}, ${tx.json({ orderId, number, customerId: cust!.id, channel: 'web', warehouseCodes: [wh.code] })}),
                (${uuidv7()}, ${ORDER_STATUS_CHANGED}, ${tx.json({ orderId, number, customerId: cust!.id, sequence: 1, status: 'ALLOCATED', previousStatus: null, message: null, warehouseCodes: [wh.code] })}),
                (${uuidv7()}, ${FULFILLMENT_ORDER_STATUS_CHANGED}, ${tx.json({ fulfillmentOrderId: foId, orderId, warehouseId: wh.id, sequence: 1, status: 'OPEN', previousStatus: null, message: 'Stock reserved' })}),
                (${uuidv7()}, ${LEVEL_CHANGED}, ${tx.json({ variantId: lines[0]!.variantId, warehouseId: wh.id, warehouseCode: wh.code })}),
                (${uuidv7()}, ${LEVEL_CHANGED}, ${tx.json({ variantId: lines[1]!.variantId, warehouseId: wh.id, warehouseCode: wh.code })})`;
            });
          }),
        );
      } finally {
        await pg.end();
      }
      await app.relay.drain();
    } finally {
      await app.close();
    }
  } finally {
    await bench.close();
  }

  const loadEnd = loadavg();
  const [appRate, ceiling] = rates as [Rate, Rate];
  const ratio = appRate.perSecond / ceiling.perSecond;
  const out = [
    `Orders benchmark: ${connections} clients/workers, pool ${pool}, ${duration} s after ${warmup} s warm-up; ${SKUS} SKUs x ${STOCK} units, 2 lines per order`,
    `Machine: ${describeMachine(machine, pgVersion)}, ${machine.date}; load average (1/5/15 min) ${loadStart} at start, ${loadEnd} at end`,
    '',
    '| scenario | orders/s | p50 ms | p99 ms | errors | vs ceiling | Node CPU (% of a core) | Node CPU ms/order |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rates.map(
      (r) =>
        `| ${r.name} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${((100 * r.perSecond) / ceiling.perSecond).toFixed(0)}% | ${r.nodeCpu.toFixed(0)} | ${((r.nodeCpu * 10) / r.perSecond).toFixed(1)} |`,
    ),
    '',
    `SQL statements per orderCreate (x-sql-statements, without BEGIN/COMMIT): ${statements ?? '–'} (the ceiling issues 14 plus BEGIN/COMMIT; the app also reads variants, warehouses and availability)`,
    `Outbox backlog left by the app run: ${relayBacklog?.events ?? '–'} events (drained in ${relayBacklog?.drainMs.toFixed(0) ?? '–'} ms)`,
    `Target: orderCreate >= 40% of the ceiling -> ${(100 * ratio).toFixed(0)}% ${ratio >= 0.4 ? 'met' : 'MISSED'}`,
  ];
  console.log(out.join('\n'));
  if (flags.json) console.log(JSON.stringify({ machine, pgVersion, loadStart, loadEnd, connections, pool, duration, warmup, rates, statements, relayBacklog }));
}

await main();
