/**
 * Transfers between warehouses over HTTP (PGlite, and PostgreSQL with DATABASE_URL): the flow
 * DRAFT → IN_TRANSIT → RECEIVED with the source's on-hand/available and the destination's
 * `incoming`/on-hand at each step, TRANSFER movements under the transfer number, the conservation
 * of units (a fast-check property over random sequences), allocated stock never shipped, bad input
 * writing nothing, PARTNER keys restricted to warehouses, and TRANSFER_ORDER_UPDATED webhooks.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productInput } from '../factories/catalog.js';
import { address, stockedStore } from '../factories/stock.js';
import { webhookReceiver } from '../factories/webhooks.js';
import {
  BinLocationsCreateDocument,
  InventoryReceiveDocument,
  ProductCreateDocument,
  TrApiKeyCreateDocument,
  TrCancelDocument,
  TrCreateDocument,
  TrLevelsDocument,
  TrMovementsDocument,
  TrNodeDocument,
  TrOrderCreateDocument,
  TrOrderDocument,
  TrReceiveDocument,
  TrShipDocument,
  TrTransferDocument,
  TrTransfersDocument,
  TrWarehouseCreateDocument,
  TrWebhookCreateDocument,
  type TransferLineInput,
} from '../generated/graphql.js';
import { settle, startApp, waitFor, type TestApp } from '../harness.js';

let t: TestApp;

beforeAll(async () => {
  t = await startApp({ env: { WEBHOOK_POLL_MS: '50', WEBHOOK_BACKOFF_BASE_MS: '20', WEBHOOK_BACKOFF_CAP_MS: '100' } });
  await stockedStore(t, { msk: [], spb: [] });
  // Room for the many SKUs of these tests (putaway gives each SKU its own bins).
  for (const warehouseCode of ['MSK1', 'SPB1']) {
    await t.admin(BinLocationsCreateDocument, { input: { warehouseCode, zoneCode: 'P', aisles: ['B', 'C', 'D', 'E'], racks: 5, levels: 2, positions: 5 } });
  }
  await t.admin(TrWarehouseCreateDocument, {
    input: { code: 'KZN1', name: 'Казань', address: { line1: 'Складская 2', city: 'Казань', postalCode: '420000', countryCode: 'RU', location: { lat: 55.79, lng: 49.12 } } },
  });
}, 60_000);
afterAll(async () => t?.close());

/** A new SKU stocked in MSK1 / SPB1 (the warehouses exist from beforeAll). */
async function newSku(msk: number, spb = 0): Promise<string> {
  const p = productInput();
  await t.admin(ProductCreateDocument, { input: p });
  const sku = p.variants[0]!.sku;
  for (const [warehouseCode, quantity] of [['MSK1', msk], ['SPB1', spb]] as const) {
    if (quantity) expect((await t.admin(InventoryReceiveDocument, { input: { warehouseCode, lines: [{ sku, quantity }] } })).inventoryReceive.userErrors).toEqual([]);
  }
  return sku;
}

type Level = { onHand: number; allocated: number; available: number; incoming: number };
async function levels(sku: string): Promise<Record<string, Level>> {
  const out: Record<string, Level> = {};
  for (const l of (await t.admin(TrLevelsDocument, { sku })).inventoryLevels) out[l.warehouse.code] = { onHand: l.onHand, allocated: l.allocated, available: l.available, incoming: l.incoming };
  return out;
}
const level = (ls: Record<string, Level>, code: string): Level => ls[code] ?? { onHand: 0, allocated: 0, available: 0, incoming: 0 };

async function movements(sku: string, warehouseCode: string) {
  return (await t.admin(TrMovementsDocument, { sku, warehouseCode })).inventoryMovements.nodes.filter((m) => m.reason === 'TRANSFER').map((m) => [m.quantityDelta, m.reference]);
}

