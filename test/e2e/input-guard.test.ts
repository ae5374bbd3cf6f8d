/**
 * Strings PostgreSQL cannot store (NUL, unpaired UTF-16 surrogates) are refused at the edge with
 * BAD_USER_INPUT, over HTTP and WebSocket, in variables and in inline literals, without reaching
 * the database or the logs; and a statement that does fail is logged without its parameters.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/db/client.js';
import { collect, startApp, type TestApp } from '../harness.js';

const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, cb) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  },
});
const errorLines = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 40);

let t: TestApp;
beforeAll(async () => {
  t = await startApp({ log: pino({ level: 'debug', base: null }, capture) });
});
afterAll(async () => t?.close());

const NUL = 'a\u0000b';
const SURROGATE = 'a\ud800b';

const post = async (query: string, variables?: Record<string, unknown>, token: string | null = t.adminKey) => {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
};

const TOKEN = 'mutation T($input: CustomerAccessTokenCreateInput!) { customerAccessTokenCreate(input: $input) { accessToken userErrors { code } } }';
const PRODUCTS = 'query P($q: String) { products(first: 5, query: $q) { totalCount } }';
const VARIANT = 'query V($sku: String!) { productVariant(sku: $sku) { id } }';
const CUSTOMER = 'mutation C($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id } userErrors { code } } }';
const ORDER = 'mutation O($input: OrderCreateInput!) { orderCreate(input: $input) { order { id } userErrors { code } } }';
const order = (line1: string, sku = 'SKU-1') => ({
  channel: 'web',
  currency: 'RUB',
  customer: { email: 'buyer@example.com' },
  lines: [{ sku, quantity: 1 }],
  shippingAddress: { line1, city: 'Moscow', postalCode: '101000', countryCode: 'RU' },
});

/** [name, document, variables, anonymous?, where the message must point]. */
const cases = (bad: string): [string, string, Record<string, unknown>, boolean, string][] => [
  ['customerAccessTokenCreate e-mail (anonymous)', TOKEN, { input: { email: `x${bad}@example.com`, password: 'whatever-123' } }, true, 'variables.input.email'],
  ['customerAccessTokenCreate password (anonymous)', TOKEN, { input: { email: 'x@example.com', password: bad } }, true, 'variables.input.password'],
  ['products(query:)', PRODUCTS, { q: bad }, false, 'variables.q'],
  ['productVariant(sku:)', VARIANT, { sku: bad }, false, 'variables.sku'],
  ['customerCreate name', CUSTOMER, { input: { email: 'c@example.com', name: bad } }, false, 'variables.input.name'],
  ['orderCreate address line', ORDER, { input: order(bad) }, false, 'variables.input.shippingAddress.line1'],
  ['orderCreate SKU', ORDER, { input: order('Tverskaya 1', bad) }, false, 'variables.input.lines[0].sku'],
];

