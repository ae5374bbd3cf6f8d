/**
 * The webhook SSRF guard (creation over GraphQL with private targets refused; delivery with an
 * injected resolver, pinned connections) and the timestamped signature as a receiver verifies it.
 * No test here touches the network: host names are resolved by an injected resolver.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhookSubscriptionCreateDocument, WebhookSubscriptionsDocument } from '../../../test/generated/graphql.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { WebhookDispatcher, type DispatcherOptions } from './webhook.dispatcher.js';
import { webhookAttempts, webhookDeliveries, webhookSubscriptions } from './webhook.table.js';
import { addressProblem, webhookUrlProblem } from './webhook.url.js';

/**
 * The README's verification snippet, as a receiver would write it (types added).
 * True when `header` (Waybill-Signature) signs `rawBody` with `secret` and is at most 5 minutes old.
 */
function verifyWaybillSignature(rawBody: string | Buffer, header: string | undefined, secret: string, toleranceSeconds = 300): boolean {
  const fields = new Map(String(header ?? '').split(',').map((kv) => kv.trim().split('=', 2) as [string, string]));
  const t = Number(fields.get('t'));
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  const given = Buffer.from(fields.get('v1') ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local endpoint; `answer` picks the status of each request (default 200). */
async function receiver(answer: (r: Received, n: number) => number = () => 200) {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      res.statusCode = answer(r, requests.length);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { port, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let t: TestApp;

beforeAll(async () => {
  t = await startApp({ env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' } });
  // Deliveries in this file are sent by dispatchers the tests build (with an injected resolver).
  await t.app.webhooks.stop();
});
afterAll(async () => t?.close());

const subscriptionCount = async () => (await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from webhook_subscriptions`))[0]!.n;

describe('creation with private targets refused (WEBHOOK_ALLOW_PRIVATE_URLS=false)', () => {
  const blocked: [string, string][] = [
    ['loopback', 'http://127.0.0.1/hook'],
    ['loopback, other /8 address', 'http://127.5.6.7/hook'],
    ['decimal IPv4', 'http://2130706433/hook'],
    ['hex IPv4, short form', 'http://0x7f.1/hook'],
    ['hex IPv4, one number', 'http://0x7f000001/hook'],
    ['octal IPv4', 'http://017700000001/hook'],
    ['short dotted IPv4', 'http://127.1/hook'],
    ['localhost', 'http://localhost/hook'],
    ['localhost with a trailing dot', 'http://localhost./hook'],
    ['localhost, upper case, trailing dots', 'http://LOCALHOST../hook'],
    ['a .localhost name', 'https://api.localhost/hook'],
    ['a .localhost name with a trailing dot', 'https://api.localhost./hook'],
    ['private 10/8', 'http://10.1.2.3/hook'],
    ['private 172.16/12', 'http://172.20.0.1/hook'],
    ['private 192.168/16', 'http://192.168.0.5/hook'],
    ['link-local (cloud metadata)', 'http://169.254.169.254/latest/meta-data'],
    ['CGNAT 100.64/10', 'http://100.64.0.1/hook'],
    ['unspecified', 'http://0.0.0.0/hook'],
    ['this network 0/8', 'http://0.1.2.3/hook'],
    ['broadcast', 'http://255.255.255.255/hook'],
    ['multicast', 'http://224.0.0.1/hook'],
    ['reserved 240/4', 'http://240.0.0.1/hook'],
    ['benchmarking 198.18/15', 'http://198.18.0.1/hook'],
    ['documentation 192.0.2/24', 'http://192.0.2.1/hook'],
    ['IPv6 loopback', 'http://[::1]/hook'],
    ['IPv6 unspecified', 'http://[::]/hook'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
    ['IPv4-mapped loopback, hex', 'http://[::ffff:7f00:1]/hook'],
    ['IPv4-mapped private', 'http://[::ffff:10.0.0.1]/hook'],
    ['IPv4-compatible loopback', 'http://[::127.0.0.1]/hook'],
    ['IPv4-compatible public (deprecated form)', 'http://[::93.184.216.34]/hook'],
    ['NAT64 loopback', 'http://[64:ff9b::7f00:1]/hook'],
    ['NAT64 loopback, dotted', 'http://[64:ff9b::127.0.0.1]/hook'],
    ['NAT64 link-local', 'http://[64:ff9b::169.254.169.254]/hook'],
    ['NAT64 local-use prefix', 'http://[64:ff9b:1::a00:1]/hook'],
    ['6to4 embedding loopback', 'http://[2002:7f00:1::1]/hook'],
    ['6to4 embedding 192.168.1.1', 'http://[2002:c0a8:101::1]/hook'],
    ['Teredo', 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook'],
    ['unique local fc00::/7', 'http://[fd00::1]/hook'],
    ['unique local fc00::', 'http://[fc00::1]/hook'],
    ['site-local fec0::/10', 'http://[fec0::1]/hook'],
    ['link-local fe80::/10', 'http://[fe80::1]/hook'],
    ['multicast ff00::/8', 'http://[ff02::1]/hook'],
    ['documentation 2001:db8::/32', 'http://[2001:db8::1]/hook'],
    ['discard-only 100::/64', 'http://[100::1]/hook'],
  ];

  it.each(blocked)('refuses %s (%s) with INVALID on input.url and writes nothing', async (_what, url) => {
    const before = await subscriptionCount();
    const r = await t.admin(WebhookSubscriptionCreateDocument, { input: { topic: 'ORDER_CREATED', url } });
    expect(r.webhookSubscriptionCreate).toMatchObject({ webhookSubscription: null, secret: null });
    expect(r.webhookSubscriptionCreate.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'url'] })]);
    expect(await subscriptionCount()).toBe(before);
  });

  const allowed = [
    'https://example.com/hook',
    'https://example.com./hook',
    'http://hooks.example.com:8080/waybill?x=1',
    'https://93.184.216.34/',
    'https://[2606:2800:220:1:248:1893:25c8:1946]/hook',
    'https://[64:ff9b::93.184.216.34]/hook', // NAT64 of a public address (DNS64 networks)
    'https://[::ffff:93.184.216.34]/hook',
    'https://[2002:5db8:d822::1]/hook', // 6to4 of a public address
    'https://localhost.example.com/hook', // a name that only starts with "localhost": resolved and checked at delivery
  ];

  it.each(allowed)('accepts the public target %s', async (url) => {
    const r = await t.admin(WebhookSubscriptionCreateDocument, { input: { topic: 'ORDER_CREATED', url } });
    expect(r.webhookSubscriptionCreate.userErrors).toEqual([]);
    expect(r.webhookSubscriptionCreate.webhookSubscription!.url).toBe(url);
  });

  it('every blocked form is accepted when private targets are allowed (development, tests)', () => {
    for (const [, url] of blocked) expect(webhookUrlProblem(url, true), url).toBeNull();
    expect(addressProblem('8.8.8.8')).toBeNull();
    expect(addressProblem('2001:4860:4860::8888')).toBeNull();
  });

  it('the subscriptions listed are only the accepted ones', async () => {
    const urls = (await t.admin(WebhookSubscriptionsDocument, { first: 100 })).webhookSubscriptions.nodes.map((n) => n.url);
    expect(urls.sort()).toEqual([...allowed].sort());
  });
});

describe('delivery', () => {
  const silent = pino({ level: 'silent' });
  const baseOptions: DispatcherOptions = {
    maxAttempts: 1, // one attempt, then FAILED: no retry is scheduled behind the test's back
    backoffBaseMs: 1,
    backoffCapMs: 1,
    timeoutMs: 5000,
    pollMs: 60_000,
    allowPrivateUrls: false,
    random: () => 0,
  };

  // Each test sends only its own delivery: what another test left PENDING is closed.
  afterEach(async () => {
    await t.app.database.db.update(webhookDeliveries).set({ status: 'FAILED' }).where(eq(webhookDeliveries.status, 'PENDING'));
  });

  /** A resolver that answers `addresses` for every name and records what it was asked. */
  function resolverOf(...addresses: string[]) {
    const asked: string[] = [];
    const resolve = async (host: string): Promise<LookupAddress[]> => {
      asked.push(host);
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return { asked, resolve };
  }

  /** A subscription (created over GraphQL, so through the creation policy) with one pending delivery. */
  async function pendingDelivery(url: string) {
    const r = await t.admin(WebhookSubscriptionCreateDocument, { input: { topic: 'ORDER_CREATED', url } });
    expect(r.webhookSubscriptionCreate.userErrors).toEqual([]);
    const [sub] = await t.app.database.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.url, url));
    const eventId = randomUUID();
    const [delivery] = await t.app.database.db
      .insert(webhookDeliveries)
      .values({ subscriptionId: sub!.id, eventId, topic: 'ORDER_CREATED', payload: { id: eventId, topic: 'ORDER_CREATED', occurredAt: new Date().toISOString(), data: { orderId: 'o-1' } } })
      .returning();
    return { secret: r.webhookSubscriptionCreate.secret!, deliveryId: delivery!.id };
  }

  const deliveryById = async (id: string) => (await t.app.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)))[0]!;

  /**
   * Sends what is due with a dispatcher of these options (retries are woken by the dispatcher
   * itself) until the delivery is no longer PENDING, then returns it and its attempts.
   */
  async function dispatch(opts: Partial<DispatcherOptions>, deliveryId: string) {
    const dispatcher = new WebhookDispatcher(t.app.database, silent, { ...baseOptions, ...opts });
    try {
      await dispatcher.drain();
      const end = Date.now() + 10_000;
      while ((await deliveryById(deliveryId)).status === 'PENDING') {
        if (Date.now() > end) throw new Error('delivery still PENDING');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await dispatcher.stop();
    }
    const attempts = await t.app.database.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, deliveryId));
    return { delivery: await deliveryById(deliveryId), attempts };
  }

  it('a host name that resolves to a private address is refused at delivery, without connecting', async () => {
    const hook = await receiver();
    try {
      // Given a public-looking name that resolves to the local receiver's address
      const { deliveryId } = await pendingDelivery(`http://hooks.example.test:${hook.port}/private`);
      const dns = resolverOf('127.0.0.1');
      // When the dispatcher (private targets refused) sends it
      const { delivery, attempts } = await dispatch({ resolve: dns.resolve }, deliveryId);
      // Then the attempt fails as blocked and nothing reached the receiver
      expect(dns.asked).toEqual(['hooks.example.test']);
      expect(delivery).toMatchObject({ status: 'FAILED', attempts: 1, lastStatusCode: null, lastError: 'hooks.example.test resolves to a non-public address' });
      expect(attempts.map((a) => [a.statusCode, a.error])).toEqual([[null, 'hooks.example.test resolves to a non-public address']]);
      expect(hook.requests).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('every resolved address is checked: one private address among public ones blocks the delivery', async () => {
    const hook = await receiver();
    try {
      for (const [i, addresses] of [
        ['93.184.216.34', '10.0.0.7'],
        ['2606:2800:220:1:248:1893:25c8:1946', '::ffff:7f00:1'],
        ['93.184.216.34', '64:ff9b::a9fe:a9fe'],
      ].entries()) {
        const { deliveryId } = await pendingDelivery(`http://mixed.example.test:${hook.port}/mixed/${i}`);
        const { delivery } = await dispatch({ resolve: resolverOf(...addresses).resolve }, deliveryId);
        expect(delivery.lastError, addresses.join(' ')).toBe('mixed.example.test resolves to a non-public address');
      }
      expect(hook.requests).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('a literal private address stored before the policy applied is refused at delivery without a lookup', async () => {
    const hook = await receiver();
    try {
      const { deliveryId } = await pendingDelivery(`http://allowed.example.test:${hook.port}/x`);
      // A row written while private targets were allowed (e.g. a changed setting): [::ffff:127.0.0.1]
      await t.app.database.db
        .update(webhookSubscriptions)
        .set({ url: `http://[::ffff:127.0.0.1]:${hook.port}/x` })
        .where(eq(webhookSubscriptions.url, `http://allowed.example.test:${hook.port}/x`));
      const dns = resolverOf('93.184.216.34');
      const { delivery } = await dispatch({ resolve: dns.resolve }, deliveryId);
      expect(delivery.lastError).toBe('target is a loopback address');
      expect(dns.asked).toEqual([]);
      expect(hook.requests).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('DNS rebinding: a name that resolves public for the check and 127.0.0.1 afterwards never reaches the local address', async () => {
    const hook = await receiver();
    try {
      const { deliveryId } = await pendingDelivery(`http://rebind.example.test:${hook.port}/rebind`);
      // The attacker's DNS: a public address on the first question, the loopback address on every later one.
      const asked: string[] = [];
      const resolve = async (host: string): Promise<LookupAddress[]> => {
        asked.push(host);
        return [asked.length === 1 ? { address: '93.184.216.34', family: 4 } : { address: '127.0.0.1', family: 4 }];
      };
      // Two attempts: the first is checked and pinned to the public address (unreachable here: a
      // connect error or the short timeout); the second asks again, gets 127.0.0.1 and is refused.
      const { delivery, attempts } = await dispatch({ resolve, maxAttempts: 2, timeoutMs: 500 }, deliveryId);
      expect(asked).toEqual(['rebind.example.test', 'rebind.example.test']); // one question per attempt, none between check and connect
      expect(hook.requests).toEqual([]);
      expect(delivery).toMatchObject({ status: 'FAILED', attempts: 2, lastStatusCode: null, lastError: 'rebind.example.test resolves to a non-public address' });
      expect(attempts).toHaveLength(2);
      expect(attempts.map((a) => a.error).sort()).toContainEqual('rebind.example.test resolves to a non-public address');
      const first = attempts.find((a) => a.error !== 'rebind.example.test resolves to a non-public address')!;
      expect(first.statusCode).toBeNull();
      expect(first.error).toMatch(/timeout|93\.184\.216\.34|ENETUNREACH|EHOSTUNREACH|ECONNREFUSED/);
    } finally {
      await hook.close();
    }
  });

  it('the connection goes to the address that was resolved and checked (pinned), with the URL host in the Host header', async () => {
    const hook = await receiver();
    try {
      const { deliveryId } = await pendingDelivery(`http://pinned.example.test:${hook.port}/pinned`);
      // Private targets allowed (as in development), so 127.0.0.1 passes the check; no real DNS is asked.
      const dns = resolverOf('127.0.0.1');
      const { delivery } = await dispatch({ resolve: dns.resolve, allowPrivateUrls: true }, deliveryId);
      expect(delivery).toMatchObject({ status: 'SUCCEEDED', attempts: 1, lastStatusCode: 200 });
      expect(dns.asked).toEqual(['pinned.example.test']); // resolved once: the connection used that answer
      expect(hook.requests).toHaveLength(1);
      expect(hook.requests[0]!.headers.host).toBe(`pinned.example.test:${hook.port}`);
    } finally {
      await hook.close();
    }
  });

  it('signature: a receiver verifying Waybill-Signature as in the README accepts each attempt (own timestamp) and rejects tampering and old timestamps', async () => {
    let secret = '';
    const verdicts: boolean[] = [];
    // A receiver that verifies, and asks for a retry once after a good signature.
    const hook = await receiver((r, n) => {
      const ok = verifyWaybillSignature(r.body, r.headers['waybill-signature'] as string, secret);
      verdicts.push(ok);
      return !ok ? 400 : n === 1 ? 503 : 204;
    });
    try {
      const created = await pendingDelivery(`http://signed.example.test:${hook.port}/signed`);
      secret = created.secret;
      // The dispatcher's clock moves 7 s between the two attempts.
      const clock = [Date.now(), Date.now() + 7_000];
      let calls = 0;
      const { delivery } = await dispatch(
        { resolve: resolverOf('127.0.0.1').resolve, allowPrivateUrls: true, maxAttempts: 3, now: () => clock[Math.min(calls++, 1)]! },
        created.deliveryId,
      );
      expect(delivery).toMatchObject({ status: 'SUCCEEDED', attempts: 2, lastStatusCode: 204 });
      expect(verdicts).toEqual([true, true]);
      const [first, second] = hook.requests;
      const ts = (r: Received) => Number(/^t=(\d+),v1=[0-9a-f]{64}$/.exec(r.headers['waybill-signature'] as string)![1]);
      expect(ts(second!) - ts(first!)).toBe(7);
      expect(second!.body).toBe(first!.body);
      // The contract's body-only signature is still sent
      for (const r of hook.requests) expect(r.headers['x-waybill-signature']).toBe(`sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);

      // A tampered body, a signature from another secret or a moved timestamp do not verify
      const header = first!.headers['waybill-signature'] as string;
      const fresh = `t=${Math.floor(Date.now() / 1000)},v1=${createHmac('sha256', secret).update(`${Math.floor(Date.now() / 1000)}.${first!.body}`).digest('hex')}`;
      expect(verifyWaybillSignature(first!.body, fresh, secret)).toBe(true);
      expect(verifyWaybillSignature(first!.body.replace('o-1', 'o-2'), fresh, secret)).toBe(false);
      expect(verifyWaybillSignature(first!.body, fresh, 'whsec_other')).toBe(false);
      expect(verifyWaybillSignature(first!.body, fresh.replace(/^t=\d+/, `t=${Math.floor(Date.now() / 1000) + 1}`), secret)).toBe(false);
      expect(verifyWaybillSignature(first!.body, undefined, secret)).toBe(false);
      expect(verifyWaybillSignature(first!.body, header.replace(/v1=.*/, 'v1=zz'), secret)).toBe(false);
    } finally {
      await hook.close();
    }
  });

  it('signature: a delivery signed more than 5 minutes ago is rejected by the README verification', async () => {
    let secret = '';
    const hook = await receiver((r) => (verifyWaybillSignature(r.body, r.headers['waybill-signature'] as string, secret) ? 204 : 400));
    try {
      const created = await pendingDelivery(`http://stale.example.test:${hook.port}/stale`);
      secret = created.secret;
      // A dispatcher whose clock is 6 minutes behind stands for a captured request replayed later.
      const { delivery } = await dispatch(
        { resolve: resolverOf('127.0.0.1').resolve, allowPrivateUrls: true, now: () => Date.now() - 6 * 60_000 },
        created.deliveryId,
      );
      expect(delivery).toMatchObject({ status: 'FAILED', lastStatusCode: 400, lastError: 'HTTP 400' });
      expect(hook.requests).toHaveLength(1);
      // The same bytes, signed now, verify
      const now = Math.floor(Date.now() / 1000);
      const body = hook.requests[0]!.body;
      expect(verifyWaybillSignature(body, `t=${now},v1=${createHmac('sha256', secret).update(`${now}.${body}`).digest('hex')}`, secret)).toBe(true);
    } finally {
      await hook.close();
    }
  });
});
