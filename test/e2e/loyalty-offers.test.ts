/**
 * Customer.personalizedOffers over HTTP: a customer's offers leave out what they just bought and
 * what is sold out, lead with what others bought together with it, each with a reason; another
 * customer's offers are out of a CUSTOMER's reach and need read_customers for keys; `first` is
 * bounded; a list of customers with their offers costs the same statements for 2 or 6 customers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productInput, variantInput } from '../factories/catalog.js';
import { address, MOSCOW } from '../factories/stock.js';
import {
  BinLocationsCreateDocument,
  InventoryReceiveDocument,
  OffersApiKeyCreateDocument,
  OffersCustomerCreateDocument,
  OffersCustomerTokenDocument,
  OffersOfCustomersDocument,
  OffersOfNodeDocument,
  OffersOfOrderCustomerDocument,
  OffersOfViewerDocument,
  OffersOrderCreateDocument,
  ProductCreateDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
} from '../generated/graphql.js';
import { startApp, type TestApp } from '../harness.js';

let t: TestApp;
/** sku and title per product: boots, cream (bought with boots), sold-out laces, a book, a toy, a kettle. */
const p: Record<'boots' | 'cream' | 'laces' | 'book' | 'toy' | 'kettle', { sku: string; title: string }> = {} as never;
const PASSWORD = 'correct horse battery staple';
const customers: Record<string, { id: string; token: string }> = {};
let annaOrderId = '';

async function order(email: string, lines: { sku: string; quantity: number }[]): Promise<string> {
  const r = (await t.admin(OffersOrderCreateDocument, { input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email }, shippingAddress: address(), lines } })).orderCreate;
  expect(r.userErrors).toEqual([]);
  return r.order!.id;
}

beforeAll(async () => {
  t = await startApp();
  const specs = [
    ['boots', 'apparel/shoes', 'Ботинки зимние Ekonika', 50],
    ['cream', 'beauty/skincare', 'Крем для обуви', 50],
    ['laces', 'apparel/shoes', 'Шнурки', 2],
    ['book', 'books', 'Война и мир', 50],
    ['toy', 'toys', 'Конструктор', 50],
    ['kettle', 'home/kitchen', 'Чайник', 50],
  ] as const;
  for (const [key, category, title] of specs) {
    const input = productInput({ title, category, variants: [variantInput()] });
    await t.admin(ProductCreateDocument, { input });
    p[key] = { sku: input.variants[0]!.sku, title };
  }
  await t.admin(WarehouseCreateDocument, { input: { code: 'MSK1', name: 'Москва', address: { line1: 'Складская 1', city: 'Москва', postalCode: '101000', countryCode: 'RU', location: MOSCOW } } });
  await t.admin(ZoneCreateDocument, { input: { warehouseCode: 'MSK1', code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
  await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: 'MSK1', zoneCode: 'P', aisles: ['A'], racks: 2, levels: 1, positions: 5 } });
  await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', lines: specs.map(([key, , , quantity]) => ({ sku: p[key].sku, quantity })) } });

  for (const name of ['anna', 'boris', 'vera', 'gleb', 'dina', 'egor']) {
    const email = `${name}.offers@example.ru`;
    const c = (await t.admin(OffersCustomerCreateDocument, { input: { email, password: PASSWORD, name, locale: 'ru' } })).customerCreate;
    expect(c.userErrors).toEqual([]);
    const token = (await t.gql(OffersCustomerTokenDocument, { input: { email, password: PASSWORD } }, { token: null })).data!.customerAccessTokenCreate.accessToken!;
    customers[name] = { id: c.customer!.id, token };
  }
  const q = (sku: string, quantity = 1) => ({ sku, quantity });
  // Boots go with cream (twice) and with laces (which then sell out); the book is the best seller.
  await order('boris.offers@example.ru', [q(p.boots.sku), q(p.cream.sku)]);
  await order('vera.offers@example.ru', [q(p.boots.sku), q(p.cream.sku)]);
  await order('gleb.offers@example.ru', [q(p.boots.sku), q(p.laces.sku, 2)]);
  for (const who of ['boris', 'vera', 'gleb', 'dina']) await order(`${who}.offers@example.ru`, [q(p.book.sku)]);
  await order('dina.offers@example.ru', [q(p.toy.sku)]);
  // Anna has just bought boots.
  annaOrderId = await order('anna.offers@example.ru', [q(p.boots.sku)]);
});
afterAll(async () => t?.close());

