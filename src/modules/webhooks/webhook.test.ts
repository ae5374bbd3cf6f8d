/** Webhooks through GraphQL over real HTTP, delivered to a real local HTTP receiver; plus the pure parts (backoff, URL checks). */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import {
  ApiKeyCreateDocument,
  ApiKeyRevokeDocument,
  BinLocationsCreateDocument,
  InventoryReceiveDocument,
  ProductCreateDocument,
  WarehouseCreateDocument,
  WebhookDeliveriesDocument,
  WebhookSubscriptionCreateDocument,
  WebhookSubscriptionDeleteDocument,
  WebhookSubscriptionsDocument,
  ZoneCreateDocument,
  type WebhookTopic,
} from '../../../test/generated/graphql.js';
import { productInput } from '../../../test/factories/catalog.js';
import { addressInput } from '../../../test/factories/warehouse.js';
import { freshPostgresDatabase, realPostgresUrl, settle, startApp, type TestApp } from '../../../test/harness.js';
import { backoffCeiling, backoffDelay } from '../../shared/backoff.js';
import { transact } from '../../events/outbox.js';
import { queueDeliveriesOf, visibleTo } from './webhook.service.js';
import { WEBHOOK_TOPICS } from './webhook.table.js';
import { isPrivateAddress, webhookUrlProblem } from './webhook.url.js';

const MAX_ATTEMPTS = 4;
let t: TestApp;
let sku = '';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint on 127.0.0.1 answering with the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[]) {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses[Math.min(requests.length - 1, statuses.length - 1)]!;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function subscribe(topic: WebhookTopic, url: string, token?: string) {
  const r = await t.gql(WebhookSubscriptionCreateDocument, { input: { topic, url } }, token ? { token } : {});
  expect(r.errors).toBeUndefined();
  const p = r.data!.webhookSubscriptionCreate;
  expect(p.userErrors).toEqual([]);
  return { id: p.webhookSubscription!.id, secret: p.secret! };
}

const unsubscribe = async (id: string) =>
  expect((await t.admin(WebhookSubscriptionDeleteDocument, { input: { id } })).webhookSubscriptionDelete.userErrors).toEqual([]);

const receive = (warehouseCode: string, quantity = 1) =>
  t.admin(InventoryReceiveDocument, { input: { warehouseCode, binBarcode: `${warehouseCode}-P-01-01-01`, lines: [{ sku, quantity }] } });

/** The status timeline of the delivery of an event: [sequence, status, previous status, message]. */
const timelineOf = async (eventId: string) =>
  (
    await t.app.database.rows<{ sequence: number; status: string; previous_status: string | null; message: string | null }>(sql`
      select h.sequence, h.status, h.previous_status, h.message from webhook_delivery_events h join webhook_deliveries d on d.id = h.delivery_id
      where d.event_id = ${eventId}::uuid order by h.sequence`)
  ).map((h) => [h.sequence, h.status, h.previous_status, h.message]);

const deliveriesOf = async (id: string) => {
  const n = (await t.admin(WebhookDeliveriesDocument, { id })).node;
  if (!n || !('deliveries' in n)) throw new Error(`not a visible subscription: ${JSON.stringify(n)}`);
  return n.deliveries.nodes;
};

beforeAll(async () => {
  t = await startApp({
    env: { WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS), WEBHOOK_BACKOFF_BASE_MS: '20', WEBHOOK_BACKOFF_CAP_MS: '100', WEBHOOK_POLL_MS: '50', WEBHOOK_TIMEOUT_MS: '2000' },
  });
  const p = productInput();
  sku = p.variants[0]!.sku;
  await t.admin(ProductCreateDocument, { input: p });
  for (const code of ['MSK1', 'SPB1']) {
    await t.admin(WarehouseCreateDocument, { input: { code, name: code, address: addressInput() } });
    await t.admin(ZoneCreateDocument, { input: { warehouseCode: code, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 1 } });
    await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: code, zoneCode: 'P', aisles: ['P'], racks: 1, levels: 1, positions: 1, capacityUnits: 1000 } });
  }
});
afterAll(async () => t?.close());

