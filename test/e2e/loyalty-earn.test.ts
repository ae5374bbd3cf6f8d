/**
 * Issue 16, earning side, end to end over HTTP and graphql-ws: the program and its validation,
 * EARN once per delivered order (tracking events twice and out of order), proportional REVERSAL on
 * refunds with a recorded shortfall, tiers up with spend and down after a return, staff ADJUST with
 * idempotency, who may read which account, the live loyaltyBalanceChanged subscription, the
 * LOYALTY_TRANSACTION_CREATED webhook, and EXPIRE on a ManualClock.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import { webhookReceiver, type WebhookReceiver } from '../factories/webhooks.js';
import {
  LoyaltyEarnAccountReadDocument,
  LoyaltyEarnAdjustDocument,
  LoyaltyEarnApiKeyCreateDocument,
  LoyaltyEarnCustomersDocument,
  LoyaltyEarnProgramReadDocument,
  LoyaltyEarnProgramUpdateDocument,
  LoyaltyEarnReturnApproveDocument,
  LoyaltyEarnReturnCreateDocument,
  LoyaltyEarnReturnInspectDocument,
  LoyaltyEarnReturnReceiveDocument,
  LoyaltyEarnReturnRefundDocument,
  LoyaltyEarnTrackingIngestDocument,
  LoyaltyEarnViewerDocument,
  LoyaltyEarnWebhookCreateDocument,
  type LoyaltyProgramUpdateInput,
} from '../generated/graphql.js';
import { toGlobalId } from '../../src/graphql/relay.js';
import { ManualClock } from '../../src/shared/clock.js';
import { collect, settle, startApp, waitFor, type TestApp } from '../harness.js';

const PASSWORD = 'correct horse battery staple';
const DAY = 86_400_000;
const rub = (amountMinor: number) => ({ amountMinor, currency: 'RUB' });

/** 1 point per rouble, Bronze ×1 from 0, Silver ×1.5 from 5 000 ₽, Gold ×2 from 20 000 ₽. */
const PROGRAM: LoyaltyProgramUpdateInput = {
  pointsPerCurrencyUnit: 1,
  pointValue: rub(1_00),
  expiryDays: 365,
  maxRedeemShare: 0.5,
  tiers: [
    { code: 'BRONZE', name: 'Bronze', minSpend: rub(0), earnMultiplier: 1 },
    { code: 'SILVER', name: 'Silver', minSpend: rub(5_000_00), earnMultiplier: 1.5 },
    { code: 'GOLD', name: 'Gold', minSpend: rub(20_000_00), earnMultiplier: 2 },
  ],
};

async function setProgram(t: TestApp, input: LoyaltyProgramUpdateInput) {
  const r = (await t.admin(LoyaltyEarnProgramUpdateDocument, { input })).loyaltyProgramUpdate;
  expect(r.userErrors).toEqual([]);
  return r.loyaltyProgram!;
}

/** The customer's global id (through its own token). */
async function customerIdOf(t: TestApp, o: DeliveredOrder): Promise<string> {
  const r = await t.gql(LoyaltyEarnViewerDocument, {}, { token: o.customerToken });
  return r.data!.viewer.customer!.id;
}

async function account(t: TestApp, customerId: string, first = 50) {
  const r = await t.admin(LoyaltyEarnAccountReadDocument, { customerId, first });
  return r.loyaltyAccount!;
}

async function adjust(t: TestApp, customerId: string, points: number, key: string = randomUUID(), reason = 'test correction') {
  return (await t.admin(LoyaltyEarnAdjustDocument, { input: { customerId, points, reason, idempotencyKey: key } })).loyaltyAdjust;
}

