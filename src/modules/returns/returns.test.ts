/**
 * Returns core over real HTTP: the storefront request with the policy's checks, auto-approval,
 * staff decisions, cancellation, every refusal code with nothing written, who may see what,
 * the policy's validation, and no N+1 in the lists.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredOrder, type DeliveredOrder } from '../../../test/factories/returns.js';
import { address } from '../../../test/factories/stock.js';
import {
  CoreOrderReturnsDocument,
  CoreReturnApproveDocument,
  CoreReturnCancelDocument,
  CoreReturnNodeDocument,
  CoreReturnPolicyDocument,
  CoreReturnPolicyUpdateDocument,
  CoreReturnRejectDocument,
  CoreReturnRequestCreateDocument,
  CoreReturnRequestDocument,
  CoreReturnRequestsDeepDocument,
  CoreReturnRequestsDocument,
  CoreReturnRequestsShallowDocument,
  OrderCreateDocument,
  OrderForReturnDocument,
  type ReturnLineInput,
  type ReturnPolicyUpdateInput,
} from '../../../test/generated/graphql.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { toGlobalId } from '../../graphql/relay.js';

let t: TestApp;

beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => t?.close());

/** Requests a return as `token` (default: the admin key). */
async function request(orderId: string, lines: ReturnLineInput[], token?: string) {
  const r = await t.gql(CoreReturnRequestCreateDocument, { input: { orderId, lines } }, token === undefined ? {} : { token });
  expect(r.errors).toBeUndefined();
  return r.data!.returnRequestCreate;
}

const line = (o: DeliveredOrder, quantity: number, reason: ReturnLineInput['reason'] = 'CHANGED_MIND', i = 0): ReturnLineInput => ({ orderLineId: o.lines[i]!.id, quantity, reason });
const setPolicy = async (input: ReturnPolicyUpdateInput) => expect((await t.admin(CoreReturnPolicyUpdateDocument, { input })).returnPolicyUpdate.userErrors).toEqual([]);
const resetPolicy = () => setPolicy({ windowDays: 14, restockingFeePercent: 0, nonReturnableCategories: [], autoApproveMaxAmount: null });
const totalReturns = async () => (await t.admin(CoreReturnRequestsDocument, { first: 1 })).returnRequests.totalCount;
const timeline = (r: { events: { sequence: number; status: string }[] }) => r.events.map((e) => [e.sequence, e.status]);

