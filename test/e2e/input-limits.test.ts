/**
 * Bounds on what callers may send: search text length, LIKE wildcards taken literally, real
 * country codes, plausible dates, no all-zero GTIN; and PostgreSQL's statement timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/db/client.js';
import { productInput, variantInput } from '../factories/catalog.js';
import { address, stockedStore } from '../factories/stock.js';
import { addressInput, warehouseInput } from '../factories/warehouse.js';
import { realPostgresUrl, startApp, type TestApp } from '../harness.js';

type Err = { message: string; extensions?: { code?: string } };
type UserErrors = { userErrors: { code: string; field: string[] | null }[] };

let t: TestApp;
let skus: string[];
beforeAll(async () => {
  t = await startApp();
  skus = await stockedStore(t, { msk: [20], spb: [0] });
});
afterAll(async () => t?.close());

const post = async <D = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) => {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: D | null; errors?: Err[] };
};

const ORDER = 'mutation O($input: OrderCreateInput!) { orderCreate(input: $input) { order { id number } userErrors { code field } } }';
const ORDERS = 'query Q($f: OrderFilter) { orders(first: 50, filter: $f) { nodes { number } } }';
const orderFor = (email: string, over: Record<string, unknown> = {}) => ({
  channel: 'web',
  currency: 'RUB',
  deliveryType: 'COURIER',
  customer: { email },
  lines: [{ sku: skus[0]!, quantity: 1 }],
  shippingAddress: address(),
  ...over,
});

describe('search text', () => {
  it('is at most 200 characters in products, customers and order filters (BAD_USER_INPUT, before any SQL)', async () => {
    const long = 'x'.repeat(201);
    const cases: [string, Record<string, unknown>][] = [
      ['query Q($q: String) { products(first: 1, query: $q) { totalCount } }', { q: long }],
      ['query Q($q: String) { customers(first: 1, query: $q) { totalCount } }', { q: long }],
      [ORDERS, { f: { customerEmail: long } }],
      [ORDERS, { f: { channel: long } }],
    ];
    for (const [query, variables] of cases) {
      const r = await post(query, variables);
      expect(r.errors?.[0]?.extensions?.code, query).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message, query).toMatch(/at most 200 characters/);
      const ok = await post(query, JSON.parse(JSON.stringify(variables).replace(long, 'x'.repeat(200))) as Record<string, unknown>);
      expect(ok.errors, query).toBeUndefined();
    }
    // A 900 KB search string is refused too (the body limit is larger).
    const huge = await post('query Q($q: String) { products(first: 1, query: $q) { totalCount } }', { q: 'y'.repeat(900_000) });
    expect(huge.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('LIKE wildcards', () => {
  it('match themselves in the order filter by e-mail, in customer and in product search', async () => {
    const a = await post<{ orderCreate: { order: { number: string } } & UserErrors }>(ORDER, { input: orderFor('a_b@example.ru') });
    const b = await post<{ orderCreate: { order: { number: string } } & UserErrors }>(ORDER, { input: orderFor('axb@example.ru') });
    expect(a.data?.orderCreate.userErrors).toEqual([]);
    expect(b.data?.orderCreate.userErrors).toEqual([]);
    const numbers = async (customerEmail: string) =>
      ((await post<{ orders: { nodes: { number: string }[] } }>(ORDERS, { f: { customerEmail } })).data?.orders.nodes ?? []).map((n) => n.number);
    expect(await numbers('%@example.ru')).toEqual([]);
    expect(await numbers('%')).toEqual([]);
    expect(await numbers('a_b@example.ru')).toEqual([a.data!.orderCreate.order.number]);
    expect(await numbers('A_B@EXAMPLE.RU')).toEqual([a.data!.orderCreate.order.number]); // still case-insensitive
    expect(await numbers('axb@example.ru')).toEqual([b.data!.orderCreate.order.number]);

    const customers = async (q: string) => (await post<{ customers: { totalCount: number } }>('query Q($q: String) { customers(first: 1, query: $q) { totalCount } }', { q })).data?.customers.totalCount;
    expect(await customers('a_b@')).toBe(1);
    expect(await customers('%')).toBe(0);
    const p = productInput({ title: 'Sale 50% off' });
    await post('mutation P($input: ProductCreateInput!) { productCreate(input: $input) { userErrors { code } } }', { input: p });
    const products = async (q: string) => (await post<{ products: { totalCount: number } }>('query Q($q: String) { products(first: 1, query: $q) { totalCount } }', { q })).data?.products.totalCount;
    expect(await products('50% off')).toBe(1);
    expect(await products('5_%')).toBe(0);
  });
});

describe('country codes', () => {
  it('must be assigned ISO 3166-1 alpha-2 codes in warehouses and orders (pickup points share the address check)', async () => {
    const wh = await post<{ warehouseCreate: UserErrors }>(
      'mutation W($input: WarehouseCreateInput!) { warehouseCreate(input: $input) { userErrors { code field } } }',
      { input: warehouseInput({ address: addressInput({ countryCode: 'ZZ' }) }) },
    );
    expect(wh.data?.warehouseCreate.userErrors).toEqual([{ code: 'INVALID', field: ['input', 'address', 'countryCode'] }]);
    const order = await post<{ orderCreate: UserErrors }>(ORDER, { input: orderFor('zz@example.com', { shippingAddress: address({ countryCode: 'ZZ' }) }) });
    expect(order.data?.orderCreate.userErrors).toEqual([{ code: 'INVALID', field: ['input', 'shippingAddress', 'countryCode'] }]);
    const ok = await post<{ warehouseCreate: UserErrors }>(
      'mutation W($input: WarehouseCreateInput!) { warehouseCreate(input: $input) { userErrors { code field } } }',
      { input: warehouseInput({ address: addressInput({ countryCode: 'DE' }) }) },
    );
    expect(ok.data?.warehouseCreate.userErrors).toEqual([]);
  });
});

describe('dates', () => {
  it('an inbound delivery expected in year 1 or 9999 is refused; one next year is fine', async () => {
    const INBOUND = 'mutation I($input: InventoryInboundCreateInput!) { inventoryInboundCreate(input: $input) { userErrors { code field } } }';
    const inbound = (reference: string, expectedAt: string) => ({ warehouseCode: 'MSK1', reference, expectedAt, lines: [{ sku: skus[0]!, quantity: 1 }] });
    for (const [i, when] of ['0001-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2100-01-01T00:00:00Z', '9999-12-31T00:00:00Z'].entries()) {
      const r = await post<{ inventoryInboundCreate: UserErrors }>(INBOUND, { input: inbound(`PO-BAD-${i}`, when) });
      expect(r.data?.inventoryInboundCreate.userErrors, when).toEqual([{ code: 'INVALID', field: ['input', 'expectedAt'] }]);
    }
    const rows = await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from inbound_lines where reference like 'PO-BAD-%'`);
    expect(rows[0]!.n).toBe(0);
    const ok = await post<{ inventoryInboundCreate: UserErrors }>(INBOUND, { input: inbound('PO-OK-1', '2030-06-01T10:00:00Z') });
    expect(ok.data?.inventoryInboundCreate.userErrors).toEqual([]);
  });
});

describe('GTIN', () => {
  it('all zeros is refused (INVALID_BARCODE), whatever its length', async () => {
    for (const gtin of ['00000000', '000000000000', '0000000000000', '00000000000000']) {
      const r = await post<{ productCreate: UserErrors }>('mutation P($input: ProductCreateInput!) { productCreate(input: $input) { userErrors { code field } } }', {
        input: productInput({ variants: [variantInput({ gtin })] }),
      });
      expect(r.data?.productCreate.userErrors.map((e) => e.code), gtin).toEqual(['INVALID_BARCODE']);
    }
  });
});

describe.skipIf(!realPostgresUrl)('statement timeout (PostgreSQL)', () => {
  it('cancels a statement that runs past DB_STATEMENT_TIMEOUT_MS with a clean error; the pool keeps working', async () => {
    const pg = await startApp({ env: { DATABASE_URL: realPostgresUrl, DB_STATEMENT_TIMEOUT_MS: '200' } });
    try {
      const err = await pg.app.database.rows(sql`select pg_sleep(5)`).then(
        () => null,
        (e: unknown) => e,
      );
      const codes: unknown[] = [];
      for (let e = err as { code?: unknown; cause?: unknown } | null; e; e = e.cause as typeof e) codes.push(e.code);
      expect(codes).toContain('57014'); // query_canceled: canceling statement due to statement timeout
      expect(await pg.app.database.rows<{ one: number }>(sql`select 1 as one`)).toEqual([{ one: 1 }]);
      // The API still answers on the same pool.
      const res = await fetch(pg.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { kind } }' }) });
      expect(res.status).toBe(200);
    } finally {
      await pg.close();
    }
  });
});