/** The customer returns these units (by line index); the warehouse receives, restocks and refunds them. */
async function refundReturn(t: TestApp, o: DeliveredOrder, lines: { line: number; quantity: number }[]) {
  const created = await t.gql(
    LoyaltyEarnReturnCreateDocument,
    { input: { orderId: o.orderId, lines: lines.map((l) => ({ orderLineId: o.lines[l.line]!.id, quantity: l.quantity, reason: 'SIZE_TOO_SMALL' as const })) } },
    { token: o.customerToken },
  );
  expect(created.data!.returnRequestCreate.userErrors).toEqual([]);
  const ret = created.data!.returnRequestCreate.returnRequest!;
  if (ret.status === 'REQUESTED') expect((await t.admin(LoyaltyEarnReturnApproveDocument, { input: { id: ret.id } })).returnApprove.userErrors).toEqual([]);
  const scanned = lines.flatMap((l) => Array.from({ length: l.quantity }, () => o.lines[l.line]!.gtin));
  expect((await t.admin(LoyaltyEarnReturnReceiveDocument, { input: { id: ret.id, warehouseCode: o.warehouseCode, scannedBarcodes: scanned } })).returnReceive.userErrors).toEqual([]);
  const inspect = ret.lines.map((rl, i) => ({ returnLineId: rl.id, disposition: 'RESTOCK' as const, quantity: lines[i]!.quantity }));
  expect((await t.admin(LoyaltyEarnReturnInspectDocument, { input: { id: ret.id, lines: inspect } })).returnInspect.userErrors).toEqual([]);
  const refunded = (await t.admin(LoyaltyEarnReturnRefundDocument, { input: { id: ret.id, externalReference: `PAY-${ret.number}` } })).returnRefund;
  expect(refunded.userErrors).toEqual([]);
  return { ...ret, refund: refunded.returnRequest!.refund! };
}