describe('storefront request', () => {
  it('a customer returns units of its delivered order: RMA number, REQUESTED with sequence 1, visible to it, on the order, by node', async () => {
    await resetPolicy();
    const o = await deliveredOrder(t);
    const p = await request(o.orderId, [{ ...line(o, 1), comment: 'Не подошёл цвет' }], o.customerToken);
    expect(p.userErrors).toEqual([]);
    const ret = p.returnRequest!;
    expect(ret.number).toMatch(/^RMA-1\d{5}$/);
    expect(ret.status).toBe('REQUESTED');
    expect(timeline(ret)).toEqual([[1, 'REQUESTED']]);
    expect(ret.order.id).toBe(o.orderId);
    expect(ret.customer.email).toBe(o.customerEmail.toLowerCase());
    expect(ret.lines).toMatchObject([{ quantity: 1, reason: 'CHANGED_MIND', comment: 'Не подошёл цвет', receivedQuantity: 0, orderLine: { id: o.lines[0]!.id, sku: o.lines[0]!.sku, shippedQuantity: 2 } }]);
    expect(ret.returnShipment).toBeNull();
    // The customer reads it back, in its list and on its order; node(id) too.
    const read = await t.gql(CoreReturnRequestDocument, { id: ret.id }, { token: o.customerToken });
    expect(read.data!.returnRequest!.number).toBe(ret.number);
    const mine = await t.gql(CoreReturnRequestsDocument, {}, { token: o.customerToken });
    expect(mine.data!.returnRequests.nodes.map((n) => n.number)).toEqual([ret.number]);
    const onOrder = await t.gql(CoreOrderReturnsDocument, { id: o.orderId }, { token: o.customerToken });
    expect(onOrder.data!.order!.returns).toEqual([{ id: ret.id, number: ret.number, status: 'REQUESTED', lines: [{ quantity: 1 }] }]);
    expect((await t.gql(CoreReturnNodeDocument, { id: ret.id }, { token: o.customerToken })).data!.node).toEqual({ id: ret.id, number: ret.number, status: 'REQUESTED' });
    // Numbers are sequential.
    const next = await request(o.orderId, [line(o, 1)], o.customerToken);
    expect(Number(next.returnRequest!.number.slice(4))).toBe(Number(ret.number.slice(4)) + 1);
  });

  it('approves at once when every line is the seller\'s fault: [1 REQUESTED, 2 APPROVED]', async () => {
    await resetPolicy();
    const o = await deliveredOrder(t, { lines: [{ quantity: 1 }, { quantity: 1 }] });
    const p = await request(o.orderId, [line(o, 1, 'DAMAGED', 0), line(o, 1, 'WRONG_ITEM', 1)], o.customerToken);
    expect(p.userErrors).toEqual([]);
    expect(p.returnRequest!.status).toBe('APPROVED');
    expect(p.returnRequest!.events).toMatchObject([
      { sequence: 1, status: 'REQUESTED', previousStatus: null },
      { sequence: 2, status: 'APPROVED', previousStatus: 'REQUESTED' },
    ]);
    // One line not the seller's fault, no amount configured: waits for a decision.
    const o2 = await deliveredOrder(t, { lines: [{ quantity: 1 }, { quantity: 1 }] });
    const mixed = await request(o2.orderId, [line(o2, 1, 'DAMAGED', 0), line(o2, 1, 'SIZE_TOO_SMALL', 1)], o2.customerToken);
    expect(mixed.returnRequest!.status).toBe('REQUESTED');
  });

  it('approves at once when the refund is at most autoApproveMaxAmount, and only then', async () => {
    // 1000.00 RUB a unit, 10 % restocking fee: one unit refunds 900.00, two 1800.00.
    await setPolicy({ restockingFeePercent: 10, autoApproveMaxAmount: { amountMinor: 900_00, currency: 'RUB' }, nonReturnableCategories: [], windowDays: 14 });
    const o = await deliveredOrder(t, { lines: [{ quantity: 3 }] });
    const under = await request(o.orderId, [line(o, 1)], o.customerToken);
    expect(timeline(under.returnRequest!)).toEqual([[1, 'REQUESTED'], [2, 'APPROVED']]);
    const over = await request(o.orderId, [line(o, 2)], o.customerToken);
    expect(timeline(over.returnRequest!)).toEqual([[1, 'REQUESTED']]);
    // Another currency's limit approves nothing.
    await setPolicy({ autoApproveMaxAmount: { amountMinor: 1_000_000_00, currency: 'EUR' } });
    const o2 = await deliveredOrder(t, { lines: [{ quantity: 1 }] });
    expect((await request(o2.orderId, [line(o2, 1)], o2.customerToken)).returnRequest!.status).toBe('REQUESTED');
    await resetPolicy();
  });

  it('staff approve, reject (reason required) and cancel; the customer cancels its own; timelines stay gapless', async () => {
    await resetPolicy();
    const o = await deliveredOrder(t, { lines: [{ quantity: 4 }] });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await request(o.orderId, [line(o, 1)], o.customerToken)).returnRequest!.id);

    const approved = (await t.admin(CoreReturnApproveDocument, { input: { id: ids[0]! } })).returnApprove;
    expect(approved.userErrors).toEqual([]);
    expect(timeline(approved.returnRequest!)).toEqual([[1, 'REQUESTED'], [2, 'APPROVED']]);
    // Approving twice is an illegal move.
    expect((await t.admin(CoreReturnApproveDocument, { input: { id: ids[0]! } })).returnApprove.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);

    for (const reason of ['', '   ', 'x'.repeat(1001)]) {
      const bad = (await t.admin(CoreReturnRejectDocument, { input: { id: ids[1]!, reason } })).returnReject;
      expect(bad.userErrors.map((e) => e.code)).toEqual(['INVALID']);
    }
    expect((await t.admin(CoreReturnRequestDocument, { id: ids[1]! })).returnRequest!.status).toBe('REQUESTED');
    const rejected = (await t.admin(CoreReturnRejectDocument, { input: { id: ids[1]!, reason: 'Товар со следами носки' } })).returnReject;
    expect(rejected.returnRequest).toMatchObject({ status: 'REJECTED', rejectionReason: 'Товар со следами носки' });
    expect(rejected.returnRequest!.events).toMatchObject([{ sequence: 1 }, { sequence: 2, status: 'REJECTED', message: 'Товар со следами носки' }]);

    const staffCancel = (await t.admin(CoreReturnCancelDocument, { input: { id: ids[2]! } })).returnCancel;
    expect(timeline(staffCancel.returnRequest!)).toEqual([[1, 'REQUESTED'], [2, 'CANCELLED']]);

    // The customer cancels its approved return (no unit received yet).
    const own = (await t.gql(CoreReturnCancelDocument, { input: { id: ids[0]! } }, { token: o.customerToken })).data!.returnCancel;
    expect(own.userErrors).toEqual([]);
    expect(timeline(own.returnRequest!)).toEqual([[1, 'REQUESTED'], [2, 'APPROVED'], [3, 'CANCELLED']]);
    // Cancelled and rejected are final.
    expect((await t.admin(CoreReturnApproveDocument, { input: { id: ids[1]! } })).returnApprove.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    expect((await t.gql(CoreReturnCancelDocument, { input: { id: ids[0]! } }, { token: o.customerToken })).data!.returnCancel.userErrors.map((e) => e.code)).toEqual([
      'INVALID_STATE_TRANSITION',
    ]);
    // A customer may not approve or reject.
    const denied = await t.gql(CoreReturnApproveDocument, { input: { id: ids[3]! } }, { token: o.customerToken });
    expect(denied.errors![0]!.extensions!.code).toBe('FORBIDDEN');

    // Rejected and cancelled freed their units: 3 of 4 are claimable again (ids[3] still holds one).
    const again = await request(o.orderId, [line(o, 3)], o.customerToken);
    expect(again.userErrors).toEqual([]);
  });
});

