/**
 * The CRM export over real HTTP (GET /export/customers.ndjson, contract 09): who may call it
 * (401/403), what each line says (loyalty accounts written with the ledger's `credit`, order
 * figures from real orders), resuming with ?after=, bad cursors, and a client that hangs up in the
 * middle of a long export.
 */
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId, idOfType } from '../../src/graphql/relay.js';
import { transact } from '../../src/events/outbox.js';
import { credit } from '../../src/modules/loyalty/loyalty.ledger.js';
import { loyaltyAccounts } from '../../src/modules/loyalty/loyalty.table.js';
import { ordersByIds } from '../../src/modules/orders/order.service.js';
import { insertCustomersBulk } from '../../scripts/lib/bulk-customers.js';
import { staffContext } from '../factories/return-requests.js';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import { ApiKeyCreateDocument, CustomerCreateDocument, CustomersDocument } from '../generated/graphql.js';
import { startApp, type TestApp } from '../harness.js';

interface Line {
  cursor: string;
  customerId: string;
  email: string;
  name: string | null;
  locale: string;
  createdAt: string;
  loyalty: { balance: number; tier: string; rollingSpend: { amountMinor: number; currency: string }; lifetimePoints: number };
  orderCount: number;
  lastOrderAt: string | null;
}

const PATH = '/export/customers.ndjson';

async function apiKey(t: TestApp, kind: 'STAFF' | 'PARTNER', scopes: string[]): Promise<string> {
  const r = (await t.admin(ApiKeyCreateDocument, { input: { name: `export ${kind} ${scopes.join(',')}`, kind, scopes } })).apiKeyCreate;
  expect(r.userErrors).toEqual([]);
  return r.secret!;
}

