/**
 * A PARTNER key restricted to warehouses, over real HTTP (issue 12, item 5):
 * - every query and mutation that touches a warehouse-scoped object (warehouses by code, bins,
 *   stock levels and movements, inbound, fulfillment orders, pick lists, shipments, route plans,
 *   orders) answers for another warehouse's object EXACTLY as for an id or code that does not
 *   exist: never FORBIDDEN there and NOT_FOUND here, so a restricted key learns nothing;
 * - allocation (orderCreate, the later backorder fill) and the checkout quote only consider the
 *   key's warehouses, so it can no longer reserve stock it can then neither see nor cancel;
 * - channelStockSync needs a key without a warehouse restriction.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/graphql/relay.js';
import { generateTrackingNumber } from '../../src/modules/carriers/tracking-number.js';
import { productInput } from '../factories/catalog.js';
import { shippedParcel } from '../factories/shipping.js';
import { address } from '../factories/stock.js';
import { startApp, type TestApp } from '../harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const doc = (s: string) => parse(s) as TypedDocumentNode<Any, Any>;

let t: TestApp;
let partner: string; // PARTNER key restricted to HOME, every write scope but admin
const HOME = 'RHOME1';
const HOME_LOC = { lat: 59.93, lng: 30.33 }; // far from the other warehouse (Moscow)

/** The other warehouse's objects, all of which the partner key must not see. */
const away = {} as {
  code: string;
  binBarcode: string;
  binId: string;
  zoneId: string;
  warehouseId: string;
  sku: string;
  orderId: string;
  orderNumber: string;
  openFoId: string;
  pickListId: string;
  shippedFoId: string;
  shipmentId: string;
  trackingNumber: string;
  routePlanId: string;
};

async function admin(q: string, variables: Record<string, unknown> = {}): Promise<Any> {
  const r = await t.gql(doc(q), variables);
  if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
  return r.data;
}

const noErrors = (p: { userErrors: unknown[] }, what: string) => {
  if (p.userErrors.length) throw new Error(`${what}: ${JSON.stringify(p.userErrors)}`);
};

beforeAll(async () => {
  t = await startApp();
  // The other warehouse: a shipped parcel (order, FO, shipment) out of its own warehouse TWn.
  const parcel = await shippedParcel(t);
  const o1 = (await admin(`query($id: ID!) { order(id: $id) { fulfillmentOrders { id warehouse { id code zones { id } bins(first: 1) { nodes { id barcode } } } } shipments { id } lines { variant { sku } } } }`, { id: parcel.orderId })).order;
  const fo1 = o1.fulfillmentOrders[0];
  Object.assign(away, {
    code: fo1.warehouse.code,
    warehouseId: fo1.warehouse.id,
    zoneId: fo1.warehouse.zones[0].id,
    binId: fo1.warehouse.bins.nodes[0].id,
    binBarcode: fo1.warehouse.bins.nodes[0].barcode,
    shippedFoId: fo1.id,
    shipmentId: o1.shipments[0].id,
    trackingNumber: parcel.trackingNumber,
    sku: o1.lines[0].variant.sku,
  });
  // A second order there, left OPEN then PICKING on a pick list.
  const o2 = (
    await admin(`mutation($input: OrderCreateInput!) { orderCreate(input: $input) { order { id number fulfillmentOrders { id } } userErrors { code field message } } }`, {
      input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'away@example.ru', name: 'Away' }, shippingAddress: address(), lines: [{ sku: away.sku, quantity: 1 }] },
    })
  ).orderCreate;
  noErrors(o2, 'orderCreate');
  away.orderId = o2.order.id;
  away.orderNumber = o2.order.number;
  away.openFoId = o2.order.fulfillmentOrders[0].id;
  const pl = (await admin(`mutation($input: PickListCreateInput!) { pickListCreate(input: $input) { pickList { id } userErrors { code field message } } }`, { input: { warehouseCode: away.code } })).pickListCreate;
  noErrors(pl, 'pickListCreate');
  away.pickListId = pl.pickList.id;
  const rp = (
    await admin(`mutation($input: RoutePlanCreateInput!) { routePlanCreate(input: $input) { routePlan { id } userErrors { code field message } } }`, {
      input: {
        warehouseCode: away.code,
        date: '2026-11-26',
        timeLimitMs: 300,
        vehicles: [{ id: 'V1', capacity: 10, shiftStart: '2026-11-26T06:00:00.000Z', shiftEnd: '2026-11-26T14:00:00.000Z' }],
        stops: [{ id: 'S1', demand: 1, location: { lat: 55.72, lng: 37.64 } }],
      },
    })
  ).routePlanCreate;
  noErrors(rp, 'routePlanCreate');
  away.routePlanId = rp.routePlan.id;

  // The partner's own warehouse, with a bin and no stock of the SKU yet.
  const wh = (
    await admin(`mutation($input: WarehouseCreateInput!) { warehouseCreate(input: $input) { userErrors { code field message } } }`, {
      input: { code: HOME, name: 'Home', address: { line1: 'Складская 2', city: 'Санкт-Петербург', postalCode: '190000', countryCode: 'RU', location: HOME_LOC } },
    })
  ).warehouseCreate;
  noErrors(wh, 'warehouseCreate');
  noErrors((await admin(`mutation { zoneCreate(input: { warehouseCode: "${HOME}", code: "P", name: "Pick", kind: PICK, distanceRank: 0 }) { userErrors { code field message } } }`)).zoneCreate, 'zoneCreate');
  noErrors(
    (await admin(`mutation { binLocationsCreate(input: { warehouseCode: "${HOME}", zoneCode: "P", aisles: ["A"], racks: 1, levels: 1, positions: 2 }) { userErrors { code field message } } }`)).binLocationsCreate,
    'binLocationsCreate',
  );
  const k = (
    await admin(`mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret userErrors { code field message } } }`, {
      input: { name: 'home partner', kind: 'PARTNER', scopes: ['write_inventory', 'write_orders', 'write_fulfillment', 'write_shipping'], warehouseCodes: [HOME] },
    })
  ).apiKeyCreate;
  noErrors(k, 'apiKeyCreate');
  partner = k.secret;
}, 60_000);
afterAll(async () => t?.close());