describe('refusals write nothing', () => {
  it('every bad input gets its code; afterwards the full quantity can still be requested', async () => {
    await resetPolicy();
    const o = await deliveredOrder(t, { lines: [{ quantity: 2 }, { quantity: 1 }] });
    const other = await deliveredOrder(t);
    const before = await totalReturns();
    const codes = async (lines: ReturnLineInput[], orderId = o.orderId, token = o.customerToken) => {
      const p = await request(orderId, lines, token);
      expect(p.returnRequest).toBeNull();
      return p.userErrors.map((e) => [e.code, e.field?.join('.')]);
    };
    const unknownLine = toGlobalId('OrderLine', randomUUID());
    expect(await codes([{ orderLineId: unknownLine, quantity: 1, reason: 'OTHER' }])).toEqual([['NOT_FOUND', 'input.lines.0.orderLineId']]);
    expect(await codes([{ orderLineId: 'not-an-id', quantity: 1, reason: 'OTHER' }])).toEqual([['NOT_FOUND', 'input.lines.0.orderLineId']]);
    expect(await codes([{ orderLineId: other.lines[0]!.id, quantity: 1, reason: 'OTHER' }])).toEqual([['NOT_FOUND', 'input.lines.0.orderLineId']]);
    expect(await codes([line(o, 0)])).toEqual([['INVALID', 'input.lines.0.quantity']]);
    expect(await codes([line(o, -1)])).toEqual([['INVALID', 'input.lines.0.quantity']]);
    expect(await codes([line(o, 1), line(o, 1)])).toEqual([['INVALID', 'input.lines.1.orderLineId']]);
    expect(await codes([])).toEqual([['INVALID', 'input.lines']]);
    expect(await codes([{ ...line(o, 1), comment: 'я'.repeat(1001) }])).toEqual([['INVALID', 'input.lines.0.comment']]);
    expect(await codes([line(o, 3)])).toEqual([['QUANTITY_EXCEEDS_RETURNABLE', 'input.lines.0.quantity']]);
    // A valid line beside a bad one: nothing is written either.
    expect(await codes([line(o, 1, 'OTHER', 0), line(o, 2, 'OTHER', 1)])).toEqual([['QUANTITY_EXCEEDS_RETURNABLE', 'input.lines.1.quantity']]);
    // Staff asking about an order that does not exist.
    expect(await codes([line(o, 1)], toGlobalId('Order', randomUUID()), t.adminKey)).toEqual([['NOT_FOUND', 'input.orderId']]);

    expect(await totalReturns()).toBe(before);
    const full = await request(o.orderId, [line(o, 2, 'OTHER', 0), line(o, 1, 'OTHER', 1)], o.customerToken);
    expect(full.userErrors).toEqual([]);
    expect(await codes([line(o, 1)])).toEqual([['QUANTITY_EXCEEDS_RETURNABLE', 'input.lines.0.quantity']]);
  });

  it('ORDER_NOT_SHIPPED for an order that has not shipped', async () => {
    await resetPolicy();
    const o = await deliveredOrder(t);
    // A second order of the same customer, allocated but not shipped.
    const created = (
      await t.admin(OrderCreateDocument, {
        input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: o.customerEmail }, shippingAddress: address() as never, lines: [{ sku: o.lines[0]!.sku, quantity: 1 }] },
      })
    ).orderCreate;
    expect(created.userErrors).toEqual([]);
    const fresh = (await t.admin(OrderForReturnDocument, { id: created.order!.id })).order!;
    const before = await totalReturns();
    const p = await request(fresh.id, [{ orderLineId: fresh.lines[0]!.id, quantity: 1, reason: 'CHANGED_MIND' }], o.customerToken);
    expect(p.userErrors.map((e) => e.code)).toEqual(['ORDER_NOT_SHIPPED']);
    expect(await totalReturns()).toBe(before);
  });

  it('RETURN_WINDOW_EXPIRED counts from delivery; a parcel not delivered yet has not started the window', async () => {
    await setPolicy({ windowDays: 14, nonReturnableCategories: [], autoApproveMaxAmount: null });
    const late = await deliveredOrder(t, { deliveredAt: new Date(Date.now() - 15 * 86_400_000) });
    const before = await totalReturns();
    expect((await request(late.orderId, [line(late, 1)], late.customerToken)).userErrors.map((e) => e.code)).toEqual(['RETURN_WINDOW_EXPIRED']);
    expect(await totalReturns()).toBe(before);
    // A longer window lets the same request through.
    await setPolicy({ windowDays: 30 });
    expect((await request(late.orderId, [line(late, 1)], late.customerToken)).userErrors).toEqual([]);
    await setPolicy({ windowDays: 0 });
    const inTransit = await deliveredOrder(t, { deliveredAt: null });
    expect((await request(inTransit.orderId, [line(inTransit, 1)], inTransit.customerToken)).userErrors).toEqual([]);
    await resetPolicy();
  });

  it('NOT_RETURNABLE for a product whose category starts with a policy prefix', async () => {
    await setPolicy({ nonReturnableCategories: [' underwear/ ', 'food'] });
    expect((await t.admin(CoreReturnPolicyDocument)).returnPolicy.nonReturnableCategories).toEqual(['underwear/', 'food']);
    const o = await deliveredOrder(t, { lines: [{ quantity: 1, category: 'underwear/socks' }, { quantity: 1, category: 'apparel/underwear' }] });
    const before = await totalReturns();
    const p = await request(o.orderId, [line(o, 1, 'CHANGED_MIND', 0), line(o, 1, 'CHANGED_MIND', 1)], o.customerToken);
    expect(p.userErrors.map((e) => [e.code, e.field?.join('.')])).toEqual([['NOT_RETURNABLE', 'input.lines.0.orderLineId']]);
    expect(await totalReturns()).toBe(before);
    expect((await request(o.orderId, [line(o, 1, 'CHANGED_MIND', 1)], o.customerToken)).userErrors).toEqual([]);
    await resetPolicy();
  });
});

