/**
 * Redemption at checkout (issue 16 item 3) over HTTP: orderCreate(redeemPoints) takes the points in
 * the order's transaction, shows the discount on the order, refuses bad input with nothing written,
 * and orderCancel gives the points back once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrder } from '../../src/modules/orders/order.service.js';
import { CUSTOMER_SCOPES } from '../../src/shared/principal.js';
import { BusinessError } from '../../src/shared/errors.js';
import { address, stockedStore } from '../factories/stock.js';
import { givePoints, ledgerSums, storedLoyalty } from '../factories/loyalty-redeem.js';
import {
  LrApiKeyCreateDocument,
  LrCarrierCreateDocument,
  LrDeliveryOptionsDocument,
  LrLevelsDocument,
  LrOrderCancelDocument,
  LrOrderCreateDocument,
  LrOrdersDocument,
  type OrderCreateInput,
} from '../generated/graphql.js';
import { startApp, type TestApp } from '../harness.js';

let t: TestApp;
let sku: string;
let seq = 0;

const email = () => `points.${process.pid}.${++seq}@example.ru`;
/** One unit at 1 000.00 RUB: the default program (1 point = 1.00 RUB, at most 30%) allows 300 points. */
const input = (customer: string, over: Partial<OrderCreateInput> = {}): OrderCreateInput => ({
  channel: 'web',
  currency: 'RUB',
  deliveryType: 'COURIER',
  customer: { email: customer },
  shippingAddress: address(),
  lines: [{ sku, quantity: 1, unitPrice: { amountMinor: 1000_00, currency: 'RUB' } }],
  ...over,
});

const allocated = async () => (await t.admin(LrLevelsDocument, { sku })).inventoryLevels.reduce((a, l) => a + l.allocated, 0);
const orderCount = async () => (await t.admin(LrOrdersDocument, { first: 1 })).orders.totalCount;

beforeAll(async () => {
  t = await startApp();
  [sku] = (await stockedStore(t, { msk: [500], spb: [0] })) as [string];
  const carrier = await t.admin(LrCarrierCreateDocument, {
    input: {
      code: 'LRC',
      name: 'Points Express',
      services: [
        {
          code: 'LRC_COURIER',
          name: 'Courier',
          deliveryType: 'COURIER',
          transitDaysMin: 1,
          transitDaysMax: 2,
          maxWeightGrams: 30_000,
          rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 350_00, currency: 'RUB' } }],
        },
      ],
    },
  });
  expect(carrier.carrierCreate.userErrors).toEqual([]);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

/** Asserts a refusal wrote nothing: no order, no stock reserved, the customer's loyalty as it was. */
async function expectNothingWritten(customerId: string, run: () => Promise<void>) {
  const [orders, reserved, before] = [await orderCount(), await allocated(), await storedLoyalty(t, customerId)];
  await run();
  expect(await orderCount()).toBe(orders);
  expect(await allocated()).toBe(reserved);
  expect(await storedLoyalty(t, customerId)).toEqual(before);
}