describe('NUL characters and unpaired surrogates', () => {
  for (const [label, bad] of [['NUL', NUL], ['unpaired surrogate', SURROGATE]] as const) {
    it(`refuses a ${label} in variables over HTTP with BAD_USER_INPUT, naming the variable, touching nothing and logging nothing`, async () => {
      lines.length = 0;
      for (const [name, query, variables, anonymous, where] of cases(bad)) {
        const r = await post(query, variables, anonymous ? null : t.adminKey);
        expect(r.status, name).toBe(400);
        expect(r.body.errors?.[0]?.extensions?.code, name).toBe('BAD_USER_INPUT');
        expect(r.body.errors?.[0]?.message, name).toContain(where);
        expect(r.body.errors?.[0]?.message, name).not.toContain(bad);
      }
      expect(errorLines()).toEqual([]);
      const customers = await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from customers where email = 'c@example.com'`);
      expect(customers[0]!.n).toBe(0);
    });

    it(`refuses a ${label} in variables over WebSocket the same way`, async () => {
      lines.length = 0;
      for (const [name, query, variables, anonymous, where] of cases(bad)) {
        const sub = collect(t.ws(anonymous ? null : t.adminKey), query, variables);
        await sub.next(1);
        const errors = sub.error as { message: string; extensions?: { code?: string } }[];
        expect(Array.isArray(errors), name).toBe(true);
        expect(errors[0]!.extensions?.code, name).toBe('BAD_USER_INPUT');
        expect(errors[0]!.message, name).toContain(where);
      }
      expect(errorLines()).toEqual([]);
    });
  }

  it('refuses \\u0000 in inline literals, over HTTP (fast path included) and WebSocket', async () => {
    lines.length = 0;
    const literal = (s: string) => `mutation { customerAccessTokenCreate(input: { email: "${s}@example.com", password: "x-12345678" }) { accessToken userErrors { code } } }`;
    // The same document without the NUL, twice: Apollo has it cached for the fast path afterwards.
    const fine = literal('someone');
    for (let i = 0; i < 2; i++) expect((await post(fine, undefined, null)).status).toBe(200);
    const docs = [literal('a\\u0000b'), literal('a\\u{0}b'), '{ products(first: 1, query: "x\\u0000") { totalCount } }'];
    for (const doc of docs) {
      const r = await post(doc, undefined, doc.includes('products') ? t.adminKey : null);
      expect(r.status, doc).toBe(400);
      expect(r.body.errors?.[0]?.extensions?.code, doc).toBe('BAD_USER_INPUT');
      expect(r.body.errors?.[0]?.message, doc).toMatch(/argument (input\.email|query) of field (customerAccessTokenCreate|products)/);
      const sub = collect(t.ws(doc.includes('products') ? t.adminKey : null), doc);
      await sub.next(1);
      expect((sub.error as { extensions?: { code?: string } }[])[0]!.extensions?.code, doc).toBe('BAD_USER_INPUT');
    }
    // A surrogate pair written as escapes is fine (graphql-js itself refuses an unpaired escape).
    expect((await post('{ products(first: 1, query: "\\ud83d\\ude00") { totalCount } }')).status).toBe(200);
    expect(errorLines()).toEqual([]);
  });

  it('refuses a NUL in GET parameters', async () => {
    const q = encodeURIComponent('query P($q: String) { products(first: 1, query: $q) { totalCount } }');
    const v = encodeURIComponent(JSON.stringify({ q: NUL }));
    const res = await fetch(`${t.url}?query=${q}&variables=${v}`, { headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${t.adminKey}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('error logs', () => {
  it('log a failed statement without its parameters (no e-mail, password hash or key in the logs)', async () => {
    // A real database failure on insert: a trigger refuses customers whose e-mail starts with "fail-".
    await t.app.database.rows(
      sql.raw(`create function wb_test_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused by test trigger'; end $$`),
    );
    await t.app.database.rows(
      sql.raw(`create trigger wb_test_refuse before insert on customers for each row when (new.email like 'fail-%') execute function wb_test_refuse()`),
    );
    lines.length = 0;
    const email = 'fail-someone.private@example.com';
    const password = 'Very-Secret-Pa55word';
    const r = await post(CUSTOMER, { input: { email, name: 'Private Person', password } });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const logged = errorLines();
    expect(logged.map((l) => l.msg)).toContain('unexpected error');
    const text = lines.join('\n');
    expect(text).toContain('refused by test trigger'); // the cause is still there...
    expect(text).toMatch(/insert into \\"customers/); // ...and the statement text (placeholders only)
    for (const secret of [email, 'someone.private', 'Private Person', password, 'scrypt$', t.adminKey]) expect(text).not.toContain(secret);
  });
});

/** Inputs the schema fuzzer (test/faults/fuzz.test.ts) found answered as internal errors: each must be the client's error, logged nowhere. */
describe('found by the schema fuzzer', () => {
  it('variables with more than 50 coercion errors: BAD_USER_INPUT with HTTP 400, not an internal error', async () => {
    lines.length = 0;
    const tiers = Array.from({ length: 60 }, () => 'not a tier');
    const r = await post('mutation L($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { userErrors { code } } }', { input: { tiers } });
    expect(r.status).toBe(400);
    expect(r.body.errors!.length).toBeGreaterThan(50);
    expect(r.body.errors!.map((e) => e.extensions?.code)).toEqual(r.body.errors!.map(() => 'BAD_USER_INPUT'));
    expect(r.body.errors!.at(-1)!.message).toContain('Too many errors processing variables');
    expect(errorLines()).toEqual([]);
  });

  it('a support ticket id of another type (or no id at all) is NOT_FOUND in userErrors, not a failed uuid cast', async () => {
    lines.length = 0;
    const otherType = Buffer.from('Order:01a24fc2-ac85-779a-9c30-d3563628eab0').toString('base64url');
    for (const ticketId of [otherType, '', 'not-an-id']) {
      const reply = await post('mutation R($input: SupportTicketReplyInput!) { supportTicketReply(input: $input) { ticket { id } userErrors { code field } } }', { input: { ticketId, body: 'Hello' } });
      expect(reply.body.errors, ticketId).toBeUndefined();
      expect((reply.body.data as { supportTicketReply: { userErrors: unknown[] } }).supportTicketReply.userErrors, ticketId).toEqual([{ code: 'NOT_FOUND', field: ['input', 'ticketId'] }]);
      const update = await post('mutation U($input: SupportTicketUpdateInput!) { supportTicketUpdate(input: $input) { ticket { id } userErrors { code field } } }', { input: { ticketId, priority: 'HIGH' } });
      expect(update.body.errors, ticketId).toBeUndefined();
      expect((update.body.data as { supportTicketUpdate: { userErrors: unknown[] } }).supportTicketUpdate.userErrors, ticketId).toEqual([{ code: 'NOT_FOUND', field: ['input', 'ticketId'] }]);
    }
    expect(errorLines()).toEqual([]);
  });

  it('channelStockSync with no lines is INVALID in userErrors (an empty insert used to fail in the database layer)', async () => {
    lines.length = 0;
    const r = await post('mutation S($input: ChannelStockSyncInput!) { channelStockSync(input: $input) { updated userErrors { code field } } }', { input: { channel: 'marketplace', lines: [] } });
    expect(r.body.errors).toBeUndefined();
    expect((r.body.data as { channelStockSync: unknown }).channelStockSync).toEqual({ updated: 0, userErrors: [{ code: 'INVALID', field: ['input', 'lines'] }] });
    expect(errorLines()).toEqual([]);
  });
});
