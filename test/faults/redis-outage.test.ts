/**
 * Redis (the suite's own) killed for 10 s under a steady stream of orders, against a server process
 * on PostgreSQL. Goes further than test/e2e/redis-outage.test.ts (sequential writes, in-process app):
 * 20 concurrent clients, every request bounded by a timeout, a graphql-ws subscriber of every order's
 * status changes checked against the orders' timelines read through the API, webhooks received over
 * HTTP, and the rate limits while Redis is away.
 *
 * What it holds the server to:
 * - every request during the outage succeeds, or fails with a code a client can act on (RATE_LIMITED
 *   with retryAfterSeconds is the only one allowed here); none hangs past REQUEST_TIMEOUT_MS;
 * - the subscriber sees every event of every committed order exactly once, in sequence order, after
 *   Redis is back (events wait in the outbox meanwhile). Its socket is not expected to close (Redis
 *   is not in the WebSocket's path); if it does, it reconnects and replays each order with
 *   afterSequence = the last sequence it saw, as a real client would;
 * - webhooks: every event arrives (0 lost). Delivery is at least once (the webhookSubscriptionCreate
 *   description: "deduplicate by X-Waybill-Event-Id"), so duplicates are counted, deduplicated by
 *   event id, and not failed on;
 * - rate limits degrade to per-instance in-memory limits of the same budget (server/plugins/
 *   rate-limit.ts): a PARTNER key over its budget is refused with RATE_LIMITED exactly at the
 *   budget, another key's ordinary traffic passes.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, stockedStore } from '../factories/stock.js';
import {
  factoryApp,
  figure,
  freshDatabase,
  gqlWithin,
  OwnRedis,
  requireServices,
  sleep,
  startServer,
  until,
  webhookReceiver,
  type Outcome,
  type ServerProcess,
  type WebhookReceiver,
} from './lib.js';

const SCENARIO = 'redis-outage';
const CLIENTS = 20;
const OUTAGE_MS = 10_000;
const REQUEST_TIMEOUT_MS = 10_000;
const CHANNEL = `faults-redis-${randomBytes(3).toString('hex')}`;
// The rate-limit probe's budget: a PARTNER key may make 40 requests a minute plus a burst of 10.
const PARTNER_PER_MIN = 40;
const BURST = 10;

const ORDER_CREATE = `mutation($input: OrderCreateInput!) { orderCreate(input: $input) { order { id number } userErrors { code message } } }`;
const ORDER_CANCEL = `mutation($input: OrderCancelInput!) { orderCancel(input: $input) { order { id status } userErrors { code message } } }`;
const ORDERS = `query($after: String, $channel: String) { orders(first: 100, after: $after, filter: { channel: $channel }) {
  pageInfo { hasNextPage endCursor } nodes { id number events { sequence status } } } }`;
const WATCH = `subscription($id: ID, $after: Int) { orderStatusChanged(orderId: $id, afterSequence: $after) { order { id number } event { sequence status } } }`;

type Watched = { orderStatusChanged: { order: { id: string; number: string }; event: { sequence: number; status: string } } };

describe('Redis outage under load', () => {
  const services = requireServices();
  let redis: OwnRedis;
  let db: { url: string; drop(): Promise<void> };
  let server: ServerProcess;
  let hooks: WebhookReceiver;
  const adminKey = `wb_live_${randomBytes(24).toString('base64url')}`;
  const clients: Client[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
    db = await freshDatabase(services.postgresUrl);
    hooks = await webhookReceiver();
    server = await startServer({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      ADMIN_API_KEY: adminKey,
      OUTBOX_POLL_MS: '100',
      WEBHOOK_POLL_MS: '200',
      RATE_LIMIT_PARTNER_PER_MIN: String(PARTNER_PER_MIN),
      RATE_LIMIT_BURST: String(BURST),
      RATE_LIMIT_KEY_PREFIX: `wb:rl:faults:${randomBytes(4).toString('hex')}`,
    });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.dispose()));
    // FAULTS_VERBOSE=<file>: the server's whole log goes there (to see why a run failed).
    if (process.env.FAULTS_VERBOSE) (await import('node:fs')).writeFileSync(process.env.FAULTS_VERBOSE, server?.output() ?? '');
    server?.kill();
    await server?.exited;
    await redis?.kill();
    await hooks?.close();
    await db?.drop();
  });

  const readyz = async () => (await fetch(`http://127.0.0.1:${server.port}/readyz`, { signal: AbortSignal.timeout(5000) })).status;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  async function partnerKey(name: string): Promise<string> {
    const r = await gqlWithin<{ apiKeyCreate: { secret: string } }>(
      server.url,
      'mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret userErrors { code } } }',
      { input: { name, kind: 'PARTNER', scopes: ['read_catalog'] } },
      as(adminKey),
      REQUEST_TIMEOUT_MS,
    );
    expect(r.code).toBe('OK');
    return r.data!.apiKeyCreate.secret;
  }

  /** Every order of this scenario with its timeline, read through the API. */
  async function ordersThroughApi(): Promise<Map<string, { number: string; events: { sequence: number; status: string }[] }>> {
    const all = new Map<string, { number: string; events: { sequence: number; status: string }[] }>();
    let after: string | null = null;
    for (;;) {
      type Page = { orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string; number: string; events: { sequence: number; status: string }[] }[] } };
      const r: Outcome<Page> = await gqlWithin<Page>(server.url, ORDERS, { after, channel: CHANNEL }, as(adminKey), 30_000);
      expect(r.code, JSON.stringify(r.errors)).toBe('OK');
      for (const n of r.data!.orders.nodes) all.set(n.id, { number: n.number, events: n.events });
      if (!r.data!.orders.pageInfo.hasNextPage) return all;
      after = r.data!.orders.pageInfo.endCursor;
    }
  }

  it('keeps taking orders, limits per instance, and delivers every event exactly once to the subscriber and at least once to webhooks', async () => {
    const skus = await stockedStore(factoryApp(server, adminKey), { msk: [20_000, 20_000], spb: [0, 0] });
    const hook = await gqlWithin<{ webhookSubscriptionCreate: { userErrors: unknown[] } }>(
      server.url,
      'mutation($input: WebhookSubscriptionCreateInput!) { webhookSubscriptionCreate(input: $input) { userErrors { code message } } }',
      { input: { topic: 'ORDER_STATUS_CHANGED', url: hooks.url } },
      as(adminKey),
      REQUEST_TIMEOUT_MS,
    );
    expect(hook.code).toBe('OK');
    expect(hook.data!.webhookSubscriptionCreate.userErrors).toEqual([]);
    const [limited, ordinary] = [await partnerKey('over its budget'), await partnerKey('ordinary traffic')];

    // The subscriber: every order's status changes over one socket, reconnecting for ever.
    const seen = new Map<string, { sequence: number; status: string }[]>(); // order id → events in arrival order
    let closes = 0;
    let replayed = 0;
    const replayedOrders = new Set<string>();
    // Live events are kept as they come (a duplicate from the server shows); once an order was
    // replayed after a reconnect, what the two streams both carry is merged by sequence, as a client would.
    const record = (e: Watched['orderStatusChanged'], replay = false) => {
      const mine = seen.get(e.order.id) ?? [];
      if (replay) replayedOrders.add(e.order.id);
      if ((replay || replayedOrders.has(e.order.id)) && mine.some((m) => m.sequence >= e.event.sequence)) return;
      seen.set(e.order.id, [...mine, e.event]);
    };
    const ws = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: as(adminKey),
      retryAttempts: Infinity,
      retryWait: async () => {
        await sleep(200);
      },
      shouldRetry: () => true,
      on: { closed: () => void closes++ },
    });
    clients.push(ws);
    // The documented end of a subscriber that fell too far behind (the outage's backlog arriving at
    // once): SUBSCRIPTION_OVERFLOW, retryable; the client then replays each order with afterSequence,
    // as after a socket close. Any other error fails the test.
    let subscriptionError: unknown;
    let overflowed = false;
    const isOverflow = (errors: unknown) => Array.isArray(errors) && errors.every((e: { extensions?: { code?: string; retryable?: boolean } }) => e.extensions?.code === 'SUBSCRIPTION_OVERFLOW' && e.extensions.retryable === true);
    ws.subscribe<Watched>({ query: WATCH }, {
      next: (v) => {
        if (v.data) record(v.data.orderStatusChanged);
        else if (isOverflow(v.errors)) overflowed = true;
        else subscriptionError = v.errors;
      },
      error: (e) => (isOverflow(e) ? (overflowed = true) : (subscriptionError = e)),
      complete: () => {},
    });
    await until('the subscription to be live', async () => {
      // An order placed now must reach the subscriber: then it listens.
      const r = await gqlWithin<{ orderCreate: { order: { id: string } } }>(server.url, ORDER_CREATE, { input: orderInput(skus, 'warmup') }, as(adminKey), REQUEST_TIMEOUT_MS);
      await sleep(300);
      return r.code === 'OK' && seen.has(r.data!.orderCreate.order.id);
    }, 15_000);
    expect(await readyz()).toBe(200);

    // The load: CLIENTS clients, each placing orders back to back and cancelling every third one.
    type Done = Outcome & { phase: 'before' | 'outage' | 'after'; op: string };
    const done: Done[] = [];
    let phase: Done['phase'] = 'before';
    let stop = false;
    const committed = new Map<string, number>(); // order id → events it has per the responses so far
    const load = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        const at = phase;
        const created = await gqlWithin<{ orderCreate: { order: { id: string } | null; userErrors: unknown[] } }>(
          server.url, ORDER_CREATE, { input: orderInput(skus, `${c}-${i}`) }, as(adminKey), REQUEST_TIMEOUT_MS);
        done.push({ ...created, phase: at, op: 'orderCreate' });
        const id = created.data?.orderCreate.order?.id;
        if (created.code !== 'OK' || !id) {
          await sleep(20);
          continue;
        }
        committed.set(id, 1);
        if (i % 3 === 0) {
          const cancelled = await gqlWithin(server.url, ORDER_CANCEL, { input: { id } }, as(adminKey), REQUEST_TIMEOUT_MS);
          done.push({ ...cancelled, phase: at, op: 'orderCancel' });
          if (cancelled.code === 'OK') committed.set(id, 2);
        }
        await sleep(20); // a steady stream, not a flood: the 2-core machine also runs the server and Redis
      }
    });

    await sleep(2000);
    // Given Redis goes away under load
    await redis.kill();
    phase = 'outage';
    const outageStarted = performance.now();
    await until('/readyz 503', async () => (await readyz()) === 503, 5000);

    // Then the rate limits hold per instance: exactly the budget passes, the rest is RATE_LIMITED…
    const probe = await Promise.all(Array.from({ length: PARTNER_PER_MIN + BURST + 20 }, () =>
      gqlWithin(server.url, '{ viewer { kind } }', {}, as(limited), REQUEST_TIMEOUT_MS)));
    const probeCodes = count(probe.map((o) => o.code));
    expect(probeCodes).toEqual({ OK: PARTNER_PER_MIN + BURST, RATE_LIMITED: 20 });
    for (const o of probe.filter((p) => p.code === 'RATE_LIMITED')) {
      expect(o.status).toBe(429);
      expect(o.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    }
    // …and another key's ordinary traffic passes.
    const others = await Promise.all(Array.from({ length: 10 }, () => gqlWithin(server.url, '{ viewer { kind } }', {}, as(ordinary), REQUEST_TIMEOUT_MS)));
    expect(count(others.map((o) => o.code))).toEqual({ OK: 10 });

    await sleep(Math.max(0, OUTAGE_MS - (performance.now() - outageStarted)));
    expect(await readyz()).toBe(503);
    // When Redis is back on the same port
    const beforeBack = new Map(committed);
    await redis.start();
    const back = performance.now();
    phase = 'after';
    const readyAfterMs = await until('/readyz 200', async () => (await readyz()) === 200, 15_000);
    // The load goes on for 2 s more, then stops.
    const stopped = sleep(2000).then(async () => {
      stop = true;
      await Promise.all(load);
    });
    // The events committed up to Redis's return reach the subscriber live, unless its subscription was
    // ended (SUBSCRIPTION_OVERFLOW when the backlog arrives, or a closed socket): then it replays below.
    const live = () => [...beforeBack].every(([id, n]) => (seen.get(id)?.length ?? 0) >= n);
    let caughtUpMs = await until('the subscriber to catch up or its subscription to end', () => overflowed || closes > 0 || live(), 45_000).then(
      () => (live() ? performance.now() - back : Number.NaN),
      () => Number.NaN,
    );
    const caughtUpBy = Number.isNaN(caughtUpMs) ? 'replay with afterSequence' : 'live';
    await stopped;

    // Every request answered in time; the only failures allowed are RATE_LIMITED (none expected for the STAFF key).
    const during = done.filter((d) => d.phase === 'outage');
    const failed = done.filter((d) => d.code !== 'OK');
    figure(SCENARIO, 'requests during outage', during.length);
    figure(SCENARIO, 'requests during outage succeeded', during.filter((d) => d.code === 'OK').length);
    figure(SCENARIO, 'requests failed (by code)', JSON.stringify(count(failed.map((d) => d.code))));
    figure(SCENARIO, 'max request latency during outage', Math.max(...during.map((d) => d.ms)), 'ms');
    figure(SCENARIO, 'rate-limit probe during outage (per-instance fallback)', JSON.stringify(probeCodes));
    expect(during.length).toBeGreaterThan(50);
    expect(failed.map((d) => `${d.phase} ${d.op}: ${d.code} ${JSON.stringify(d.errors ?? '')}`)).toEqual([]);

    // The subscriber: every event of every committed order, once, in order (checked against the API).
    const orders = await ordersThroughApi();
    const expected = (id: string) => orders.get(id)!.events.map((e) => `${e.sequence}:${e.status}`);
    const waitAll = () => [...orders.keys()].every((id) => (seen.get(id)?.length ?? 0) >= orders.get(id)!.events.length);
    await until('the subscriber to see every event', async () => {
      if (closes > 0 || overflowed) replayed += await replayGaps(orders, seen, record);
      return waitAll();
    }, 30_000).catch(() => {});
    if (Number.isNaN(caughtUpMs) && waitAll()) caughtUpMs = performance.now() - back;
    await sleep(500); // a duplicate would arrive right behind the last event
    let events = 0;
    let duplicates = 0;
    let lost = 0;
    const wrong: string[] = [];
    for (const [id, o] of orders) {
      const want = expected(id);
      const got = (seen.get(id) ?? []).map((e) => `${e.sequence}:${e.status}`);
      events += want.length;
      duplicates += got.length - new Set(got).size;
      lost += want.filter((w) => !got.includes(w)).length;
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${o.number}: got ${got.join(',')} want ${want.join(',')}`);
    }
    const seenCount = [...seen.values()].reduce((s, l) => s + l.length, 0);
    figure(SCENARIO, 'orders committed', orders.size);
    figure(SCENARIO, 'events', events);
    figure(SCENARIO, 'events seen by the subscriber', seenCount);
    figure(SCENARIO, 'subscriber duplicates', duplicates);
    figure(SCENARIO, 'subscriber lost', lost);
    figure(SCENARIO, 'subscriber socket closes / events replayed with afterSequence', `${closes} / ${replayed}`);
    figure(SCENARIO, 'subscription ended by SUBSCRIPTION_OVERFLOW (then replayed)', overflowed ? 'yes' : 'no');
    figure(SCENARIO, 'Redis back → /readyz 200', readyAfterMs, 'ms');
    figure(SCENARIO, 'Redis back → subscriber caught up', caughtUpMs, 'ms');
    figure(SCENARIO, 'subscriber caught up by', caughtUpBy);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(subscriptionError).toBeUndefined();
    expect(seen.size).toBe(orders.size); // no events of orders the API does not know
    expect(wrong).toEqual([]);
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    // Every committed order the clients were told about is in the API's list (nothing acknowledged was lost).
    for (const id of committed.keys()) expect(orders.has(id)).toBe(true);

    // Webhooks: every event at least once (deduplicated by event id; duplicates are allowed by the contract).
    const wanted = new Set([...orders.values()].flatMap((o) => o.events.map((e) => `${o.number}:${e.sequence}`)));
    const delivered = () => new Set(hooks.received.filter((r) => r.topic === 'ORDER_STATUS_CHANGED').map((r) => `${r.body.data.number}:${r.body.data.sequence}`));
    await until('every webhook', () => [...wanted].every((w) => delivered().has(w)), 30_000).catch(() => {});
    const received = hooks.received.filter((r) => r.topic === 'ORDER_STATUS_CHANGED');
    const byEvent = new Set(received.map((r) => r.eventId));
    const webhookLost = [...wanted].filter((w) => !delivered().has(w)).length;
    figure(SCENARIO, 'webhook deliveries (received / distinct events)', `${received.length} / ${byEvent.size}`);
    figure(SCENARIO, 'webhook duplicates (at least once, deduplicated by event id)', received.length - byEvent.size);
    figure(SCENARIO, 'webhook lost', webhookLost);
    expect(webhookLost).toBe(0);
    expect(byEvent.size).toBe(wanted.size); // one event id per order event, no stray ones
  });

  /**
   * After a socket close, replays each order whose timeline (per the API) is longer than what was
   * seen, with afterSequence = the last sequence seen; returns how many events the replays gave.
   */
  async function replayGaps(
    orders: Map<string, { events: unknown[] }>,
    seen: Map<string, { sequence: number }[]>,
    record: (e: Watched['orderStatusChanged'], replay: boolean) => void,
  ): Promise<number> {
    let n = 0;
    for (const [id, o] of orders) {
      const mine = seen.get(id) ?? [];
      if (mine.length >= o.events.length) continue;
      const last = mine.at(-1)?.sequence ?? 0;
      const ws = clients[0]!;
      await new Promise<void>((resolve) => {
        let got = 0;
        const stopWatching = ws.subscribe<Watched>({ query: WATCH, variables: { id, after: last } }, {
          next: (v) => {
            if (v.data) record(v.data.orderStatusChanged, true);
            n++;
            if (last + ++got >= o.events.length) {
              stopWatching();
              resolve();
            }
          },
          error: () => resolve(),
          complete: () => resolve(),
        });
        setTimeout(() => {
          stopWatching();
          resolve();
        }, 2000).unref();
      });
    }
    return n;
  }
});

function orderInput(skus: string[], key: string) {
  return {
    idempotencyKey: `${CHANNEL}-${key}`,
    channel: CHANNEL,
    currency: 'RUB',
    deliveryType: 'COURIER',
    customer: { email: `redis-outage-${key.split('-')[0]}@example.ru`, name: 'Анна', locale: 'ru' },
    shippingAddress: address(),
    lines: [{ sku: skus[Number(key.split('-')[1] ?? 0) % skus.length]!, quantity: 1 }],
  };
}

function count(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
