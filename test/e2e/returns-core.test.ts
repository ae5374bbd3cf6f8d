/**
 * Returns core across transports: concurrent requests for the same unit on PostgreSQL, the
 * returnStatusChanged subscription over graphql-ws, RETURN_UPDATED webhooks to a real receiver,
 * and a PARTNER key restricted to warehouses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productInput, variantInput } from '../factories/catalog.js';
import { pickAndPack } from '../factories/fulfillment.js';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import { webhookReceiver } from '../factories/webhooks.js';
import { address } from '../factories/stock.js';
import {
  ApiKeyCreateDocument,
  BinLocationsCreateDocument,
  InventoryReceiveDocument,
  OrderCreateDocument,
  OrderForReturnDocument,
  ProductCreateDocument,
  ShipmentCreateDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
  CoreReturnApproveDocument,
  CoreReturnCancelDocument,
  CoreReturnRejectDocument,
  CoreReturnRequestCreateDocument,
  CoreReturnRequestDocument,
  CoreReturnRequestsDocument,
  WebhookSubscriptionCreateDocument,
  WebhookSubscriptionDeleteDocument,
  type ReturnLineInput,
} from '../generated/graphql.js';
import { collect, realPostgresUrl, settle, startApp, waitFor, type TestApp } from '../harness.js';

let t: TestApp;

beforeAll(async () => {
  t = await startApp({ env: { WEBHOOK_POLL_MS: '50', WEBHOOK_BACKOFF_BASE_MS: '20', WEBHOOK_BACKOFF_CAP_MS: '100' } });
});
afterAll(async () => t?.close());

const line = (o: DeliveredOrder, quantity: number, reason: ReturnLineInput['reason'] = 'CHANGED_MIND'): ReturnLineInput => ({ orderLineId: o.lines[0]!.id, quantity, reason });

async function request(o: DeliveredOrder, quantity: number, reason: ReturnLineInput['reason'] = 'CHANGED_MIND', token = o.customerToken) {
  const r = await t.gql(CoreReturnRequestCreateDocument, { input: { orderId: o.orderId, lines: [line(o, quantity, reason)] } }, { token });
  expect(r.errors).toBeUndefined();
  return r.data!.returnRequestCreate;
}

describe.skipIf(!realPostgresUrl)('concurrent requests on PostgreSQL', () => {
  it('20 concurrent requests for the same single unit give exactly one return; rejecting or cancelling it frees the unit', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 1 }] });
    const results = await Promise.all(Array.from({ length: 20 }, () => request(o, 1)));
    const made = results.filter((r) => r.returnRequest);
    const refused = results.filter((r) => !r.returnRequest).map((r) => r.userErrors.map((e) => e.code));
    expect(made).toHaveLength(1);
    expect(refused).toEqual(Array.from({ length: 19 }, () => ['QUANTITY_EXCEEDS_RETURNABLE']));
    const listed = (await t.admin(CoreReturnRequestsDocument, { filter: { orderNumber: o.orderNumber } })).returnRequests;
    expect(listed.totalCount).toBe(1);
    expect(made[0]!.returnRequest!.events.map((e) => e.sequence)).toEqual([1]);

    // Rejected: the unit can be requested again, and again only once at a time.
    expect((await t.admin(CoreReturnRejectDocument, { input: { id: made[0]!.returnRequest!.id, reason: 'Нет чека' } })).returnReject.userErrors).toEqual([]);
    const second = await Promise.all(Array.from({ length: 10 }, () => request(o, 1)));
    expect(second.filter((r) => r.returnRequest)).toHaveLength(1);
    // Cancelled by the customer: free once more.
    const id = second.find((r) => r.returnRequest)!.returnRequest!.id;
    expect((await t.gql(CoreReturnCancelDocument, { input: { id } }, { token: o.customerToken })).data!.returnCancel.userErrors).toEqual([]);
    expect((await request(o, 1)).userErrors).toEqual([]);
    expect((await t.admin(CoreReturnRequestsDocument, { filter: { orderNumber: o.orderNumber, status: ['REQUESTED', 'APPROVED'] } })).returnRequests.totalCount).toBe(1);
  });
});

describe('returnStatusChanged', () => {
  it("customer A's socket gets A's return events only; watching B's return is refused; anonymous sockets are refused", async () => {
    const a = await deliveredOrder(t, { lines: [{ quantity: 2 }] });
    const b = await deliveredOrder(t, { lines: [{ quantity: 2 }] });
    const q = 'subscription($id: ID) { returnStatusChanged(returnRequestId: $id) { returnRequest { id number status events { sequence } } event { sequence status previousStatus } } }';
    type Msg = { returnStatusChanged: { returnRequest: { id: string; number: string; status: string; events: { sequence: number }[] }; event: { sequence: number; status: string } } };
    const mine = collect<Msg>(t.ws(a.customerToken), q, {});
    await settle(300);
    // B's return moves first, then A's: A hears only its own, every change once.
    const bRet = (await request(b, 1, 'DAMAGED')).returnRequest!;
    const aRet = (await request(a, 1)).returnRequest!;
    await t.admin(CoreReturnApproveDocument, { input: { id: aRet.id } });
    await mine.next(2);
    await settle(500);
    expect(mine.items.map((i) => [i.data!.returnStatusChanged.returnRequest.number, i.data!.returnStatusChanged.event.sequence, i.data!.returnStatusChanged.event.status])).toEqual([
      [aRet.number, 1, 'REQUESTED'],
      [aRet.number, 2, 'APPROVED'],
    ]);
    // Each message reads the return as it is then (the socket's loaders do not answer from an earlier message).
    expect(mine.items[1]!.data!.returnStatusChanged.returnRequest.events.map((e) => e.sequence)).toEqual([1, 2]);
    mine.dispose();

    // One return by id: B's is refused to A; A's own gets its live changes.
    const denied = collect(t.ws(a.customerToken), q, { id: bRet.id });
    expect((await denied.next(1))[0]!.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const one = collect<Msg>(t.ws(a.customerToken), q, { id: aRet.id });
    await settle(300);
    await t.gql(CoreReturnCancelDocument, { input: { id: aRet.id } }, { token: a.customerToken });
    const got = await one.next(1);
    expect(got[0]!.data!.returnStatusChanged).toMatchObject({ returnRequest: { id: aRet.id, status: 'CANCELLED' }, event: { sequence: 3, status: 'CANCELLED', previousStatus: 'APPROVED' } });
    one.dispose();

    const anonymous = collect(t.ws(null), q, {});
    expect((await anonymous.next(1))[0]!.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });
});

describe('RETURN_UPDATED webhooks', () => {
  it('delivers one webhook per change, with the warehouse code and the sequence', async () => {
    const hooks = await webhookReceiver();
    try {
      const sub = (await t.admin(WebhookSubscriptionCreateDocument, { input: { topic: 'RETURN_UPDATED', url: hooks.url } })).webhookSubscriptionCreate;
      expect(sub.userErrors).toEqual([]);
      const o = await deliveredOrder(t, { lines: [{ quantity: 2 }] });
      const auto = (await request(o, 1, 'DEFECTIVE')).returnRequest!; // REQUESTED + APPROVED
      const manual = (await request(o, 1)).returnRequest!; // REQUESTED
      await t.admin(CoreReturnRejectDocument, { input: { id: manual.id, reason: 'Вне правил' } }); // REJECTED
      await waitFor('4 webhooks', () => hooks.bodies.length, (n) => n >= 4);
      await settle(600);
      const seen = hooks.bodies.map((b) => [b.topic, b.data.number, b.data.sequence, b.data.status, b.data.warehouseCode]).sort((x, y) => String(x[1]).localeCompare(String(y[1])) || Number(x[2]) - Number(y[2]));
      expect(seen).toEqual([
        ['RETURN_UPDATED', auto.number, 1, 'REQUESTED', o.warehouseCode],
        ['RETURN_UPDATED', auto.number, 2, 'APPROVED', o.warehouseCode],
        ['RETURN_UPDATED', manual.number, 1, 'REQUESTED', o.warehouseCode],
        ['RETURN_UPDATED', manual.number, 2, 'REJECTED', o.warehouseCode],
      ]);
      await t.admin(WebhookSubscriptionDeleteDocument, { input: { id: sub.webhookSubscription!.id } });
    } finally {
      await hooks.close();
    }
  });
});

describe('PARTNER key restricted to warehouses', () => {
  it('requests and sees returns of orders shipped from its warehouses only', async () => {
    const ours = await deliveredOrder(t);
    const elsewhere = await deliveredOrder(t);
    const key = (
      await t.admin(ApiKeyCreateDocument, { input: { name: 'Склад-партнёр', kind: 'PARTNER', scopes: ['write_returns'], warehouseCodes: [ours.warehouseCode] } })
    ).apiKeyCreate;
    expect(key.userErrors).toEqual([]);
    const token = key.secret!;
    const made = await request(ours, 1, 'CHANGED_MIND', token);
    expect(made.userErrors).toEqual([]);
    const refused = await request(elsewhere, 1, 'CHANGED_MIND', token);
    expect(refused.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    const theirs = (await request(elsewhere, 1, 'CHANGED_MIND', elsewhere.customerToken)).returnRequest!;
    const list = await t.gql(CoreReturnRequestsDocument, {}, { token });
    expect(list.data!.returnRequests.nodes.map((n) => n.number)).toEqual([made.returnRequest!.number]);
    expect((await t.gql(CoreReturnRequestDocument, { id: theirs.id }, { token })).data!.returnRequest).toBeNull();
    expect((await t.gql(CoreReturnCancelDocument, { input: { id: theirs.id } }, { token })).data!.returnCancel.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
  });
});

describe('where the parcel goes back to', () => {
  it('the shipping warehouse when it has a RETURNS zone, else the nearest warehouse that has one', async () => {
    // A carrier (and a warehouse with a RETURNS zone, in Moscow) from the factory.
    const base = await deliveredOrder(t);
    const p = productInput({ variants: [variantInput({ weightGrams: 400, dimensions: { lengthMm: 200, widthMm: 150, heightMm: 80 } })] });
    expect((await t.admin(ProductCreateDocument, { input: p })).productCreate.userErrors).toEqual([]);
    const sku = p.variants[0]!.sku;
    const spb = { name: 'Склад', line1: 'Складская 2', city: 'Санкт-Петербург', postalCode: '190000', countryCode: 'RU' };
    // Ships from NRET (Saint Petersburg, no RETURNS zone); SPBR next door has one, the Moscow warehouses are far.
    const tag = `${process.pid % 1000}`;
    const [nret, spbr] = [`NRET${tag}`, `SPBR${tag}`];
    await t.admin(WarehouseCreateDocument, { input: { code: nret, name: 'Без возвратов', address: { ...spb, location: { lat: 59.93, lng: 30.33 } } } });
    await t.admin(WarehouseCreateDocument, { input: { code: spbr, name: 'Возвраты СПб', address: { ...spb, location: { lat: 59.94, lng: 30.34 } } } });
    await t.admin(ZoneCreateDocument, { input: { warehouseCode: nret, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
    await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: nret, zoneCode: 'P', aisles: ['A'], racks: 1, levels: 1, positions: 1 } });
    await t.admin(ZoneCreateDocument, { input: { warehouseCode: spbr, code: 'R', name: 'Returns', kind: 'RETURNS', distanceRank: 0 } });
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: nret, binBarcode: `${nret}-A-01-01-01`, lines: [{ sku, quantity: 5 }] } });
    const created = (
      await t.admin(OrderCreateDocument, {
        input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: base.customerEmail }, shippingAddress: address({ city: 'Санкт-Петербург', location: { lat: 59.95, lng: 30.3 } }) as never, lines: [{ sku, quantity: 1 }] },
      })
    ).orderCreate;
    expect(created.userErrors).toEqual([]);
    const [foId] = await pickAndPack(t, nret, [created.order!.id], { weightGrams: 500, dimensions: { lengthMm: 300, widthMm: 200, heightMm: 150 } });
    expect((await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId! } })).shipmentCreate.userErrors).toEqual([]);
    const order = (await t.admin(OrderForReturnDocument, { id: created.order!.id })).order!;
    const warehouseOf = async (orderId: string, lineId: string) => {
      const r = (await t.admin(CoreReturnRequestCreateDocument, { input: { orderId, lines: [{ orderLineId: lineId, quantity: 1, reason: 'OTHER' }] } })).returnRequestCreate;
      expect(r.userErrors).toEqual([]);
      return r.returnRequest!.warehouse?.code;
    };
    expect(await warehouseOf(order.id, order.lines[0]!.id)).toBe(spbr);
    expect(await warehouseOf(base.orderId, base.lines[0]!.id)).toBe(base.warehouseCode);
  });
});
