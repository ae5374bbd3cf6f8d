/**
 * The warehouse half of returns over real HTTP: receiving a parcel by scan into the RETURNS zone
 * (on hand, not available), inspection with dispositions through the stock ledger (restocked units
 * available again and allocated to a waiting backorder; written-off units gone), and the refund
 * exactly as the contract computes it (restocking fee, shipping once).
 *
 * The returns are requested by the order's customer and approved or rejected by staff over the API
 * (test/factories/return-requests.ts); their lines, dispositions, timeline and refund are read
 * through the API too. The stock ledger's invariant and the outbox's event payloads are checked in
 * the tables.
 */
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyCreateDocument,
  BinLocationsCreateDocument,
  CoreReturnPolicyUpdateDocument,
  OrderCreateDocument,
  OrderDocument,
  ReturnInspectDocument,
  ReturnReceiveDocument,
  ReturnFlowDocument,
  ReturnRefundDocument,
  ReturnStockDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
  type ReturnInspectLineInput,
} from '../generated/graphql.js';
import { toGlobalId } from '../../src/graphql/relay.js';
import { allocateBackorders } from '../../src/modules/orders/order.service.js';
import { requestReturn } from '../factories/return-requests.js';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import { address } from '../factories/stock.js';
import { startApp, type TestApp } from '../harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => t?.close());

const q = <T = Record<string, unknown>>(query: SQL) => t.app.database.rows<T>(query);

async function stock(sku: string, warehouseCode: string) {
  const r = await t.admin(ReturnStockDocument, { sku, warehouseCode });
  const level = r.inventoryLevels[0]!;
  return {
    onHand: level.onHand,
    allocated: level.allocated,
    unsellable: level.unsellable,
    available: level.available,
    bins: Object.fromEntries(level.bins.map((b) => [b.bin.code, b.quantity])),
    movements: r.inventoryMovements.totalCount,
    latest: r.inventoryMovements.nodes,
  };
}

const receive = (id: string, o: DeliveredOrder, scannedBarcodes: string[], closeReceipt?: boolean) =>
  t.admin(ReturnReceiveDocument, { input: { id, warehouseCode: o.warehouseCode, scannedBarcodes, closeReceipt } }).then((r) => r.returnReceive);
const inspect = (id: string, lines: ReturnInspectLineInput[]) => t.admin(ReturnInspectDocument, { input: { id, lines } }).then((r) => r.returnInspect);
const refund = (id: string, externalReference?: string) => t.admin(ReturnRefundDocument, { input: { id, externalReference } }).then((r) => r.returnRefund);

/** A return as staff read it over the API: status, per-line quantities, dispositions, timeline, refund. */
async function returnState(id: string) {
  const ret = (await t.admin(ReturnFlowDocument, { id })).returnRequest!;
  const at = (status: string) => ret.events.find((e) => e.status === status)?.occurredAt ?? null;
  return {
    status: ret.status,
    receivedAt: at('RECEIVED'),
    inspectedAt: at('INSPECTED'),
    refundMinor: ret.refund?.amount.amountMinor ?? null,
    externalReference: ret.refund?.externalReference ?? null,
    received: ret.lines.map((l) => l.receivedQuantity),
    missing: ret.lines.map((l) => l.missingQuantity),
    events: ret.events.map((e) => `${e.sequence}:${e.status}`),
    dispositions: ret.lines.reduce((n, l) => n + l.dispositions.length, 0),
  };
}

/** The store's restocking fee, through returnPolicyUpdate. */
async function setRestockingFee(percent: number) {
  expect((await t.admin(CoreReturnPolicyUpdateDocument, { input: { restockingFeePercent: percent } })).returnPolicyUpdate.userErrors).toEqual([]);
}