async function create(from: string, to: string, lines: TransferLineInput[], token?: string) {
  const r = await t.gql(TrCreateDocument, { input: { fromWarehouseCode: from, toWarehouseCode: to, lines } }, token ? { token } : {});
  expect(r.errors).toBeUndefined();
  return r.data!.transferOrderCreate;
}
async function ship(id: string, token?: string) {
  const r = await t.gql(TrShipDocument, { input: { id } }, token ? { token } : {});
  expect(r.errors).toBeUndefined();
  return r.data!.transferOrderShip;
}
async function receive(id: string, lines: TransferLineInput[], binCode?: string, token?: string) {
  const r = await t.gql(TrReceiveDocument, { input: { id, lines, binCode } }, token ? { token } : {});
  expect(r.errors).toBeUndefined();
  return r.data!.transferOrderReceive;
}
async function cancel(id: string) {
  return (await t.admin(TrCancelDocument, { input: { id } })).transferOrderCancel;
}
async function transfersCount() {
  return (await t.admin(TrTransfersDocument, { first: 1 })).transferOrders.totalCount;
}

/** Units over all warehouses plus in transit (IN_TRANSIT lines, shipped minus received) of one SKU. */
async function conserved(sku: string): Promise<number> {
  const ls = await levels(sku);
  const inTransit = (await t.admin(TrTransfersDocument, { status: ['IN_TRANSIT'], first: 100 })).transferOrders.nodes
    .flatMap((tr) => tr.lines)
    .filter((l) => l.variant.sku === sku)
    .reduce((s, l) => s + l.quantity - l.receivedQuantity, 0);
  return Object.values(ls).reduce((s, l) => s + l.onHand, 0) + inTransit;
}

