/**
 * Security review, logs: no secret reaches a log line. The app logs through the production logger
 * (createLogger: serializers and redaction) at level trace into a buffer, through flows that handle
 * every secret, failing paths included: the admin key and API keys (created, used, revoked, wrong),
 * a customer's password and token (right and wrong), webhook secrets and a token in a webhook URL
 * (deliveries to a receiver answering 500 and to a closed port), the SMTP password (a server that
 * refuses the login), the quote and label-link signing keys (checkout, a return's label link, a
 * forged link) and the metrics bearer token (right and wrong). Then every secret value, and its
 * base64 forms, is searched for in the captured text.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/logger.js';
import { ApiKeyCreateDocument, ApiKeyRevokeDocument, CustomerAccessTokenCreateDocument, CustomerCreateDocument, WebhookSubscriptionCreateDocument } from '../generated/graphql.js';
import { deliveredOrder } from '../factories/returns.js';
import { requestReturn } from '../factories/return-requests.js';
import { startApp, type TestApp } from '../harness.js';

const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, cb) {
    lines.push(chunk.toString('utf8'));
    cb();
  },
});

const secret = (label: string) => `${label}-${randomBytes(18).toString('base64url')}`;
const SMTP_USER = 'mailer';
const SMTP_PASSWORD = secret('smtp-pass');
const QUOTE_SECRET = secret('quote-secret-0123456789');
const LABEL_LINK_SECRET = secret('label-secret-0123456789');
const METRICS_TOKEN = secret('metrics-token');

/** An SMTP server that offers AUTH and refuses every login (535), recording the AUTH lines it got. */
async function refusingSmtp(): Promise<{ port: number; authLines: string[]; server: NetServer }> {
  const authLines: string[] = [];
  const server = createNetServer((socket) => {
    socket.write('220 fake.smtp ESMTP\r\n');
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      let i: number;
      while ((i = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 2);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-fake.smtp\r\n250 AUTH PLAIN LOGIN\r\n');
        else if (verb === 'AUTH') {
          authLines.push(line);
          socket.write('535 5.7.8 Authentication credentials invalid\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else if (authLines.length && /^[A-Za-z0-9+/=]+$/.test(line)) {
          authLines.push(line);
          socket.write('535 5.7.8 Authentication credentials invalid\r\n');
        } else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, authLines, server };
}

let t: TestApp;
let smtp: Awaited<ReturnType<typeof refusingSmtp>>;
let failing: Server;
let failingUrl: string;
let closedUrl: string;

beforeAll(async () => {
  smtp = await refusingSmtp();
  failing = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 500;
      res.end('receiver down');
    });
  });
  await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
  failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/hook?token=${secret('url-token')}`;
  // A port nobody listens on: a server opened and closed.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/hook`;
  await new Promise<void>((r) => probe.close(() => r()));
  t = await startApp({
    log: createLogger({ LOG_LEVEL: 'trace' }, capture),
    env: {
      SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}/?ignoreTLS=true`,
      QUOTE_SECRET,
      LABEL_LINK_SECRET,
      METRICS_TOKEN,
      WEBHOOK_MAX_ATTEMPTS: '2',
      WEBHOOK_BACKOFF_BASE_MS: '1',
      WEBHOOK_BACKOFF_CAP_MS: '5',
      WEBHOOK_POLL_MS: '50',
      NOTIFICATION_MAX_ATTEMPTS: '1',
      NOTIFICATION_POLL_MS: '50',
    },
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await new Promise<void>((r) => failing?.close(() => r()));
  await new Promise<void>((r) => smtp?.server.close(() => r()));
});

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const count = async (query: string) => (await t.app.database.rows<{ n: number }>(sql.raw(query)))[0]!.n;

describe('point 5: secrets never in logs', () => {
  it('no key, token, password, webhook secret, SMTP password, signing key or metrics token in any log line, failures included', { timeout: 120_000 }, async () => {
    const secrets: Record<string, string> = { adminKey: t.adminKey, SMTP_PASSWORD, QUOTE_SECRET, LABEL_LINK_SECRET, METRICS_TOKEN, webhookUrlToken: new URL(failingUrl).searchParams.get('token')! };
    const post = (query: string, token: string | null, variables?: unknown) =>
      fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });

    // Webhooks: one receiver answering 500, one closed port; both subscriptions' secrets.
    for (const [i, url] of [failingUrl, closedUrl].entries()) {
      for (const topic of ['ORDER_CREATED', 'ORDER_STATUS_CHANGED'] as const) {
        const r = (await t.admin(WebhookSubscriptionCreateDocument, { input: { topic, url } })).webhookSubscriptionCreate;
        expect(r.userErrors).toEqual([]);
        secrets[`webhookSecret${i}${topic}`] = r.secret!;
      }
    }

    // API keys: created and used, revoked and used again, a wrong one.
    const created = (await t.admin(ApiKeyCreateDocument, { input: { name: 'log-test', kind: 'STAFF', scopes: ['read_catalog'] } })).apiKeyCreate;
    secrets.apiKey = created.secret!;
    expect((await post('{ viewer { kind } }', created.secret!)).status).toBe(200);
    await t.admin(ApiKeyRevokeDocument, { input: { id: created.apiKey!.id } });
    await waitFor('revoked key refused', async () => (await post('{ viewer { kind } }', created.secret!)).status === 401);
    secrets.wrongKey = `wb_live_${randomBytes(24).toString('base64url')}`;
    expect((await post('{ viewer { kind } }', secrets.wrongKey)).status).toBe(401);

    // A whole order: customer password and token, checkout quotes, status e-mails (SMTP refuses), webhooks (fail).
    const password = secret('customer-password');
    const email = `log-${randomBytes(4).toString('hex')}@example.com`;
    expect((await t.admin(CustomerCreateDocument, { input: { email, password, name: 'Log Test', locale: 'ru' } })).customerCreate.userErrors).toEqual([]);
    const order = await deliveredOrder(t, { customer: { email, password } });
    secrets.customerPassword = password;
    secrets.customerToken = order.customerToken;
    const wrongPassword = secret('wrong-password');
    secrets.wrongPassword = wrongPassword;
    const denied = await t.gql(CustomerAccessTokenCreateDocument, { input: { email: order.customerEmail, password: wrongPassword } }, { token: null });
    expect(denied.data?.customerAccessTokenCreate.accessToken ?? null).toBeNull();
    secrets.wrongCustomerToken = `wbc_${randomBytes(24).toString('base64url')}`;
    expect((await post('{ viewer { kind } }', secrets.wrongCustomerToken)).status).toBe(401);

    // A return: the approval e-mail carries a signed label link (LABEL_LINK_SECRET); a forged link is refused.
    await requestReturn(t, order);
    const root = t.url.replace(/\/graphql$/, '');
    const forged = await fetch(`${root}/labels/${order.trackingNumber}.pdf?exp=${Math.floor(Date.now() / 1000) + 3600}&sig=${randomBytes(32).toString('base64url')}`);
    expect(forged.status).toBeGreaterThanOrEqual(400);

    // Metrics: a wrong token, then the right one.
    secrets.wrongMetricsToken = secret('wrong-metrics');
    expect((await fetch(`${root}/metrics`, { headers: { authorization: `Bearer ${secrets.wrongMetricsToken}` } })).status).toBe(401);
    expect((await fetch(`${root}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);

    // The failures happened (and were logged): e-mails refused by SMTP, webhook attempts to both targets.
    await waitFor('failed e-mails', async () => (await count(`select count(*)::int as n from notifications where status = 'FAILED'`)) > 0);
    await waitFor('webhook attempts', async () => (await count(`select count(*)::int as n from webhook_attempts where error is not null`)) >= 4);
    expect(smtp.authLines.length).toBeGreaterThan(0); // the password really went over the wire
    const text = lines.join('');
    expect(text).toMatch(/"msg":"notification attempt failed"/);
    expect(text).toMatch(/"msg":"webhook attempt failed"/);
    expect(text).toMatch(/HTTP 500/);
    expect(text).toMatch(/ECONNREFUSED/);
    expect(text).toMatch(/535|Invalid login/);

    // Then: no secret in any form.
    const forms = (v: string) => [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64url'), encodeURIComponent(v)];
    const plain = Buffer.from(`\u0000${SMTP_USER}\u0000${SMTP_PASSWORD}`).toString('base64'); // AUTH PLAIN's argument
    for (const [name, value] of [...Object.entries(secrets), ['smtpAuthPlain', plain] as const]) {
      for (const form of forms(value)) expect(text.includes(form), `${name} (${form.slice(0, 12)}…) appears in the logs`).toBe(false);
    }
    expect(text).not.toMatch(/Bearer /);
  });
});
