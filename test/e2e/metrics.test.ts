/**
 * GET /metrics (Prometheus): the bearer token, the exposition format (parsed strictly), and the
 * families moving with what the server does: GraphQL operations on Apollo and on the fast path,
 * with bounded labels and their outcome; rate-limit refusals; WebSocket subscribers; the pool; the
 * outbox backlog and the relay lag. With WORKERS=2 (PostgreSQL + Redis) the counters of both workers
 * add up, whichever worker the scrape lands on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startCluster } from '../factories/cluster.js';
import { collect, realPostgresUrl, realRedisUrl, startApp, type TestApp } from '../harness.js';
import { parsePrometheusText, sampleValue, type Family } from '../prometheus-text.js';

const TOKEN = 'metrics-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scrape(base: string, token: string | null = TOKEN) {
  const res = await fetch(`${base}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { res, text: await res.text() };
}

async function families(base: string): Promise<Map<string, Family>> {
  const { res, text } = await scrape(base);
  expect(res.status, text).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(text);
}

async function post(url: string, query: string, opts: { token?: string | null; operationName?: string } = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    body: JSON.stringify({ query, operationName: opts.operationName }),
  });
  return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] } };
}

const OPS = 'waybill_graphql_operations_total';
const ops = (f: Map<string, Family>, labels: Record<string, string>) => sampleValue(f, OPS, OPS, labels);

describe('GET /metrics', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    // Anonymous callers: 2 a minute plus a burst of 1, so the fourth request of the test is refused.
    t = await startApp({ env: { METRICS_TOKEN: TOKEN, RATE_LIMIT_ANON_PER_MIN: '2' } });
    base = new URL(t.url).origin;
  });
  afterAll(() => t?.close());

  it('refuses a missing token with a Bearer challenge and a wrong one with 401', async () => {
    const none = await scrape(base, null);
    expect(none.res.status).toBe(401);
    expect(none.res.headers.get('www-authenticate')).toMatch(/^Bearer realm="metrics"/);
    expect(none.text).not.toContain('waybill_');
    const wrong = await scrape(base, 'metrics-token-0123456780');
    expect(wrong.res.status).toBe(401);
    expect(wrong.res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(wrong.text).not.toContain('waybill_');
    // The GraphQL API key is not the metrics token.
    expect((await scrape(base, t.adminKey)).res.status).toBe(401);
  });

  it('serves the default Node metrics and every Waybill family in the exposition format', async () => {
    const f = await families(base);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(f.has(name), name).toBe(true);
    }
    const expected: Record<string, Family['type']> = {
      waybill_graphql_operations_total: 'counter',
      waybill_graphql_operation_duration_seconds: 'histogram',
      waybill_rate_limit_rejections_total: 'counter',
      waybill_delivery_failures_total: 'counter',
      waybill_db_pool_size: 'gauge',
      waybill_db_pool_in_use: 'gauge',
      waybill_db_pool_waiting: 'gauge',
      waybill_websocket_connections: 'gauge',
      waybill_websocket_subscriptions: 'gauge',
      waybill_outbox_unpublished_events: 'gauge',
      waybill_outbox_unhandled_events: 'gauge',
      waybill_outbox_relay_lag_seconds: 'gauge',
      waybill_outbox_unhandled_lag_seconds: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      expect(f.get(name)?.type, name).toBe(type);
      expect(f.get(name)!.help.length, name).toBeGreaterThan(10);
    }
    // Failures of both queues are exported from the start (at 0), so alerts on their rate have a series.
    for (const queue of ['webhook', 'notification']) {
      for (const kind of ['attempt', 'final', 'dropped']) {
        const s = f.get('waybill_delivery_failures_total')!.samples.find((x) => x.labels.queue === queue && x.labels.kind === kind);
        expect(s?.value, `${queue} ${kind}`).toBe(0);
      }
    }
    expect(sampleValue(f, 'waybill_db_pool_size', 'waybill_db_pool_size')).toBe(t.app.database.kind === 'pglite' ? 1 : t.app.config.DB_POOL_SIZE);
  });

  it('counts GraphQL operations on Apollo and on the fast path by name, type and outcome', async () => {
    const before = await families(base);
    const hits = t.app.fastPath.stats.hits;
    const probe = 'query MetricsProbe { viewer { kind } }';
    // The first request goes through Apollo (which stores the document), the next two take the fast path.
    for (let i = 0; i < 3; i++) expect((await post(t.url, probe, { token: t.adminKey })).status).toBe(200);
    expect(t.app.fastPath.stats.hits - hits).toBe(2);
    // A mutation answering userErrors (an invalid URL), a document that does not validate, an anonymous query.
    const bad = await post(t.url, 'mutation MetricsBadHook { webhookSubscriptionCreate(input: { topic: ORDER_CREATED, url: "not a url" }) { userErrors { code } } }', { token: t.adminKey });
    expect((bad.body.data!.webhookSubscriptionCreate as { userErrors: unknown[] }).userErrors.length).toBeGreaterThan(0);
    expect((await post(t.url, 'query MetricsBroken { noSuchField }', { token: t.adminKey })).status).toBe(400);
    expect((await post(t.url, '{ viewer { kind } }', { token: t.adminKey })).status).toBe(200);

    const after = await families(base);
    const delta = (labels: Record<string, string>) => ops(after, labels) - ops(before, labels);
    expect(delta({ operation: 'MetricsProbe', type: 'query', outcome: 'ok' })).toBe(3);
    expect(delta({ operation: 'MetricsBadHook', type: 'mutation', outcome: 'user_error' })).toBe(1);
    // A document that does not validate has no operation: its client-chosen name is not a label value.
    expect(delta({ operation: 'invalid', type: 'none', outcome: 'error' })).toBe(1);
    expect(after.get(OPS)!.samples.some((s) => s.labels.operation === 'MetricsBroken')).toBe(false);
    expect(delta({ operation: 'anonymous', type: 'query', outcome: 'ok' })).toBe(1);
    // The histogram saw the same operations, and its buckets are cumulative up to +Inf = count.
    const H = 'waybill_graphql_operation_duration_seconds';
    const labels = { operation: 'MetricsProbe', type: 'query', outcome: 'ok' };
    expect(sampleValue(after, H, `${H}_count`, labels) - sampleValue(before, H, `${H}_count`, labels)).toBe(3);
    expect(sampleValue(after, H, `${H}_bucket`, { ...labels, le: '+Inf' })).toBe(sampleValue(after, H, `${H}_count`, labels));
    expect(sampleValue(after, H, `${H}_sum`, labels)).toBeGreaterThan(0);
  });

  it('bounds the operation label: names past the limit count as "other"', async () => {
    const { MAX_OPERATION_NAMES } = await import('../../src/server/metrics.js');
    const before = await families(base);
    // More distinct names than the limit, in one document each (the staff key is not rate limited).
    for (let i = 0; i < MAX_OPERATION_NAMES + 5; i++) await post(t.url, `query MetricsName${i} { viewer { kind } }`, { token: t.adminKey });
    const after = await families(base);
    const names = new Set(after.get(OPS)!.samples.map((s) => s.labels.operation));
    const own = [...names].filter((n) => !['other', 'anonymous', 'invalid'].includes(n!));
    expect(own.length).toBeLessThanOrEqual(MAX_OPERATION_NAMES);
    expect(ops(after, { operation: 'other', outcome: 'ok' }) - ops(before, { operation: 'other', outcome: 'ok' })).toBeGreaterThanOrEqual(5);
    // Names seen before the set filled up keep their own series.
    expect(names.has('MetricsProbe')).toBe(true);
  });

  it('counts rate-limit refusals by budget', async () => {
    const before = sampleValue(await families(base), 'waybill_rate_limit_rejections_total', 'waybill_rate_limit_rejections_total', { budget: 'anon' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(t.url, '{ viewer { kind } }')).status);
    const refused = statuses.filter((s) => s === 429).length;
    expect(refused).toBeGreaterThanOrEqual(1);
    const after = sampleValue(await families(base), 'waybill_rate_limit_rejections_total', 'waybill_rate_limit_rejections_total', { budget: 'anon' });
    expect(after - before).toBe(refused);
  });

  it('shows active WebSocket subscribers while they listen', async () => {
    const gauge = async () => {
      const f = await families(base);
      return [sampleValue(f, 'waybill_websocket_connections', 'waybill_websocket_connections'), sampleValue(f, 'waybill_websocket_subscriptions', 'waybill_websocket_subscriptions')];
    };
    expect(await gauge()).toEqual([0, 0]);
    const client = t.ws();
    const subs = [collect(client, 'subscription { inventoryLevelChanged { occurredAt } }'), collect(client, 'subscription { inventoryLevelChanged(sku: "X") { occurredAt } }')];
    let now = await gauge();
    for (let i = 0; i < 40 && now[1] !== 2; i++) now = (await sleep(50), await gauge());
    expect(now).toEqual([1, 2]);
    subs[0]!.dispose();
    for (let i = 0; i < 40 && now[1] !== 1; i++) now = (await sleep(50), await gauge());
    expect(now).toEqual([1, 1]);
    await client.dispose();
    for (let i = 0; i < 40 && now[0] !== 0; i++) now = (await sleep(50), await gauge());
    expect(now).toEqual([0, 0]);
  });

  it('shows a connection in use while a transaction holds it', async () => {
    const inUse = async () => sampleValue(await families(base), 'waybill_db_pool_in_use', 'waybill_db_pool_in_use');
    let seen = -1;
    await t.app.database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      // On PGlite the scrape's own outbox query waits for this transaction: read the gauge meanwhile.
      const scraped = inUse();
      await sleep(300);
      void scraped.then((v) => (seen = v));
    });
    for (let i = 0; i < 40 && seen < 0; i++) await sleep(50);
    expect(seen).toBeGreaterThanOrEqual(1);
  });

  it('shows the outbox backlog and the relay lag while the relay is stopped', async () => {
    await t.app.relay.stop();
    await t.app.database.rows(sql`insert into outbox (id, topic, payload, created_at) values (gen_random_uuid(), 'METRICS_TEST', '{}'::jsonb, now() - interval '42 seconds')`);
    await sleep(1100); // past the per-scrape cache of the backlog query
    const f = await families(base);
    expect(sampleValue(f, 'waybill_outbox_unpublished_events', 'waybill_outbox_unpublished_events')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(f, 'waybill_outbox_unhandled_events', 'waybill_outbox_unhandled_events')).toBeGreaterThanOrEqual(1);
    const lag = sampleValue(f, 'waybill_outbox_relay_lag_seconds', 'waybill_outbox_relay_lag_seconds');
    expect(lag).toBeGreaterThanOrEqual(42);
    expect(lag).toBeLessThan(120);
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  it('is open', async () => {
    const t = await startApp();
    try {
      const res = await fetch(`${new URL(t.url).origin}/metrics`);
      expect(res.status).toBe(200);
      expect(parsePrometheusText(await res.text()).has(OPS)).toBe(true);
    } finally {
      await t.close();
    }
  });
});

// WORKERS > 1 needs PostgreSQL and Redis (config.ts refuses it on PGlite, whose database belongs to
// one process); CI's PostgreSQL phase sets both, and harness.ts points at them under CI.
describe.skipIf(!realPostgresUrl || !realRedisUrl)('GET /metrics with WORKERS=2', () => {
  it('answers the sum over both workers, on whichever worker the scrape lands', async () => {
    const server = await startCluster({ METRICS_TOKEN: TOKEN });
    const { child, url, exited } = server;
    try {
      const origin = new URL(url).origin;
      const ask = async (query: string) => {
        // A new connection per request: the primary hands connections to the workers in turn.
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ query }) });
        return res.status;
      };
      const count = (f: Map<string, Family>) => ops(f, { operation: 'ClusterProbe', type: 'query', outcome: 'ok' });
      expect(count(await families(origin))).toBe(0);
      const n = 10;
      for (let i = 0; i < n; i++) expect(await ask('query ClusterProbe { viewer { kind } }')).toBe(200);
      // Every scrape (on either worker) sees all n, and both workers' processes are in the sums.
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${TOKEN}`, connection: 'close' } });
        expect(res.status).toBe(200);
        const f = parsePrometheusText(await res.text());
        expect(count(f)).toBe(n);
        expect(sampleValue(f, 'waybill_db_pool_size', 'waybill_db_pool_size')).toBe(2 * 10);
      }
      expect((await fetch(`${origin}/metrics`, { headers: { connection: 'close' } })).status).toBe(401);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await server.close();
    }
  }, 120_000);
});