describe('transfer flow', () => {
  it('DRAFT reserves nothing; SHIP takes units out of the source into the destination’s incoming; partial and full RECEIVE move them to on-hand', async () => {
    const sku = await newSku(10);
    const created = await create('MSK1', 'SPB1', [{ sku, quantity: 5 }]);
    expect(created.userErrors).toEqual([]);
    const tr = created.transferOrder!;
    expect(tr).toMatchObject({ status: 'DRAFT', fromWarehouse: { code: 'MSK1' }, toWarehouse: { code: 'SPB1' }, lines: [{ variant: { sku }, quantity: 5, receivedQuantity: 0 }] });
    expect(tr.number).toMatch(/^TR-\d{6,}$/);
    let ls = await levels(sku);
    expect(level(ls, 'MSK1')).toEqual({ onHand: 10, allocated: 0, available: 10, incoming: 0 });
    expect(level(ls, 'SPB1')).toMatchObject({ onHand: 0, incoming: 0 });
    expect(await conserved(sku)).toBe(10);

    const shipped = await ship(tr.id);
    expect(shipped.userErrors).toEqual([]);
    expect(shipped.transferOrder!.status).toBe('IN_TRANSIT');
    ls = await levels(sku);
    expect(level(ls, 'MSK1')).toEqual({ onHand: 5, allocated: 0, available: 5, incoming: 0 });
    expect(level(ls, 'SPB1')).toEqual({ onHand: 0, allocated: 0, available: 0, incoming: 5 });
    expect(await movements(sku, 'MSK1')).toEqual([[-5, tr.number]]);
    expect(await conserved(sku)).toBe(10);
    // Shipping again is refused by the lifecycle and moves nothing.
    expect((await ship(tr.id)).userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    expect(level(await levels(sku), 'MSK1').onHand).toBe(5);

    // Partial receipt into a named bin.
    const binCode = (await t.admin(TrLevelsDocument, { sku })).inventoryLevels.find((l) => l.warehouse.code === 'MSK1')!.bins[0]!.bin.code;
    const part = await receive(tr.id, [{ sku, quantity: 2 }], `SPB1-${binCode}`);
    expect(part.userErrors).toEqual([]);
    expect(part.transferOrder).toMatchObject({ status: 'IN_TRANSIT', lines: [{ quantity: 5, receivedQuantity: 2 }] });
    ls = await levels(sku);
    expect(level(ls, 'SPB1')).toEqual({ onHand: 2, allocated: 0, available: 2, incoming: 3 });
    expect((await t.admin(TrLevelsDocument, { sku })).inventoryLevels.find((l) => l.warehouse.code === 'SPB1')!.bins).toEqual([{ bin: { code: binCode }, quantity: 2 }]);
    expect(await conserved(sku)).toBe(10);

    // Over-receipt: 4 when 3 are still to arrive writes nothing.
    const over = await receive(tr.id, [{ sku, quantity: 4 }]);
    expect(over.userErrors).toEqual([{ code: 'OVER_RECEIPT', field: ['input', 'lines', '0', 'quantity'], message: expect.stringContaining('3') }]);
    expect(await levels(sku)).toEqual(ls);

    // The rest by putaway: RECEIVED.
    const rest = await receive(tr.id, [{ sku, quantity: 3 }]);
    expect(rest.userErrors).toEqual([]);
    expect(rest.transferOrder).toMatchObject({ status: 'RECEIVED', lines: [{ quantity: 5, receivedQuantity: 5 }] });
    ls = await levels(sku);
    expect(level(ls, 'MSK1')).toEqual({ onHand: 5, allocated: 0, available: 5, incoming: 0 });
    expect(level(ls, 'SPB1')).toEqual({ onHand: 5, allocated: 0, available: 5, incoming: 0 });
    expect((await movements(sku, 'SPB1')).sort()).toEqual([[2, tr.number], [3, tr.number]].sort());
    expect(await conserved(sku)).toBe(10);
    expect(rest.transferOrder!.events.map((e) => [e.sequence, e.status, e.previousStatus])).toEqual([
      [1, 'DRAFT', null],
      [2, 'IN_TRANSIT', 'DRAFT'],
      [3, 'RECEIVED', 'IN_TRANSIT'],
    ]);
    // Nothing more to receive.
    expect((await receive(tr.id, [{ sku, quantity: 1 }])).userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);

    // Readable by id, through node, and in the list.
    expect((await t.admin(TrTransferDocument, { id: tr.id })).transferOrder?.status).toBe('RECEIVED');
    expect((await t.admin(TrNodeDocument, { id: tr.id })).node).toMatchObject({ id: tr.id, number: tr.number });
    expect((await t.admin(TrTransfersDocument, { status: ['RECEIVED'], first: 100 })).transferOrders.nodes.map((n) => n.id)).toContain(tr.id);
  });

  it('several lines ship and receive together; lines of one SKU in a receipt add up', async () => {
    const a = await newSku(4, 0);
    const b = await newSku(0, 6);
    const tr = (await create('SPB1', 'MSK1', [{ sku: b, quantity: 6 }]))!.transferOrder!;
    const two = (await create('MSK1', 'SPB1', [{ sku: a, quantity: 4 }]))!.transferOrder!;
    expect((await ship(tr.id)).userErrors).toEqual([]);
    expect((await ship(two.id)).userErrors).toEqual([]);
    const r = await receive(tr.id, [{ sku: b, quantity: 2 }, { sku: b, quantity: 4 }]);
    expect(r.userErrors).toEqual([]);
    expect(r.transferOrder!.status).toBe('RECEIVED');
    expect(level(await levels(b), 'MSK1')).toMatchObject({ onHand: 6, incoming: 0 });
    expect(level(await levels(b), 'SPB1')).toMatchObject({ onHand: 0 });
    // A SKU that is not on the transfer.
    const wrong = await receive(two.id, [{ sku: b, quantity: 1 }]);
    expect(wrong.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'lines', '0', 'sku'], message: expect.any(String) }]);
    expect(level(await levels(a), 'SPB1')).toMatchObject({ onHand: 0, incoming: 4 });
  });
});

