/**
 * SIGTERM under load: one server process, 200 concurrent keep-alive clients looping on a mix of
 * reads and orderCreate (each order with its own idempotency key); SIGTERM mid-load.
 *
 * The rule (what a client behind a load balancer may rely on; src/server/drain.ts):
 * - a request sent BEFORE the SIGTERM gets a complete response: HTTP 200 with data and no
 *   GraphQL error (for orderCreate: the order). Anything else is lost;
 * - a request sent AFTER it either gets such a complete response (the server still answers on
 *   open connections during its drain, each answer with `connection: close`), or fails at the
 *   connection level before any response byte: ECONNREFUSED once the server stopped listening,
 *   or the connection closed (ECONNRESET, "socket hang up") when it arrived on a keep-alive
 *   connection the server had just ended. Either failure is retryable: the request was not
 *   executed. For orderCreate the database must show it: no order with its idempotency key. A
 *   5xx, a partial response or an executed request without its answer is lost;
 * - every orderCreate answered with an order exists afterwards, whole (lines allocated, a
 *   fulfillment order, the level's allocation equal to the orders'), and none that failed exists
 *   at all (the order is one transaction: not even half-written);
 * - the process exits 0 within the grace period (SHUTDOWN_TIMEOUT_MS) plus its forced-exit margin.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address } from '../factories/stock.js';
import {
  apiClient,
  createWarehouses,
  figure,
  freshDatabase,
  KeepAliveClient,
  newAdminKey,
  OwnRedis,
  requireServices,
  sleep,
  startServer,
  stockOneSku,
  waitFor,
  type GqlBody,
  type PostOutcome,
  type ServerProcess,
} from './lib.js';

const SCENARIO = 'shutdown under load';
const CLIENTS = 200;
/**
 * The grace period. 200 requests in flight queue for a pool of 10 connections: on this 2-core
 * machine under other load their drain took 5.0 to 7.4 s, too close to the default 8 s to test
 * "nothing lost" rather than the machine's speed; the rule holds for any grace the work fits in
 * (with SHUTDOWN_TIMEOUT_MS=200 this test fails: 188 requests in flight were cut).
 */
const GRACE_MS = 15_000;
/** The share of orderCreate among the requests. */
const ORDER_SHARE = 0.5;

const ORDER_CREATE = `mutation LoadOrder($input: OrderCreateInput!) {
  orderCreate(input: $input) { order { id number status } userErrors { code message } }
}`;
const READS = [
  `query LoadLevels($sku: String) { inventoryLevels(sku: $sku, first: 5) { warehouse { code } onHand allocated available } }`,
  `query LoadOrders { orders(first: 5) { totalCount nodes { number status lines { sku allocatedQuantity } } } }`,
];

interface Sent {
  kind: 'order' | 'read';
  key?: string;
  startedAt: number;
  endedAt: number;
  outcome: PostOutcome;
}

/** A complete answer: 200, data, no GraphQL error; for orderCreate an order. */
function complete(s: Sent): boolean {
  const o = s.outcome;
  if (!o.ok || o.status !== 200) return false;
  const body = o.body as GqlBody<{ orderCreate?: { order: { number: string } | null; userErrors: unknown[] } }>;
  if (typeof body !== 'object' || !body?.data || body.errors?.length) return false;
  return s.kind === 'read' || (!!body.data.orderCreate?.order && !body.data.orderCreate.userErrors.length);
}

/** A failure before any response on the connection: the request may be retried (if it was not executed). */
const connectionFailure = (o: PostOutcome) => !o.ok && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(o.code);

