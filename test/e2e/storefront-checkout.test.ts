/**
 * Storefront checkout with a customer token (issue 19 item 3), end to end over HTTP: the customer
 * is created by a staff key with a password and signs in with customerAccessTokenCreate (as the
 * README tells a storefront), then orders for itself (delivery quote, idempotency per customer,
 * points), reads its orders and addresses from viewer.customer, and cancels its own order while it
 * is ALLOCATED; it cannot order for another e-mail, nor cancel or see another customer's order, and
 * its requests count against its own rate-limit budget.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { givePoints, storedLoyalty } from '../factories/loyalty-redeem.js';
import { address, stockedStore } from '../factories/stock.js';
import {
  CustomerAccessTokenCreateDocument,
  CustomerCreateDocument,
  LrCarrierCreateDocument,
  LrLevelsDocument,
  LrOrdersDocument,
  PickListCreateDocument,
  SfCustomerOrdersDocument,
  SfDeliveryOptionsDocument,
  SfMeDocument,
  SfOrderCancelDocument,
  SfOrderCreateDocument,
  SfOrderDocument,
  ViewerDocument,
  type OrderCreateInput,
} from '../generated/graphql.js';
import { startApp, type TestApp } from '../harness.js';

let t: TestApp;
let sku: string;
/** Stocked only in SPB1: orders of it allocate there, so a pick list there touches only them. */
let spbSku: string;
let seq = 0;

/** Per customer per minute (plus a burst of 1): enough for every test below, small enough to reach. */
const CUSTOMER_BUDGET = 25;

interface Shopper {
  email: string;
  token: string;
}

/** The README's way: a staff key creates the customer with a password; the storefront signs in without a key. */
async function shopper(name = 'Анна'): Promise<Shopper> {
  const email = `shopper.${process.pid}.${++seq}@example.ru`;
  const created = (await t.admin(CustomerCreateDocument, { input: { email, name, locale: 'ru', password: 'correct horse battery' } })).customerCreate;
  expect(created.userErrors).toEqual([]);
  const signIn = await t.gql(CustomerAccessTokenCreateDocument, { input: { email, password: 'correct horse battery' } }, { token: null });
  const token = signIn.data!.customerAccessTokenCreate.accessToken!;
  expect(token).toBeTruthy();
  return { email, token };
}

const checkout = (over: Partial<OrderCreateInput> = {}): Omit<OrderCreateInput, 'customer'> & { customer?: OrderCreateInput['customer'] } => ({
  channel: 'web',
  currency: 'RUB',
  deliveryType: 'COURIER',
  shippingAddress: address(),
  lines: [{ sku, quantity: 1 }],
  ...over,
});

// A storefront sends the signed-in customer's own e-mail (the contract makes `customer` required).
const create = (s: Shopper, input: Omit<OrderCreateInput, 'customer'> & { customer?: OrderCreateInput['customer'] }) =>
  t.gql(SfOrderCreateDocument, { input: { customer: { email: s.email }, ...input } }, { token: s.token });
const allocated = async () => (await t.admin(LrLevelsDocument, { sku })).inventoryLevels.reduce((a, l) => a + l.allocated, 0);
const orderCount = async () => (await t.admin(LrOrdersDocument, { first: 1 })).orders.totalCount;