describe('delivery', () => {
  it('retries after two 500s and succeeds on the third attempt: same signed bytes and event id each time, every attempt recorded', async () => {
    const hook = await receiver([500, 500, 200]);
    const other = await receiver([200]);
    try {
      // Given a subscription to inventory changes, and one to another topic
      const sub = await subscribe('INVENTORY_LEVEL_CHANGED', hook.url);
      const orders = await subscribe('ORDER_CREATED', other.url);
      // When stock is received
      expect((await receive('MSK1', 5)).inventoryReceive.userErrors).toEqual([]);
      // Then the endpoint is called three times and the delivery SUCCEEDS
      await waitFor('three attempts', () => hook.requests.length >= 3);
      await waitFor('SUCCEEDED', async () => (await deliveriesOf(sub.id))[0]?.status === 'SUCCEEDED');
      await new Promise((r) => setTimeout(r, 200));
      expect(hook.requests).toHaveLength(3);

      const [first] = hook.requests;
      const body = JSON.parse(first!.body);
      expect(body).toEqual({
        id: expect.any(String),
        topic: 'INVENTORY_LEVEL_CHANGED',
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        data: { variantId: expect.any(String), warehouseId: expect.any(String), warehouseCode: 'MSK1' },
      });
      hook.requests.forEach((req, i) => {
        expect(req.body).toBe(first!.body);
        expect(req.headers['content-type']).toBe('application/json');
        expect(req.headers['x-waybill-event-id']).toBe(body.id);
        expect(req.headers['x-waybill-topic']).toBe('INVENTORY_LEVEL_CHANGED');
        expect(req.headers['x-waybill-delivery-attempt']).toBe(String(i + 1));
        const expected = `sha256=${createHmac('sha256', sub.secret).update(req.body).digest('hex')}`;
        expect(req.headers['x-waybill-signature']).toBe(expected);
      });

      const [d] = await deliveriesOf(sub.id);
      expect(d).toMatchObject({ eventId: body.id, status: 'SUCCEEDED', attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
      expect(d!.deliveredAt).not.toBeNull();
      expect(d!.attemptLog.map((a) => [a.statusCode, a.error])).toEqual([
        [500, 'HTTP 500'],
        [500, 'HTTP 500'],
        [200, null],
      ]);
      const rows = await t.app.database.rows<{ n: number; status: string }>(sql`
        select count(a.id)::int as n, d.status from webhook_deliveries d join webhook_attempts a on a.delivery_id = d.id
        where d.event_id = ${body.id}::uuid group by d.status`);
      expect(rows).toEqual([{ n: 3, status: 'SUCCEEDED' }]);
      // Two retries are attempts, not status changes: the timeline is PENDING -> SUCCEEDED.
      expect(await timelineOf(body.id)).toEqual([
        [1, 'PENDING', null, null],
        [2, 'SUCCEEDED', 'PENDING', null],
      ]);

      // A subscription for another topic received nothing and has no deliveries
      expect(other.requests).toEqual([]);
      expect(await deliveriesOf(orders.id)).toEqual([]);
      await unsubscribe(sub.id);
      await unsubscribe(orders.id);
    } finally {
      await hook.close();
      await other.close();
    }
  });

  it(`marks the delivery FAILED after ${MAX_ATTEMPTS} failed attempts and stops calling`, async () => {
    const hook = await receiver([503]);
    try {
      const sub = await subscribe('INVENTORY_LEVEL_CHANGED', hook.url);
      await receive('MSK1');
      await waitFor('FAILED', async () => (await deliveriesOf(sub.id))[0]?.status === 'FAILED');
      await new Promise((r) => setTimeout(r, 300));
      expect(hook.requests).toHaveLength(MAX_ATTEMPTS);
      const [d] = await deliveriesOf(sub.id);
      expect(d).toMatchObject({ status: 'FAILED', attempts: MAX_ATTEMPTS, lastStatusCode: 503, lastError: 'HTTP 503', deliveredAt: null, nextAttemptAt: null });
      expect(d!.attemptLog).toHaveLength(MAX_ATTEMPTS);
      expect(await timelineOf(d!.eventId)).toEqual([
        [1, 'PENDING', null, null],
        [2, 'FAILED', 'PENDING', 'HTTP 503'],
      ]);
      await unsubscribe(sub.id);
    } finally {
      await hook.close();
    }
  });

  it('records a connection error as a failed attempt with no status code', async () => {
    const gone = await receiver([200]);
    await gone.close(); // nothing listens on that port any more
    const sub = await subscribe('INVENTORY_LEVEL_CHANGED', gone.url);
    await receive('MSK1');
    await waitFor('FAILED', async () => (await deliveriesOf(sub.id))[0]?.status === 'FAILED');
    const [d] = await deliveriesOf(sub.id);
    expect(d!.attemptLog.every((a) => a.statusCode === null && !!a.error)).toBe(true);
    await unsubscribe(sub.id);
  });

  it('a PARTNER key restricted to SPB1 receives only inventory events of SPB1', async () => {
    const hook = await receiver([200]);
    try {
      const key = await t.admin(ApiKeyCreateDocument, { input: { name: '3PL hooks', kind: 'PARTNER', scopes: ['write_inventory'], warehouseCodes: ['SPB1'] } });
      const sub = await subscribe('INVENTORY_LEVEL_CHANGED', hook.url, key.apiKeyCreate.secret!);
      await receive('MSK1');
      await receive('SPB1');
      await waitFor('one delivery', () => hook.requests.length >= 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(hook.requests.map((r) => JSON.parse(r.body).data.warehouseCode)).toEqual(['SPB1']);
      // The creating key sees its subscription through node(); another key does not.
      const own = await t.gql(WebhookDeliveriesDocument, { id: sub.id }, { token: key.apiKeyCreate.secret! });
      expect(own.data!.node).not.toBeNull();
      const stranger = await t.admin(ApiKeyCreateDocument, { input: { name: 'x', kind: 'PARTNER', scopes: ['write_inventory'] } });
      expect((await t.gql(WebhookDeliveriesDocument, { id: sub.id }, { token: stranger.apiKeyCreate.secret! })).data!.node).toBeNull();
      const del = await t.gql(WebhookSubscriptionDeleteDocument, { input: { id: sub.id } }, { token: stranger.apiKeyCreate.secret! });
      expect(del.data!.webhookSubscriptionDelete.userErrors[0]!.code).toBe('NOT_FOUND');
      const ownDel = await t.gql(WebhookSubscriptionDeleteDocument, { input: { id: sub.id } }, { token: key.apiKeyCreate.secret! });
      expect(ownDel.data!.webhookSubscriptionDelete).toEqual({ deletedWebhookSubscriptionId: sub.id, userErrors: [] });
    } finally {
      await hook.close();
    }
  });

  it('revoking the key that created a subscription stops its deliveries', async () => {
    const hook = await receiver([200]);
    try {
      const key = await t.admin(ApiKeyCreateDocument, { input: { name: 'erp hooks', kind: 'STAFF', scopes: ['write_inventory'] } });
      await subscribe('INVENTORY_LEVEL_CHANGED', hook.url, key.apiKeyCreate.secret!);
      await receive('MSK1');
      await waitFor('a delivery before revocation', () => hook.requests.length >= 1);
      const rev = await t.admin(ApiKeyRevokeDocument, { input: { id: key.apiKeyCreate.apiKey!.id } });
      expect(rev.apiKeyRevoke.userErrors).toEqual([]);
      await t.app.relay.drain();
      const before = hook.requests.length;
      await receive('MSK1');
      await t.app.relay.drain();
      await new Promise((r) => setTimeout(r, 300));
      expect(hook.requests.length).toBe(before);
    } finally {
      await hook.close();
    }
  });

  it('a delivery still pending when its subscription is deleted is FAILED through its lifecycle, with a status event that becomes no delivery itself', async () => {
    const hook = await receiver([200]);
    const sink = await receiver([200]);
    // Active subscriptions to every other topic, so that a status event mapped to any of them would show up as a delivery.
    const everything = await Promise.all(WEBHOOK_TOPICS.filter((topic) => topic !== 'ORDER_CREATED').map((topic) => subscribe(topic, sink.url)));
    try {
      const sub = await subscribe('ORDER_CREATED', hook.url);
      // A queued delivery whose first attempt is an hour away (queued as the relay does it).
      const eventId = randomUUID();
      await transact(t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services, async (tx, events) => {
        const queued = await queueDeliveriesOf(tx, events, [{ event: { id: eventId, topic: 'order.created', payload: { orderId: 'o-1' }, createdAt: new Date() }, topic: 'ORDER_CREATED' }]);
        expect(queued).toBe(1);
        await tx.execute(sql`update webhook_deliveries set next_attempt_at = now() + interval '1 hour' where event_id = ${eventId}::uuid`);
      });
      await unsubscribe(sub.id);
      const [row] = await t.app.database.rows<{ id: string; status: string; attempts: number; last_error: string; last_sequence: number }>(
        sql`select id, status, attempts, last_error, last_sequence from webhook_deliveries where event_id = ${eventId}::uuid`,
      );
      expect(row).toMatchObject({ status: 'FAILED', attempts: 0, last_error: 'subscription deleted', last_sequence: 2 });
      expect(await timelineOf(eventId)).toEqual([
        [1, 'PENDING', null, null],
        [2, 'FAILED', 'PENDING', 'subscription deleted'],
      ]);
      // Each change is an outbox event ... (drained until both are handled: the relay's own poll may
      // hold one at the moment a drain looks, which the drain then skips, as claims skip locked rows)
      const statusEvents = () =>
        t.app.database.rows<{ id: string; status: string; handled: boolean }>(
          sql`select id, payload->>'status' as status, handled_at is not null as handled from outbox where topic = 'webhook_delivery.status_changed' and payload->>'id' = ${row!.id} order by id`,
        );
      for (let i = 0; i < 100; i++) {
        await t.app.relay.drain();
        if ((await statusEvents()).every((c) => c.handled)) break;
        await settle(50);
      }
      await t.app.relay.drain(); // and what handling them wrote, if anything
      const changes = await statusEvents();
      expect(changes.map((c) => [c.status, c.handled])).toEqual([
        ['PENDING', true],
        ['FAILED', true],
      ]);
      // ... and no such event (of deliveries or notifications) is itself delivered or notified: no loop.
      const echoes = await t.app.database.rows<{ n: number }>(sql`
        select (select count(*) from webhook_deliveries where event_id in (select id from outbox where topic in ('webhook_delivery.status_changed', 'notification.status_changed')))::int
             + (select count(*) from notifications where event_id in (select id from outbox where topic in ('webhook_delivery.status_changed', 'notification.status_changed')))::int as n`);
      expect(echoes).toEqual([{ n: 0 }]);
      expect(hook.requests).toEqual([]);
    } finally {
      for (const e of everything) await unsubscribe(e.id);
      await hook.close();
      await sink.close();
    }
  });

  it('a deleted subscription receives nothing more', async () => {
    const hook = await receiver([200]);
    try {
      const sub = await subscribe('INVENTORY_LEVEL_CHANGED', hook.url);
      await unsubscribe(sub.id);
      await receive('MSK1');
      await new Promise((r) => setTimeout(r, 400));
      expect(hook.requests).toEqual([]);
      expect((await t.admin(WebhookSubscriptionsDocument, {})).webhookSubscriptions.nodes.map((n) => n.id)).not.toContain(sub.id);
      const again = await t.admin(WebhookSubscriptionDeleteDocument, { input: { id: sub.id } });
      expect(again.webhookSubscriptionDelete.userErrors[0]!.code).toBe('NOT_FOUND');
    } finally {
      await hook.close();
    }
  });
});

describe.skipIf(!realPostgresUrl)('several instances (PostgreSQL)', () => {
  it('two dispatchers on one database send each delivery once', async () => {
    const fresh = await freshPostgresDatabase(realPostgresUrl!);
    const env = { WEBHOOK_BACKOFF_BASE_MS: '20', WEBHOOK_BACKOFF_CAP_MS: '100', WEBHOOK_POLL_MS: '20' };
    const a = await startApp({ databaseUrl: fresh.url, env });
    const b = await startApp({ databaseUrl: fresh.url, env });
    const hook = await receiver([200]);
    try {
      const p = productInput();
      await a.admin(ProductCreateDocument, { input: p });
      await a.admin(WarehouseCreateDocument, { input: { code: 'KZN1', name: 'KZN1', address: addressInput() } });
      await a.admin(ZoneCreateDocument, { input: { warehouseCode: 'KZN1', code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 1 } });
      await a.admin(BinLocationsCreateDocument, { input: { warehouseCode: 'KZN1', zoneCode: 'P', aisles: ['P'], racks: 1, levels: 1, positions: 1, capacityUnits: 1000 } });
      await a.admin(WebhookSubscriptionCreateDocument, { input: { topic: 'INVENTORY_LEVEL_CHANGED', url: hook.url } });
      const n = 30;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          (i % 2 ? a : b).admin(InventoryReceiveDocument, { input: { warehouseCode: 'KZN1', binBarcode: 'KZN1-P-01-01-01', lines: [{ sku: p.variants[0]!.sku, quantity: 1 }] } }),
        ),
      );
      await waitFor(`${n} deliveries`, () => hook.requests.length >= n);
      await new Promise((r) => setTimeout(r, 300));
      const ids = hook.requests.map((r) => r.headers['x-waybill-event-id']);
      expect(ids).toHaveLength(n);
      expect(new Set(ids).size).toBe(n);
    } finally {
      await hook.close();
      await a.close();
      await b.close();
      await fresh.drop();
    }
  });
});

describe('creation rules', () => {
  it('refuses a URL that is not absolute http(s) with INVALID and creates nothing', async () => {
    const before = (await t.admin(WebhookSubscriptionsDocument, {})).webhookSubscriptions.totalCount;
    for (const url of ['ftp://example.com/hook', 'not a url', '/relative/path', 'javascript:alert(1)', 'https://user:pw@example.com/hook', `https://example.com/${'a'.repeat(2100)}`]) {
      const r = await t.admin(WebhookSubscriptionCreateDocument, { input: { topic: 'ORDER_CREATED', url } });
      expect(r.webhookSubscriptionCreate, url).toMatchObject({ webhookSubscription: null, secret: null });
      expect(r.webhookSubscriptionCreate.userErrors[0], url).toMatchObject({ code: 'INVALID', field: ['input', 'url'] });
    }
    expect((await t.admin(WebhookSubscriptionsDocument, {})).webhookSubscriptions.totalCount).toBe(before);
  });

  it('returns a whsec_ secret once and lists the subscription for admins', async () => {
    const r = await t.admin(WebhookSubscriptionCreateDocument, { input: { topic: 'SHIPMENT_UPDATED', url: 'https://example.com/hooks' } });
    expect(r.webhookSubscriptionCreate.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(r.webhookSubscriptionCreate.webhookSubscription).toMatchObject({ topic: 'SHIPMENT_UPDATED', url: 'https://example.com/hooks' });
    const list = await t.admin(WebhookSubscriptionsDocument, { topic: 'SHIPMENT_UPDATED' });
    expect(list.webhookSubscriptions.nodes).toEqual([{ id: r.webhookSubscriptionCreate.webhookSubscription!.id, topic: 'SHIPMENT_UPDATED', url: 'https://example.com/hooks' }]);
    await unsubscribe(r.webhookSubscriptionCreate.webhookSubscription!.id);
  });

  it('requires authentication, and admin or the write scope of the topic area', async () => {
    const input = { topic: 'INVENTORY_LEVEL_CHANGED' as const, url: 'https://example.com/hooks' };
    const anon = await t.gql(WebhookSubscriptionCreateDocument, { input }, { token: null });
    expect(anon.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const reader = (await t.admin(ApiKeyCreateDocument, { input: { name: 'reader', kind: 'STAFF', scopes: ['read_inventory'] } })).apiKeyCreate.secret!;
    expect((await t.gql(WebhookSubscriptionCreateDocument, { input }, { token: reader })).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const writer = (await t.admin(ApiKeyCreateDocument, { input: { name: 'writer', kind: 'STAFF', scopes: ['write_inventory'] } })).apiKeyCreate.secret!;
    const ok = await t.gql(WebhookSubscriptionCreateDocument, { input }, { token: writer });
    expect(ok.data!.webhookSubscriptionCreate.userErrors).toEqual([]);
    const otherArea = await t.gql(WebhookSubscriptionCreateDocument, { input: { ...input, topic: 'ORDER_CREATED' } }, { token: writer });
    expect(otherArea.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await t.gql(WebhookSubscriptionsDocument, {}, { token: writer })).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await t.gql(WebhookSubscriptionsDocument, {}, { token: null })).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    await unsubscribe(ok.data!.webhookSubscriptionCreate.webhookSubscription!.id);
  });
});

describe('URL policy (SSRF guard)', () => {
  it('refuses private, loopback and link-local targets unless allowed; production refuses them by default', () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://10.1.2.3/x', 'http://192.168.0.5/x', 'http://172.20.0.1/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://[fd00::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://0.0.0.0/x']) {
      expect(webhookUrlProblem(url, false), url).toMatch(/Private/);
      expect(webhookUrlProblem(url, true), url).toBeNull();
    }
    expect(webhookUrlProblem('https://hooks.example.com/waybill', false)).toBeNull();
    expect(webhookUrlProblem('http://93.184.216.34/x', false)).toBeNull();
    expect(isPrivateAddress('8.8.8.8')).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).WEBHOOK_ALLOW_PRIVATE_URLS).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }).WEBHOOK_ALLOW_PRIVATE_URLS).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).WEBHOOK_ALLOW_PRIVATE_URLS).toBe(true);
  });
});