describe('graceful shutdown under load', () => {
  const { postgresUrl } = requireServices();
  const key = newAdminKey();
  const client = new KeepAliveClient();
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let redis: OwnRedis;
  let server: ServerProcess | undefined;
  let sql: postgres.Sql;

  beforeAll(async () => {
    db = await freshDatabase(postgresUrl);
    redis = await OwnRedis.start();
    server = await startServer({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      ADMIN_API_KEY: key,
      NODE_ENV: 'production',
      EXPLORER: 'false',
      SHUTDOWN_TIMEOUT_MS: String(GRACE_MS),
    });
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
  });

  afterAll(async () => {
    client.close();
    server?.kill();
    await server?.exited;
    await sql?.end();
    await redis?.kill();
    await db?.drop();
  });

  it(`SIGTERM under ${CLIENTS} looping clients: every request sent before it is answered, later ones are answered or refused unexecuted, no order lost or half-written`, async () => {
    const srv = server!;
    const api = apiClient(srv.url, key);
    await createWarehouses(api, [{ code: 'LMSK', city: 'Москва', location: { lat: 55.7558, lng: 37.6173 } }]);
    const sku = await stockOneSku(api, { LMSK: 1_000_000 });
    const run = Date.now().toString(36);

    const sent: Sent[] = [];
    let sigtermAt = Number.POSITIVE_INFINITY;
    let seq = 0;
    const clientLoop = async (c: number) => {
      for (let i = 0; ; i++) {
        const order = Math.random() < ORDER_SHARE;
        const k = order ? `load-${run}-${c}-${i}` : undefined;
        const startedAt = performance.now();
        const outcome = order
          ? await client.gql(
              srv.url,
              ORDER_CREATE,
              {
                input: {
                  idempotencyKey: k,
                  channel: 'web',
                  currency: 'RUB',
                  deliveryType: 'COURIER',
                  customer: { email: `load-${c}@example.com` },
                  shippingAddress: address(),
                  lines: [{ sku, quantity: 1 }],
                },
              },
              key,
            )
          : await client.gql(srv.url, READS[seq++ % READS.length]!, { sku }, key);
        const s: Sent = { kind: order ? 'order' : 'read', key: k, startedAt, endedAt: performance.now(), outcome };
        sent.push(s);
        // A connection the server no longer accepts: this client would go to another instance now.
        if (!outcome.ok || outcome.status !== 200) return;
      }
    };
    const loops = Array.from({ length: CLIENTS }, (_, c) => clientLoop(c));

    // Load first: every client has had answers, so the SIGTERM meets a full queue of work.
    await waitFor(() => sent.length >= 3 * CLIENTS, `${3 * CLIENTS} answers before the SIGTERM`, 60_000, 50);
    await sleep(200);
    sigtermAt = performance.now();
    srv.kill('SIGTERM');
    const code = await srv.exited;
    const shutdownMs = performance.now() - sigtermAt;
    await Promise.all(loops);

    const before = sent.filter((s) => s.startedAt < sigtermAt);
    const inFlightAtSigterm = before.filter((s) => s.endedAt >= sigtermAt);
    const after = sent.filter((s) => s.startedAt >= sigtermAt);
    const lostBefore = before.filter((s) => !complete(s));
    const answeredAfter = after.filter(complete);
    const refusedAfter = after.filter((s) => connectionFailure(s.outcome));
    const otherAfter = after.filter((s) => !complete(s) && !connectionFailure(s.outcome));

    // The database: every answered order exists whole; no order exists for a request that was not answered.
    const answeredOrders = sent.filter((s) => s.kind === 'order' && complete(s)).map((s) => s.key!);
    const unanswered = sent.filter((s) => s.kind === 'order' && !complete(s)).map((s) => s.key!);
    const stored = await sql<{ key: string; whole: boolean }[]>`
      select o.idempotency_key as key,
        exists (select 1 from fulfillment_orders fo where fo.order_id = o.id)
        and not exists (select 1 from order_lines l where l.order_id = o.id and l.allocated_quantity <> l.quantity) as whole
      from orders o where o.idempotency_key like ${`load-${run}-%`}`;
    const storedKeys = new Map(stored.map((r) => [r.key, r.whole]));
    const missing = answeredOrders.filter((k) => !storedKeys.has(k));
    const executedUnanswered = unanswered.filter((k) => storedKeys.has(k));
    const halfWritten = stored.filter((r) => !r.whole).map((r) => r.key);
    const [levels] = await sql<{ allocated: number; ordered: number }[]>`
      select (select sum(allocated)::int from inventory_levels il join product_variants v on v.id = il.variant_id where v.sku = ${sku}) as allocated,
        (select coalesce(sum(allocated_quantity), 0)::int from order_lines where sku = ${sku}) as ordered`;

    const lost = lostBefore.length + otherAfter.length + executedUnanswered.length + missing.length;
    figure(SCENARIO, 'clients', CLIENTS);
    figure(SCENARIO, 'requests before SIGTERM', before.length);
    figure(SCENARIO, 'in flight at SIGTERM', inFlightAtSigterm.length);
    figure(SCENARIO, 'completed (all)', sent.filter(complete).length);
    figure(SCENARIO, 'completed after SIGTERM (sent during the drain)', answeredAfter.length);
    figure(SCENARIO, 'refused after close (connection refused/closed, not executed)', refusedAfter.length);
    figure(SCENARIO, 'lost', lost);
    figure(SCENARIO, 'orders created', stored.length);
    figure(SCENARIO, 'shutdown duration', Math.round(shutdownMs), 'ms');
    figure(SCENARIO, 'grace period (SHUTDOWN_TIMEOUT_MS)', GRACE_MS, 'ms');

    const show = (xs: Sent[]) => xs.slice(0, 5).map((s) => ({ kind: s.kind, ...(s.outcome.ok ? { status: s.outcome.status, body: JSON.stringify(s.outcome.body).slice(0, 300) } : { error: s.outcome.code }) }));
    expect(show(lostBefore)).toEqual([]);
    expect(show(otherAfter)).toEqual([]);
    expect(executedUnanswered).toEqual([]);
    expect(missing).toEqual([]);
    expect(halfWritten).toEqual([]);
    expect(levels!.allocated).toBe(levels!.ordered);
    expect(stored.length).toBe(answeredOrders.length);
    // The scenario did what it says: real work in flight at the SIGTERM, and every client ended on a refusal.
    expect(inFlightAtSigterm.length).toBeGreaterThanOrEqual(CLIENTS / 2);
    expect(refusedAfter.length).toBe(CLIENTS);
    expect(code).toBe(0);
    expect(shutdownMs).toBeLessThan(GRACE_MS + 1_000 + 1_000);
    expect(srv.output()).not.toMatch(/grace period over/);
  });
});
