/**
 * Subscriber fan-out on one server process (PostgreSQL, its own redis-server): 10,000 graphql-ws
 * subscribers of the ops dashboard's feed (orderStatusChanged, one staff key) get each order event
 * within p99 < 500 ms of the mutation's response, an idle subscriber costs the server < 64 KiB, and a
 * client that stops reading is closed with 1013 ("slow consumer: …") once WS_MAX_BUFFERED_BYTES of
 * output waits for it, while the others keep getting every event in time.
 *
 * The server is a child process and the clients live in this one, so each side holds ~10,000 sockets
 * (the soft open-file limit is raised to the hard one). docs/benchmarks.md, "Subscriber fan-out".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  cancelOrder,
  Fleet,
  makeOrders,
  measureFanout,
  metric,
  OPS_FEED,
  pct,
  raiseFileLimit,
  startFanoutServer,
  waitFor,
  type FanoutServer,
} from '../../scripts/lib/fanout.js';
import { figure, freshDatabase, OwnRedis, requireServices } from './lib.js';

const SUBSCRIBERS = 10_000;
const MAX_BUFFERED = 256 * 1024;
const KiB = 1024;

describe('subscriber fan-out', () => {
  const services = requireServices();
  let redis: OwnRedis;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let server: FanoutServer;

  beforeAll(async () => {
    expect(raiseFileLimit(SUBSCRIBERS + 1000)).toBeGreaterThanOrEqual(SUBSCRIBERS + 200);
    redis = await OwnRedis.start();
    db = await freshDatabase(services.postgresUrl);
    server = await startFanoutServer({ DATABASE_URL: db.url, REDIS_URL: redis.url, WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED) });
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.kill();
    await db?.drop();
  });

  it(`${SUBSCRIBERS} subscribers: every event reaches all of them with p99 < 500 ms; < 64 KiB per idle subscriber`, async () => {
    const { figures: f, fleet } = await measureFanout(server, { subscribers: SUBSCRIBERS, events: 8 });
    await fleet.close();
    figure('fanout', 'subscribers', f.subscribers);
    figure('fanout', 'connect and subscribe', f.connectMs / 1000, 's');
    figure('fanout', 'idle RSS per subscriber', f.rssPerSubscriberBytes / KiB, 'KiB');
    figure('fanout', 'idle V8 heap per subscriber', f.heapPerSubscriberBytes / KiB, 'KiB');
    figure('fanout', 'first event at all subscribers', f.firstEventMaxMs, 'ms');
    figure('fanout', 'delivery p50', f.p50Ms, 'ms');
    figure('fanout', 'delivery p99', f.p99Ms, 'ms');
    figure('fanout', 'delivery max', f.maxMs, 'ms');
    figure('fanout', 'server CPU per event', f.serverCpuMsPerEvent, 'ms');
    expect(fleet.errors).toEqual([]);
    expect(f.missing).toBe(0);
    expect(f.deliveries).toBe(SUBSCRIBERS * f.events);
    expect(f.rssPerSubscriberBytes).toBeLessThan(64 * KiB);
    expect(f.p99Ms).toBeLessThan(500);
    expect(f.firstEventMaxMs).toBeLessThan(2000);
  });

  it('a client that stops reading is closed with 1013 once its buffer exceeds the bound; the others get every event in time', async () => {
    await waitFor('the previous fleet gone', async () => (await metric(server.url, 'waybill_websocket_connections')) === 0, 30_000, 250);
    // Big messages, many subscriptions per slow socket: the kernel's socket buffers (MiBs on loopback)
    // fill first, then ws's buffer grows past the bound.
    const BIG = `subscription Big { orderStatusChanged { order { id number status channel createdAt customer { email } shippingAddress { line1 city postalCode countryCode }
      lines { sku quantity unitPrice { amountMinor currency } } events { sequence status previousStatus occurredAt } } event { sequence status previousStatus occurredAt } } }`;
    const EVENTS = 60;
    const orders = await makeOrders(server.url, EVENTS);
    const healthy = await Fleet.connect({ url: server.wsUrl, key: ADMIN_KEY, query: OPS_FEED, count: 200 });
    const slow = await Fleet.connect({ url: server.wsUrl, key: ADMIN_KEY, query: BIG, count: 3, perSocket: 100 });
    await waitFor('all subscriptions live', async () => (await metric(server.url, 'waybill_websocket_subscriptions')) === 200 + 300, 30_000, 100);
    for (const ws of slow.sockets) ws.pause();

    const answered = new Map<string, number>();
    const latencies: number[] = [];
    const got = new Map<string, number>();
    healthy.onNext = (d) => {
      got.set(d.orderId, (got.get(d.orderId) ?? 0) + 1);
      const t = answered.get(d.orderId);
      if (t !== undefined) latencies.push(Math.max(0, d.at - t));
    };
    for (const id of orders) answered.set(id, await cancelOrder(server.url, id));
    await waitFor('every event at every healthy subscriber', () => orders.every((id) => got.get(id) === 200), 30_000, 20);
    await waitFor('the slow consumers closed by the server', async () => (await metric(server.url, 'waybill_websocket_slow_consumer_closes_total')) >= 3, 30_000, 100);

    // Reading again, a slow client drains what was sent before the close, then sees the close frame.
    for (const ws of slow.sockets) ws.resume();
    await waitFor('the slow clients closed', () => slow.closed.size === 3, 30_000, 50);
    latencies.sort((a, b) => a - b);
    figure('fanout slow consumers', 'events flooded', EVENTS);
    figure('fanout slow consumers', 'healthy subscribers', 200);
    figure('fanout slow consumers', 'healthy delivery p99', pct(latencies, 99), 'ms');
    figure('fanout slow consumers', 'slow sockets closed with 1013', [...slow.closed.values()].filter((c) => c.code === 1013).length);
    expect(healthy.errors).toEqual([]);
    expect(healthy.closed.size).toBe(0);
    expect(pct(latencies, 99)).toBeLessThan(500);
    for (const c of slow.closed.values()) {
      expect(c.code).toBe(1013);
      expect(c.reason).toBe(`slow consumer: more than ${MAX_BUFFERED} bytes waiting to be sent`);
    }
    expect(await metric(server.url, 'waybill_websocket_slow_consumer_closes_total')).toBe(3);
    await healthy.close();
  });
});