/** Answer of the partner key, with the probed value replaced, so a hidden and a missing target compare equal. */
async function asPartner(q: string, target: string, vars: Record<string, unknown> = {}): Promise<string> {
  const r = await t.gql(doc(q), { x: target, ...vars }, { token: partner });
  return JSON.stringify({ status: r.status, data: r.data, errors: r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code, path: e.path })) }).split(target).join('<X>');
}

const uuid = () => randomUUID();
const gid = (type: string) => toGlobalId(type, uuid());
const missingCode = () => `NOPE${Math.floor(Math.random() * 1e6)}`;
const UE = 'userErrors { code field message }';

/** [name, operation with $x, the other warehouse's target, a target that does not exist]. */
const cases: [string, string, () => string, () => string][] = [
  // Mutations by warehouse code
  ['zoneCreate', `mutation($x: String!) { zoneCreate(input: { warehouseCode: $x, code: "Z9", name: "Z", kind: PICK, distanceRank: 1 }) { zone { id } ${UE} } }`, () => away.code, missingCode],
  ['binLocationsCreate', `mutation($x: String!) { binLocationsCreate(input: { warehouseCode: $x, zoneCode: "P", aisles: ["Q"], racks: 1, levels: 1, positions: 1 }) { bins { id } ${UE} } }`, () => away.code, missingCode],
  ['inventoryReceive', `mutation($x: String!, $sku: String!) { inventoryReceive(input: { warehouseCode: $x, lines: [{ sku: $sku, quantity: 1 }] }) { movements { id } ${UE} } }`, () => away.code, missingCode],
  ['inventoryInboundCreate', `mutation($x: String!, $sku: String!) { inventoryInboundCreate(input: { warehouseCode: $x, reference: "PO-1", lines: [{ sku: $sku, quantity: 1 }] }) { ${UE} } }`, () => away.code, missingCode],
  ['inventoryMove', `mutation($x: String!, $sku: String!, $bin: String!) { inventoryMove(input: { warehouseCode: $x, fromBinBarcode: $bin, toBinBarcode: $bin, lines: [{ sku: $sku, quantity: 1 }] }) { movements { id } ${UE} } }`, () => away.code, missingCode],
  ['inventoryAdjust', `mutation($x: String!, $sku: String!, $bin: String!) { inventoryAdjust(input: { warehouseCode: $x, binBarcode: $bin, sku: $sku, quantityDelta: -1, reason: ADJUSTMENT }) { movement { id } ${UE} } }`, () => away.code, missingCode],
  ['cycleCountSubmit', `mutation($x: String!, $sku: String!, $bin: String!) { cycleCountSubmit(input: { warehouseCode: $x, binBarcode: $bin, counts: [{ sku: $sku, quantity: 0 }] }) { ${UE} } }`, () => away.code, missingCode],
  ['pickListCreate', `mutation($x: String!) { pickListCreate(input: { warehouseCode: $x }) { pickList { id } ${UE} } }`, () => away.code, missingCode],
  [
    'routePlanCreate',
    `mutation($x: String!) { routePlanCreate(input: { warehouseCode: $x, date: "2026-11-26", timeLimitMs: 300, vehicles: [{ id: "V1", capacity: 10, shiftStart: "2026-11-26T06:00:00.000Z", shiftEnd: "2026-11-26T14:00:00.000Z" }], stops: [{ id: "S1", demand: 1, location: { lat: 55.72, lng: 37.64 } }] }) { routePlan { id } ${UE} } }`,
    () => away.code,
    missingCode,
  ],
  // Mutations by object id
  ['pickListScan', `mutation($x: ID!, $bin: String!) { pickListScan(input: { pickListId: $x, binBarcode: $bin, itemBarcode: "4006381333931" }) { pickList { id } ${UE} } }`, () => away.pickListId, () => gid('PickList')],
  [
    'fulfillmentOrderPack',
    `mutation($x: ID!) { fulfillmentOrderPack(input: { fulfillmentOrderId: $x, scannedBarcodes: ["4006381333931"], weightGrams: 500, dimensions: { lengthMm: 100, widthMm: 100, heightMm: 100 } }) { fulfillmentOrder { id } ${UE} } }`,
    () => away.openFoId,
    () => gid('FulfillmentOrder'),
  ],
  ['shipmentCreate', `mutation($x: ID!) { shipmentCreate(input: { fulfillmentOrderId: $x }) { shipment { id } ${UE} } }`, () => away.openFoId, () => gid('FulfillmentOrder')],
  ['orderCancel', `mutation($x: ID!) { orderCancel(input: { id: $x }) { order { id } ${UE} } }`, () => away.orderId, () => gid('Order')],
  // Queries by warehouse code
  ['warehouse', `query($x: String!) { warehouse(code: $x) { id } }`, () => away.code, missingCode],
  ['inventoryLevels', `query($x: String!) { inventoryLevels(warehouseCode: $x) { onHand } }`, () => away.code, missingCode],
  ['inventoryMovements', `query($x: String!) { inventoryMovements(warehouseCode: $x) { totalCount edges { node { id } } } }`, () => away.code, missingCode],
  ['slottingRecommendations', `query($x: String!) { slottingRecommendations(warehouseCode: $x) { reason } }`, () => away.code, missingCode],
  ['scanBarcode', `query($x: String!, $bin: String!) { scanBarcode(warehouseCode: $x, barcode: $bin) { kind } }`, () => away.code, missingCode],
  // A tracking number scanned in its own warehouse: another warehouse's parcel is UNKNOWN, like a number never issued.
  ['scanBarcode(tracking number)', `query($x: String!) { scanBarcode(warehouseCode: "${HOME}", barcode: $x) { kind shipment { id } } }`, () => away.trackingNumber, () => generateTrackingNumber('RA', 'RU')],
  // Queries by id / number
  ['order', `query($x: ID!) { order(id: $x) { id } }`, () => away.orderId, () => gid('Order')],
  ['orderByNumber', `query($x: String!) { orderByNumber(number: $x) { id } }`, () => away.orderNumber, () => `WB-${Math.floor(Math.random() * 1e9)}`],
  ['pickList', `query($x: ID!) { pickList(id: $x) { id } }`, () => away.pickListId, () => gid('PickList')],
  ['shipment', `query($x: ID!) { shipment(id: $x) { id } }`, () => away.shipmentId, () => gid('Shipment')],
  ['routePlan', `query($x: ID!) { routePlan(id: $x) { id } }`, () => away.routePlanId, () => gid('RoutePlan')],
  ['node(Warehouse)', `query($x: ID!) { node(id: $x) { id } }`, () => away.warehouseId, () => gid('Warehouse')],
  ['node(Zone)', `query($x: ID!) { node(id: $x) { id } }`, () => away.zoneId, () => gid('Zone')],
  ['node(BinLocation)', `query($x: ID!) { node(id: $x) { id } }`, () => away.binId, () => gid('BinLocation')],
  ['node(Order)', `query($x: ID!) { node(id: $x) { id } }`, () => away.orderId, () => gid('Order')],
  ['node(FulfillmentOrder)', `query($x: ID!) { node(id: $x) { id } }`, () => away.shippedFoId, () => gid('FulfillmentOrder')],
  ['node(PickList)', `query($x: ID!) { node(id: $x) { id } }`, () => away.pickListId, () => gid('PickList')],
  ['node(Shipment)', `query($x: ID!) { node(id: $x) { id } }`, () => away.shipmentId, () => gid('Shipment')],
  ['node(RoutePlan)', `query($x: ID!) { node(id: $x) { id } }`, () => away.routePlanId, () => gid('RoutePlan')],
];

