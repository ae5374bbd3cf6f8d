/**
 * The server's PostgreSQL (the suite's own cluster) crashes under load (SIGKILL of the postmaster)
 * and comes back after a few seconds on the same port and data.
 *
 * What it holds the server to:
 * - requests during the outage fail fast with a GraphQL error whose extensions.code is
 *   SERVICE_UNAVAILABLE and extensions.retryable is true (a 503 with Retry-After when the request
 *   could not even be authenticated); never a bare INTERNAL_SERVER_ERROR, never a hang: each request
 *   is bounded by REQUEST_TIMEOUT_MS, and the server bounds its own connection attempts
 *   (DB_CONNECT_TIMEOUT_MS);
 * - /readyz answers 503 during the outage and 200 after, and the server recovers by itself (the same
 *   process: its pid does not change, it is never restarted);
 * - no partial writes: after the outage the store's invariants hold (test/faults/invariants.ts), and
 *   every order a client was told was created exists. Clients retry a failed orderCreate with the
 *   same idempotencyKey, so an order committed just before the crash whose answer was lost is not
 *   placed twice;
 * - a graphql-ws client connecting during the outage (its API key not yet in the server's cache, so
 *   connection_init needs the database) is closed with 1013 "try again later", which graphql-ws
 *   clients retry, never with 4500 (which they do not), and is subscribed once PostgreSQL is back.
 */
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, stockedStore } from '../factories/stock.js';
import { checkInvariants, storeSize } from './invariants.js';
import { factoryApp, figure, gqlWithin, OwnPostgres, sleep, startServer, until, type Outcome, type ServerProcess } from './lib.js';

const SCENARIO = 'postgres-outage';
const CLIENTS = 10;
const OUTAGE_MS = 4000;
const REQUEST_TIMEOUT_MS = 10_000;
/** The server's bound on a connection attempt (DB_CONNECT_TIMEOUT_MS), and what a request may take during the outage at most. */
const CONNECT_TIMEOUT_MS = 2000;
const MAX_OUTAGE_LATENCY_MS = CONNECT_TIMEOUT_MS + 2000;

const ORDER_CREATE = `mutation($input: OrderCreateInput!) { orderCreate(input: $input) { order { id number } userErrors { code message } } }`;
const ORDER_CANCEL = `mutation($input: OrderCancelInput!) { orderCancel(input: $input) { order { id status } userErrors { code message } } }`;