/** The ledger invariant for one SKU in one warehouse: its movements sum to on-hand, and to the bins' stock. */
async function ledgerBalances(sku: string, warehouseCode: string) {
  const [row] = await q<{ moved: number; on_hand: number; in_bins: number; in_returns: number; unsellable: number }>(sql`
    select (select coalesce(sum(m.quantity_delta), 0)::int from inventory_movements m where m.variant_id = v.id and m.warehouse_id = w.id) moved,
           l.on_hand, l.unsellable,
           (select coalesce(sum(s.quantity), 0)::int from bin_stock s where s.variant_id = v.id and s.warehouse_id = w.id) in_bins,
           (select coalesce(sum(s.quantity), 0)::int from bin_stock s join bin_locations b on b.id = s.bin_id join zones z on z.id = b.zone_id
             where s.variant_id = v.id and s.warehouse_id = w.id and z.kind = 'RETURNS') in_returns
    from product_variants v, warehouses w join inventory_levels l on l.warehouse_id = w.id
    where v.sku = ${sku} and w.code = ${warehouseCode} and l.variant_id = v.id`);
  expect(row!.moved).toBe(row!.on_hand);
  expect(row!.in_bins).toBe(row!.on_hand);
  expect(row!.in_returns).toBe(row!.unsellable);
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

describe('returnReceive', () => {
  it('scans every unit in (GTIN or SKU) → RECEIVED; the units are on hand in the RETURNS bin but not available', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 2 }, { quantity: 1, priceMinor: 500_00 }] });
    const ret = await requestReturn(t, o, { lines: [{ line: 0, quantity: 2, reason: 'DEFECTIVE' }, { line: 1, quantity: 1, reason: 'CHANGED_MIND' }] });
    const before = await stock(o.lines[0]!.sku, o.warehouseCode);
    expect(before).toMatchObject({ onHand: 10, allocated: 0, unsellable: 0, available: 10 });

    const r = await receive(ret.id, o, [o.lines[0]!.gtin, `  ${o.lines[1]!.sku} `, o.lines[0]!.sku]);
    expect(r.userErrors).toEqual([]);
    expect(r.returnRequest).toMatchObject({ id: ret.id, number: ret.number, status: 'RECEIVED', refund: null });

    const after = await stock(o.lines[0]!.sku, o.warehouseCode);
    expect(after).toMatchObject({ onHand: 12, allocated: 0, unsellable: 2, available: 10, bins: { 'A-01-01-01': 10, 'R-01-01-01': 2 } });
    expect(after.latest[0]).toEqual({ quantityDelta: 2, reason: 'RECEIPT', reference: ret.number, bin: { code: 'R-01-01-01' } });
    expect(await stock(o.lines[1]!.sku, o.warehouseCode)).toMatchObject({ onHand: 11, unsellable: 1, available: 10 });
    await ledgerBalances(o.lines[0]!.sku, o.warehouseCode);

    const state = await returnState(ret.id);
    expect(state).toMatchObject({ status: 'RECEIVED', received: [2, 1], missing: [0, 0], events: ['1:REQUESTED', '2:APPROVED', '3:RECEIVED'] });
    expect(state.receivedAt).toBeTruthy();
    const [event] = await q<{ payload: Record<string, unknown> }>(sql`select payload from outbox where topic = 'return.updated' and payload->>'returnRequestId' = ${ret.dbId} and payload->>'status' = 'RECEIVED'`);
    expect(event!.payload).toMatchObject({ previousStatus: 'APPROVED', sequence: 3, warehouseCode: o.warehouseCode });

    // RETURNS-zone units are not offered to orders: an order for more than the sellable 10 is refused.
    const order = await t.admin(OrderCreateDocument, {
      input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'late@example.ru' }, shippingAddress: address() as never, lines: [{ sku: o.lines[0]!.sku, quantity: 11 }] },
    });
    expect(order.orderCreate.userErrors.map((e) => e.code)).toEqual(['INSUFFICIENT_STOCK']);
  });

  it('a partial receipt stays APPROVED; closing it makes the return RECEIVED with the missing units recorded, and they are not refunded', async () => {
    await setRestockingFee(0);
    const o = await deliveredOrder(t, { lines: [{ quantity: 3, priceMinor: 700_00 }] });
    const ret = await requestReturn(t, o, { lines: [{ line: 0, quantity: 3, reason: 'CHANGED_MIND' }] });
    const sku = o.lines[0]!.sku;
    const before = await stock(sku, o.warehouseCode);

    const empty = await receive(ret.id, o, []);
    expect(empty.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'scannedBarcodes'] })]);
    expect(empty.returnRequest).toBeNull();
    expect((await stock(sku, o.warehouseCode)).movements).toBe(before.movements);

    expect((await receive(ret.id, o, [o.lines[0]!.gtin])).returnRequest?.status).toBe('APPROVED');
    expect((await receive(ret.id, o, [o.lines[0]!.gtin])).returnRequest?.status).toBe('APPROVED');
    expect(await returnState(ret.id)).toMatchObject({ status: 'APPROVED', received: [2], missing: [0], events: ['1:REQUESTED', '2:APPROVED'] });
    expect(await stock(sku, o.warehouseCode)).toMatchObject({ onHand: before.onHand + 2, unsellable: 2, available: before.available });

    const closed = await receive(ret.id, o, [], true);
    expect(closed.userErrors).toEqual([]);
    expect(closed.returnRequest?.status).toBe('RECEIVED');
    expect(await returnState(ret.id)).toMatchObject({ status: 'RECEIVED', received: [2], missing: [1], events: ['1:REQUESTED', '2:APPROVED', '3:RECEIVED'] });
    // Once RECEIVED, nothing more is scanned in.
    const late = await receive(ret.id, o, [o.lines[0]!.gtin]);
    expect(late.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);

    const [line] = ret.lineIds;
    expect((await inspect(ret.id, [{ returnLineId: line!, disposition: 'RESTOCK', quantity: 2 }])).returnRequest?.status).toBe('INSPECTED');
    const refunded = await refund(ret.id);
    expect(refunded.returnRequest?.refund).toMatchObject({ amount: { amountMinor: 2 * 700_00, currency: 'RUB' }, shipping: { amountMinor: 0 }, restockingFee: { amountMinor: 0 } });
  });

  it('WRONG_ITEM_SCANNED for a unit not in the return or one too many (INVALID_BARCODE for a bad check digit): nothing is received', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 2 }, { quantity: 1 }] });
    const ret = await requestReturn(t, o, { lines: [{ line: 0, quantity: 1, reason: 'DEFECTIVE' }] });
    const [g0, g1] = [o.lines[0]!.gtin, o.lines[1]!.gtin];
    const badCheckDigit = g0.slice(0, -1) + String((Number(g0.at(-1)) + 1) % 10);
    const before = [await stock(o.lines[0]!.sku, o.warehouseCode), await stock(o.lines[1]!.sku, o.warehouseCode)];
    const cases: [string[], string, string[], string][] = [
      [[g1], 'WRONG_ITEM_SCANNED', ['input', 'scannedBarcodes', '0'], g1],
      [[g0, g0], 'WRONG_ITEM_SCANNED', ['input', 'scannedBarcodes', '1'], g0],
      [[g0, 'NOT-A-PRODUCT'], 'WRONG_ITEM_SCANNED', ['input', 'scannedBarcodes', '1'], 'NOT-A-PRODUCT'],
      [[badCheckDigit], 'INVALID_BARCODE', ['input', 'scannedBarcodes', '0'], badCheckDigit],
    ];
    for (const [codes, code, field, named] of cases) {
      const r = await receive(ret.id, o, codes);
      expect(r.returnRequest, codes.join()).toBeNull();
      expect(r.userErrors, codes.join()).toEqual([expect.objectContaining({ code, field })]);
      expect(r.userErrors[0]!.message).toContain(named);
    }
    expect([(await stock(o.lines[0]!.sku, o.warehouseCode)).movements, (await stock(o.lines[1]!.sku, o.warehouseCode)).movements]).toEqual(before.map((b) => b.movements));
    expect(await returnState(ret.id)).toMatchObject({ status: 'APPROVED', received: [0], events: ['1:REQUESTED', '2:APPROVED'] });

    expect((await receive(ret.id, o, [g0])).returnRequest?.status).toBe('RECEIVED');
  });

  it('refuses REQUESTED and REJECTED returns, warehouses without a RETURNS zone, unknown ids, other partners and customers; nothing written', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 2 }] });
    const requested = await requestReturn(t, o, { status: 'REQUESTED', lines: [{ line: 0, quantity: 1, reason: 'CHANGED_MIND' }] });
    const rejected = await requestReturn(t, o, { status: 'REJECTED', lines: [{ line: 0, quantity: 1, reason: 'CHANGED_MIND' }] });
    const approved = await requestReturn(t, o, { lines: [{ line: 0, quantity: 1, reason: 'DAMAGED' }] });
    const before = await stock(o.lines[0]!.sku, o.warehouseCode);
    const gtin = o.lines[0]!.gtin;

    for (const ret of [requested, rejected]) {
      const r = await receive(ret.id, o, [gtin]);
      expect(r.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE_TRANSITION', field: ['input', 'id'] })]);
      expect(r.returnRequest).toBeNull();
    }
    expect((await returnState(requested.id)).events).toEqual(['1:REQUESTED']);
    expect((await returnState(rejected.id)).events).toEqual(['1:REQUESTED', '2:REJECTED']);

    const noZone = `NZ${o.warehouseCode.slice(2)}`;
    await t.admin(WarehouseCreateDocument, { input: { code: noZone, name: 'No returns', address: { line1: 'Складская 2', city: 'Москва', postalCode: '109000', countryCode: 'RU' } } });
    await t.admin(ZoneCreateDocument, { input: { warehouseCode: noZone, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
    await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: noZone, zoneCode: 'P', aisles: ['A'], racks: 1, levels: 1, positions: 1 } });
    const at = (warehouseCode: string, id = approved.id, token?: string) =>
      t.gql(ReturnReceiveDocument, { input: { id, warehouseCode, scannedBarcodes: [gtin] } }, token === undefined ? {} : { token });
    expect((await at(noZone)).data?.returnReceive.userErrors).toEqual([expect.objectContaining({ code: 'NO_RETURNS_ZONE', field: ['input', 'warehouseCode'] })]);
    expect((await at('NOPE1')).data?.returnReceive.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'warehouseCode'] })]);
    expect((await at(o.warehouseCode, toGlobalId('ReturnRequest', randomUUID()))).data?.returnReceive.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'id'] }),
    ]);
    expect((await at(o.warehouseCode, 'garbage')).data?.returnReceive.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'id'] })]);

    // A partner restricted to another warehouse: the return answers as if it did not exist, and so does this warehouse.
    const key = (await t.admin(ApiKeyCreateDocument, { input: { name: `returns partner ${noZone}`, kind: 'PARTNER', scopes: ['write_returns'], warehouseCodes: [noZone] } })).apiKeyCreate.secret!;
    expect((await at(noZone, approved.id, key)).data?.returnReceive.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'id'] })]);
    expect((await at(o.warehouseCode, approved.id, key)).data?.returnReceive.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'warehouseCode'] })]);
    // The customer of the order may not scan parcels in.
    expect((await at(o.warehouseCode, approved.id, o.customerToken)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    expect((await stock(o.lines[0]!.sku, o.warehouseCode)).movements).toBe(before.movements);
    expect(await returnState(approved.id)).toMatchObject({ status: 'APPROVED', received: [0] });
    // Nor can it be inspected or refunded before it is received.
    expect((await inspect(approved.id, [])).userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    expect((await refund(approved.id)).userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    expect((await returnState(approved.id)).events).toEqual(['1:REQUESTED', '2:APPROVED']);
  });
});