describe('orderCreate with redeemPoints', () => {
  it('takes the points in the order: pointsRedeemed, discount, total = subtotal + shipping - discount; the balance drops by exactly that; one REDEEM entry', async () => {
    const who = email();
    const customerId = await givePoints(t, who, [120, 80]);
    const lines = [{ sku, quantity: 2, unitPrice: { amountMinor: 750_00, currency: 'RUB' } }];
    const options = await t.admin(LrDeliveryOptionsDocument, { input: { currency: 'RUB', destination: address() as never, lines } });
    const option = options.deliveryOptions.find((o) => o.service.code === 'LRC_COURIER')!;
    expect(option.price.amountMinor).toBe(350_00);

    const r = (await t.admin(LrOrderCreateDocument, { input: input(who, { deliveryType: null, deliveryOptionId: option.id, lines, redeemPoints: 150 }) })).orderCreate;
    expect(r.userErrors).toEqual([]);
    const order = r.order!;
    expect(order.pointsRedeemed).toBe(150);
    expect(order.subtotal).toEqual({ amountMinor: 1500_00, currency: 'RUB' });
    expect(order.shippingPrice).toEqual({ amountMinor: 350_00, currency: 'RUB' });
    expect(order.discount).toEqual({ amountMinor: 150_00, currency: 'RUB' });
    expect(order.total).toEqual({ amountMinor: 1500_00 + 350_00 - 150_00, currency: 'RUB' });

    const after = await storedLoyalty(t, customerId);
    expect(after.balance).toBe(200 - 150);
    const redeems = after.ledger.filter((e) => e.kind === 'REDEEM');
    expect(redeems).toHaveLength(1);
    expect(redeems[0]).toMatchObject({ points: -150, shortfall: 0 });
    // The oldest-expiring lot is spent first: 120 of the first, 30 of the second.
    expect(after.ledger.filter((e) => e.kind === 'ADJUST').map((e) => e.remaining)).toEqual([0, 50]);
    expect(ledgerSums(after)).toEqual({ points: 50, remaining: 50 });
  });

  it('an order without redeemPoints (or with 0) has no discount and leaves the balance alone', async () => {
    const who = email();
    const customerId = await givePoints(t, who, [40]);
    for (const redeemPoints of [undefined, 0]) {
      const order = (await t.admin(LrOrderCreateDocument, { input: input(who, { redeemPoints }) })).orderCreate.order!;
      expect(order).toMatchObject({ pointsRedeemed: 0, discount: { amountMinor: 0, currency: 'RUB' }, total: { amountMinor: 1000_00, currency: 'RUB' } });
    }
    expect((await storedLoyalty(t, customerId)).balance).toBe(40);
  });

  it('redeems up to floor(maxRedeemShare x subtotal) exactly: 300 points on 1 000.00 RUB', async () => {
    const who = email();
    const customerId = await givePoints(t, who, [300]);
    const r = (await t.admin(LrOrderCreateDocument, { input: input(who, { redeemPoints: 300 }) })).orderCreate;
    expect(r.userErrors).toEqual([]);
    expect(r.order!.total.amountMinor).toBe(700_00);
    expect((await storedLoyalty(t, customerId)).balance).toBe(0);
  });

  it('an idempotent retry (same idempotencyKey) returns the same order and never redeems twice', async () => {
    const who = email();
    const customerId = await givePoints(t, who, [500]);
    const idempotencyKey = randomUUID();
    const first = (await t.admin(LrOrderCreateDocument, { input: input(who, { idempotencyKey, redeemPoints: 100 }) })).orderCreate;
    expect(first.userErrors).toEqual([]);
    const retries = await Promise.all(Array.from({ length: 4 }, () => t.admin(LrOrderCreateDocument, { input: input(who, { idempotencyKey, redeemPoints: 100 }) })));
    for (const r of retries) {
      expect(r.orderCreate.userErrors).toEqual([]);
      expect(r.orderCreate.order!.id).toBe(first.order!.id);
      expect(r.orderCreate.order!.pointsRedeemed).toBe(100);
    }
    const after = await storedLoyalty(t, customerId);
    expect(after.balance).toBe(400);
    expect(after.ledger.filter((e) => e.kind === 'REDEEM')).toHaveLength(1);
    // The same key with other points is another request: refused, not a second redemption.
    const other = (await t.admin(LrOrderCreateDocument, { input: input(who, { idempotencyKey, redeemPoints: 200 }) })).orderCreate;
    expect(other.userErrors.map((e) => e.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect((await storedLoyalty(t, customerId)).balance).toBe(400);
  });
});

describe('refused redemptions write nothing', () => {
  it('INSUFFICIENT_POINTS: more than the balance (the order, its stock and its new customer roll back)', async () => {
    const who = email();
    const customerId = await givePoints(t, who, [100]);
    await expectNothingWritten(customerId, async () => {
      const r = (await t.admin(LrOrderCreateDocument, { input: input(who, { redeemPoints: 150 }) })).orderCreate;
      expect(r.order).toBeNull();
      expect(r.userErrors).toEqual([{ code: 'INSUFFICIENT_POINTS', field: ['input', 'redeemPoints'], message: expect.stringContaining('150') }]);
    });
  });

  it('INSUFFICIENT_POINTS for a customer with no points at all; no account is left behind', async () => {
    const who = email();
    const before = await orderCount();
    const r = (await t.admin(LrOrderCreateDocument, { input: input(who, { redeemPoints: 1 }) })).orderCreate;
    expect(r.userErrors.map((e) => e.code)).toEqual(['INSUFFICIENT_POINTS']);
    expect(await orderCount()).toBe(before);
    // The customer the order would have created is rolled back too: giving points now creates it afresh.
    const customerId = await givePoints(t, who, []);
    expect((await storedLoyalty(t, customerId)).balance).toBeNull();
  });

  it('REDEEM_LIMIT_EXCEEDED: over maxRedeemShare of the subtotal, naming the most points allowed', async () => {
    const who = email();
    const customerId = await givePoints(t, who, [1000]);
    await expectNothingWritten(customerId, async () => {
      const r = (await t.admin(LrOrderCreateDocument, { input: input(who, { redeemPoints: 301 }) })).orderCreate;
      expect(r.order).toBeNull();
      expect(r.userErrors).toEqual([{ code: 'REDEEM_LIMIT_EXCEEDED', field: ['input', 'redeemPoints'], message: expect.stringContaining('At most 300 points') }]);
    });
  });

  it('negative points are INVALID', async () => {
    const who = email();
    const customerId = await givePoints(t, who, [100]);
    await expectNothingWritten(customerId, async () => {
      const r = (await t.admin(LrOrderCreateDocument, { input: input(who, { redeemPoints: -5 }) })).orderCreate;
      expect(r.userErrors.map((e) => [e.code, e.field])).toEqual([['INVALID', ['input', 'redeemPoints']]]);
    });
  });

  it("INVALID_CURRENCY: an order in another currency than the program's", async () => {
    const who = email();
    const customerId = await givePoints(t, who, [100]);
    await expectNothingWritten(customerId, async () => {
      const r = (await t.admin(LrOrderCreateDocument, { input: input(who, { currency: 'USD', lines: [{ sku, quantity: 1, unitPrice: { amountMinor: 100_00, currency: 'USD' } }], redeemPoints: 10 }) }))
        .orderCreate;
      expect(r.userErrors).toEqual([{ code: 'INVALID_CURRENCY', field: ['input', 'redeemPoints'], message: expect.stringContaining('RUB') }]);
    });
  });

  it('FORBIDDEN for a key with write_orders but neither write_customers nor write_loyalty; a storefront key with write_customers may spend', async () => {
    const who = email();
    const customerId = await givePoints(t, who, [100]);
    const feed = (await t.admin(LrApiKeyCreateDocument, { input: { kind: 'PARTNER', name: 'marketplace feed', scopes: ['write_orders'] } })).apiKeyCreate.secret!;
    await expectNothingWritten(customerId, async () => {
      const r = await t.gql(LrOrderCreateDocument, { input: input(who, { redeemPoints: 10 }) }, { token: feed });
      expect(r.errors).toBeUndefined();
      expect(r.data!.orderCreate.userErrors.map((e) => [e.code, e.field])).toEqual([['FORBIDDEN', ['input', 'redeemPoints']]]);
    });
    // The same key may still place orders without points.
    expect((await t.gql(LrOrderCreateDocument, { input: input(who) }, { token: feed })).data!.orderCreate.userErrors).toEqual([]);

    const storefront = (await t.admin(LrApiKeyCreateDocument, { input: { kind: 'STAFF', name: 'storefront', scopes: ['write_orders', 'write_customers'] } })).apiKeyCreate.secret!;
    const ok = await t.gql(LrOrderCreateDocument, { input: input(who, { redeemPoints: 10 }) }, { token: storefront });
    expect(ok.data!.orderCreate.userErrors).toEqual([]);
    expect((await storedLoyalty(t, customerId)).balance).toBe(90);
  });

  it("a CUSTOMER principal spends only its own points; another's e-mail is CUSTOMER_MISMATCH and writes nothing (over HTTP: storefront-checkout.test.ts)", async () => {
    const mine = email();
    const theirs = email();
    const myId = await givePoints(t, mine, [100]);
    const theirId = await givePoints(t, theirs, [100]);
    const ctx = t.app.context({ kind: 'CUSTOMER', name: mine, scopes: CUSTOMER_SCOPES, customerId: myId }).services;
    await expectNothingWritten(theirId, async () => {
      const err = await createOrder(ctx, input(theirs, { redeemPoints: 50 }) as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusinessError);
      expect((err as BusinessError).errors.map((e) => [e.code, e.field])).toEqual([['CUSTOMER_MISMATCH', ['input', 'customer', 'email']]]);
    });
    const { order } = await createOrder(ctx, input(mine, { redeemPoints: 50 }) as never);
    expect(order.pointsRedeemed).toBe(50);
    expect((await storedLoyalty(t, myId)).balance).toBe(50);
  });
});

describe('orderCancel gives redeemed points back', () => {
  it('once: a REVERSAL of the redeemed points; a second cancel is refused by the lifecycle and gives nothing', async () => {
    const who = email();
    const customerId = await givePoints(t, who, [250]);
    const order = (await t.admin(LrOrderCreateDocument, { input: input(who, { redeemPoints: 200 }) })).orderCreate.order!;
    expect((await storedLoyalty(t, customerId)).balance).toBe(50);

    const cancelled = (await t.admin(LrOrderCancelDocument, { input: { id: order.id, reason: 'changed mind' } })).orderCancel;
    expect(cancelled.userErrors).toEqual([]);
    expect(cancelled.order!.status).toBe('CANCELLED');
    const after = await storedLoyalty(t, customerId);
    expect(after.balance).toBe(250);
    const givebacks = after.ledger.filter((e) => e.kind === 'REVERSAL');
    expect(givebacks).toHaveLength(1);
    expect(givebacks[0]).toMatchObject({ points: 200, remaining: 200, returnRequestId: null });
    expect(givebacks[0]!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 364 * 86_400_000);
    expect(ledgerSums(after)).toEqual({ points: 250, remaining: 250 });

    const again = (await t.admin(LrOrderCancelDocument, { input: { id: order.id } })).orderCancel;
    expect(again.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    const still = await storedLoyalty(t, customerId);
    expect(still.balance).toBe(250);
    expect(still.ledger.filter((e) => e.kind === 'REVERSAL')).toHaveLength(1);

    // The points given back can be spent again, and no more of them than were given back.
    const big = [{ sku, quantity: 1, unitPrice: { amountMinor: 2000_00, currency: 'RUB' } }];
    expect((await t.admin(LrOrderCreateDocument, { input: input(who, { redeemPoints: 251, lines: big }) })).orderCreate.userErrors.map((e) => e.code)).toEqual(['INSUFFICIENT_POINTS']);
    expect((await t.admin(LrOrderCreateDocument, { input: input(who, { redeemPoints: 250, lines: big }) })).orderCreate.userErrors).toEqual([]);
    expect((await storedLoyalty(t, customerId)).balance).toBe(0);
  });

  it('cancelling an order without points writes no ledger entry', async () => {
    const who = email();
    const customerId = await givePoints(t, who, [30]);
    const order = (await t.admin(LrOrderCreateDocument, { input: input(who) })).orderCreate.order!;
    expect((await t.admin(LrOrderCancelDocument, { input: { id: order.id } })).orderCancel.userErrors).toEqual([]);
    const after = await storedLoyalty(t, customerId);
    expect(after.balance).toBe(30);
    expect(after.ledger.map((e) => e.kind)).toEqual(['ADJUST']);
  });
});