describe('PostgreSQL outage under load', () => {
  let pg: OwnPostgres;
  let server: ServerProcess;
  let appUrl: string;
  const adminKey = `wb_live_${randomBytes(24).toString('base64url')}`;

  beforeAll(async () => {
    pg = await OwnPostgres.start();
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('create database waybill_faults');
    await admin.end();
    appUrl = pg.url.replace(/\/postgres$/, '/waybill_faults');
    server = await startServer({
      DATABASE_URL: appUrl,
      ADMIN_API_KEY: adminKey,
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      OUTBOX_POLL_MS: '200',
      RATE_LIMIT_KEY_PREFIX: `wb:rl:faults:${randomBytes(4).toString('hex')}`,
    });
  });

  afterAll(async () => {
    // FAULTS_VERBOSE=<file>: the server's whole log goes there (to see why a run failed).
    if (process.env.FAULTS_VERBOSE) (await import('node:fs')).writeFileSync(process.env.FAULTS_VERBOSE, server?.output() ?? '');
    server?.kill();
    await server?.exited;
    await pg?.destroy();
  });

  const readyz = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${server.port}/readyz`, { signal: AbortSignal.timeout(5000) })).status;
    } catch {
      return 0;
    }
  };

  it('fails fast and retryably while PostgreSQL is down, recovers by itself, and leaves no partial writes', async () => {
    const skus = await stockedStore(factoryApp(server, adminKey), { msk: [5000, 5000], spb: [5000, 0] });
    const pid = server.child.pid;
    // A key the server has never seen a request with (not cached): its subscriber connects during the outage.
    const created = await gqlWithin<{ apiKeyCreate: { secret: string | null } }>(
      server.url,
      'mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret userErrors { code } } }',
      { input: { kind: 'STAFF', name: 'outage subscriber', scopes: ['read_orders'] } },
      { authorization: `Bearer ${adminKey}` },
      REQUEST_TIMEOUT_MS,
    );
    const subscriberKey = created.data!.apiKeyCreate.secret!;
    expect(subscriberKey).toBeTruthy();
    expect(await readyz()).toBe(200);

    // start/end: ms since t0. A request overlaps the outage when it ended after the crash and started before PostgreSQL was back.
    type Done = Outcome & { phase: 'before' | 'outage' | 'after'; op: string; start: number; end: number };
    const done: Done[] = [];
    let phase: Done['phase'] = 'before';
    let stop = false;
    const acknowledged = new Set<string>(); // order numbers a client was told were created
    let firstOkAfterBack = Number.NaN;
    let back = Number.NaN;
    const t0 = performance.now();
    const load = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        const input = {
          idempotencyKey: `pg-outage-${c}-${i}`,
          channel: 'faults-pg',
          currency: 'RUB',
          deliveryType: 'COURIER',
          customer: { email: `pg-outage-${c}@example.ru`, name: 'Анна', locale: 'ru' },
          shippingAddress: address(),
          lines: [{ sku: skus[i % 2]!, quantity: 1 + (i % 3) }, ...(i % 4 === 0 ? [{ sku: skus[(i + 1) % 2]!, quantity: 1 }] : [])],
        };
        // A failed create is retried with the same idempotency key until it is answered.
        for (;;) {
          if (stop) return;
          const at = phase;
          const start = performance.now() - t0;
          const r = await gqlWithin<{ orderCreate: { order: { id: string; number: string } | null } }>(
            server.url, ORDER_CREATE, { input }, { authorization: `Bearer ${adminKey}` }, REQUEST_TIMEOUT_MS);
          done.push({ ...r, phase: at, op: 'orderCreate', start, end: performance.now() - t0 });
          const order = r.data?.orderCreate.order;
          if (r.code === 'OK' && order) {
            if (phase === 'after' && Number.isNaN(firstOkAfterBack)) firstOkAfterBack = performance.now() - back;
            acknowledged.add(order.number);
            if (i % 3 === 0) {
              const cancelStart = performance.now() - t0;
              const x = await gqlWithin(server.url, ORDER_CANCEL, { input: { id: order.id } }, { authorization: `Bearer ${adminKey}` }, REQUEST_TIMEOUT_MS);
              done.push({ ...x, phase: at, op: 'orderCancel', start: cancelStart, end: performance.now() - t0 });
            }
            break;
          }
          await sleep(100);
        }
        await sleep(20);
      }
    });

    await sleep(2000);
    // Given PostgreSQL crashes under load
    const crashAt = performance.now() - t0;
    await pg.kill();
    phase = 'outage';
    const down = performance.now();
    // Then /readyz says 503 while it is down
    const notReadyMs = await until('/readyz 503', async () => (await readyz()) === 503, 5000);
    // A subscriber connects now; it retries (every 200 ms) until it is in.
    const subscriberCloses: number[] = [];
    let subscribedEvents = 0;
    const subscriber = createClient({
      url: `ws://127.0.0.1:${server.port}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${subscriberKey}` },
      retryAttempts: 1000,
      retryWait: async () => {
        await sleep(200);
      },
      // 1000: our own dispose at the end.
      on: { closed: (e) => void ((e as { code: number }).code !== 1000 && subscriberCloses.push((e as { code: number }).code)) },
    });
    let subscriptionEnded = '';
    subscriber.subscribe(
      { query: 'subscription { orderStatusChanged { order { id } event { sequence status } } }' },
      {
        next: () => void subscribedEvents++,
        error: (e) => {
          const close = e as { code?: number; reason?: string };
          subscriptionEnded = close.code ? `closed ${close.code} ${close.reason}` : `error ${JSON.stringify(e instanceof Error ? e.message : e)}`;
        },
        complete: () => void (subscriptionEnded = 'complete'),
      },
    );
    await sleep(Math.max(0, OUTAGE_MS - (performance.now() - down)));
    expect(await readyz()).toBe(503);
    // When it comes back on the same port and data
    await pg.start();
    back = performance.now();
    const backAt = back - t0;
    phase = 'after';
    const readyMs = await until('/readyz 200', async () => (await readyz()) === 200, 20_000);
    await until('an order to be placed again', () => !Number.isNaN(firstOkAfterBack), 20_000);
    await until('the subscriber that connected during the outage to receive an event', () => subscribedEvents > 0 || subscriptionEnded !== '', 20_000);
    await sleep(1500);
    stop = true;
    await Promise.all(load);
    await subscriber.dispose();

    const during = done.filter((d) => d.end > crashAt && d.start < backAt);
    const failures = done.filter((d) => d.code !== 'OK');
    const codes: Record<string, number> = {};
    for (const d of failures) codes[d.code] = (codes[d.code] ?? 0) + 1;
    figure(SCENARIO, 'requests during outage', during.length);
    figure(SCENARIO, 'max latency of a request during outage', Math.max(...during.map((d) => d.ms)), 'ms');
    figure(SCENARIO, 'error codes', JSON.stringify(codes));
    figure(SCENARIO, 'PostgreSQL down → /readyz 503', notReadyMs, 'ms');
    figure(SCENARIO, 'PostgreSQL back → /readyz 200', readyMs, 'ms');
    figure(SCENARIO, 'PostgreSQL back → first order placed', firstOkAfterBack, 'ms');
    figure(SCENARIO, 'subscriber connecting during the outage: closes (codes)', JSON.stringify(subscriberCloses.slice(0, 20)));
    figure(SCENARIO, 'subscriber connecting during the outage: events after recovery', subscribedEvents);
    expect(server.child.pid).toBe(pid);
    expect(server.child.exitCode).toBeNull();
    expect(during.length).toBeGreaterThan(CLIENTS);
    // Fail fast, never hang: every request of the outage answered within the bound.
    expect(Math.max(...during.map((d) => d.ms))).toBeLessThan(MAX_OUTAGE_LATENCY_MS);
    // Every failure is the retryable SERVICE_UNAVAILABLE (a GraphQL error, or 503 before the GraphQL layer).
    expect(Object.keys(codes)).toEqual(['SERVICE_UNAVAILABLE']);
    for (const d of failures) {
      expect(d.errors![0]!.extensions!.retryable, JSON.stringify(d.errors)).toBe(true);
      expect([200, 503]).toContain(d.status);
    }
    // The subscriber was told to retry (1013) while the database was away, never 4500, and got in.
    expect(subscriptionEnded).toBe('');
    expect(subscriberCloses.length).toBeGreaterThan(0);
    expect(subscriberCloses.filter((c) => c !== 1013)).toEqual([]);
    expect(subscribedEvents).toBeGreaterThan(0);
    // Nothing failed before the crash.
    expect(done.filter((d) => d.end < crashAt && d.code !== 'OK')).toEqual([]);

    // No partial writes: the invariants hold, and every acknowledged order exists once.
    const sql = postgres(appUrl, { max: 1, onnotice: () => {} });
    try {
      const violations = await checkInvariants(sql);
      const size = await storeSize(sql);
      const numbers = (await sql<{ number: string; key: string }[]>`select number, idempotency_key as key from orders where channel = 'faults-pg'`);
      figure(SCENARIO, 'orders after the outage (acknowledged / in the database)', `${acknowledged.size} / ${numbers.length}`);
      figure(SCENARIO, 'invariant violations', violations.length);
      expect(size.orders).toBeGreaterThan(CLIENTS);
      expect(violations).toEqual([]);
      const inDb = new Set(numbers.map((n) => n.number));
      expect([...acknowledged].filter((n) => !inDb.has(n))).toEqual([]);
      expect(new Set(numbers.map((n) => n.key)).size).toBe(numbers.length); // an idempotency key never made two orders
      // The checker sees a partial write: an order line without its reservation, a movement without its bin change (rolled back).
      await sql
        .begin(async (tx) => {
          await tx`update order_lines set allocated_quantity = allocated_quantity - 1 where id = (select id from order_lines where allocated_quantity > 0 limit 1)`;
          await tx`insert into inventory_movements (id, variant_id, warehouse_id, bin_id, quantity_delta, reason) select gen_random_uuid(), variant_id, warehouse_id, bin_id, 1, 'ADJUSTMENT' from bin_stock limit 1`;
          const broken = await checkInvariants(tx as unknown as postgres.Sql);
          expect(broken.some((v) => v.startsWith('order line allocated_quantity'))).toBe(true);
          expect(broken.some((v) => v.startsWith('bin stock differs'))).toBe(true);
          expect(broken.some((v) => v.startsWith('on hand differs'))).toBe(true);
          throw new Error('rollback');
        })
        .catch((e: Error) => expect(e.message).toBe('rollback'));
    } finally {
      await sql.end();
    }
  });
});