describe('returnInspect', () => {
  it('RESTOCK puts the units back into sellable stock by putaway, and a waiting backorder is allocated from them', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 2 }] });
    const sku = o.lines[0]!.sku;
    const backorder = (
      await t.admin(OrderCreateDocument, {
        input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', allowBackorder: true, customer: { email: 'waiting@example.ru' }, shippingAddress: address() as never, lines: [{ sku, quantity: 11 }] },
      })
    ).orderCreate.order!;
    expect(backorder).toMatchObject({ status: 'BACKORDERED', lines: [expect.objectContaining({ allocatedQuantity: 10 })] });

    const ret = await requestReturn(t, o, { lines: [{ line: 0, quantity: 2, reason: 'DEFECTIVE' }] });
    expect((await receive(ret.id, o, [o.lines[0]!.gtin, o.lines[0]!.gtin])).returnRequest?.status).toBe('RECEIVED');
    // The receipt changed the level (and woke the allocator), but units awaiting inspection are not
    // sellable: a run of the allocator now (the one it would make) allocates nothing from them.
    const system = t.app.context({ kind: 'STAFF', name: 'system', scopes: ['admin'] }).services;
    expect(await allocateBackorders(system)).toBe(0);
    expect((await t.admin(OrderDocument, { id: backorder.id })).order?.status).toBe('BACKORDERED');
    expect(await stock(sku, o.warehouseCode)).toMatchObject({ onHand: 12, allocated: 10, unsellable: 2, available: 0 });

    const r = await inspect(ret.id, [{ returnLineId: ret.lineIds[0]!, disposition: 'RESTOCK', quantity: 2 }]);
    expect(r.userErrors).toEqual([]);
    expect(r.returnRequest?.status).toBe('INSPECTED');
    const order = await until(
      async () => (await t.admin(OrderDocument, { id: backorder.id })).order!,
      (x) => x.status === 'ALLOCATED',
    );
    expect(order.status).toBe('ALLOCATED');
    expect(order.lines[0]!.allocatedQuantity).toBe(11);
    const after = await stock(sku, o.warehouseCode);
    expect(after).toMatchObject({ onHand: 12, allocated: 11, unsellable: 0, available: 1, bins: { 'A-01-01-01': 12 } });
    expect(after.latest.filter((m) => m.reason === 'RETURN_RESTOCK')).toEqual([
      expect.objectContaining({ quantityDelta: 2, reference: ret.number, bin: { code: 'A-01-01-01' } }),
      expect.objectContaining({ quantityDelta: -2, reference: ret.number, bin: { code: 'R-01-01-01' } }),
    ]);
    await ledgerBalances(sku, o.warehouseCode);
    const state = await returnState(ret.id);
    expect(state).toMatchObject({ status: 'INSPECTED', dispositions: 1, events: ['1:REQUESTED', '2:APPROVED', '3:RECEIVED', '4:INSPECTED'] });
    expect(state.inspectedAt).toBeTruthy();
  });

  it('WRITE_OFF lowers on-hand; REFURBISH and RETURN_TO_VENDOR stay in the RETURNS bin, not sellable, with a movement each', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 4 }] });
    const sku = o.lines[0]!.sku;
    const ret = await requestReturn(t, o, { lines: [{ line: 0, quantity: 4, reason: 'OTHER' }] });
    await receive(ret.id, o, Array(4).fill(o.lines[0]!.gtin));
    expect(await stock(sku, o.warehouseCode)).toMatchObject({ onHand: 14, unsellable: 4, available: 10 });
    const line = ret.lineIds[0]!;
    const r = await inspect(ret.id, [
      { returnLineId: line, disposition: 'RESTOCK', quantity: 1 },
      { returnLineId: line, disposition: 'WRITE_OFF', quantity: 1 },
      { returnLineId: line, disposition: 'REFURBISH', quantity: 1 },
      { returnLineId: line, disposition: 'RETURN_TO_VENDOR', quantity: 1 },
    ]);
    expect(r.userErrors).toEqual([]);
    const after = await stock(sku, o.warehouseCode);
    expect(after).toMatchObject({ onHand: 13, unsellable: 2, available: 11, bins: { 'A-01-01-01': 11, 'R-01-01-01': 2 } });
    const byReason = (reason: string) => after.latest.filter((m) => m.reason === reason).map((m) => [m.quantityDelta, m.bin?.code, m.reference]);
    expect(byReason('WRITE_OFF')).toEqual([[-1, 'R-01-01-01', ret.number]]);
    expect(byReason('MOVE').sort()).toEqual(
      [
        [-1, 'R-01-01-01', `${ret.number} REFURBISH`],
        [1, 'R-01-01-01', `${ret.number} REFURBISH`],
        [-1, 'R-01-01-01', `${ret.number} RETURN_TO_VENDOR`],
        [1, 'R-01-01-01', `${ret.number} RETURN_TO_VENDOR`],
      ].sort(),
    );
    await ledgerBalances(sku, o.warehouseCode);
    expect((await returnState(ret.id)).dispositions).toBe(4);
  });

  it('quantities must add up to what was received, per line; every bad input is refused with nothing written', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 2 }, { quantity: 2 }] });
    const a = await requestReturn(t, o, { lines: [{ line: 0, quantity: 2, reason: 'DAMAGED' }, { line: 1, quantity: 1, reason: 'DAMAGED' }] });
    const b = await requestReturn(t, o, { lines: [{ line: 1, quantity: 1, reason: 'DAMAGED' }] });
    await receive(a.id, o, [o.lines[0]!.gtin, o.lines[0]!.gtin, o.lines[1]!.gtin]);
    const [l0, l1] = a.lineIds as [string, string];
    const before = [await stock(o.lines[0]!.sku, o.warehouseCode), await stock(o.lines[1]!.sku, o.warehouseCode)];
    const line = (returnLineId: string, disposition: ReturnInspectLineInput['disposition'], quantity: number) => ({ returnLineId, disposition, quantity });
    const cases: [ReturnInspectLineInput[], string, string[]][] = [
      [[line(l0, 'RESTOCK', 3), line(l1, 'RESTOCK', 1)], 'QUANTITY_EXCEEDS_RECEIVED', ['input', 'lines']],
      [[line(l0, 'RESTOCK', 2), line(l0, 'WRITE_OFF', 1), line(l1, 'RESTOCK', 1)], 'QUANTITY_EXCEEDS_RECEIVED', ['input', 'lines']],
      [[line(l0, 'RESTOCK', 1), line(l1, 'RESTOCK', 1)], 'INVALID', ['input', 'lines']],
      [[line(l0, 'RESTOCK', 2)], 'INVALID', ['input', 'lines']],
      [[line(l0, 'RESTOCK', 2), line(b.lineIds[0]!, 'RESTOCK', 1)], 'NOT_FOUND', ['input', 'lines', '1', 'returnLineId']],
      [[line(l0, 'RESTOCK', 2), line('garbage', 'RESTOCK', 1)], 'NOT_FOUND', ['input', 'lines', '1', 'returnLineId']],
      [[line(l0, 'RESTOCK', 2), line(l1, 'RESTOCK', 0), line(l1, 'WRITE_OFF', 1)], 'INVALID', ['input', 'lines', '1', 'quantity']],
      [[line(l0, 'RESTOCK', 3), line(l0, 'WRITE_OFF', -1), line(l1, 'WRITE_OFF', 1)], 'INVALID', ['input', 'lines', '1', 'quantity']],
      [[line(l0, 'RESTOCK', 1), line(l0, 'RESTOCK', 1), line(l1, 'RESTOCK', 1)], 'INVALID', ['input', 'lines', '1']],
    ];
    for (const [lines, code, field] of cases) {
      const r = await inspect(a.id, lines);
      expect(r.returnRequest, JSON.stringify(lines)).toBeNull();
      expect(r.userErrors, JSON.stringify(lines)).toContainEqual(expect.objectContaining({ code, field }));
    }
    expect([(await stock(o.lines[0]!.sku, o.warehouseCode)).movements, (await stock(o.lines[1]!.sku, o.warehouseCode)).movements]).toEqual(before.map((s) => s.movements));
    expect(await returnState(a.id)).toMatchObject({ status: 'RECEIVED', dispositions: 0, inspectedAt: null, events: ['1:REQUESTED', '2:APPROVED', '3:RECEIVED'] });

    // B is still APPROVED: nothing to inspect yet.
    expect((await inspect(b.id, [line(b.lineIds[0]!, 'RESTOCK', 1)])).userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);

    const ok = await inspect(a.id, [line(l0, 'RESTOCK', 1), line(l0, 'WRITE_OFF', 1), line(l1, 'REFURBISH', 1)]);
    expect(ok.userErrors).toEqual([]);
    expect(ok.returnRequest?.status).toBe('INSPECTED');
    const again = await inspect(a.id, [line(l0, 'RESTOCK', 1), line(l0, 'WRITE_OFF', 1), line(l1, 'REFURBISH', 1)]);
    expect(again.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    expect((await returnState(a.id)).dispositions).toBe(3);
  });
});