describe('partner restriction filter', () => {
  it('passes events naming an allowed warehouse or carrier (one code or a list), and events naming none', () => {
    const sub = { warehouseCodes: ['SPB1'], carrierCodes: null };
    expect(visibleTo(sub, { warehouseCode: 'SPB1' })).toBe(true);
    expect(visibleTo(sub, { warehouseCode: 'MSK1' })).toBe(false);
    expect(visibleTo(sub, { warehouseCodes: ['MSK1', 'SPB1'] })).toBe(true);
    expect(visibleTo(sub, { warehouseCodes: ['MSK1'] })).toBe(false);
    expect(visibleTo(sub, { orderId: 'x' })).toBe(true);
    expect(visibleTo({ warehouseCodes: null, carrierCodes: ['CDEK'] }, { carrierCode: 'POST' })).toBe(false);
    expect(visibleTo({ warehouseCodes: null, carrierCodes: null }, { warehouseCode: 'MSK1', carrierCode: 'POST' })).toBe(true);
  });
});

describe('backoff schedule', () => {
  const base = 60_000;
  const cap = 8 * 3_600_000;

  it('ceilings double from the base and never exceed the cap', () => {
    const ceilings = Array.from({ length: 40 }, (_, n) => backoffCeiling(n, base, cap));
    expect(ceilings.slice(0, 4)).toEqual([60_000, 120_000, 240_000, 480_000]);
    for (let n = 1; n < ceilings.length; n++) expect(ceilings[n]).toBeGreaterThanOrEqual(ceilings[n - 1]!);
    expect(Math.max(...ceilings)).toBe(cap);
    expect(Number.isFinite(backoffCeiling(10_000, base, cap))).toBe(true);
  });

  it('full jitter: each delay lies in [0, ceiling)', () => {
    for (let n = 0; n < 15; n++) {
      const c = backoffCeiling(n, base, cap);
      expect(backoffDelay(n, base, cap, () => 0)).toBe(0);
      expect(backoffDelay(n, base, cap, () => 0.999999)).toBeLessThan(c);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(n, base, cap);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(c);
      }
    }
  });

  it('with the defaults, 12 attempts span at most about a day (half that on average)', () => {
    const c = loadConfig({});
    expect([c.WEBHOOK_MAX_ATTEMPTS, c.WEBHOOK_BACKOFF_BASE_MS, c.WEBHOOK_BACKOFF_CAP_MS]).toEqual([12, base, cap]);
    const retries = c.WEBHOOK_MAX_ATTEMPTS - 1;
    const worst = Array.from({ length: retries }, (_, n) => backoffCeiling(n, base, cap)).reduce((a, b) => a + b, 0);
    const hours = (ms: number) => ms / 3_600_000;
    expect(hours(worst)).toBeGreaterThan(22);
    expect(hours(worst)).toBeLessThan(26);
    // Mean of many simulated schedules ≈ half the worst case.
    let total = 0;
    const runs = 2000;
    for (let r = 0; r < runs; r++) for (let n = 0; n < retries; n++) total += backoffDelay(n, base, cap);
    expect(hours(total / runs)).toBeGreaterThan(hours(worst) / 2 - 1);
    expect(hours(total / runs)).toBeLessThan(hours(worst) / 2 + 1);
  });
});