describe('a PARTNER key restricted to another warehouse', () => {
  it.each(cases)('%s answers for the other warehouse exactly as for one that does not exist', async (_name, q, hidden, missing) => {
    const vars = { sku: away.sku, bin: away.binBarcode };
    const used = q.includes('$sku') || q.includes('$bin') ? Object.fromEntries(Object.entries(vars).filter(([k]) => q.includes(`$${k}`))) : {};
    const answer = await asPartner(q, hidden(), used);
    expect(answer).toBe(await asPartner(q, missing(), used));
    // One channel for every mutation: a NOT_FOUND userError, never a thrown FORBIDDEN.
    if (q.startsWith('mutation')) {
      const r = JSON.parse(answer);
      expect(r.errors).toBeUndefined();
      expect((Object.values(r.data)[0] as Any).userErrors.map((e: Any) => e.code)).toEqual(['NOT_FOUND']);
    }
  });

  it('the targets exist: the admin key sees what the partner key does not (the table compares real objects)', async () => {
    const seen = await admin(
      `query($o: ID!, $fo: ID!, $pl: ID!, $s: ID!, $rp: ID!, $b: ID!, $c: String!) { order(id: $o) { id } fo: node(id: $fo) { id } pickList(id: $pl) { id } shipment(id: $s) { id } routePlan(id: $rp) { id } bin: node(id: $b) { id } warehouse(code: $c) { id } }`,
      { o: away.orderId, fo: away.shippedFoId, pl: away.pickListId, s: away.shipmentId, rp: away.routePlanId, b: away.binId, c: away.code },
    );
    for (const v of Object.values(seen)) expect(v).not.toBeNull();
    expect((await admin(`query($b: String!) { scanBarcode(warehouseCode: "${HOME}", barcode: $b) { kind } }`, { b: away.trackingNumber })).scanBarcode.kind).toBe('SHIPMENT');
  });

  it('allocates only in its warehouses: INSUFFICIENT_STOCK, or a backorder filled later only from its warehouses', async () => {
    const create = `mutation($input: OrderCreateInput!) { orderCreate(input: $input) { order { id status fulfillmentOrders { warehouse { code } } } userErrors { code field } } }`;
    const input = (over: Record<string, unknown> = {}) => ({
      channel: 'erp',
      currency: 'RUB',
      deliveryType: 'COURIER',
      customer: { email: `p${uuid().slice(0, 8)}@example.ru`, name: 'Partner customer' },
      shippingAddress: address(),
      lines: [{ sku: away.sku, quantity: 1 }],
      ...over,
    });
    // Stock of this SKU is only in the other warehouse.
    const refused = await t.gql(doc(create), { input: input() }, { token: partner });
    expect(refused.data.orderCreate.order).toBeNull();
    expect(refused.data.orderCreate.userErrors).toEqual([{ code: 'INSUFFICIENT_STOCK', field: ['input', 'lines', '0', 'quantity'] }]);

    const back = (await t.gql(doc(create), { input: input({ allowBackorder: true }) }, { token: partner })).data.orderCreate;
    expect(back.userErrors).toEqual([]);
    expect(back.order.status).toBe('BACKORDERED');
    expect(back.order.fulfillmentOrders).toEqual([]);

    // More stock arrives in the other warehouse, then in the partner's own: the backorder is filled from its own only.
    const receive = `mutation($input: InventoryReceiveInput!) { inventoryReceive(input: $input) { userErrors { code } } }`;
    expect((await admin(receive, { input: { warehouseCode: away.code, lines: [{ sku: away.sku, quantity: 5 }] } })).inventoryReceive.userErrors).toEqual([]);
    expect((await admin(receive, { input: { warehouseCode: HOME, lines: [{ sku: away.sku, quantity: 5 }] } })).inventoryReceive.userErrors).toEqual([]);
    let order: Any = null;
    for (let i = 0; i < 100; i++) {
      order = (await admin(`query($id: ID!) { order(id: $id) { status fulfillmentOrders { warehouse { code } } } }`, { id: back.order.id })).order;
      if (order.status !== 'BACKORDERED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(order.status).toBe('ALLOCATED');
    expect(order.fulfillmentOrders.map((f: Any) => f.warehouse.code)).toEqual([HOME]);

    // Now its own warehouse has stock: a new order is allocated there, though the other is nearer to Moscow.
    const ok = (await t.gql(doc(create), { input: input() }, { token: partner })).data.orderCreate;
    expect(ok.userErrors).toEqual([]);
    expect(ok.order.fulfillmentOrders.map((f: Any) => f.warehouse.code)).toEqual([HOME]);
    // ...which it can see and cancel (no orphaned reservation).
    const cancelled = await t.gql(doc(`mutation($id: ID!) { orderCancel(input: { id: $id }) { order { status } userErrors { code } } }`), { id: ok.order.id }, { token: partner });
    expect(cancelled.data.orderCancel).toEqual({ order: { status: 'CANCELLED' }, userErrors: [] });
  });

  it('sees only its warehouses\' parts of an order split over warehouses', async () => {
    const product = productInput();
    const skuH = product.variants[0]!.sku;
    expect((await admin(`mutation($input: ProductCreateInput!) { productCreate(input: $input) { userErrors { code } } }`, { input: product })).productCreate.userErrors).toEqual([]);
    const receive = `mutation($input: InventoryReceiveInput!) { inventoryReceive(input: $input) { userErrors { code } } }`;
    expect((await admin(receive, { input: { warehouseCode: HOME, lines: [{ sku: skuH, quantity: 2 }] } })).inventoryReceive.userErrors).toEqual([]);
    expect((await admin(receive, { input: { warehouseCode: away.code, lines: [{ sku: away.sku, quantity: 20 }] } })).inventoryReceive.userErrors).toEqual([]);
    // skuH is only at home; 10 of away.sku only fit in the other warehouse.
    const o = (
      await admin(`mutation($input: OrderCreateInput!) { orderCreate(input: $input) { order { id fulfillmentOrders { id warehouse { code } } } userErrors { code } } }`, {
        input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'split@example.ru', name: 'Split' }, shippingAddress: address(), lines: [{ sku: skuH, quantity: 1 }, { sku: away.sku, quantity: 10 }] },
      })
    ).orderCreate;
    expect(o.userErrors).toEqual([]);
    const awayFo = o.order.fulfillmentOrders.find((f: Any) => f.warehouse.code === away.code);
    expect(awayFo).toBeTruthy();
    const seen = await t.gql(doc(`query($id: ID!, $fo: ID!) { order(id: $id) { fulfillmentOrders { warehouse { code } } } fo: node(id: $fo) { id } }`), { id: o.order.id, fo: awayFo.id }, { token: partner });
    expect(seen.data.order.fulfillmentOrders.map((f: Any) => f.warehouse.code)).toEqual([HOME]);
    expect(seen.data.fo).toBeNull();
    // Cancelling would release the other warehouse's reservation: refused, nothing changes.
    const cancel = await t.gql(doc(`mutation($id: ID!) { orderCancel(input: { id: $id }) { order { id } userErrors { code field } } }`), { id: o.order.id }, { token: partner });
    expect(cancel.data.orderCancel.userErrors).toEqual([{ code: 'FORBIDDEN', field: ['input', 'id'] }]);
    expect((await admin(`query($id: ID!) { order(id: $id) { status } }`, { id: o.order.id })).order.status).toBe('ALLOCATED');
  });

  it('is quoted at checkout from its warehouses only, like its orders', async () => {
    const q = `query($input: DeliveryOptionsInput!) { deliveryOptions(input: $input) { shipsFrom { code } } }`;
    const input = { destination: address(), lines: [{ sku: away.sku, quantity: 1 }], currency: 'RUB' };
    const anonymous = await t.gql(doc(q), { input }, { token: null });
    const mine = await t.gql(doc(q), { input }, { token: partner });
    expect(anonymous.data.deliveryOptions.length).toBeGreaterThan(0);
    expect(anonymous.data.deliveryOptions.every((o: Any) => o.shipsFrom.every((w: Any) => w.code !== HOME))).toBe(true);
    expect(mine.data.deliveryOptions.length).toBeGreaterThan(0);
    expect(mine.data.deliveryOptions.every((o: Any) => o.shipsFrom.every((w: Any) => w.code === HOME))).toBe(true);
  });

  it('may not channelStockSync (channel stock spans warehouses); an unrestricted key may', async () => {
    const q = `mutation($input: ChannelStockSyncInput!) { channelStockSync(input: $input) { updated userErrors { code } } }`;
    const input = { channel: 'ozon', lines: [{ sku: away.sku, quantity: 7 }] };
    const refused = await t.gql(doc(q), { input }, { token: partner });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await admin(q, { input })).channelStockSync).toEqual({ updated: 1, userErrors: [] });
  });
});
