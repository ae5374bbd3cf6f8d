/** Orders through GraphQL over real HTTP and WebSocket. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyCreateDocument,
  CustomerAccessTokenCreateDocument,
  CustomerCreateDocument,
  InventoryLevelsDocument,
  InventoryReceiveDocument,
  OrderByNumberDocument,
  OrderCancelDocument,
  OrderCreateDocument,
  OrderDocument,
  OrderFulfillmentPartsDocument,
  OrderFulfillmentTimelinesDocument,
  OrdersDocument,
  type OrderCreateInput,
} from '../../../test/generated/graphql.js';
import { address, SPB, stockedStore } from '../../../test/factories/stock.js';
import { collect, settle, startApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;
let skus: string[];
beforeAll(async () => {
  t = await startApp();
  // sku0: 10 in MSK1, 10 in SPB1; sku1: 3 in MSK1 only; sku2: 0 / 4; sku3: none.
  skus = await stockedStore(t, { msk: [10, 3, 0, 0], spb: [10, 0, 4, 0] });
});
afterAll(async () => t?.close());

const input = (over: Partial<OrderCreateInput> = {}): OrderCreateInput => ({
  channel: 'web',
  currency: 'RUB',
  deliveryType: 'COURIER',
  customer: { email: 'anna@example.ru', name: 'Анна', locale: 'ru' },
  shippingAddress: address(),
  lines: [{ sku: skus[0]!, quantity: 2 }],
  ...over,
});
const level = async (sku: string, wh: string) => (await t.admin(InventoryLevelsDocument, { sku, warehouseCode: wh })).inventoryLevels[0];

describe('orderCreate', () => {
  it('creates an allocated order with a sequential number, from the nearest complete warehouse', async () => {
    const a = (await t.admin(OrderCreateDocument, { input: input() })).orderCreate;
    expect(a.userErrors).toEqual([]);
    const o = a.order!;
    expect(o.number).toMatch(/^WB-1\d{5}$/);
    expect(o).toMatchObject({ status: 'ALLOCATED', channel: 'web', deliveryType: 'COURIER', customer: { email: 'anna@example.ru', locale: 'ru' } });
    expect(o.lines).toEqual([expect.objectContaining({ sku: skus[0], quantity: 2, allocatedQuantity: 2, shippedQuantity: 0 })]);
    expect(o.fulfillmentOrders).toEqual([expect.objectContaining({ status: 'OPEN', warehouse: { code: 'MSK1' } })]);
    expect(o.fulfillmentOrders[0]!.events).toEqual([expect.objectContaining({ sequence: 1, status: 'OPEN', previousStatus: null })]);
    expect(o.events).toEqual([expect.objectContaining({ sequence: 1, status: 'ALLOCATED', previousStatus: null })]);
    expect(o.total.amountMinor).toBe(o.lines[0]!.unitPrice.amountMinor * 2);
    expect(await level(skus[0]!, 'MSK1')).toMatchObject({ onHand: 10, allocated: 2, available: 8 });
    const b = (await t.admin(OrderCreateDocument, { input: input({ shippingAddress: address({ city: 'Санкт-Петербург', location: SPB }) }) })).orderCreate.order!;
    expect(Number(b.number.slice(3))).toBe(Number(o.number.slice(3)) + 1);
    expect(b.fulfillmentOrders.map((f) => f.warehouse.code)).toEqual(['SPB1']);
    expect((await t.admin(OrderByNumberDocument, { number: b.number })).orderByNumber!.id).toBe(b.id);
  });

  it('splits over warehouses when none can ship every line', async () => {
    const o = (await t.admin(OrderCreateDocument, { input: input({ lines: [{ sku: skus[1]!, quantity: 1 }, { sku: skus[2]!, quantity: 1 }] }) })).orderCreate.order!;
    expect(o.status).toBe('ALLOCATED');
    expect(o.fulfillmentOrders.map((f) => [f.warehouse.code, f.lines.map((l) => l.variant.sku)]).sort()).toEqual([
      ['MSK1', [skus[1]]],
      ['SPB1', [skus[2]]],
    ]);
  });

  it('refuses insufficient stock naming the SKU and writes nothing; allowBackorder makes it BACKORDERED', async () => {
    const before = (await t.admin(OrdersDocument, { first: 1 })).orders.totalCount;
    const r = (await t.admin(OrderCreateDocument, { input: input({ lines: [{ sku: skus[0]!, quantity: 1 }, { sku: skus[3]!, quantity: 2 }] }) })).orderCreate;
    expect(r.order).toBeNull();
    expect(r.userErrors).toEqual([expect.objectContaining({ code: 'INSUFFICIENT_STOCK', field: ['input', 'lines', '1', 'quantity'] })]);
    expect(r.userErrors[0]!.message).toContain(skus[3]);
    expect((await t.admin(OrdersDocument, { first: 1 })).orders.totalCount).toBe(before);
    const mskBefore = await level(skus[0]!, 'MSK1');
    const back = (await t.admin(OrderCreateDocument, { input: input({ allowBackorder: true, lines: [{ sku: skus[0]!, quantity: 1 }, { sku: skus[3]!, quantity: 2 }] }) })).orderCreate.order!;
    expect(back.status).toBe('BACKORDERED');
    expect(back.lines.map((l) => [l.sku, l.allocatedQuantity])).toEqual([
      [skus[0], 1],
      [skus[3], 0],
    ]);
    expect((await level(skus[0]!, 'MSK1'))!.allocated).toBe(mskBefore!.allocated + 1);
  });

  it('validates everything and answers with stable codes', async () => {
    const cases: [Partial<OrderCreateInput>, string, string][] = [
      [{ lines: [{ sku: 'NOPE', quantity: 1 }] }, 'NOT_FOUND', 'input.lines.0.sku'],
      [{ lines: [{ sku: skus[0]!, quantity: 0 }] }, 'INVALID', 'input.lines.0.quantity'],
      [{ lines: [] }, 'INVALID', 'input.lines'],
      [{ currency: 'XXX1' }, 'INVALID_CURRENCY', 'input.currency'],
      [{ deliveryType: null }, 'INVALID', 'input.deliveryType'],
      [{ shippingAddress: address({ countryCode: 'Russia' }) }, 'INVALID', 'input.shippingAddress.countryCode'],
      [{ customer: { email: 'not-an-email' } }, 'INVALID', 'input.customer.email'],
      [{ lines: [{ sku: skus[0]!, quantity: 1, unitPrice: { amountMinor: 100, currency: 'EUR' } }] }, 'INVALID_CURRENCY', 'input.lines.0.unitPrice.currency'],
      [{ deliveryOptionId: 'forged' }, 'DELIVERY_OPTION_INVALID', 'input.deliveryOptionId'],
    ];
    for (const [over, code, field] of cases) {
      const r = (await t.admin(OrderCreateDocument, { input: input(over) })).orderCreate;
      expect(r.order, JSON.stringify(over)).toBeNull();
      expect(r.userErrors.map((e) => `${e.code}:${e.field?.join('.')}`), JSON.stringify(over)).toContain(`${code}:${field}`);
    }
  });
});

describe('backorders', () => {
  it('allocates a backordered order automatically, oldest first, when stock arrives', async () => {
    const p = (await t.admin(OrderCreateDocument, { input: input({ allowBackorder: true, lines: [{ sku: skus[3]!, quantity: 2 }] }) })).orderCreate.order!;
    const later = (await t.admin(OrderCreateDocument, { input: input({ allowBackorder: true, lines: [{ sku: skus[3]!, quantity: 2 }] }) })).orderCreate.order!;
    expect([p.status, later.status]).toEqual(['BACKORDERED', 'BACKORDERED']);
    // An older backorder (from the test above) waits for 2 of these too: 5 units cover it and p, and 1 of `later`.
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'SPB1', lines: [{ sku: skus[3]!, quantity: 5 }] } });
    let first = (await t.admin(OrderDocument, { id: p.id })).order!;
    for (let i = 0; i < 50 && first.status !== 'ALLOCATED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      first = (await t.admin(OrderDocument, { id: p.id })).order!;
    }
    expect(first.status).toBe('ALLOCATED');
    expect(first.lines[0]!.allocatedQuantity).toBe(2);
    expect(first.fulfillmentOrders.map((f) => f.warehouse.code)).toEqual(['SPB1']);
    expect(first.events.map((e) => [e.sequence, e.status])).toEqual([
      [1, 'BACKORDERED'],
      [2, 'ALLOCATED'],
    ]);
    // The fulfillment order made by the backorder allocation starts its own timeline.
    expect(first.fulfillmentOrders[0]!.events.map((e) => [e.sequence, e.status, e.message])).toEqual([[1, 'OPEN', 'Backordered stock reserved in SPB1']]);
    await new Promise((r) => setTimeout(r, 300));
    const second = (await t.admin(OrderDocument, { id: later.id })).order!;
    expect(second.status).toBe('BACKORDERED');
    expect(second.lines[0]!.allocatedQuantity).toBe(1);
    expect(await level(skus[3]!, 'SPB1')).toMatchObject({ onHand: 5, allocated: 5, available: 0 });
  });
});

describe('idempotency', () => {
  it('returns the first order for a repeated key and refuses the key with a different input', async () => {
    const key = `idem-${Date.now()}`;
    const first = (await t.admin(OrderCreateDocument, { input: input({ idempotencyKey: key }) })).orderCreate.order!;
    const again = (await t.admin(OrderCreateDocument, { input: input({ idempotencyKey: key }) })).orderCreate.order!;
    expect(again.id).toBe(first.id);
    const other = (await t.admin(OrderCreateDocument, { input: input({ idempotencyKey: key, lines: [{ sku: skus[0]!, quantity: 3 }] }) })).orderCreate;
    expect(other.order).toBeNull();
    expect(other.userErrors[0]!.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('50 concurrent calls with the same key and input give exactly one order, and every caller gets it', async () => {
    const key = `burst-${Date.now()}`;
    const before = await level(skus[0]!, 'MSK1');
    const results = await Promise.all(Array.from({ length: 50 }, () => t.admin(OrderCreateDocument, { input: input({ idempotencyKey: key, lines: [{ sku: skus[0]!, quantity: 1 }] }) })));
    const ids = new Set(results.map((r) => r.orderCreate.order?.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBeTruthy();
    expect((await level(skus[0]!, 'MSK1'))!.allocated).toBe(before!.allocated + 1);
  });
});

describe('cancel, visibility and live status', () => {
  it('cancels, releasing allocations; a second cancel is INVALID_STATE_TRANSITION', async () => {
    const o = (await t.admin(OrderCreateDocument, { input: input({ lines: [{ sku: skus[0]!, quantity: 2 }] }) })).orderCreate.order!;
    const before = await level(skus[0]!, 'MSK1');
    const c = (await t.admin(OrderCancelDocument, { input: { id: o.id, reason: 'customer changed mind' } })).orderCancel;
    expect(c.order!.status).toBe('CANCELLED');
    expect(c.order!.events.map((e) => [e.sequence, e.status, e.previousStatus])).toEqual([
      [1, 'ALLOCATED', null],
      [2, 'CANCELLED', 'ALLOCATED'],
    ]);
    expect((await level(skus[0]!, 'MSK1'))!.allocated).toBe(before!.allocated - 2);
    const again = (await t.admin(OrderCancelDocument, { input: { id: o.id } })).orderCancel;
    expect(again.userErrors[0]!.code).toBe('INVALID_STATE_TRANSITION');
    const full = (await t.admin(OrderDocument, { id: o.id })).order!;
    expect(full.lines[0]!.allocatedQuantity).toBe(0);
    expect(full.fulfillmentOrders[0]!.status).toBe('CANCELLED');
    // The fulfillment order's own timeline records the cancellation, with the reason.
    expect(full.fulfillmentOrders[0]!.events.map((e) => [e.sequence, e.status, e.previousStatus, e.message])).toEqual([
      [1, 'OPEN', null, 'Stock reserved in MSK1'],
      [2, 'CANCELLED', 'OPEN', 'Order cancelled: customer changed mind'],
    ]);
  });

  it('a customer sees only its own orders; a partner restricted to SPB1 sees orders shipped from there', async () => {
    await t.admin(CustomerCreateDocument, { input: { email: 'boris@example.ru', password: 'boris-password', locale: 'ru' } });
    const mine = (await t.admin(OrderCreateDocument, { input: input({ customer: { email: 'boris@example.ru' } }) })).orderCreate.order!;
    const token = (await t.gql(CustomerAccessTokenCreateDocument, { input: { email: 'boris@example.ru', password: 'boris-password' } }, { token: null })).data!
      .customerAccessTokenCreate.accessToken!;
    const list = await t.gql(OrdersDocument, { first: 50 }, { token });
    expect(list.data!.orders.nodes.map((n) => n.id)).toEqual([mine.id]);
    const others = (await t.admin(OrdersDocument, { first: 1, filter: { customerEmail: 'anna@example.ru' } })).orders.nodes[0]!;
    expect((await t.gql(OrderDocument, { id: others.id }, { token })).data!.order).toBeNull();
    const k = await t.admin(ApiKeyCreateDocument, { input: { name: 'spb-3pl', kind: 'PARTNER', scopes: ['read_orders'], warehouseCodes: ['SPB1'] } });
    const partner = await t.gql(OrdersDocument, { first: 100 }, { token: k.apiKeyCreate.secret });
    expect(partner.data!.orders.nodes.length).toBeGreaterThan(0);
    expect(partner.data!.orders.nodes.every((n) => n.fulfillmentOrders.some((f) => f.warehouse.code === 'SPB1'))).toBe(true);
  });

  it('streams status changes over graphql-ws, replays after a reconnect with afterSequence, and forbids other customers', async () => {
    const o = (await t.admin(OrderCreateDocument, { input: input() })).orderCreate.order!;
    const q = 'subscription($id: ID, $after: Int) { orderStatusChanged(orderId: $id, afterSequence: $after) { order { id status } event { sequence status previousStatus } } }';
    const live = collect<{ orderStatusChanged: { event: { sequence: number; status: string } } }>(t.ws(), q, { id: o.id });
    await settle();
    await t.admin(OrderCancelDocument, { input: { id: o.id } });
    const got = await live.next(1);
    expect(got[0]!.data!.orderStatusChanged.event).toMatchObject({ sequence: 2, status: 'CANCELLED' });
    live.dispose();
    // A client that saw sequence 1 reconnects: it gets 2 from the replay, exactly once.
    const resumed = collect<{ orderStatusChanged: { event: { sequence: number } } }>(t.ws(), q, { id: o.id, after: 1 });
    await resumed.next(1);
    await settle(300);
    expect(resumed.items.map((i) => i.data!.orderStatusChanged.event.sequence)).toEqual([2]);
    resumed.dispose();
    const all = collect<{ orderStatusChanged: { event: { sequence: number } } }>(t.ws(), q, { id: o.id, after: 0 });
    await all.next(2);
    expect(all.items.map((i) => i.data!.orderStatusChanged.event.sequence)).toEqual([1, 2]);
    all.dispose();
    const token = (await t.gql(CustomerAccessTokenCreateDocument, { input: { email: 'boris@example.ru', password: 'boris-password' } }, { token: null })).data!
      .customerAccessTokenCreate.accessToken!;
    const denied = collect(t.ws(token), q, { id: o.id });
    const items = await denied.next(1);
    expect(items[0]!.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('runs the same number of SQL statements for 5 and for 20 orders with lines, variants, fulfillment orders and events', async () => {
    const count = async (first: number) => {
      const r = await t.gql(OrdersDocument, { first });
      expect(r.errors).toBeUndefined();
      expect(r.data!.orders.nodes.length).toBe(first);
      return Number(r.headers.get('x-sql-statements'));
    };
    // Same shape for every page size: 20 fresh allocated orders, each with a fulfillment order.
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', lines: [{ sku: skus[0]!, quantity: 40 }] } });
    for (let i = 0; i < 20; i++) await t.admin(OrderCreateDocument, { input: input({ lines: [{ sku: skus[0]!, quantity: 1 }] }) });
    // Warm up right before each measurement: the API key cache (10 s) may expire on a slow machine, and a
    // key lookup inside the counted request is not what this test is about.
    const warm = async (first: number) => (await count(1), count(first));
    expect(await warm(20)).toBe(await warm(5));
  });

  it("loads every fulfillment order's timeline in one SQL statement, for 5 orders as for 20", async () => {
    const statements = async (doc: typeof OrderFulfillmentPartsDocument | typeof OrderFulfillmentTimelinesDocument, first: number) => {
      await t.gql(doc, { first: 1 }); // warm the API key cache, as above
      const r = await t.gql(doc, { first });
      expect(r.errors).toBeUndefined();
      expect(r.data!.orders.nodes.length).toBe(first);
      return Number(r.headers.get('x-sql-statements'));
    };
    const timelines = await t.gql(OrderFulfillmentTimelinesDocument, { first: 20 });
    expect(timelines.data!.orders.nodes.flatMap((o) => o.fulfillmentOrders).every((f) => f.events[0]?.sequence === 1)).toBe(true);
    for (const first of [5, 20]) expect((await statements(OrderFulfillmentTimelinesDocument, first)) - (await statements(OrderFulfillmentPartsDocument, first))).toBe(1);
  });
});