async function get(t: TestApp, query = '', token?: string | null, headers: Record<string, string> = {}) {
  const res = await fetch(`${new URL(t.url).origin}${PATH}${query}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const parse = (text: string): Line[] => {
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
};

describe('GET /export/customers.ndjson', () => {
  let t: TestApp;
  let reader: string;
  let buyer: DeliveredOrder;
  let secondOrder: DeliveredOrder;
  let other: DeliveredOrder;
  let quietId: string;

  beforeAll(async () => {
    // Two customers per page: every export below spans several pages.
    t = await startApp({ env: { EXPORT_PAGE_SIZE: '2' } });
    reader = await apiKey(t, 'STAFF', ['read_customers']);
    // The buyer places two orders, another customer one; a third customer none.
    buyer = await deliveredOrder(t);
    secondOrder = await deliveredOrder(t, { customer: { email: buyer.customerEmail, password: 'correct horse battery staple' } });
    other = await deliveredOrder(t);
    const quiet = (await t.admin(CustomerCreateDocument, { input: { email: 'quiet@example.ru', name: 'Тихий Покупатель', locale: 'en-GB' } })).customerCreate;
    expect(quiet.userErrors).toEqual([]);
    quietId = quiet.customer!.id;
    expect((await t.admin(CustomerCreateDocument, { input: { email: 'another@example.ru' } })).customerCreate.userErrors).toEqual([]);
    // The buyer's loyalty account, through the ledger primitive as the earn/adjust code writes it.
    const ctx = staffContext(t);
    const buyerId = await customerDbId(buyer);
    await transact(ctx, (tx, events) =>
      credit(ctx, tx, events, { customerId: buyerId, kind: 'ADJUST', points: 120, expiresAt: new Date(Date.now() + 86_400_000), lifetime: true, reason: 'welcome', idempotencyKey: 'export-test' }),
    );
    // Tier and rolling spend as the earning code would leave them after 120,000 ₽ of orders (set directly: the test is about the export).
    await ctx.database.db.update(loyaltyAccounts).set({ tierCode: 'GOLD', rollingSpendMinor: 12_000_000 }).where(eq(loyaltyAccounts.customerId, buyerId));
    // The other customer has an account with no stored tier: the tier its rolling spend reaches.
    const otherId = await customerDbId(other);
    await transact(ctx, (tx, events) =>
      credit(ctx, tx, events, { customerId: otherId, kind: 'ADJUST', points: 7, expiresAt: new Date(Date.now() + 86_400_000), lifetime: false, reason: 'sorry', idempotencyKey: 'export-test-2' }),
    );
    await ctx.database.db.update(loyaltyAccounts).set({ tierCode: null, rollingSpendMinor: 3_500_000 }).where(eq(loyaltyAccounts.customerId, otherId));
  }, 120_000);
  afterAll(async () => t?.close());

  async function customerDbId(o: DeliveredOrder): Promise<string> {
    const [order] = await ordersByIds(staffContext(t), [idOfType(o.orderId, 'Order')!]);
    return order!.customerId;
  }
  async function orderCreatedAt(o: DeliveredOrder): Promise<string> {
    const [order] = await ordersByIds(staffContext(t), [idOfType(o.orderId, 'Order')!]);
    return order!.createdAt.toISOString();
  }

  it('answers 401 without a key or with an unknown or malformed one, with a JSON body and WWW-Authenticate', async () => {
    for (const [token, header] of [
      [null, {}],
      ['wb_live_not-a-real-key-at-all-000000000000', {}],
      [null, { authorization: 'Basic dXNlcjpwYXNz' }],
    ] as const) {
      const r = await get(t, '', token, header);
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      expect(JSON.parse(r.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers 403 to a customer token and to keys without read_customers; read_customers (or admin, or write_customers) may export', async () => {
    const forbidden = [buyer.customerToken, await apiKey(t, 'STAFF', ['read_orders', 'read_loyalty']), await apiKey(t, 'PARTNER', ['read_orders'])];
    for (const token of forbidden) {
      const r = await get(t, '', token);
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(r.text);
      expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(body.errors[0].message).toMatch(/read_customers/);
    }
    for (const token of [t.adminKey, await apiKey(t, 'STAFF', ['write_customers']), await apiKey(t, 'PARTNER', ['read_customers'])]) {
      expect((await get(t, '', token)).status).toBe(200);
    }
    expect((await fetch(`${new URL(t.url).origin}${PATH}`, { method: 'POST', headers: { authorization: `Bearer ${reader}` } })).status).toBe(405);
  });

  it('streams one NDJSON line per customer, oldest first, with loyalty figures from the accounts and order figures from the orders', async () => {
    const r = await get(t, '', reader);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(r.headers.get('content-length')).toBeNull(); // streamed (chunked), not buffered
    const lines = parse(r.text);
    // Exactly the customers the API knows, oldest first (the customers query lists newest first).
    const all = (await t.admin(CustomersDocument, { first: 100 })).customers;
    expect(lines.map((l) => l.customerId)).toEqual(all.nodes.map((n) => n.id).reverse());
    expect(lines).toHaveLength(all.totalCount);
    expect(new Set(lines.map((l) => l.cursor)).size).toBe(lines.length);
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.createdAt >= lines[i - 1]!.createdAt).toBe(true);

    const byEmail = new Map(lines.map((l) => [l.email, l]));
    // E-mails are stored lower-cased.
    const b = byEmail.get(buyer.customerEmail.toLowerCase())!;
    // The accounts as the ledger left them: the 120 given above plus what the delivered orders earned.
    const accountOf = async (o: DeliveredOrder) => {
      const [a] = await t.app.database.db.select().from(loyaltyAccounts).where(eq(loyaltyAccounts.customerId, await customerDbId(o)));
      return a!;
    };
    const buyerAccount = await accountOf(buyer);
    const earned = Number(
      (await t.app.database.rows<{ n: number }>(sql`select coalesce(sum(points), 0)::int as n from loyalty_transactions where customer_id = ${await customerDbId(buyer)} and kind = 'EARN'`))[0]!.n,
    );
    expect(earned).toBeGreaterThan(0);
    expect(buyerAccount.balance).toBe(120 + earned);
    expect(b).toEqual({
      cursor: expect.any(String),
      customerId: toGlobalId('Customer', await customerDbId(buyer)),
      email: buyer.customerEmail.toLowerCase(),
      name: 'Мария Петрова',
      locale: 'ru',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      loyalty: { balance: buyerAccount.balance, tier: 'GOLD', rollingSpend: { amountMinor: 12_000_000, currency: 'RUB' }, lifetimePoints: buyerAccount.lifetimePoints },
      orderCount: 2,
      lastOrderAt: await orderCreatedAt(secondOrder),
    });
    expect(await orderCreatedAt(secondOrder)).not.toBe(await orderCreatedAt(buyer));
    const o = byEmail.get(other.customerEmail.toLowerCase())!;
    const otherAccount = await accountOf(other);
    expect(o.loyalty).toEqual({ balance: otherAccount.balance, tier: 'SILVER', rollingSpend: { amountMinor: 3_500_000, currency: 'RUB' }, lifetimePoints: otherAccount.lifetimePoints });
    expect(otherAccount.balance).toBeGreaterThan(7); // 7 given, and its delivered order earned
    expect(o.orderCount).toBe(1);
    expect(o.lastOrderAt).toBe(await orderCreatedAt(other));
    // No loyalty account, no orders: zero balance, the program's lowest tier.
    expect(byEmail.get('quiet@example.ru')).toMatchObject({
      customerId: quietId,
      name: 'Тихий Покупатель',
      locale: 'en-GB',
      loyalty: { balance: 0, tier: 'BRONZE', rollingSpend: { amountMinor: 0, currency: 'RUB' }, lifetimePoints: 0 },
      orderCount: 0,
      lastOrderAt: null,
    });
  });

  it('resumes strictly after any line with ?after=<its cursor>, across page boundaries', async () => {
    const lines = parse((await get(t, '', reader)).text);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (let k = 0; k < lines.length; k++) {
      const rest = await get(t, `?after=${encodeURIComponent(lines[k]!.cursor)}`, reader);
      expect(rest.status).toBe(200);
      expect(parse(rest.text)).toEqual(lines.slice(k + 1));
    }
    // After the last line: an empty export, not an error.
    const end = await get(t, `?after=${lines[lines.length - 1]!.cursor}`, reader);
    expect(end.status).toBe(200);
    expect(end.text).toBe('');
  });

  it('a customer created later comes after every earlier one, so resuming from the last cursor gives exactly the new ones', async () => {
    const before = parse((await get(t, '', reader)).text);
    const created = (await t.admin(CustomerCreateDocument, { input: { email: 'late@example.ru', locale: 'ru' } })).customerCreate;
    expect(created.userErrors).toEqual([]);
    const after = parse((await get(t, '', reader)).text);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((l) => l.customerId).slice(before.length)).toEqual([created.customer!.id]);
    const resumed = parse((await get(t, `?after=${before[before.length - 1]!.cursor}`, reader)).text);
    expect(resumed.map((l) => l.email)).toEqual(['late@example.ru']);
  });

  it('answers 400 INVALID_CURSOR to a cursor it did not write', async () => {
    const lines = parse((await get(t, '', reader)).text);
    const id = idOfType(lines[0]!.customerId, 'Customer')!;
    for (const bad of ['nope', '', Buffer.from('not-a-uuid').toString('base64url'), lines[0]!.customerId, Buffer.from(id).toString('base64') + '==', `${lines[0]!.cursor}x`]) {
      const r = await get(t, `?after=${encodeURIComponent(bad)}`, reader);
      expect(r.status, bad).toBe(400);
      expect(JSON.parse(r.text).errors[0].extensions.code).toBe('INVALID_CURSOR');
    }
    // The bad cursor is checked after the key: an anonymous caller learns nothing about cursors.
    expect((await get(t, '?after=nope', null)).status).toBe(401);
  });
});

describe('a client that disconnects in the middle of a long export', () => {
  const logs: { level: number; msg: string }[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(l));
      cb();
    },
  });
  let t: TestApp;
  const COUNT = 20_000;
  beforeAll(async () => {
    t = await startApp({ env: { EXPORT_PAGE_SIZE: '500' }, log: pino({ level: 'debug', base: null }, capture) });
    await insertCustomersBulk(staffContext(t).database.db, COUNT, { prefix: 'hangup' });
  }, 120_000);
  afterAll(async () => t?.close());

  it('stops reading pages, logs no error, and the next request gets the whole export', async () => {
    const { port } = new URL(t.url);
    const firstChunk = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: PATH, headers: { authorization: `Bearer ${t.adminKey}` } }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', (chunk: Buffer) => {
          req.destroy();
          resolve(chunk.toString('utf8'));
        });
      });
      req.on('error', (e) => (e.message.includes('socket hang up') || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end();
    });
    expect(firstChunk.length).toBeGreaterThan(0);
    // The server saw the client leave while lines were still to come (a finished export logs nothing).
    const deadline = Date.now() + 10_000;
    while (!logs.some((l) => l.msg === 'customer export: client went away')) {
      if (Date.now() > deadline) throw new Error('the server never noticed the client leaving');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
    // The database connection and the server are free: the next export is complete.
    const r = await fetch(`${new URL(t.url).origin}${PATH}`, { headers: { authorization: `Bearer ${t.adminKey}` } });
    const text = await r.text();
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(COUNT);
    expect(JSON.parse(lines[COUNT - 1]!).email).toBe(`hangup.${COUNT - 1}@example.com`);
    const health = await fetch(`${new URL(t.url).origin}/healthz`);
    expect(health.status).toBe(200);
  });
});