describe('returnRefund', () => {
  it('refunds exactly as the contract computes it, restocking fee included, once (a second refund is INVALID_STATE_TRANSITION)', async () => {
    await setRestockingFee(12.5);
    const o = await deliveredOrder(t, { lines: [{ quantity: 3, priceMinor: 1250_00 }, { quantity: 1, priceMinor: 999_99 }] });
    const ret = await requestReturn(t, o, { lines: [{ line: 0, quantity: 3, reason: 'CHANGED_MIND' }, { line: 1, quantity: 1, reason: 'DAMAGED' }] });
    await receive(ret.id, o, [...Array(3).fill(o.lines[0]!.gtin), o.lines[1]!.gtin]);
    await inspect(ret.id, [
      { returnLineId: ret.lineIds[0]!, disposition: 'RESTOCK', quantity: 3 },
      { returnLineId: ret.lineIds[1]!, disposition: 'WRITE_OFF', quantity: 1 },
    ]);

    const long = await refund(ret.id, 'x'.repeat(201));
    expect(long.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'externalReference'] })]);
    expect((await refund(toGlobalId('ReturnRequest', randomUUID()))).userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'id'] })]);
    expect((await returnState(ret.id)).status).toBe('INSPECTED');

    const r = await refund(ret.id, 'pay_7781');
    expect(r.userErrors).toEqual([]);
    // 3 × 1250.00 = 3750.00, minus 12.5 % = 468.75 (changed mind); 999.99 damaged without fee; no shipping (not all seller fault).
    expect(r.returnRequest).toMatchObject({
      status: 'REFUNDED',
      refund: {
        amount: { amountMinor: 3750_00 - 468_75 + 999_99, currency: 'RUB' },
        shipping: { amountMinor: 0, currency: 'RUB' },
        restockingFee: { amountMinor: 468_75, currency: 'RUB' },
        externalReference: 'pay_7781',
      },
    });
    const [event] = await q<{ payload: Record<string, unknown> }>(sql`select payload from outbox where topic = 'return.updated' and payload->>'returnRequestId' = ${ret.dbId} and payload->>'status' = 'REFUNDED'`);
    expect(event!.payload).toMatchObject({ refundAmountMinor: 3750_00 - 468_75 + 999_99, currency: 'RUB', previousStatus: 'INSPECTED', sequence: 5 });

    const twice = await refund(ret.id, 'pay_9999');
    expect(twice.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE_TRANSITION' })]);
    expect(twice.returnRequest).toBeNull();
    expect(await returnState(ret.id)).toMatchObject({ refundMinor: 3750_00 - 468_75 + 999_99, events: ['1:REQUESTED', '2:APPROVED', '3:RECEIVED', '4:INSPECTED', '5:REFUNDED'] });
    expect((await returnState(ret.id)).externalReference).toBe('pay_7781');
  });

  it("refunds the order's shipping once, on the return that completes the order for seller fault", async () => {
    await setRestockingFee(12.5);
    const o = await deliveredOrder(t, { lines: [{ quantity: 2, priceMinor: 1000_00 }, { quantity: 1, priceMinor: 500_00 }], shippingMinor: 350_00 });
    expect(o.shippingMinor).toBeGreaterThan(0);
    const first = await requestReturn(t, o, { lines: [{ line: 0, quantity: 2, reason: 'DEFECTIVE' }] });
    await receive(first.id, o, [o.lines[0]!.gtin, o.lines[0]!.gtin]);
    await inspect(first.id, [{ returnLineId: first.lineIds[0]!, disposition: 'RESTOCK', quantity: 2 }]);
    const a = await refund(first.id, 'pay_a');
    expect(a.returnRequest?.refund).toMatchObject({ amount: { amountMinor: 2000_00 }, shipping: { amountMinor: 0 }, restockingFee: { amountMinor: 0 } });

    const second = await requestReturn(t, o, { lines: [{ line: 1, quantity: 1, reason: 'WRONG_ITEM' }] });
    await receive(second.id, o, [o.lines[1]!.sku]);
    await inspect(second.id, [{ returnLineId: second.lineIds[0]!, disposition: 'RETURN_TO_VENDOR', quantity: 1 }]);
    const b = await refund(second.id, 'pay_b');
    expect(b.returnRequest?.refund).toMatchObject({
      amount: { amountMinor: 500_00 + o.shippingMinor },
      shipping: { amountMinor: o.shippingMinor },
      restockingFee: { amountMinor: 0 },
    });
  });
});