describe('transferOrders list', () => {
  it('runs the same number of SQL statements for 3 and for 12 transfers with lines, variants, warehouses and timelines; newest first', async () => {
    const sku = await newSku(1);
    const statements = async (first: number) => {
      const r = await t.gql(TrTransfersDocument, { first });
      expect(r.errors).toBeUndefined();
      expect(r.data!.transferOrders.nodes).toHaveLength(first);
      return Number(r.headers.get('x-sql-statements'));
    };
    for (let i = 0; i < 12; i++) await create(i % 2 ? 'SPB1' : 'MSK1', i % 2 ? 'MSK1' : 'SPB1', [{ sku, quantity: 1 + i }]);
    const few = await statements(3);
    const many = await statements(12);
    expect(few).toBeGreaterThan(0);
    expect(many).toBe(few);
    const page = (await t.admin(TrTransfersDocument, { first: 12 })).transferOrders;
    expect(page.nodes.map((n) => n.lines[0]!.quantity)).toEqual(Array.from({ length: 12 }, (_, i) => 12 - i));
    const next = (await t.admin(TrTransfersDocument, { first: 5, after: page.pageInfo.endCursor })).transferOrders;
    expect(next.nodes.map((n) => n.id).some((id) => page.nodes.some((p) => p.id === id))).toBe(false);
  });
});

