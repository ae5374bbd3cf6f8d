/**
 * kill -9 of one of two instances mid-burst: instances A and B on one PostgreSQL database and one
 * Redis; a webhook receiver (an HTTP server in this test) subscribed to ORDER_CREATED and
 * ORDER_STATUS_CHANGED, and a graphql-ws subscriber of orderStatusChanged (every order) on B;
 * a burst of orderCreate (idempotency keys) round robin to both; SIGKILL of A mid-burst. A client
 * retries what A did not answer on B with the same key (the contract's idempotency).
 *
 * Afterwards:
 * - every committed order has its events in the outbox, and every outbox row is handled (the
 *   durable webhook fan-out ran, exactly once per event: one delivery row per subscription and
 *   event id, a unique index) and published (pub/sub): B's relay replays what A left, since rows
 *   are claimed `FOR UPDATE SKIP LOCKED` in a transaction that dies with A's connection;
 * - every delivery SUCCEEDED and the receiver got every event id of those topics at least once.
 *   Delivery is at least once, deduplicated by id: a delivery A had claimed (a lease on the row)
 *   and maybe POSTed before dying is sent again by B once the lease expires (WEBHOOK_TIMEOUT_MS +
 *   30 s), so the receiver may see an event id twice, never a different body under it; receivers
 *   deduplicate by the X-Waybill-Event-Id header (the contract: "At least once");
 * - the subscriber on B saw the ALLOCATED event of every committed order (A's included);
 * - no reservation is stuck: per warehouse and variant, the level's allocation equals the units
 *   of the open fulfillment lines of existing orders, and the order lines' allocations sum to the
 *   same; one order per idempotency key.
 */
import { createClient } from 'graphql-ws';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { address } from '../factories/stock.js';
import { WebhookSubscriptionCreateDocument } from '../generated/graphql.js';
import {
  apiClient,
  createWarehouses,
  figure,
  freshDatabase,
  KeepAliveClient,
  newAdminKey,
  OwnRedis,
  requireServices,
  startServer,
  stockOneSku,
  waitFor,
  webhookReceiver,
  type GqlBody,
  type ServerProcess,
  type WebhookReceiver,
} from './lib.js';

const SCENARIO = 'crash of one instance';
const ORDERS = 400;
const CONCURRENCY = 40;
/** A is killed once this many orders were answered (by either instance). */
const KILL_AFTER = 100;
const WEBHOOK_TIMEOUT_MS = 2_000;

const ORDER_CREATE = `mutation CrashOrder($input: OrderCreateInput!) {
  orderCreate(input: $input) { order { id number status } userErrors { code message } }
}`;
type OrderCreateResult = { orderCreate: { order: { id: string; number: string; status: string } | null; userErrors: { code: string }[] } };