beforeAll(async () => {
  t = await startApp({ env: { RATE_LIMIT_CUSTOMER_PER_MIN: String(CUSTOMER_BUDGET), RATE_LIMIT_BURST: '1' } });
  [sku, spbSku] = (await stockedStore(t, { msk: [200, 0], spb: [0, 20] })) as [string, string];
  const carrier = await t.admin(LrCarrierCreateDocument, {
    input: {
      code: 'SFC',
      name: 'Storefront Express',
      services: [
        {
          code: 'SFC_COURIER',
          name: 'Courier',
          deliveryType: 'COURIER',
          transitDaysMin: 1,
          transitDaysMax: 2,
          maxWeightGrams: 30_000,
          rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 290_00, currency: 'RUB' } }],
        },
      ],
    },
  });
  expect(carrier.carrierCreate.userErrors).toEqual([]);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('orderCreate with a customer token', () => {
  it("orders as its own account (its own e-mail as the customer input), redeeming a delivery quote; the order is the customer's", async () => {
    const anna = await shopper('Анна Иванова');
    expect((await t.gql(ViewerDocument, {}, { token: anna.token })).data!.viewer.kind).toBe('CUSTOMER');
    const lines = [{ sku, quantity: 2 }];
    const options = await t.gql(SfDeliveryOptionsDocument, { input: { currency: 'RUB', destination: address() as never, lines } }, { token: anna.token });
    const option = options.data!.deliveryOptions.find((o) => o.service.code === 'SFC_COURIER')!;
    expect(option.price).toEqual({ amountMinor: 290_00, currency: 'RUB' });

    const r = await create(anna, checkout({ deliveryType: null, deliveryOptionId: option.id, lines }));
    expect(r.errors).toBeUndefined();
    expect(r.data!.orderCreate.userErrors).toEqual([]);
    const order = r.data!.orderCreate.order!;
    expect(order.status).toBe('ALLOCATED');
    expect(order.customer).toEqual({ email: anna.email, name: 'Анна Иванова' });
    expect(order.shippingPrice.amountMinor).toBe(290_00);

    // The account's own e-mail, written differently, is the same buyer.
    const same = await create(anna, checkout({ customer: { email: `  ${anna.email.toUpperCase()} `, name: 'Someone Else' } }));
    expect(same.data!.orderCreate.userErrors).toEqual([]);
    expect(same.data!.orderCreate.order!.customer).toEqual({ email: anna.email, name: 'Анна Иванова' });
  });

  it("another e-mail is CUSTOMER_MISMATCH at input.customer.email and writes nothing (no order, no customer)", async () => {
    const boris = await shopper();
    const victim = `victim.${process.pid}.${++seq}@example.ru`;
    const before = await orderCount();
    const r = await create(boris, checkout({ customer: { email: victim } }));
    expect(r.data!.orderCreate.order).toBeNull();
    expect(r.data!.orderCreate.userErrors.map((e) => [e.code, e.field])).toEqual([['CUSTOMER_MISMATCH', ['input', 'customer', 'email']]]);
    expect(await orderCount()).toBe(before);
    expect((await t.admin(SfCustomerOrdersDocument, { query: victim })).customers.nodes).toEqual([]);
    // Nor someone who exists (with points to spend): still the mismatch, their points untouched.
    const carla = await shopper();
    const carlaId = await givePoints(t, carla.email, [100]);
    const spend = await create(boris, checkout({ customer: { email: carla.email }, redeemPoints: 50 }));
    expect(spend.data!.orderCreate.userErrors.map((e) => e.code)).toEqual(['CUSTOMER_MISMATCH']);
    expect((await storedLoyalty(t, carlaId)).balance).toBe(100);
    expect(await orderCount()).toBe(before);
  });

  it('idempotency is per customer: a retry returns the first order; the same key from another customer is its own order', async () => {
    const [dora, egor] = [await shopper(), await shopper()];
    const idempotencyKey = randomUUID();
    const first = (await create(dora, checkout({ idempotencyKey }))).data!.orderCreate;
    expect(first.userErrors).toEqual([]);
    const retry = (await create(dora, checkout({ idempotencyKey }))).data!.orderCreate;
    expect(retry.order!.id).toBe(first.order!.id);
    const changed = (await create(dora, checkout({ idempotencyKey, lines: [{ sku, quantity: 3 }] }))).data!.orderCreate;
    expect(changed.userErrors.map((e) => e.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    const other = (await create(egor, checkout({ idempotencyKey }))).data!.orderCreate;
    expect(other.userErrors).toEqual([]);
    expect(other.order!.id).not.toBe(first.order!.id);
    expect(other.order!.customer!.email).toBe(egor.email);
  });

  it("redeems the customer's own points at checkout", async () => {
    const fedor = await shopper();
    const id = await givePoints(t, fedor.email, [200]);
    const r = (await create(fedor, checkout({ lines: [{ sku, quantity: 1, unitPrice: { amountMinor: 1000_00, currency: 'RUB' } }], redeemPoints: 120 }))).data!.orderCreate;
    expect(r.userErrors).toEqual([]);
    expect(r.order!.pointsRedeemed).toBe(120);
    expect(r.order!.total).toEqual({ amountMinor: 880_00, currency: 'RUB' });
    expect((await storedLoyalty(t, id)).balance).toBe(80);
  });

  it('the buyer is required (the contract): without it the request is refused before anything runs', async () => {
    const before = await orderCount();
    const r = await t.gql(SfOrderCreateDocument, { input: checkout() as OrderCreateInput }, {});
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await orderCount()).toBe(before);
  });
});

describe('viewer.customer: orders and addresses', () => {
  it('lists its own orders (paged) and the distinct addresses it ordered to, most recent first; never another customer\'s', async () => {
    const [gala, other] = [await shopper(), await shopper()];
    const home = address({ line1: 'ул. Арбат, 10', postalCode: '119002' });
    const office = address({ line1: 'Пресненская наб., 12', postalCode: '123112' });
    const numbers: string[] = [];
    for (const shippingAddress of [home, office, home]) {
      const r = (await create(gala, checkout({ shippingAddress }))).data!.orderCreate;
      expect(r.userErrors).toEqual([]);
      numbers.push(r.order!.number);
    }
    expect((await create(other, checkout({ shippingAddress: address({ line1: 'Невский пр., 1' }) }))).data!.orderCreate.userErrors).toEqual([]);

    const meRes = await t.gql(SfMeDocument, { first: 2 }, { token: gala.token });
    expect(meRes.errors).toBeUndefined();
    const me = meRes.data!.viewer.customer!;
    expect(me.email).toBe(gala.email);
    expect(me.orders.totalCount).toBe(3);
    expect(me.orders.nodes.map((o) => o.number)).toEqual([numbers[2], numbers[1]]);
    expect(me.orders.pageInfo.hasNextPage).toBe(true);
    const rest = (await t.gql(SfMeDocument, { first: 2, after: me.orders.pageInfo.endCursor }, { token: gala.token })).data!.viewer.customer!;
    expect(rest.orders.nodes.map((o) => o.number)).toEqual([numbers[0]]);
    // Home was used last (the third order), then the office.
    expect(me.addresses.map((a) => a.line1)).toEqual(['ул. Арбат, 10', 'Пресненская наб., 12']);
    expect(me.addresses[0]).toMatchObject({ city: 'Москва', postalCode: '119002', location: { lat: 55.76, lng: 37.61 } });

    // Staff read the same through the customer.
    const staff = (await t.admin(SfCustomerOrdersDocument, { query: gala.email })).customers.nodes;
    expect(staff.map((c) => [c.orders.totalCount, c.addresses.length])).toEqual([[3, 2]]);
  });
});

describe('orderCancel with a customer token', () => {
  it('cancels its own ALLOCATED order (stock released); another customer\'s order is NOT_FOUND and stays as it was', async () => {
    const [hana, ivan] = [await shopper(), await shopper()];
    const mine = (await create(hana, checkout())).data!.orderCreate.order!;
    const theirs = (await create(ivan, checkout())).data!.orderCreate.order!;

    const foreign = (await t.gql(SfOrderCancelDocument, { input: { id: theirs.id } }, { token: hana.token })).data!.orderCancel;
    expect(foreign.order).toBeNull();
    expect(foreign.userErrors.map((e) => [e.code, e.field])).toEqual([['NOT_FOUND', ['input', 'id']]]);
    // Exactly what an id that does not exist answers.
    const unknown = (await t.gql(SfOrderCancelDocument, { input: { id: mine.id.slice(0, -4) + 'AAAA' } }, { token: hana.token })).data!.orderCancel;
    expect(unknown.userErrors.map((e) => [e.code, e.field, e.message])).toEqual(foreign.userErrors.map((e) => [e.code, e.field, e.message]));
    expect((await t.gql(SfOrderDocument, { id: theirs.id }, { token: hana.token })).data!.order).toBeNull();
    expect((await t.admin(SfOrderDocument, { id: theirs.id })).order!.status).toBe('ALLOCATED');

    const reserved = await allocated();
    const own = (await t.gql(SfOrderCancelDocument, { input: { id: mine.id, reason: 'changed my mind' } }, { token: hana.token })).data!.orderCancel;
    expect(own.userErrors).toEqual([]);
    expect(await allocated()).toBe(reserved - 1);
    expect(own.order).toEqual({ id: mine.id, status: 'CANCELLED' });
    expect((await t.admin(SfOrderDocument, { id: mine.id })).order!.status).toBe('CANCELLED');
  });

  it('cancels a BACKORDERED order, but not one the warehouse is picking (INVALID_STATE_TRANSITION, unchanged)', async () => {
    const jana = await shopper();
    const back = (await create(jana, checkout({ lines: [{ sku: spbSku, quantity: 999 }], allowBackorder: true }))).data!.orderCreate.order!;
    expect(back.status).toBe('BACKORDERED');
    const cancelled = (await t.gql(SfOrderCancelDocument, { input: { id: back.id } }, { token: jana.token })).data!.orderCancel;
    expect(cancelled.userErrors).toEqual([]);
    expect(cancelled.order!.status).toBe('CANCELLED');

    const spb = address({ city: 'Санкт-Петербург', postalCode: '191186', location: { lat: 59.93, lng: 30.33 } });
    const picked = (await create(jana, checkout({ shippingAddress: spb, lines: [{ sku: spbSku, quantity: 1 }] }))).data!.orderCreate.order!;
    expect(picked.status).toBe('ALLOCATED');
    expect((await t.admin(PickListCreateDocument, { input: { warehouseCode: 'SPB1', maxOrders: 50 } })).pickListCreate.userErrors).toEqual([]);
    expect((await t.admin(SfOrderDocument, { id: picked.id })).order!.status).toBe('PICKING');
    const refused = (await t.gql(SfOrderCancelDocument, { input: { id: picked.id } }, { token: jana.token })).data!.orderCancel;
    expect(refused.userErrors.map((e) => [e.code, e.field])).toEqual([['INVALID_STATE_TRANSITION', ['input', 'id']]]);
    expect((await t.admin(SfOrderDocument, { id: picked.id })).order!.status).toBe('PICKING');
  });
});

describe('rate limits', () => {
  it("a customer's checkout counts against its own budget: past it, 429 RATE_LIMITED; another customer still orders", async () => {
    const [kira, lev] = [await shopper(), await shopper()];
    // The budget and its burst of 1, spent on reads.
    for (let i = 0; i < CUSTOMER_BUDGET + 1; i++) expect((await t.gql(ViewerDocument, {}, { token: kira.token })).status).toBe(200);
    const before = await orderCount();
    const limited = await create(kira, checkout());
    expect(limited.status).toBe(429);
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(await orderCount()).toBe(before);
    const ok = await create(lev, checkout());
    expect(ok.data!.orderCreate.userErrors).toEqual([]);
  });
});