describe('concurrent warehouse operations on one return or order (a real pool on PostgreSQL)', () => {
  it('five scans of the last unit at once: one receives it, the others are refused; one scan of one unit in the ledger', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 1 }] });
    const ret = await requestReturn(t, o, { lines: [{ line: 0, quantity: 1, reason: 'DAMAGED' }] });
    const before = await stock(o.lines[0]!.sku, o.warehouseCode);
    const results = await Promise.all(Array.from({ length: 5 }, () => receive(ret.id, o, [o.lines[0]!.gtin])));
    expect(results.filter((r) => r.returnRequest?.status === 'RECEIVED')).toHaveLength(1);
    expect(results.flatMap((r) => r.userErrors.map((e) => e.code))).toEqual(Array(4).fill('INVALID_STATE_TRANSITION'));
    expect(await returnState(ret.id)).toMatchObject({ received: [1], events: ['1:REQUESTED', '2:APPROVED', '3:RECEIVED'] });
    expect(await stock(o.lines[0]!.sku, o.warehouseCode)).toMatchObject({ movements: before.movements + 1, unsellable: 1 });
  });

  it('inspections of one return at once: one moves the units, the others are refused', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 2 }] });
    const ret = await requestReturn(t, o, { lines: [{ line: 0, quantity: 2, reason: 'DAMAGED' }] });
    await receive(ret.id, o, [o.lines[0]!.gtin, o.lines[0]!.gtin]);
    const results = await Promise.all(Array.from({ length: 4 }, () => inspect(ret.id, [{ returnLineId: ret.lineIds[0]!, disposition: 'RESTOCK', quantity: 2 }])));
    expect(results.filter((r) => r.returnRequest?.status === 'INSPECTED')).toHaveLength(1);
    expect(results.flatMap((r) => r.userErrors.map((e) => e.code))).toEqual(Array(3).fill('INVALID_STATE_TRANSITION'));
    expect(await stock(o.lines[0]!.sku, o.warehouseCode)).toMatchObject({ onHand: 12, unsellable: 0, available: 12 });
    await ledgerBalances(o.lines[0]!.sku, o.warehouseCode);
  });

  it('two returns completing an order for seller fault refunded at once: the shipping is refunded exactly once', async () => {
    const o = await deliveredOrder(t, { lines: [{ quantity: 1, priceMinor: 800_00 }, { quantity: 1, priceMinor: 600_00 }] });
    const a = await requestReturn(t, o, { lines: [{ line: 0, quantity: 1, reason: 'DEFECTIVE' }] });
    const b = await requestReturn(t, o, { lines: [{ line: 1, quantity: 1, reason: 'LATE_DELIVERY' }] });
    for (const [ret, i] of [[a, 0], [b, 1]] as const) {
      await receive(ret.id, o, [o.lines[i]!.gtin]);
      await inspect(ret.id, [{ returnLineId: ret.lineIds[0]!, disposition: 'RESTOCK', quantity: 1 }]);
    }
    const [ra, rb] = await Promise.all([refund(a.id, 'pay_a'), refund(b.id, 'pay_b')]);
    const shipping = [ra, rb].map((r) => r.returnRequest!.refund!.shipping.amountMinor).sort((x, y) => x - y);
    expect(shipping).toEqual([0, o.shippingMinor]);
    expect(ra.returnRequest!.refund!.amount.amountMinor + rb.returnRequest!.refund!.amount.amountMinor).toBe(800_00 + 600_00 + o.shippingMinor);
  });
});