describe('loyalty earning (real clock)', () => {
  let t: TestApp;
  let hooks: WebhookReceiver;

  beforeAll(async () => {
    hooks = await webhookReceiver();
    t = await startApp({ env: { WEBHOOK_POLL_MS: '50', WEBHOOK_BACKOFF_BASE_MS: '20', WEBHOOK_BACKOFF_CAP_MS: '100' } });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await hooks?.close();
  });

  it('program: defaults readable by a customer; every validation error at once and nothing written; the currency may change only while the ledger is empty', async () => {
    const before = (await t.admin(LoyaltyEarnProgramReadDocument, {})).loyaltyProgram;
    expect(before.pointValue.currency).toBe('RUB');
    expect(before.tiers.map((x) => x.code)).toEqual(['BRONZE', 'SILVER', 'GOLD']);
    expect((await t.gql(LoyaltyEarnProgramReadDocument, {}, { token: null })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const bad = (
      await t.admin(LoyaltyEarnProgramUpdateDocument, {
        input: {
          pointsPerCurrencyUnit: -1,
          pointValue: rub(0),
          expiryDays: 3651,
          maxRedeemShare: 1.5,
          tiers: [
            { code: 'bronze', name: 'Bronze', minSpend: rub(100), earnMultiplier: 1 },
            { code: 'SILVER', name: ' ', minSpend: { amountMinor: 50, currency: 'EUR' }, earnMultiplier: 0 },
            { code: 'SILVER', name: 'Again', minSpend: rub(50), earnMultiplier: -2 },
          ],
        },
      })
    ).loyaltyProgramUpdate;
    expect(bad.loyaltyProgram).toBeNull();
    expect(bad.userErrors.map((e) => `${e.code}:${e.field!.join('.')}`).sort()).toEqual(
      [
        'INVALID:input.pointsPerCurrencyUnit',
        'INVALID:input.pointValue.amountMinor',
        'INVALID:input.expiryDays',
        'INVALID:input.maxRedeemShare',
        'INVALID:input.tiers.0.code',
        'INVALID:input.tiers.0.minSpend.amountMinor',
        'INVALID:input.tiers.1.name',
        'INVALID_CURRENCY:input.tiers.1.minSpend.currency',
        'INVALID:input.tiers.1.minSpend.amountMinor',
        'INVALID:input.tiers.1.earnMultiplier',
        'INVALID:input.tiers.2.code',
        'INVALID:input.tiers.2.minSpend.amountMinor',
        'INVALID:input.tiers.2.earnMultiplier',
      ].sort(),
    );
    const empty = (await t.admin(LoyaltyEarnProgramUpdateDocument, { input: { tiers: [], pointValue: { amountMinor: 1, currency: 'XXY' } } })).loyaltyProgramUpdate;
    expect(empty.userErrors.map((e) => e.code).sort()).toEqual(['INVALID', 'INVALID_CURRENCY']);
    // A new currency without tiers in it: the old tiers are in RUB.
    const half = (await t.admin(LoyaltyEarnProgramUpdateDocument, { input: { pointValue: { amountMinor: 1, currency: 'EUR' } } })).loyaltyProgramUpdate;
    expect(half.userErrors.every((e) => e.code === 'INVALID_CURRENCY' && e.field!.join('.') === 'input.tiers')).toBe(true);
    expect((await t.admin(LoyaltyEarnProgramReadDocument, {})).loyaltyProgram).toEqual(before);

    // Empty ledger: the currency may change (and back).
    const eur = await setProgram(t, { pointValue: { amountMinor: 1, currency: 'EUR' }, tiers: [{ code: 'BASE', name: 'Base', minSpend: { amountMinor: 0, currency: 'EUR' }, earnMultiplier: 1 }] });
    expect(eur.pointValue.currency).toBe('EUR');
    const set = await setProgram(t, PROGRAM);
    expect(set.tiers.map((x) => [x.code, x.minSpend.amountMinor, x.earnMultiplier])).toEqual([
      ['BRONZE', 0, 1],
      ['SILVER', 5_000_00, 1.5],
      ['GOLD', 20_000_00, 2],
    ]);
    // Partners without admin may not change it.
    const key = (await t.admin(LoyaltyEarnApiKeyCreateDocument, { input: { name: 'crm', kind: 'PARTNER', scopes: ['read_customers', 'write_customers'] } })).apiKeyCreate.secret!;
    expect((await t.gql(LoyaltyEarnProgramUpdateDocument, { input: { expiryDays: 10 } }, { token: key })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('EARN once per delivered order, even when the tracking events come twice and out of order; a customer sees it live', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 2, priceMinor: 1000_00 }], deliveredAt: null });
    const customerId = await customerIdOf(t, o);
    const ws = t.ws(o.customerToken);
    const live = collect<{ loyaltyBalanceChanged: { balance: number; customer: { id: string } } }>(
      ws,
      'subscription { loyaltyBalanceChanged { balance customer { id } } }',
    );
    await settle(300);
    const at = new Date(Date.now() - 3_600_000);
    const ingest = async (events: { externalEventId: string; status: 'DELIVERED' | 'IN_TRANSIT'; occurredAt: Date }[]) => {
      const r = (
        await t.admin(LoyaltyEarnTrackingIngestDocument, {
          input: { carrierCode: o.carrierCode, events: events.map((e) => ({ trackingNumber: o.trackingNumber, externalEventId: e.externalEventId, status: e.status, occurredAt: e.occurredAt.toISOString() })) },
        })
      ).trackingEventsIngest;
      expect(r.userErrors).toEqual([]);
    };
    await ingest([{ externalEventId: 'd1', status: 'DELIVERED', occurredAt: at }]);
    await ingest([
      { externalEventId: 'd1', status: 'DELIVERED', occurredAt: at },
      { externalEventId: 't0', status: 'IN_TRANSIT', occurredAt: new Date(at.getTime() - 7_200_000) },
      { externalEventId: 'd2', status: 'DELIVERED', occurredAt: new Date(at.getTime() + 60_000) },
    ]);
    const a = await account(t, customerId);
    expect(a.balance).toBe(2000);
    expect(a.lifetimePoints).toBe(2000);
    const earns = a.transactions.edges.filter((e) => e.node.kind === 'EARN');
    expect(earns).toHaveLength(1);
    expect(earns[0]!.node.points).toBe(2000);
    expect(earns[0]!.node.order?.id).toBe(o.orderId);
    const expires = new Date(earns[0]!.node.expiresAt as string).getTime();
    expect(Math.abs(expires - (Date.now() + 365 * DAY))).toBeLessThan(60_000);
    expect(a.rollingSpend).toEqual(rub(2000_00));
    expect(a.tier.code).toBe('BRONZE');
    // The customer's own view: the same account, with the order link.
    const own = await t.gql(LoyaltyEarnAccountReadDocument, { first: 10 }, { token: o.customerToken });
    expect(own.errors).toBeUndefined();
    expect(own.data!.loyaltyAccount!.balance).toBe(2000);
    expect(own.data!.loyaltyAccount!.transactions.edges[0]!.node.order?.number).toBe(o.orderNumber);
    const msg = await live.first((i) => i.data?.loyaltyBalanceChanged.balance === 2000);
    expect(msg.data!.loyaltyBalanceChanged.customer.id).toBe(customerId);
    live.dispose();
  });

  it('a refund takes back its share of the points; a return moves the tier down; a later order earns with the tier it had', async () => {
    const o1 = await deliveredOrder(t, { lines: [{ quantity: 3, priceMinor: 2000_00 }] });
    const customerId = await customerIdOf(t, o1);
    let a = await account(t, customerId);
    expect([a.balance, a.tier.code, a.rollingSpend.amountMinor]).toEqual([6000, 'SILVER', 6000_00]);
    const o2 = await deliveredOrder(t, { lines: [{ quantity: 2, priceMinor: 1000_00 }], customer: { email: o1.customerEmail, password: PASSWORD } });
    a = await account(t, customerId);
    // Silver when it was delivered: 2 000 ₽ × 1 × 1.5.
    expect(a.transactions.edges[0]!.node).toMatchObject({ kind: 'EARN', points: 3000 });
    expect([a.balance, a.tier.code, a.rollingSpend.amountMinor]).toEqual([9000, 'SILVER', 8000_00]);

    const ret = await refundReturn(t, o1, [{ line: 0, quantity: 2 }]);
    a = await account(t, customerId);
    const reversal = a.transactions.edges[0]!.node;
    // 6 000 earned × 4 000 ₽ refunded / 6 000 ₽ subtotal.
    expect(reversal).toMatchObject({ kind: 'REVERSAL', points: -4000, order: { id: o1.orderId }, returnRequest: { id: ret.id } });
    expect([a.balance, a.tier.code, a.rollingSpend.amountMinor, a.lifetimePoints]).toEqual([5000, 'BRONZE', 4000_00, 9000]);

    // The last unit: the reversals of the order never exceed what it earned.
    await refundReturn(t, o1, [{ line: 0, quantity: 1 }]);
    a = await account(t, customerId);
    expect(a.transactions.edges[0]!.node).toMatchObject({ kind: 'REVERSAL', points: -2000 });
    const o1Reversed = a.transactions.edges.filter((e) => e.node.kind === 'REVERSAL' && e.node.order?.id === o1.orderId).reduce((s, e) => s + e.node.points, 0);
    expect(o1Reversed).toBe(-6000);
    expect([a.balance, a.rollingSpend.amountMinor]).toEqual([3000, 2000_00]);
    void o2;
  });

  it('a refund of an order paid partly with points gives those points back in proportion (exactly all of them over the whole order); the payment system pays the rest', async () => {
    const o1 = await deliveredOrder(t, { lines: [{ quantity: 1, priceMinor: 10_000_00 }] });
    const customerId = await customerIdOf(t, o1);
    // Bronze ×1 at delivery: 10 000 points, and Silver from then on.
    expect((await account(t, customerId)).balance).toBe(10_000);
    // 4 × 1 000 ₽ with 1 000 points (1 000 ₽) off: paid 3 000 ₽, earned at Silver ×1.5 = 4 500.
    const o2 = await deliveredOrder(t, { lines: [{ quantity: 4, priceMinor: 1000_00 }], customer: { email: o1.customerEmail, password: PASSWORD }, redeemPoints: 1000 });
    let a = await account(t, customerId);
    expect([a.balance, a.rollingSpend.amountMinor]).toEqual([10_000 - 1000 + 4500, 13_000_00]);

    // One unit of four: 1 000 ₽ of goods, a quarter of the discount (250 ₽) comes back as 250 points.
    const first = await refundReturn(t, o2, [{ line: 0, quantity: 1 }]);
    expect(first.refund).toEqual({ amount: rub(1000_00), discount: rub(250_00), payment: rub(750_00) });
    a = await account(t, customerId);
    const ofFirst = a.transactions.edges.map((e) => e.node).filter((n) => n.returnRequest?.id === first.id);
    expect(ofFirst.map((n) => [n.kind, n.points]).sort()).toEqual([
      ['REVERSAL', -1125], // 4 500 earned × 1 000 / 4 000
      ['REVERSAL', 250],
    ]);
    // The rest: the shares add up to the whole discount and every redeemed point.
    const rest = await refundReturn(t, o2, [{ line: 0, quantity: 3 }]);
    expect(rest.refund).toEqual({ amount: rub(3000_00), discount: rub(750_00), payment: rub(2250_00) });
    a = await account(t, customerId);
    const ofOrder = a.transactions.edges.map((e) => e.node).filter((n) => n.order?.id === o2.orderId);
    const given = ofOrder.filter((n) => n.kind === 'REVERSAL' && n.points > 0).reduce((s, n) => s + n.points, 0);
    const taken = ofOrder.filter((n) => n.kind === 'REVERSAL' && n.points < 0).reduce((s, n) => s + n.points, 0);
    expect([given, taken]).toEqual([1000, -4500]);
    // Back where the first order left the customer: its points, its spend (the second order's 3 000 ₽ paid came back).
    expect([a.balance, a.rollingSpend.amountMinor]).toEqual([10_000, 10_000_00]);
    // The points given back are a new lot, spendable like any other.
    const lot = ofOrder.find((n) => n.kind === 'REVERSAL' && n.points === 750)!;
    expect(new Date(lot.expiresAt as string).getTime()).toBeGreaterThan(Date.now() + 364 * DAY);
  });

  it('a reversal larger than the balance leaves 0 and records the shortfall', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 2, priceMinor: 1000_00 }] });
    const customerId = await customerIdOf(t, o);
    expect((await adjust(t, customerId, -1500, undefined, 'spent at the counter')).userErrors).toEqual([]);
    await refundReturn(t, o, [{ line: 0, quantity: 2 }]);
    const a = await account(t, customerId);
    expect(a.transactions.edges[0]!.node).toMatchObject({ kind: 'REVERSAL', points: -500 });
    expect(a.balance).toBe(0);
    const [rev] = await t.app.database.rows<{ points: number; shortfall: number }>(
      sql`select t.points, t.shortfall from loyalty_transactions t join orders o on o.id = t.order_id where t.kind = 'REVERSAL' and o.number = ${o.orderNumber}`,
    );
    expect(rev).toEqual({ points: -500, shortfall: 1500 });
  });

  it('an order refunded before it was delivered earned nothing and reverses nothing', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 1, priceMinor: 500_00 }], deliveredAt: null });
    const customerId = await customerIdOf(t, o);
    // Shipped, not delivered: returned and refunded all the same.
    await refundReturn(t, o, [{ line: 0, quantity: 1 }]);
    const a = await account(t, customerId);
    expect([a.balance, a.transactions.totalCount]).toEqual([0, 0]);
  });

  it('ADJUST: the same key adjusts once; bad input and unknown customers change nothing; write_loyalty is needed', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 1, priceMinor: 100_00 }], deliveredAt: null });
    const customerId = await customerIdOf(t, o);
    const first = await adjust(t, customerId, 500, 'k-1', 'goodwill: late parcel');
    expect(first.userErrors).toEqual([]);
    expect(first.transaction).toMatchObject({ kind: 'ADJUST', points: 500, reason: 'goodwill: late parcel' });
    expect(first.account!.balance).toBe(500);
    const again = await adjust(t, customerId, 999, 'k-1', 'retry');
    expect(again.userErrors).toEqual([]);
    expect(again.transaction!.id).toBe(first.transaction!.id);
    expect(again.account!.balance).toBe(500);

    const bad = (await t.admin(LoyaltyEarnAdjustDocument, { input: { customerId, points: 0, reason: '  ', idempotencyKey: '' } })).loyaltyAdjust;
    expect(bad.userErrors.map((e) => `${e.code}:${e.field!.join('.')}`).sort()).toEqual(['INVALID:input.idempotencyKey', 'INVALID:input.points', 'INVALID:input.reason']);
    expect((await adjust(t, customerId, 1, undefined, 'x'.repeat(501))).userErrors.map((e) => e.code)).toEqual(['INVALID']);
    expect((await adjust(t, customerId, 1, 'x'.repeat(201))).userErrors.map((e) => e.code)).toEqual(['INVALID']);
    expect((await adjust(t, toGlobalId('Customer', randomUUID()), 10)).userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    const short = await adjust(t, customerId, -501);
    expect(short.userErrors.map((e) => `${e.code}:${e.field!.join('.')}`)).toEqual(['INSUFFICIENT_POINTS:input.points']);
    const crm = (await t.admin(LoyaltyEarnApiKeyCreateDocument, { input: { name: 'crm-w', kind: 'PARTNER', scopes: ['read_customers', 'write_customers'] } })).apiKeyCreate.secret!;
    const denied = await t.gql(LoyaltyEarnAdjustDocument, { input: { customerId, points: 5, reason: 'x', idempotencyKey: 'k-2' } }, { token: crm });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const a = await account(t, customerId);
    expect([a.balance, a.transactions.totalCount]).toEqual([500, 1]);

    const loyaltyKey = (await t.admin(LoyaltyEarnApiKeyCreateDocument, { input: { name: 'crm-l', kind: 'PARTNER', scopes: ['write_loyalty'] } })).apiKeyCreate.secret!;
    const ok = await t.gql(LoyaltyEarnAdjustDocument, { input: { customerId, points: -200, reason: 'redeemed in store', idempotencyKey: 'k-3' } }, { token: loyaltyKey });
    expect(ok.data!.loyaltyAdjust.userErrors).toEqual([]);
    expect(ok.data!.loyaltyAdjust.account!.balance).toBe(300);
  });

  it('who reads which account: a customer only its own, staff with read_customers any, others refused; Customer.loyalty in constant statements', async () => {
    const a = await deliveredOrder(t, { lines: [{ quantity: 1, priceMinor: 100_00 }], deliveredAt: null });
    const b = await deliveredOrder(t, { lines: [{ quantity: 1, priceMinor: 100_00 }], deliveredAt: null });
    const aId = await customerIdOf(t, a);
    const bId = await customerIdOf(t, b);
    expect((await adjust(t, bId, 70)).userErrors).toEqual([]);
    // A asking for B gets its own account (customerId is ignored for a CUSTOMER).
    const mine = await t.gql(LoyaltyEarnAccountReadDocument, { customerId: bId }, { token: a.customerToken });
    expect(mine.data!.loyaltyAccount!.customer.id).toBe(aId);
    expect(mine.data!.loyaltyAccount!.balance).toBe(0);
    const viewer = await t.gql(LoyaltyEarnViewerDocument, {}, { token: b.customerToken });
    expect(viewer.data!.viewer.customer!.loyalty).toMatchObject({ balance: 70, tier: { code: 'BRONZE' }, expiringSoon: 0 });

    const partner = (await t.admin(LoyaltyEarnApiKeyCreateDocument, { input: { name: 'shop', kind: 'PARTNER', scopes: ['read_orders'] } })).apiKeyCreate.secret!;
    expect((await t.gql(LoyaltyEarnAccountReadDocument, { customerId: bId }, { token: partner })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(LoyaltyEarnAccountReadDocument, { customerId: bId }, { token: null })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const reader = (await t.admin(LoyaltyEarnApiKeyCreateDocument, { input: { name: 'crm-r', kind: 'PARTNER', scopes: ['read_customers'] } })).apiKeyCreate.secret!;
    const staff = await t.gql(LoyaltyEarnAccountReadDocument, { customerId: bId }, { token: reader });
    expect(staff.data!.loyaltyAccount).toMatchObject({ balance: 70, customer: { id: bId } });
    expect((await t.gql(LoyaltyEarnAccountReadDocument, { customerId: toGlobalId('Customer', randomUUID()) }, { token: reader })).data!.loyaltyAccount).toBeNull();

    const statements = async (first: number) => {
      const r = await t.gql(LoyaltyEarnCustomersDocument, { first }, { token: reader });
      expect(r.errors).toBeUndefined();
      expect(r.data!.customers.nodes.every((n) => n.loyalty.balance >= 0)).toBe(true);
      return { n: r.data!.customers.nodes.length, statements: Number(r.headers.get('x-sql-statements')) };
    };
    const one = await statements(1);
    const many = await statements(20);
    expect(many.n).toBeGreaterThan(one.n);
    expect(many.statements).toBe(one.statements);
  });

  it('LOYALTY_TRANSACTION_CREATED reaches a webhook receiver; a customer socket hears its own changes only', async () => {
    expect((await t.admin(LoyaltyEarnWebhookCreateDocument, { input: { topic: 'LOYALTY_TRANSACTION_CREATED', url: hooks.url } })).webhookSubscriptionCreate.userErrors).toEqual([]);
    const a = await deliveredOrder(t, { lines: [{ quantity: 1, priceMinor: 100_00 }], deliveredAt: null });
    const b = await deliveredOrder(t, { lines: [{ quantity: 1, priceMinor: 100_00 }], deliveredAt: null });
    const aId = await customerIdOf(t, a);
    const bId = await customerIdOf(t, b);
    const live = collect<{ loyaltyBalanceChanged: { balance: number; customer: { id: string } } }>(
      t.ws(a.customerToken),
      // customerId of someone else is ignored for a CUSTOMER
      `subscription($c: ID) { loyaltyBalanceChanged(customerId: $c) { balance customer { id } } }`,
      { c: bId },
    );
    const staffLive = collect<{ loyaltyBalanceChanged: { balance: number; customer: { id: string } } }>(
      t.ws(),
      `subscription($c: ID) { loyaltyBalanceChanged(customerId: $c) { balance customer { id } } }`,
      { c: bId },
    );
    await settle(300);
    expect((await adjust(t, bId, 11)).userErrors).toEqual([]);
    expect((await adjust(t, aId, 42)).userErrors).toEqual([]);
    const got = await live.first((i) => i.data?.loyaltyBalanceChanged.balance === 42);
    expect(got.data!.loyaltyBalanceChanged.customer.id).toBe(aId);
    expect(live.items.map((i) => i.data?.loyaltyBalanceChanged.customer.id)).toEqual([aId]);
    const staffGot = await staffLive.first(() => true);
    expect(staffGot.data!.loyaltyBalanceChanged).toEqual({ balance: 11, customer: { id: bId } });
    const hook = await waitFor(
      'the webhook of the 42 points',
      () => hooks.of((x) => x.topic === 'LOYALTY_TRANSACTION_CREATED' && x.data.points === 42),
      (l) => l.length >= 1,
    );
    expect(hook[0]!.data).toMatchObject({ kind: 'ADJUST', points: 42, balance: 42 });
    // Anonymous callers may not subscribe.
    const anon = collect(t.ws(null), 'subscription { loyaltyBalanceChanged { balance } }');
    await anon.next(1).catch(() => undefined);
    expect(anon.items[0]?.data ?? null).toBeNull();
    live.dispose();
    staffLive.dispose();
  });

  it('the currency is locked once the ledger has entries', async () => {
    const r = (
      await t.admin(LoyaltyEarnProgramUpdateDocument, {
        input: { pointValue: { amountMinor: 1, currency: 'EUR' }, tiers: [{ code: 'BASE', name: 'Base', minSpend: { amountMinor: 0, currency: 'EUR' }, earnMultiplier: 1 }] },
      })
    ).loyaltyProgramUpdate;
    expect(r.userErrors.map((e) => `${e.code}:${e.field!.join('.')}`)).toEqual(['CURRENCY_LOCKED:input.pointValue.currency']);
    expect((await t.admin(LoyaltyEarnProgramReadDocument, {})).loyaltyProgram.pointValue.currency).toBe('RUB');
  });
});