describe('bad input writes nothing', () => {
  it('same warehouse, unknown SKU or warehouse, bad quantities, a SKU twice: userErrors, no transfer', async () => {
    const sku = await newSku(3);
    const before = await transfersCount();
    const cases: [string, string, TransferLineInput[], { code: string; field: string[] }[]][] = [
      ['MSK1', 'MSK1', [{ sku, quantity: 1 }], [{ code: 'INVALID', field: ['input', 'toWarehouseCode'] }]],
      ['MSK1', 'SPB1', [{ sku: 'NO-SUCH-SKU', quantity: 1 }], [{ code: 'NOT_FOUND', field: ['input', 'lines', '0', 'sku'] }]],
      ['NOPE', 'SPB1', [{ sku, quantity: 1 }], [{ code: 'NOT_FOUND', field: ['input', 'fromWarehouseCode'] }]],
      ['MSK1', 'NOPE', [{ sku, quantity: 1 }], [{ code: 'NOT_FOUND', field: ['input', 'toWarehouseCode'] }]],
      ['MSK1', 'SPB1', [{ sku, quantity: 0 }], [{ code: 'INVALID', field: ['input', 'lines', '0', 'quantity'] }]],
      ['MSK1', 'SPB1', [{ sku, quantity: 1_000_001 }], [{ code: 'INVALID', field: ['input', 'lines', '0', 'quantity'] }]],
      ['MSK1', 'SPB1', [], [{ code: 'INVALID', field: ['input', 'lines'] }]],
      ['MSK1', 'SPB1', [{ sku, quantity: 1 }, { sku, quantity: 2 }], [{ code: 'INVALID', field: ['input', 'lines', '1', 'sku'] }]],
    ];
    for (const [from, to, lines, want] of cases) {
      const r = await create(from, to, lines);
      expect(r.transferOrder).toBeNull();
      expect(r.userErrors.map((e) => ({ code: e.code, field: e.field }))).toEqual(want);
    }
    expect(await transfersCount()).toBe(before);
    expect(level(await levels(sku), 'MSK1')).toEqual({ onHand: 3, allocated: 0, available: 3, incoming: 0 });
  });

  it('receiving a DRAFT, cancelling one IN_TRANSIT, shipping a cancelled one, and an unknown id are refused without writing', async () => {
    const sku = await newSku(5);
    const tr = (await create('MSK1', 'SPB1', [{ sku, quantity: 2 }])).transferOrder!;
    const draftReceive = await receive(tr.id, [{ sku, quantity: 1 }]);
    expect(draftReceive.userErrors.map((e) => [e.code, e.field])).toEqual([['INVALID_STATE_TRANSITION', ['input', 'id']]]);
    expect(level(await levels(sku), 'SPB1')).toMatchObject({ onHand: 0, incoming: 0 });
    expect((await t.admin(TrTransferDocument, { id: tr.id })).transferOrder!.lines[0]!.receivedQuantity).toBe(0);

    expect((await ship(tr.id)).userErrors).toEqual([]);
    const before = await levels(sku);
    const c = await cancel(tr.id);
    expect(c.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    expect(await levels(sku)).toEqual(before);
    const now = (await t.admin(TrTransferDocument, { id: tr.id })).transferOrder!;
    expect(now.status).toBe('IN_TRANSIT');
    expect(now.events.map((e) => e.status)).toEqual(['DRAFT', 'IN_TRANSIT']);

    const other = (await create('MSK1', 'SPB1', [{ sku, quantity: 1 }])).transferOrder!;
    const cancelled = await cancel(other.id);
    expect(cancelled.userErrors).toEqual([]);
    expect(cancelled.transferOrder!.events.map((e) => [e.sequence, e.status, e.message])).toEqual([
      [1, 'DRAFT', 'Created'],
      [2, 'CANCELLED', 'Cancelled'],
    ]);
    expect((await ship(other.id)).userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    expect(level(await levels(sku), 'MSK1')).toMatchObject({ onHand: 3 });

    const bogus = 'VHJhbnNmZXJPcmRlcjowMTkzMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA';
    expect((await ship(bogus)).userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    expect((await t.admin(TrTransferDocument, { id: bogus })).transferOrder).toBeNull();
  });

  it('an unknown bin in the destination is NOT_FOUND at input.binCode', async () => {
    const sku = await newSku(2);
    const tr = (await create('MSK1', 'SPB1', [{ sku, quantity: 2 }])).transferOrder!;
    await ship(tr.id);
    const r = await receive(tr.id, [{ sku, quantity: 2 }], 'SPB1-Z-99-99-99');
    expect(r.userErrors.map((e) => [e.code, e.field])).toEqual([['NOT_FOUND', ['input', 'binCode']]]);
    expect(level(await levels(sku), 'SPB1')).toMatchObject({ onHand: 0, incoming: 2 });
  });
});

describe('allocated stock is never shipped', () => {
  it('an order allocated in the source leaves too few: INSUFFICIENT_STOCK, nothing written, the order still allocated', async () => {
    const sku = await newSku(5);
    const order = (await t.admin(TrOrderCreateDocument, {
      input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'transfer-alloc@example.ru' }, shippingAddress: address(), lines: [{ sku, quantity: 3 }] },
    })).orderCreate;
    expect(order.userErrors).toEqual([]);
    expect(level(await levels(sku), 'MSK1')).toEqual({ onHand: 5, allocated: 3, available: 2, incoming: 0 });
    const tr = (await create('MSK1', 'SPB1', [{ sku, quantity: 3 }])).transferOrder!;
    const r = await ship(tr.id);
    expect(r.transferOrder).toBeNull();
    expect(r.userErrors).toEqual([{ code: 'INSUFFICIENT_STOCK', field: ['input', 'id'], message: expect.stringMatching(/MSK1 has 2 available unit\(s\) of .*3 allocated to orders/) }]);
    const ls = await levels(sku);
    expect(level(ls, 'MSK1')).toEqual({ onHand: 5, allocated: 3, available: 2, incoming: 0 });
    expect(level(ls, 'SPB1')).toMatchObject({ onHand: 0, incoming: 0 });
    expect(await movements(sku, 'MSK1')).toEqual([]);
    const still = (await t.admin(TrTransferDocument, { id: tr.id })).transferOrder!;
    expect(still.status).toBe('DRAFT');
    expect(still.events.map((e) => e.status)).toEqual(['DRAFT']);
    expect((await t.admin(TrOrderDocument, { id: order.order!.id })).order!.status).toBe('ALLOCATED');

    // What is free ships: 2 units, leaving exactly the allocation.
    const fits = (await create('MSK1', 'SPB1', [{ sku, quantity: 2 }])).transferOrder!;
    expect((await ship(fits.id)).userErrors).toEqual([]);
    expect(level(await levels(sku), 'MSK1')).toEqual({ onHand: 3, allocated: 3, available: 0, incoming: 0 });
    expect((await t.admin(TrOrderDocument, { id: order.order!.id })).order!.status).toBe('ALLOCATED');
  });
});

describe('PARTNER keys restricted to warehouses', () => {
  it('see transfers touching their warehouses, act only on their side, and get NOT_FOUND otherwise', async () => {
    const sku = await newSku(6);
    const key = (await t.admin(TrApiKeyCreateDocument, { input: { kind: 'PARTNER', name: 'SPB 3PL', scopes: ['read_inventory', 'write_inventory'], warehouseCodes: ['SPB1'] } })).apiKeyCreate;
    expect(key.userErrors).toEqual([]);
    const token = key.secret!;
    const toSpb = (await create('MSK1', 'SPB1', [{ sku, quantity: 2 }])).transferOrder!;
    const toKzn = (await create('MSK1', 'KZN1', [{ sku, quantity: 1 }])).transferOrder!;

    const seen = await t.gql(TrTransferDocument, { id: toSpb.id }, { token });
    expect(seen.data!.transferOrder?.number).toBe(toSpb.number);
    expect((await t.gql(TrTransferDocument, { id: toKzn.id }, { token })).data!.transferOrder).toBeNull();
    expect((await t.gql(TrNodeDocument, { id: toKzn.id }, { token })).data!.node).toBeNull();
    const listed = (await t.gql(TrTransfersDocument, { first: 100 }, { token })).data!.transferOrders;
    expect(listed.nodes.map((n) => n.id)).toContain(toSpb.id);
    expect(listed.nodes.every((n) => n.fromWarehouse.code === 'SPB1' || n.toWarehouse.code === 'SPB1')).toBe(true);

    // Creating needs both warehouses; shipping needs the source: NOT_FOUND like a random id.
    expect((await create('MSK1', 'SPB1', [{ sku, quantity: 1 }], token)).userErrors.map((e) => [e.code, e.field])).toEqual([['NOT_FOUND', ['input', 'fromWarehouseCode']]]);
    expect((await ship(toSpb.id, token)).userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    expect((await t.admin(TrTransferDocument, { id: toSpb.id })).transferOrder!.status).toBe('DRAFT');
    expect((await ship(toSpb.id)).userErrors).toEqual([]);
    // Receiving needs the destination: the SPB1 key may.
    const r = await receive(toSpb.id, [{ sku, quantity: 2 }], undefined, token);
    expect(r.userErrors).toEqual([]);
    expect(r.transferOrder!.status).toBe('RECEIVED');
    // And it may not receive a transfer into another warehouse.
    await ship(toKzn.id);
    expect((await receive(toKzn.id, [{ sku, quantity: 1 }], undefined, token)).userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
  });

  it('a key without write_inventory cannot create', async () => {
    const key = (await t.admin(TrApiKeyCreateDocument, { input: { kind: 'STAFF', name: 'reader', scopes: ['read_inventory'] } })).apiKeyCreate;
    const r = await t.gql(TrCreateDocument, { input: { fromWarehouseCode: 'MSK1', toWarehouseCode: 'SPB1', lines: [{ sku: 'X', quantity: 1 }] } }, { token: key.secret! });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('TRANSFER_ORDER_UPDATED webhooks', () => {
  it('one webhook per status change, with both warehouse codes and the sequence', async () => {
    const hooks = await webhookReceiver();
    try {
      expect((await t.admin(TrWebhookCreateDocument, { input: { topic: 'TRANSFER_ORDER_UPDATED', url: hooks.url } })).webhookSubscriptionCreate.userErrors).toEqual([]);
      const sku = await newSku(3);
      const tr = (await create('MSK1', 'SPB1', [{ sku, quantity: 3 }])).transferOrder!;
      await ship(tr.id);
      await receive(tr.id, [{ sku, quantity: 1 }]); // partial: no status change, no webhook
      await receive(tr.id, [{ sku, quantity: 2 }]);
      const ofTransfer = () => hooks.of((b) => b.data.number === tr.number);
      await waitFor('3 webhooks of the transfer', () => ofTransfer().length, (n) => n >= 3, 10_000);
      await settle(400);
      const mine = ofTransfer().map((b) => [b.topic, b.data.sequence, b.data.status, b.data.warehouseCodes]);
      expect(mine.sort((x, y) => Number(x[1]) - Number(y[1]))).toEqual([
        ['TRANSFER_ORDER_UPDATED', 1, 'DRAFT', ['MSK1', 'SPB1']],
        ['TRANSFER_ORDER_UPDATED', 2, 'IN_TRANSIT', ['MSK1', 'SPB1']],
        ['TRANSFER_ORDER_UPDATED', 3, 'RECEIVED', ['MSK1', 'SPB1']],
      ]);
    } finally {
      await hooks.close();
    }
  }, 30_000);
});

describe('conservation (property)', () => {
  type Op =
    | { kind: 'create'; from: number; qty: number }
    | { kind: 'ship'; pick: number }
    | { kind: 'receive'; pick: number; qty: number }
    | { kind: 'cancel'; pick: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('create' as const), from: fc.integer({ min: 0, max: 1 }), qty: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ kind: fc.constant('ship' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('receive' as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  );

  it('units on hand over all warehouses plus in transit never change; incoming equals what is in transit to each warehouse; nothing goes negative', async () => {
    const codes = ['MSK1', 'SPB1'] as const;
    const done = { ship: 0, receive: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
        const sku = await newSku(7, 5);
        const total = 12;
        const mine: { id: string; to: string; qty: number }[] = [];
        for (const o of ops) {
          if (o.kind === 'create') {
            const r = await create(codes[o.from]!, codes[1 - o.from]!, [{ sku, quantity: o.qty }]);
            expect(r.userErrors).toEqual([]);
            mine.push({ id: r.transferOrder!.id, to: codes[1 - o.from]!, qty: o.qty });
          } else if (mine.length) {
            const tr = mine[o.pick % mine.length]!;
            const r = o.kind === 'ship' ? await ship(tr.id) : o.kind === 'cancel' ? await cancel(tr.id) : await receive(tr.id, [{ sku, quantity: o.qty }]);
            for (const e of r.userErrors) expect(['INSUFFICIENT_STOCK', 'INVALID_STATE_TRANSITION', 'OVER_RECEIPT']).toContain(e.code);
            if (!r.userErrors.length && (o.kind === 'ship' || o.kind === 'receive')) done[o.kind]++;
          }
          const ls = await levels(sku);
          const transfers = await Promise.all(mine.map(async (m) => (await t.admin(TrTransferDocument, { id: m.id })).transferOrder!));
          const inTransitTo = (code: string) =>
            transfers.filter((tr) => tr.status === 'IN_TRANSIT' && tr.toWarehouse.code === code).reduce((s, tr) => s + tr.lines[0]!.quantity - tr.lines[0]!.receivedQuantity, 0);
          expect(codes.reduce((s, c) => s + level(ls, c).onHand, 0) + inTransitTo('MSK1') + inTransitTo('SPB1')).toBe(total);
          for (const c of codes) {
            expect(level(ls, c).incoming).toBe(inTransitTo(c));
            expect(level(ls, c).onHand).toBeGreaterThanOrEqual(0);
            expect(level(ls, c).available).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      {
        numRuns: 20,
        // One sequence that surely ships and receives (in part, then the rest), besides the random ones.
        examples: [
          [
            [
              { kind: 'create', from: 0, qty: 3 },
              { kind: 'ship', pick: 0 },
              { kind: 'receive', pick: 0, qty: 1 },
              { kind: 'create', from: 1, qty: 5 },
              { kind: 'ship', pick: 1 },
              { kind: 'receive', pick: 0, qty: 2 },
              { kind: 'cancel', pick: 1 },
            ],
          ],
        ],
      },
    );
    // Not vacuous: units did move.
    expect(done.ship).toBeGreaterThan(0);
    expect(done.receive).toBeGreaterThan(0);
  }, 240_000);
});