describe('Customer.personalizedOffers', () => {
  it('offers a customer what goes with their purchase, never what they just bought nor what is sold out, each with a reason', async () => {
    const r = await t.gql(OffersOfViewerDocument, {}, { token: customers.anna!.token });
    expect(r.errors).toBeUndefined();
    const offers = r.data!.viewer.customer!.personalizedOffers;
    const skus = offers.map((o) => o.variant.sku);
    expect(skus).not.toContain(p.boots.sku); // bought today
    expect(skus).not.toContain(p.laces.sku); // sold out (Gleb took both)
    expect(offers[0]).toMatchObject({ variant: { sku: p.cream.sku }, reason: `Often bought with ${p.boots.title}` });
    expect(skus).toEqual(expect.arrayContaining([p.cream.sku, p.book.sku, p.toy.sku]));
    expect(skus).not.toContain(p.kettle.sku); // nobody bought it: no signal
    for (const o of offers) {
      expect(o.reason.length).toBeGreaterThan(0);
      expect(o.score).toBeGreaterThan(0);
    }
    for (let i = 1; i < offers.length; i++) expect(offers[i - 1]!.score).toBeGreaterThanOrEqual(offers[i]!.score);
    expect(offers.find((o) => o.variant.sku === p.book.sku)!.reason).toBe('Popular now');
    // `first` cuts the list.
    const one = await t.gql(OffersOfViewerDocument, { first: 1 }, { token: customers.anna!.token });
    expect(one.data!.viewer.customer!.personalizedOffers.map((o) => o.variant.sku)).toEqual([p.cream.sku]);
  });

  it('a customer who just bought the cream is no longer offered it', async () => {
    const before = await t.gql(OffersOfViewerDocument, {}, { token: customers.dina!.token });
    expect(before.data!.viewer.customer!.personalizedOffers.map((o) => o.variant.sku)).toContain(p.cream.sku);
    await order('dina.offers@example.ru', [{ sku: p.cream.sku, quantity: 1 }]);
    const after = await t.gql(OffersOfViewerDocument, {}, { token: customers.dina!.token });
    expect(after.data!.viewer.customer!.personalizedOffers.map((o) => o.variant.sku)).not.toContain(p.cream.sku);
  });

  it("another customer's offers: null for a CUSTOMER token, FORBIDDEN for a key without read_customers; staff see them", async () => {
    const other = await t.gql(OffersOfNodeDocument, { id: customers.boris!.id }, { token: customers.anna!.token });
    expect(other.errors).toBeUndefined();
    expect(other.data!.node).toBeNull();

    const key = (await t.admin(OffersApiKeyCreateDocument, { input: { name: 'orders only', kind: 'STAFF', scopes: ['read_orders'] } })).apiKeyCreate;
    expect(key.userErrors).toEqual([]);
    const viaOrder = await t.gql(OffersOfOrderCustomerDocument, { id: annaOrderId }, { token: key.secret! });
    expect(viaOrder.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);

    const staff = await t.gql(OffersOfNodeDocument, { id: customers.anna!.id });
    expect(staff.errors).toBeUndefined();
    expect((staff.data!.node as { personalizedOffers: { variant: { sku: string } }[] }).personalizedOffers[0]!.variant.sku).toBe(p.cream.sku);
  });

  it('refuses first outside 1 to 50 with BAD_USER_INPUT', async () => {
    for (const first of [0, 51, -1]) {
      const r = await t.gql(OffersOfViewerDocument, { first }, { token: customers.anna!.token });
      expect(r.errors?.[0]?.extensions?.code, String(first)).toBe('BAD_USER_INPUT');
    }
  });

  it('ranks a page of customers in a bounded number of statements (no N+1)', async () => {
    const statements = async (first: number) => {
      const r = await t.gql(OffersOfCustomersDocument, { first, offers: 5 });
      expect(r.errors).toBeUndefined();
      expect(r.data!.customers.nodes).toHaveLength(first);
      return Number(r.headers.get('x-sql-statements'));
    };
    await statements(1); // the model is built once per database; warm it
    const [s2, s6] = [await statements(2), await statements(6)];
    // customers + count, purchases, stock (may be cached), variants.
    expect(s2).toBeLessThanOrEqual(6);
    expect(s6).toBeLessThanOrEqual(s2 + 1);
  });
});