describe('kill -9 of one of two instances mid-burst', () => {
  const { postgresUrl } = requireServices();
  const key = newAdminKey();
  const client = new KeepAliveClient();
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let redis: OwnRedis;
  let a: ServerProcess;
  let b: ServerProcess;
  let sql: postgres.Sql;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    db = await freshDatabase(postgresUrl);
    redis = await OwnRedis.start();
    receiver = await webhookReceiver();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      ADMIN_API_KEY: key,
      NODE_ENV: 'production',
      EXPLORER: 'false',
      // The receiver is on loopback; the lease of a claimed delivery is this timeout + 30 s.
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
      WEBHOOK_BACKOFF_BASE_MS: '500',
      WEBHOOK_POLL_MS: '250',
      OUTBOX_POLL_MS: '250',
    };
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
  });

  afterAll(async () => {
    client.close();
    for (const s of [a, b]) s?.kill();
    await Promise.all([a, b].map((s) => s?.exited));
    await sql?.end();
    await receiver?.close();
    await redis?.kill();
    await db?.drop();
  });

  it('loses no committed event, replays the dead instance\'s outbox on the survivor, and leaves no stuck reservation', async () => {
    const apiB = apiClient(b.url, key);
    await createWarehouses(apiB, [
      { code: 'CMSK', city: 'Москва', location: { lat: 55.7558, lng: 37.6173 } },
      { code: 'CSPB', city: 'Санкт-Петербург', location: { lat: 59.9343, lng: 30.3351 } },
    ]);
    const sku = await stockOneSku(apiB, { CMSK: 400, CSPB: 100_000 });
    for (const topic of ['ORDER_CREATED', 'ORDER_STATUS_CHANGED'] as const) {
      const r = await apiB.admin(WebhookSubscriptionCreateDocument, { input: { topic, url: receiver.url } });
      expect(r.webhookSubscriptionCreate.userErrors).toEqual([]);
    }

    // The subscriber on the survivor: order numbers whose ALLOCATED event (sequence 1) arrived.
    const allocatedSeen = new Set<string>();
    const ws = createClient({ url: b.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0 });
    let subscribed!: () => void;
    const ready = new Promise<void>((r) => (subscribed = r));
    ws.on('connected', () => subscribed());
    const unsubscribe = ws.subscribe<{ orderStatusChanged: { event: { sequence: number; status: string }; order: { number: string } } }>(
      { query: 'subscription { orderStatusChanged { event { sequence status } order { number } } }' },
      {
        next: (m) => {
          const e = m.data?.orderStatusChanged;
          if (e && e.event.sequence === 1 && e.event.status === 'ALLOCATED') allocatedSeen.add(e.order.number);
        },
        error: () => {},
        complete: () => {},
      },
    );
    await ready;

    const run = Date.now().toString(36);
    const input = (i: number) => ({
      idempotencyKey: `crash-${run}-${i}`,
      channel: 'web',
      currency: 'RUB',
      deliveryType: 'COURIER',
      customer: { email: `crash-${i % 50}@example.com` },
      shippingAddress: address(),
      lines: [{ sku, quantity: 1 + (i % 3) }],
    });
    const allocated = (body: unknown) => (body as GqlBody<OrderCreateResult>).data?.orderCreate.order?.status === 'ALLOCATED';

    let answered = 0;
    /** Order numbers A answered. */
    const answeredByA: string[] = [];
    let killedAt = 0;
    const unansweredByA: number[] = [];
    const failedOnB: unknown[] = [];
    // What the dead instance may have left: outbox rows not yet handled or published, deliveries claimed (leased) and not recorded.
    let leftAtKill: string[] = [];
    let leasedAtKill = 0;
    const killA = async () => {
      killedAt = performance.now();
      a.kill('SIGKILL');
      await a.exited;
      leftAtKill = (await sql<{ id: string }[]>`select id::text from outbox where handled_at is null or published_at is null`).map((r) => r.id);
      leasedAtKill = (await sql<{ n: number }[]>`select count(*)::int as n from webhook_deliveries where status = 'PENDING' and next_attempt_at > now() + interval '5 seconds'`)[0]!.n;
    };
    let killing: Promise<void> | null = null;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < ORDERS; i = next++) {
        const target = i % 2 === 0 ? a : b;
        const o = await client.gql(target.url, ORDER_CREATE, { input: input(i) }, key);
        if (o.ok && o.status === 200 && allocated(o.body)) {
          answered++;
          if (target === a) answeredByA.push((o.body as GqlBody<OrderCreateResult>).data!.orderCreate.order!.number);
        } else if (target === a) unansweredByA.push(i);
        else failedOnB.push(o.ok ? o.body : o.code);
        if (answered >= KILL_AFTER && !killing) killing = killA();
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await killing;
    const burstMs = performance.now() - started;
    expect(failedOnB).toEqual([]);
    expect(killedAt).toBeGreaterThan(0);

    // A committed some of what it did not answer before it died: those orders exist already.
    const committedUnanswered = new Set(
      (await sql<{ key: string }[]>`select idempotency_key as key from orders where idempotency_key = any(${unansweredByA.map((i) => `crash-${run}-${i}`)}::text[])`).map((r) => r.key),
    );
    // The client retries on the survivor what A did not answer, with the same keys.
    const retried = await Promise.all(unansweredByA.map((i) => client.gql(b.url, ORDER_CREATE, { input: input(i) }, key)));
    expect(retried.filter((o) => !(o.ok && o.status === 200 && allocated(o.body))).map((o) => (o.ok ? o.body : o.code))).toEqual([]);

    // Replay: every outbox row handled and published, every delivery done, every event received, every ALLOCATED seen.
    const pendingOutbox = async () =>
      (await sql<{ n: number }[]>`select count(*)::int as n from outbox where handled_at is null or published_at is null`)[0]!.n;
    await waitFor(
      async () => (await sql<{ n: number }[]>`select count(*)::int as n from outbox where id = any(${leftAtKill}::uuid[]) and (handled_at is null or published_at is null)`)[0]!.n === 0,
      'the rows pending at the kill to be handled and published',
      40_000,
      50,
    );
    const outboxReplayMs = performance.now() - killedAt;
    await waitFor(async () => (await pendingOutbox()) === 0, 'the outbox to be handled and published', 40_000, 100);
    await waitFor(
      async () => (await sql<{ n: number }[]>`select count(*)::int as n from webhook_deliveries where status <> 'SUCCEEDED'`)[0]!.n === 0,
      'every webhook delivery to succeed',
      WEBHOOK_TIMEOUT_MS + 30_000 + 15_000,
      250,
    );
    const replayMs = performance.now() - killedAt;

    const orders = await sql<{ id: string; number: string; key: string }[]>`select id::text, number, idempotency_key as key from orders`;
    const events = await sql<{ id: string; topic: string; order_id: string }[]>`
      select id::text, topic, payload->>'orderId' as order_id from outbox where topic in ('order.created', 'order.status_changed')`;
    const deliveries = await sql<{ event_id: string; n: number }[]>`select event_id::text, count(*)::int as n from webhook_deliveries group by event_id`;
    await waitFor(() => allocatedSeen.size >= orders.length, 'the subscriber to see every order allocated', 10_000, 100).catch(() => 0);
    unsubscribe();
    await ws.dispose();

    // Every committed order: its order.created and its first status change in the outbox.
    const topicsOf = new Map<string, Set<string>>();
    for (const e of events) topicsOf.set(e.order_id, (topicsOf.get(e.order_id) ?? new Set()).add(e.topic));
    const withoutEvents = orders.filter((o) => !(topicsOf.get(o.id)?.has('order.created') && topicsOf.get(o.id)?.has('order.status_changed')));
    // Every such event: one delivery per subscription (2 subscriptions, one per topic: one delivery each), received.
    const deliveryCount = new Map(deliveries.map((d) => [d.event_id, d.n]));
    const notQueued = events.filter((e) => deliveryCount.get(e.id) !== 1);
    // What the receiver got, by event id (bodies kept to compare repeats).
    const received = new Map<string, string[]>();
    for (const r of receiver.received) received.set(r.eventId, [...(received.get(r.eventId) ?? []), JSON.stringify(r.body)]);
    const notReceived = events.filter((e) => !received.has(e.id));
    const unknownReceived = [...received.keys()].filter((id) => !events.some((e) => e.id === id));
    const repeated = [...received.entries()].filter(([, bodies]) => bodies.length > 1);
    const repeatsWithOtherBody = repeated.filter(([, bodies]) => new Set(bodies).size > 1);
    // The rows pending at the kill that belong to orders A committed: what only the survivor could publish.
    const ordersOfA = new Set(orders.filter((o) => answeredByA.includes(o.number) || committedUnanswered.has(o.key)).map((o) => o.id));
    const pendingAtKill = new Set(leftAtKill);
    const replayedForA = events.filter((e) => pendingAtKill.has(e.id) && ordersOfA.has(e.order_id)).length;
    const notSeenBySubscriber = orders.filter((o) => !allocatedSeen.has(o.number));

    // No stuck reservation.
    const stuck = await sql<{ warehouse_id: string; variant_id: string; allocated: number; open: number }[]>`
      select il.warehouse_id::text, il.variant_id::text, il.allocated,
        coalesce((select sum(fl.quantity) from fulfillment_lines fl join fulfillment_orders fo on fo.id = fl.fulfillment_order_id
          where fo.warehouse_id = il.warehouse_id and fl.variant_id = il.variant_id and fo.status not in ('CANCELLED', 'SHIPPED')), 0)::int as open
      from inventory_levels il`;
    const [totals] = await sql<{ levels: number; lines: number }[]>`
      select (select coalesce(sum(allocated), 0)::int from inventory_levels) as levels,
        (select coalesce(sum(allocated_quantity - shipped_quantity), 0)::int from order_lines) as lines`;

    figure(SCENARIO, 'orders sent', ORDERS);
    figure(SCENARIO, 'burst', Math.round(burstMs), 'ms');
    figure(SCENARIO, 'unanswered by the killed instance (retried on the survivor)', unansweredByA.length);
    figure(SCENARIO, 'orders committed', orders.length);
    figure(SCENARIO, 'orders A committed but did not answer', committedUnanswered.size);
    figure(SCENARIO, 'order events (created + status changed)', events.length);
    figure(SCENARIO, 'events delivered (distinct ids at the receiver)', received.size);
    figure(SCENARIO, 'deliveries repeated after a lease (at least once)', repeated.length);
    figure(SCENARIO, 'lost events', withoutEvents.length + notQueued.length + notReceived.length + notSeenBySubscriber.length);
    figure(SCENARIO, 'stuck reservations', stuck.filter((s) => s.allocated !== s.open).length);
    figure(SCENARIO, 'outbox rows pending at the kill', leftAtKill.length);
    figure(SCENARIO, 'order events of the killed instance replayed by the survivor', replayedForA);
    figure(SCENARIO, 'deliveries leased at the kill', leasedAtKill);
    figure(SCENARIO, 'time to replay the rows pending at the kill (from the kill)', Math.round(outboxReplayMs), 'ms');
    figure(SCENARIO, 'time until every webhook delivered (from the kill)', Math.round(replayMs), 'ms');

    expect(orders.length).toBe(new Set(orders.map((o) => o.key)).size);
    expect(orders.length).toBe(ORDERS);
    // The scenario did what it says: the survivor had events of the dead instance's orders to replay.
    expect(replayedForA).toBeGreaterThan(0);
    expect(withoutEvents).toEqual([]);
    expect(notQueued).toEqual([]);
    expect(notReceived).toEqual([]);
    expect(unknownReceived).toEqual([]);
    expect(repeatsWithOtherBody).toEqual([]);
    expect(notSeenBySubscriber.map((o) => o.number)).toEqual([]);
    expect(stuck.filter((s) => s.allocated !== s.open)).toEqual([]);
    expect(totals!.levels).toBe(totals!.lines);
    expect(await pendingOutbox()).toBe(0);
  });
});
