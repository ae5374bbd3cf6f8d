/**
 * A Redis outage while the API takes writes: the process survives (no unhandled rejection: vitest
 * fails the run on one), /readyz says 503 while Redis is down and 200 once it is back on the same
 * port, events committed during the outage stay unpublished until Redis is back and then reach a
 * graphql-ws subscriber exactly once, in order per order, and webhooks and e-mails of those events
 * are queued exactly once (durable handlers do not wait for Redis).
 *
 * Starts its own redis-server on a spare port (never the shared one); the database is PGlite, or
 * PostgreSQL with DATABASE_URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderCancelDocument, OrderCreateDocument, WebhookSubscriptionCreateDocument, type OrderCreateInput } from '../generated/graphql.js';
import { idOfType } from '../../src/graphql/relay.js';
import { address, stockedStore } from '../factories/stock.js';
import { collect, settle, startApp, type TestApp } from '../harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sparePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A throwaway redis-server on `port`; resolves once it accepts connections. */
async function startRedis(port: number): Promise<ChildProcess> {
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    p.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('Ready to accept connections')) {
        clearTimeout(t);
        resolve();
      }
    });
    p.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return p;
}

async function stopRedis(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL'); // an outage, not a shutdown
  await exited;
}

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

type StatusItem = { orderStatusChanged: { order: { id: string }; event: { sequence: number; status: string } } };
const SUB = 'subscription { orderStatusChanged { order { id } event { sequence status } } }';

describe('Redis outage', () => {
  let redis: ChildProcess | undefined;
  let port: number;
  let t: TestApp;
  let hooks: Server;
  let hookCalls = 0;
  let skus: string[];

  beforeAll(async () => {
    port = await sparePort();
    redis = await startRedis(port);
    hooks = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hookCalls++;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    t = await startApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, WEBHOOK_POLL_MS: '100', NOTIFICATION_POLL_MS: '100' } });
    skus = await stockedStore(t, { msk: [500], spb: [0] });
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await stopRedis(redis);
    await new Promise((r) => hooks?.close(r));
  });

  const readyz = async () => (await fetch(t.url.replace('/graphql', '/readyz'))).status;
  const input = (): OrderCreateInput => ({
    channel: 'web',
    currency: 'RUB',
    deliveryType: 'COURIER',
    customer: { email: 'outage@example.ru', name: 'Анна', locale: 'ru' },
    shippingAddress: address(),
    lines: [{ sku: skus[0]!, quantity: 1 }],
  });

  it('survives writes while Redis is down, reports not ready, and delivers the backlog exactly once when it is back', async () => {
    expect(t.app.pubSub.kind).toBe('redis');
    const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks`;
    const sub = await t.gql(WebhookSubscriptionCreateDocument, { input: { topic: 'ORDER_STATUS_CHANGED', url: hookUrl } });
    expect(sub.data!.webhookSubscriptionCreate.userErrors).toEqual([]);
    const live = collect<StatusItem>(t.ws(), SUB);
    await settle(300);
    expect(await readyz()).toBe(200);

    // Given Redis goes away
    await stopRedis(redis);
    await waitFor('/readyz 503', async () => (await readyz()) === 503, 5000);
    expect(t.app.relay.reliable).toBe(false); // the checkout caches read through meanwhile

    // When 50 writes go through during the outage (25 orders created, then each cancelled)
    const orderIds: string[] = [];
    for (let i = 0; i < 25; i++) {
      const r = await t.gql(OrderCreateDocument, { input: input() });
      expect(r.errors).toBeUndefined();
      expect(r.data!.orderCreate.userErrors).toEqual([]);
      orderIds.push(r.data!.orderCreate.order!.id);
    }
    for (const id of orderIds) {
      const r = await t.gql(OrderCancelDocument, { input: { id } });
      expect(r.errors).toBeUndefined();
      expect(r.data!.orderCancel.userErrors).toEqual([]);
    }

    // Then the server keeps answering for longer than any ioredis retry could last, and stays not ready
    const until = Date.now() + 12_000;
    while (Date.now() < until) {
      expect(await readyz()).toBe(503);
      const r = await t.gql(OrderCreateDocument, { input: { ...input(), lines: [] } }); // answered (a userError), not a crash
      expect(r.status).toBe(200);
      await sleep(1000);
    }
    // Nothing of the window is marked published, yet its webhooks and e-mails are queued already.
    const statusRows = sql`from outbox where topic = 'order.status_changed' and payload->>'orderId' in ${sql`(${sql.join(
      orderIds.map((id) => sql`${idOfType(id, 'Order')}`),
      sql`, `,
    )})`}`;
    const pending = await t.app.database.rows<{ published: number; handled: number; n: number }>(
      sql`select count(published_at)::int as published, count(handled_at)::int as handled, count(*)::int as n ${statusRows}`,
    );
    expect(pending[0]).toEqual({ published: 0, handled: 50, n: 50 });

    // When Redis is back on the same port
    redis = await startRedis(port);
    await waitFor('/readyz 200', async () => (await readyz()) === 200, 15_000);
    expect(t.app.relay.reliable).toBe(true);

    // Then the subscriber gets each status event of the window once, in order per order
    const mine = () => live.items.filter((i) => orderIds.includes(i.data?.orderStatusChanged.order.id ?? ''));
    await waitFor('the backlog', async () => mine().length >= 50, 15_000);
    await settle(500);
    const perOrder = new Map<string, string[]>();
    for (const i of mine()) {
      const e = i.data!.orderStatusChanged;
      perOrder.set(e.order.id, [...(perOrder.get(e.order.id) ?? []), `${e.event.sequence}:${e.event.status}`]);
    }
    expect(perOrder.size).toBe(25);
    for (const seq of perOrder.values()) expect(seq).toEqual(['1:ALLOCATED', '2:CANCELLED']);
    const after = await t.app.database.rows<{ published: number }>(sql`select count(published_at)::int as published ${statusRows}`);
    expect(after[0]!.published).toBe(50);

    // And webhook deliveries and e-mails of those events exist exactly once each
    const deliveries = await t.app.database.rows<{ n: number; events: number }>(
      sql`select count(*)::int as n, count(distinct event_id)::int as events from webhook_deliveries where event_id in (select id ${statusRows})`,
    );
    expect(deliveries[0]).toEqual({ n: 50, events: 50 });
    const mails = await t.app.database.rows<{ n: number; events: number }>(
      sql`select count(*)::int as n, count(distinct event_id)::int as events from notifications where event_id in (select id ${statusRows})`,
    );
    expect(mails[0]).toEqual({ n: 50, events: 50 }); // a confirmation and a cancellation per order
    await waitFor('webhook calls', async () => hookCalls >= 50, 10_000);
    live.dispose();
  }, 60_000);
});