describe('who may act', () => {
  it("another customer's order and an order that does not exist give the same FORBIDDEN; another customer's return is not found", async () => {
    await resetPolicy();
    const mine = await deliveredOrder(t);
    const theirs = await deliveredOrder(t);
    const before = await totalReturns();
    const attempt = async (orderId: string) => {
      const r = await t.gql(CoreReturnRequestCreateDocument, { input: { orderId, lines: [line(theirs, 1)] } }, { token: mine.customerToken });
      return { data: r.data, code: r.errors?.[0]?.extensions?.code, message: r.errors?.[0]?.message };
    };
    const foreign = await attempt(theirs.orderId);
    const missing = await attempt(toGlobalId('Order', randomUUID()));
    expect(foreign).toEqual({ data: null, code: 'FORBIDDEN', message: foreign.message });
    expect(missing).toEqual(foreign);
    expect(await totalReturns()).toBe(before);

    const ret = (await request(theirs.orderId, [line(theirs, 1)], theirs.customerToken)).returnRequest!;
    expect((await t.gql(CoreReturnRequestDocument, { id: ret.id }, { token: mine.customerToken })).data!.returnRequest).toBeNull();
    expect((await t.gql(CoreReturnNodeDocument, { id: ret.id }, { token: mine.customerToken })).data!.node).toBeNull();
    expect((await t.gql(CoreReturnRequestsDocument, {}, { token: mine.customerToken })).data!.returnRequests.totalCount).toBe(0);
    const cancel = (await t.gql(CoreReturnCancelDocument, { input: { id: ret.id } }, { token: mine.customerToken })).data!.returnCancel;
    expect(cancel.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    expect((await t.admin(CoreReturnRequestDocument, { id: ret.id })).returnRequest!.status).toBe('REQUESTED');
    // Anonymous callers are refused outright.
    expect((await t.gql(CoreReturnRequestsDocument, {}, { token: null })).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('lists filter by status, order number and creation time, with Relay pages', async () => {
    await resetPolicy();
    const o = await deliveredOrder(t, { lines: [{ quantity: 3 }] });
    const a = (await request(o.orderId, [line(o, 1, 'DAMAGED')])).returnRequest!;
    const b = (await request(o.orderId, [line(o, 1)])).returnRequest!;
    const c = (await request(o.orderId, [line(o, 1)])).returnRequest!;
    const byOrder = (await t.admin(CoreReturnRequestsDocument, { filter: { orderNumber: o.orderNumber.toLowerCase() } })).returnRequests;
    expect(byOrder.nodes.map((n) => n.number)).toEqual([c.number, b.number, a.number]);
    expect(byOrder.nodes.every((n) => n.order.number === o.orderNumber)).toBe(true);
    const approved = (await t.admin(CoreReturnRequestsDocument, { filter: { orderNumber: o.orderNumber, status: ['APPROVED'] } })).returnRequests;
    expect(approved.nodes.map((n) => n.number)).toEqual([a.number]);
    const page1 = (await t.admin(CoreReturnRequestsDocument, { filter: { orderNumber: o.orderNumber }, first: 2 })).returnRequests;
    expect(page1).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const page2 = (await t.admin(CoreReturnRequestsDocument, { filter: { orderNumber: o.orderNumber }, first: 2, after: page1.pageInfo.endCursor })).returnRequests;
    expect(page2.nodes.map((n) => n.number)).toEqual([a.number]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await t.admin(CoreReturnRequestsDocument, { filter: { orderNumber: o.orderNumber, createdFrom: future } })).returnRequests.totalCount).toBe(0);
    expect((await t.admin(CoreReturnRequestsDocument, { filter: { orderNumber: o.orderNumber, createdTo: future } })).returnRequests.totalCount).toBe(3);
  });
});

describe('returnPolicy', () => {
  it('defaults, then updates; bad input is refused with nothing written; null clears the auto-approve amount, absence keeps it', async () => {
    await resetPolicy();
    expect((await t.admin(CoreReturnPolicyDocument)).returnPolicy).toEqual({ windowDays: 14, restockingFeePercent: 0, nonReturnableCategories: [], autoApproveMaxAmount: null });
    await setPolicy({ windowDays: 30, restockingFeePercent: 12.5, nonReturnableCategories: ['food/'], autoApproveMaxAmount: { amountMinor: 5000_00, currency: 'RUB' } });
    const good = { windowDays: 30, restockingFeePercent: 12.5, nonReturnableCategories: ['food/'], autoApproveMaxAmount: { amountMinor: 5000_00, currency: 'RUB' } };
    expect((await t.admin(CoreReturnPolicyDocument)).returnPolicy).toEqual(good);
    const bad: [ReturnPolicyUpdateInput, string, string][] = [
      [{ windowDays: -1 }, 'INVALID', 'input.windowDays'],
      [{ windowDays: 366 }, 'INVALID', 'input.windowDays'],
      [{ restockingFeePercent: -0.01 }, 'INVALID', 'input.restockingFeePercent'],
      [{ restockingFeePercent: 100.01 }, 'INVALID', 'input.restockingFeePercent'],
      [{ restockingFeePercent: 12.345 }, 'INVALID', 'input.restockingFeePercent'],
      [{ nonReturnableCategories: ['ok', '  '] }, 'INVALID', 'input.nonReturnableCategories.1'],
      [{ nonReturnableCategories: ['x'.repeat(201)] }, 'INVALID', 'input.nonReturnableCategories.0'],
      [{ nonReturnableCategories: Array.from({ length: 101 }, (_, i) => `c${i}`) }, 'INVALID', 'input.nonReturnableCategories'],
      [{ autoApproveMaxAmount: { amountMinor: 100, currency: 'XXY' } }, 'INVALID_CURRENCY', 'input.autoApproveMaxAmount.currency'],
      [{ autoApproveMaxAmount: { amountMinor: -1, currency: 'RUB' } }, 'INVALID', 'input.autoApproveMaxAmount.amountMinor'],
      // One bad field refuses the good ones beside it.
      [{ windowDays: 7, restockingFeePercent: 101 }, 'INVALID', 'input.restockingFeePercent'],
    ];
    for (const [input, code, field] of bad) {
      const p = (await t.admin(CoreReturnPolicyUpdateDocument, { input })).returnPolicyUpdate;
      expect(p.returnPolicy).toBeNull();
      expect(p.userErrors.map((e) => [e.code, e.field?.join('.')])).toEqual([[code, field]]);
    }
    expect((await t.admin(CoreReturnPolicyDocument)).returnPolicy).toEqual(good);
    // Absent keeps the amount; 99.99 % and 0 days are allowed.
    await setPolicy({ restockingFeePercent: 99.99, windowDays: 0 });
    expect((await t.admin(CoreReturnPolicyDocument)).returnPolicy).toEqual({ ...good, restockingFeePercent: 99.99, windowDays: 0 });
    await setPolicy({ autoApproveMaxAmount: null });
    expect((await t.admin(CoreReturnPolicyDocument)).returnPolicy.autoApproveMaxAmount).toBeNull();
    await resetPolicy();
  });

  it('a customer may read the policy but not change it', async () => {
    const o = await deliveredOrder(t);
    const read = await t.gql(CoreReturnPolicyDocument, {}, { token: o.customerToken });
    expect(read.data!.returnPolicy.windowDays).toBe(14);
    const write = await t.gql(CoreReturnPolicyUpdateDocument, { input: { windowDays: 365 } }, { token: o.customerToken });
    expect(write.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await t.admin(CoreReturnPolicyDocument)).returnPolicy.windowDays).toBe(14);
  });
});

describe('lists without N+1', () => {
  it('runs the same number of SQL statements for 5 and for 20 returns with lines, order lines, events and orders', async () => {
    await resetPolicy();
    const o = await deliveredOrder(t, { lines: [{ quantity: 10 }, { quantity: 10 }] });
    for (let i = 0; i < 10; i++) await request(o.orderId, [line(o, 1, i % 2 ? 'DAMAGED' : 'OTHER', 0), line(o, 1, 'OTHER', 1)]);
    const count = async (doc: typeof CoreReturnRequestsDeepDocument | typeof CoreReturnRequestsShallowDocument, first: number) => {
      await t.gql(doc, { first: 1 }); // warm the API key cache (see order.test.ts)
      const r = await t.gql(doc, { first });
      expect(r.errors).toBeUndefined();
      expect(r.data!.returnRequests.nodes.length).toBe(first);
      return Number(r.headers.get('x-sql-statements'));
    };
    const deep5 = await count(CoreReturnRequestsDeepDocument, 5);
    const deep20 = await count(CoreReturnRequestsDeepDocument, 20);
    expect(deep20).toBe(deep5);
    // lines, dispositions, order lines, events, orders: one statement each.
    expect(deep20 - (await count(CoreReturnRequestsShallowDocument, 20))).toBe(5);
  });
});