describe('loyalty expiry (ManualClock)', () => {
  const clock = new ManualClock(new Date());
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ clock, env: { LOYALTY_EXPIRY_INTERVAL_MINUTES: '0' } });
    await setProgram(t, { ...PROGRAM, expiryDays: 40 });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('EXPIRE takes exactly the expired remaining, oldest lots first, once; expired points cannot be spent', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 2, priceMinor: 1000_00 }] });
    const customerId = await customerIdOf(t, o);
    expect((await account(t, customerId)).balance).toBe(2000);
    clock.advance(20 * DAY);
    expect((await adjust(t, customerId, 300, 'late-lot')).userErrors).toEqual([]); // expires at day 60
    expect((await adjust(t, customerId, -500, 'spend')).userErrors).toEqual([]); // from the oldest lot: 1 500 of it left
    let a = await account(t, customerId);
    // Within 30 days (day 50): the earned lot (day 40), not the adjustment (day 60).
    expect([a.balance, a.expiringSoon]).toEqual([1800, 1500]);
    clock.advance(21 * DAY);
    // Before the scheduled pass: the balance still shows 1 800, but the expired 1 500 cannot be spent.
    expect((await account(t, customerId)).balance).toBe(1800);
    expect((await adjust(t, customerId, -301)).userErrors.map((e) => e.code)).toEqual(['INSUFFICIENT_POINTS']);
    await t.app.loyaltyExpiry.runOnce();
    a = await account(t, customerId);
    expect(a.transactions.edges[0]!.node).toMatchObject({ kind: 'EXPIRE', points: -1500 });
    expect(a.balance).toBe(300);
    await t.app.loyaltyExpiry.runOnce();
    a = await account(t, customerId);
    expect(a.transactions.edges.filter((e) => e.node.kind === 'EXPIRE')).toHaveLength(1);
    expect(a.balance).toBe(300);
    expect((await adjust(t, customerId, -301)).userErrors.map((e) => e.code)).toEqual(['INSUFFICIENT_POINTS']);
    expect((await adjust(t, customerId, -300)).userErrors).toEqual([]);
    const [sums] = await t.app.database.rows<{ ledger: number; lots: number }>(
      sql`select coalesce(sum(points), 0)::int as ledger, coalesce(sum(remaining), 0)::int as lots from loyalty_transactions`,
    );
    expect(sums).toEqual({ ledger: 0, lots: 0 });
  });
});
