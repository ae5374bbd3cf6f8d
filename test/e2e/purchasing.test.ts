/**
 * Suppliers and purchase orders over real HTTP: the lifecycle DRAFT → SENT → PARTIALLY_RECEIVED →
 * RECEIVED with `incoming` and on hand read through the inventory queries at every step, RECEIPT
 * movements under the order's number, over-receipt and every bad input writing nothing, cancelling
 * after a partial receipt, the timeline, PURCHASE_ORDER_UPDATED webhooks to a real receiver, a
 * backorder allocated from received units, lead times learnt from received orders (manual clock),
 * and a PARTNER key restricted to another warehouse.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/graphql/relay.js';
import { ManualClock } from '../../src/shared/clock.js';
import { productInput } from '../factories/catalog.js';
import { address } from '../factories/stock.js';
import { webhookReceiver } from '../factories/webhooks.js';
import {
  ApiKeyCreateDocument,
  BinLocationsCreateDocument,
  InventoryReceiveDocument,
  OrderCreateDocument,
  OrderDocument,
  PoCancelDocument,
  PoCreateDocument,
  PoGetDocument,
  PoListDocument,
  PoNodeDocument,
  PoReceiveDocument,
  PoSendDocument,
  PoStockDocument,
  PoSupplierCreateDocument,
  PoSupplierProductSetDocument,
  PoSuppliersDocument,
  ProductCreateDocument,
  WarehouseCreateDocument,
  WebhookSubscriptionCreateDocument,
  WebhookSubscriptionDeleteDocument,
  ZoneCreateDocument,
  type PurchaseOrderCreateInput,
  type PurchaseOrderReceiveLineInput,
} from '../generated/graphql.js';
import { settle, startApp, waitFor, type TestApp } from '../harness.js';

let t: TestApp;
const tag = `${process.pid % 1000}`;
let whSeq = 0;
let supplierSeq = 0;

beforeAll(async () => {
  t = await startApp({ env: { WEBHOOK_POLL_MS: '50', WEBHOOK_BACKOFF_BASE_MS: '20', WEBHOOK_BACKOFF_CAP_MS: '100' } });
});
afterAll(async () => t?.close());

interface Sku {
  sku: string;
  gtin: string;
}

/** A warehouse with one PICK zone of 10 bins (barcodes <code>-A-0r-01-0p). */
async function warehouse(app: TestApp = t): Promise<string> {
  const code = `PO${tag}W${++whSeq}`;
  await app.admin(WarehouseCreateDocument, { input: { code, name: `Склад ${code}`, address: { line1: 'Складская 1', city: 'Москва', postalCode: '101000', countryCode: 'RU', location: { lat: 55.75, lng: 37.61 } } } });
  await app.admin(ZoneCreateDocument, { input: { warehouseCode: code, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
  await app.admin(BinLocationsCreateDocument, { input: { warehouseCode: code, zoneCode: 'P', aisles: ['A'], racks: 2, levels: 1, positions: 5 } });
  return code;
}

async function products(n: number, app: TestApp = t): Promise<Sku[]> {
  const out: Sku[] = [];
  for (let i = 0; i < n; i++) {
    const p = productInput();
    expect((await app.admin(ProductCreateDocument, { input: p })).productCreate.userErrors).toEqual([]);
    out.push({ sku: p.variants[0]!.sku, gtin: p.variants[0]!.gtin! });
  }
  return out;
}

async function supplier(leadTimeDays = 7, app: TestApp = t, currency = 'RUB'): Promise<string> {
  const code = `SUP${tag}-${++supplierSeq}`;
  const r = (await app.admin(PoSupplierCreateDocument, { input: { code: code.toLowerCase(), name: `Поставщик ${code}`, currency, leadTimeDays } })).supplierCreate;
  expect(r.userErrors).toEqual([]);
  expect(r.supplier!.code).toBe(code);
  return code;
}

async function price(supplierCode: string, sku: string, amountMinor: number, app: TestApp = t, more: { preferred?: boolean; packSize?: number; minOrderQuantity?: number } = {}) {
  const r = (await app.admin(PoSupplierProductSetDocument, { input: { supplierCode, sku, unitCost: { amountMinor, currency: 'RUB' }, ...more } })).supplierProductSet;
  expect(r.userErrors).toEqual([]);
  return r.supplierProduct!;
}

async function createPo(input: PurchaseOrderCreateInput, app: TestApp = t) {
  const r = (await app.admin(PoCreateDocument, { input })).purchaseOrderCreate;
  expect(r.userErrors).toEqual([]);
  return r.purchaseOrder!;
}

async function send(id: string, app: TestApp = t) {
  const r = (await app.admin(PoSendDocument, { input: { id } })).purchaseOrderSend;
  expect(r.userErrors).toEqual([]);
  return r.purchaseOrder!;
}

const receive = (id: string, lines: PurchaseOrderReceiveLineInput[], binCode?: string, app: TestApp = t) =>
  app.admin(PoReceiveDocument, { input: { id, lines, binCode } }).then((r) => r.purchaseOrderReceive);

async function stock(sku: string, warehouseCode: string, app: TestApp = t) {
  const r = await app.admin(PoStockDocument, { sku, warehouseCode });
  const level = r.inventoryLevels[0];
  return {
    onHand: level?.onHand ?? 0,
    incoming: level?.incoming ?? 0,
    available: level?.available ?? 0,
    bins: Object.fromEntries((level?.bins ?? []).filter((b) => b.quantity > 0).map((b) => [b.bin.code, b.quantity])),
    movements: r.inventoryMovements.nodes,
  };
}

/** Everything a failed call could have written, read through the API. */
async function snapshot(skus: Sku[], wh: string, poId?: string) {
  const [list, suppliers, levels, po] = await Promise.all([
    t.admin(PoListDocument, { first: 100 }),
    t.admin(PoSuppliersDocument),
    Promise.all(skus.map((s) => stock(s.sku, wh))),
    poId ? t.admin(PoGetDocument, { id: poId }) : Promise.resolve(null),
  ]);
  return { orders: list.purchaseOrders.totalCount, suppliers: suppliers.suppliers, levels, po: po?.purchaseOrder ?? null };
}

describe('purchase order lifecycle', () => {
  it('DRAFT counts nowhere; SENT raises incoming; receipts move units to on hand (RECEIPT, reference = number) and lower incoming by as much; RECEIVED when all arrived', async () => {
    const wh = await warehouse();
    const [a, b] = await products(2);
    const sup = await supplier(10);
    await price(sup, a!.sku, 250_00);
    const created = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 10 }, { sku: b!.sku, quantity: 4, unitCost: { amountMinor: 99_50, currency: 'RUB' } }] });
    expect(created).toMatchObject({
      status: 'DRAFT',
      number: expect.stringMatching(/^PO-1\d{5}$/),
      supplier: { code: sup },
      warehouse: { code: wh },
      expectedAt: null,
      total: { amountMinor: 10 * 250_00 + 4 * 99_50, currency: 'RUB' },
      lines: [
        expect.objectContaining({ quantity: 10, receivedQuantity: 0, unitCost: { amountMinor: 250_00, currency: 'RUB' }, variant: { sku: a!.sku } }),
        expect.objectContaining({ quantity: 4, receivedQuantity: 0, unitCost: { amountMinor: 99_50, currency: 'RUB' }, variant: { sku: b!.sku } }),
      ],
    });
    expect(created.events.map((e) => [e.sequence, e.status, e.previousStatus])).toEqual([[1, 'DRAFT', null]]);
    expect(await stock(a!.sku, wh)).toMatchObject({ onHand: 0, incoming: 0 });

    const before = Date.now();
    const sent = await send(created.id);
    expect(sent.status).toBe('SENT');
    // expectedAt defaults to sending time + the supplier's 10-day lead time.
    const expected = new Date(sent.expectedAt!).getTime();
    expect(expected).toBeGreaterThanOrEqual(before + 10 * 86_400_000 - 1000);
    expect(expected).toBeLessThanOrEqual(Date.now() + 10 * 86_400_000 + 1000);
    expect(await stock(a!.sku, wh)).toMatchObject({ onHand: 0, incoming: 10 });
    expect(await stock(b!.sku, wh)).toMatchObject({ onHand: 0, incoming: 4 });

    // 6 of A by GTIN (two scans) into a named bin.
    const bin = 'A-01-01-01';
    const r1 = await receive(created.id, [{ barcode: a!.gtin, quantity: 4 }, { barcode: a!.gtin, quantity: 2 }], `${wh}-${bin}`);
    expect(r1.userErrors).toEqual([]);
    expect(r1.purchaseOrder!.status).toBe('PARTIALLY_RECEIVED');
    expect(r1.purchaseOrder!.lines.map((l) => l.receivedQuantity)).toEqual([6, 0]);
    const sa = await stock(a!.sku, wh);
    expect(sa).toMatchObject({ onHand: 6, incoming: 4, available: 6, bins: { [bin]: 6 } });
    expect(sa.movements).toEqual([{ quantityDelta: 6, reason: 'RECEIPT', reference: created.number, bin: { code: bin } }]);

    // A second partial receipt (B by SKU, by putaway) keeps PARTIALLY_RECEIVED without a new timeline row.
    const r2 = await receive(created.id, [{ barcode: b!.sku, quantity: 4 }]);
    expect(r2.userErrors).toEqual([]);
    expect(r2.purchaseOrder!.status).toBe('PARTIALLY_RECEIVED');
    expect(r2.purchaseOrder!.events).toHaveLength(3);
    const sb = await stock(b!.sku, wh);
    expect(sb).toMatchObject({ onHand: 4, incoming: 0 });
    expect(sb.movements).toEqual([expect.objectContaining({ quantityDelta: 4, reason: 'RECEIPT', reference: created.number })]);

    // The rest of A by putaway: RECEIVED.
    const r3 = await receive(created.id, [{ barcode: a!.sku, quantity: 4 }]);
    expect(r3.userErrors).toEqual([]);
    expect(r3.purchaseOrder!.status).toBe('RECEIVED');
    expect(r3.purchaseOrder!.lines.map((l) => [l.quantity, l.receivedQuantity])).toEqual([
      [10, 10],
      [4, 4],
    ]);
    const sa2 = await stock(a!.sku, wh);
    expect(sa2).toMatchObject({ onHand: 10, incoming: 0 });
    expect(sa2.movements.map((m) => [m.quantityDelta, m.reason, m.reference]).sort()).toEqual([
      [4, 'RECEIPT', created.number],
      [6, 'RECEIPT', created.number],
    ]);
    const final = (await t.admin(PoGetDocument, { id: created.id })).purchaseOrder!;
    expect(final.events.map((e) => [e.sequence, e.status, e.previousStatus])).toEqual([
      [1, 'DRAFT', null],
      [2, 'SENT', 'DRAFT'],
      [3, 'PARTIALLY_RECEIVED', 'SENT'],
      [4, 'RECEIVED', 'PARTIALLY_RECEIVED'],
    ]);
    // Nothing more can be received or cancelled.
    expect((await receive(created.id, [{ barcode: a!.sku, quantity: 1 }])).userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    expect((await t.admin(PoCancelDocument, { input: { id: created.id } })).purchaseOrderCancel.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    expect((await t.admin(PoNodeDocument, { id: created.id })).node).toMatchObject({ number: created.number, status: 'RECEIVED' });
  });

  it('over-receiving a line is OVER_RECEIPT with the field path and writes nothing, also when the excess is spread over scans', async () => {
    const wh = await warehouse();
    const [a, b] = await products(2);
    const sup = await supplier();
    await price(sup, a!.sku, 100_00);
    await price(sup, b!.sku, 100_00);
    const po = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 5 }, { sku: b!.sku, quantity: 2 }] });
    await send(po.id);
    expect((await receive(po.id, [{ barcode: a!.sku, quantity: 3 }])).userErrors).toEqual([]);
    const before = await snapshot([a!, b!], wh, po.id);

    const one = await receive(po.id, [{ barcode: b!.gtin, quantity: 1 }, { barcode: a!.gtin, quantity: 3 }]);
    expect(one.purchaseOrder).toBeNull();
    expect(one.userErrors).toEqual([expect.objectContaining({ code: 'OVER_RECEIPT', field: ['input', 'lines', '1', 'quantity'] })]);
    const spread = await receive(po.id, [{ barcode: a!.sku, quantity: 1 }, { barcode: b!.sku, quantity: 2 }, { barcode: a!.gtin, quantity: 2 }]);
    expect(spread.userErrors).toEqual([expect.objectContaining({ code: 'OVER_RECEIPT', field: ['input', 'lines', '2', 'quantity'] })]);
    expect(await snapshot([a!, b!], wh, po.id)).toEqual(before);
    expect(before.levels.map((l) => [l.onHand, l.incoming])).toEqual([
      [3, 2],
      [0, 2],
    ]);
    // Exactly the rest is fine.
    expect((await receive(po.id, [{ barcode: a!.gtin, quantity: 2 }, { barcode: b!.sku, quantity: 2 }])).purchaseOrder!.status).toBe('RECEIVED');
  });

  it('cancelling after a partial receipt lowers incoming by the open rest only; the received units stay', async () => {
    const wh = await warehouse();
    const [a, b] = await products(2);
    const sup = await supplier();
    await price(sup, a!.sku, 10_00);
    await price(sup, b!.sku, 10_00);
    // Other units on their way to the same warehouse under another order are not touched.
    const other = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 7 }] });
    await send(other.id);
    const po = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 10 }, { sku: b!.sku, quantity: 3 }] });
    await send(po.id);
    expect(await stock(a!.sku, wh)).toMatchObject({ onHand: 0, incoming: 17 });
    expect((await receive(po.id, [{ barcode: a!.sku, quantity: 4 }])).userErrors).toEqual([]);
    expect(await stock(a!.sku, wh)).toMatchObject({ onHand: 4, incoming: 13 });

    const c = (await t.admin(PoCancelDocument, { input: { id: po.id } })).purchaseOrderCancel;
    expect(c.userErrors).toEqual([]);
    expect(c.purchaseOrder!.status).toBe('CANCELLED');
    expect(c.purchaseOrder!.events.map((e) => [e.sequence, e.status, e.previousStatus])).toEqual([
      [1, 'DRAFT', null],
      [2, 'SENT', 'DRAFT'],
      [3, 'PARTIALLY_RECEIVED', 'SENT'],
      [4, 'CANCELLED', 'PARTIALLY_RECEIVED'],
    ]);
    expect(await stock(a!.sku, wh)).toMatchObject({ onHand: 4, incoming: 7 });
    expect(await stock(b!.sku, wh)).toMatchObject({ onHand: 0, incoming: 0 });
    expect((await receive(po.id, [{ barcode: a!.sku, quantity: 1 }])).userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    // The other order still receives into its own incoming.
    expect((await receive(other.id, [{ barcode: a!.sku, quantity: 7 }])).purchaseOrder!.status).toBe('RECEIVED');
    expect(await stock(a!.sku, wh)).toMatchObject({ onHand: 11, incoming: 0 });

    // A DRAFT cancels without touching incoming.
    const draft = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: b!.sku, quantity: 5 }] });
    expect((await t.admin(PoCancelDocument, { input: { id: draft.id } })).purchaseOrderCancel.purchaseOrder!.status).toBe('CANCELLED');
    expect(await stock(b!.sku, wh)).toMatchObject({ onHand: 0, incoming: 0 });
    expect((await t.admin(PoSendDocument, { input: { id: draft.id } })).purchaseOrderSend.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
  });

  it('lists newest first, filters by status, pages with cursors, in a bounded number of statements', async () => {
    const wh = await warehouse();
    const [a] = await products(1);
    const sup = await supplier();
    await price(sup, a!.sku, 1_00);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: i + 1 }] }));
    await send(made[1]!.id);
    const all = (await t.admin(PoListDocument, { first: 2 })).purchaseOrders;
    expect(all.nodes.map((n) => n.number)).toEqual([made[2]!.number, made[1]!.number]);
    expect(all.pageInfo.hasNextPage).toBe(true);
    const next = (await t.admin(PoListDocument, { first: 1, after: all.pageInfo.endCursor })).purchaseOrders;
    expect(next.nodes.map((n) => n.number)).toEqual([made[0]!.number]);
    const sent = (await t.admin(PoListDocument, { status: ['SENT'], first: 100 })).purchaseOrders;
    expect(sent.nodes.map((n) => n.number)).toContain(made[1]!.number);
    expect(sent.nodes.every((n) => n.status === 'SENT')).toBe(true);
    expect(sent.nodes.map((n) => n.number)).not.toContain(made[0]!.number);
    // Links over loaders: the statement count does not grow with the page.
    const statements = async (first: number) => Number((await t.gql(PoListDocument, { first })).headers.get('x-sql-statements'));
    const [s1, s3] = [await statements(1), await statements(3)];
    expect(s3).toBe(s1);
  });
});

describe('suppliers', () => {
  it('supplierProductSet upserts the terms; preferred moves to the last supplier made preferred; the supplier lists its products', async () => {
    const [a] = await products(1);
    const [s1, s2] = [await supplier(), await supplier()];
    await price(s1, a!.sku, 10_00);
    expect(await price(s2, a!.sku, 12_00, t, { packSize: 6, minOrderQuantity: 12 })).toEqual({
      supplier: { code: s2 },
      variant: { sku: a!.sku },
      unitCost: { amountMinor: 12_00, currency: 'RUB' },
      packSize: 6,
      minOrderQuantity: 12,
      preferred: true,
    });
    const products1 = async () => {
      const all = (await t.admin(PoSuppliersDocument)).suppliers;
      return Object.fromEntries(all.filter((s) => s.code === s1 || s.code === s2).map((s) => [s.code, s.products.map((p) => [p.unitCost.amountMinor, p.preferred])]));
    };
    expect(await products1()).toEqual({ [s1]: [[10_00, false]], [s2]: [[12_00, true]] });
    // Again, not preferred: the upsert replaces the terms; nobody is preferred then.
    await price(s2, a!.sku, 11_00, t, { preferred: false });
    expect(await products1()).toEqual({ [s1]: [[10_00, false]], [s2]: [[11_00, false]] });
    await price(s1, a!.sku, 9_00);
    expect(await products1()).toEqual({ [s1]: [[9_00, true]], [s2]: [[11_00, false]] });
  });

  it('every bad input is a userError and writes nothing', async () => {
    const wh = await warehouse();
    const [a, b, ...extra] = await products(5);
    const sup = await supplier();
    await price(sup, a!.sku, 10_00);
    const draft = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 2 }] });
    const po = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 2 }] });
    await send(po.id);
    const before = await snapshot([a!, b!], wh, po.id);
    const codes = (r: { userErrors: { code: string; field?: string[] | null }[] }) => r.userErrors.map((e) => [e.code, e.field?.join('.')]);

    const sc = async (input: { code: string; name: string; currency: string; leadTimeDays: number }) => codes((await t.admin(PoSupplierCreateDocument, { input })).supplierCreate);
    const ok = { code: `NEW${tag}`, name: 'Новый', currency: 'RUB', leadTimeDays: 5 };
    expect(await sc({ ...ok, code: 'X' })).toEqual([['INVALID', 'input.code']]);
    expect(await sc({ ...ok, code: 'ÄBC' })).toEqual([['INVALID', 'input.code']]);
    expect(await sc({ ...ok, name: '  ' })).toEqual([['INVALID', 'input.name']]);
    expect(await sc({ ...ok, currency: 'XYZ' })).toEqual([['INVALID_CURRENCY', 'input.currency']]);
    expect(await sc({ ...ok, leadTimeDays: 366 })).toEqual([['INVALID', 'input.leadTimeDays']]);
    expect(await sc({ ...ok, leadTimeDays: -1 })).toEqual([['INVALID', 'input.leadTimeDays']]);
    expect(await sc({ ...ok, code: sup.toLowerCase() })).toEqual([['CODE_TAKEN', 'input.code']]);

    const sp = async (over: Record<string, unknown>) =>
      codes((await t.admin(PoSupplierProductSetDocument, { input: { supplierCode: sup, sku: b!.sku, unitCost: { amountMinor: 5_00, currency: 'RUB' }, ...over } })).supplierProductSet);
    expect(await sp({ supplierCode: 'NOPE' })).toEqual([['NOT_FOUND', 'input.supplierCode']]);
    expect(await sp({ sku: 'NO-SUCH-SKU' })).toEqual([['NOT_FOUND', 'input.sku']]);
    expect(await sp({ unitCost: { amountMinor: -1, currency: 'RUB' } })).toEqual([['INVALID', 'input.unitCost.amountMinor']]);
    expect(await sp({ unitCost: { amountMinor: 100, currency: 'EUR' } })).toEqual([['CURRENCY_MISMATCH', 'input.unitCost.currency']]);
    expect(await sp({ packSize: 0 })).toEqual([['INVALID', 'input.packSize']]);
    expect(await sp({ minOrderQuantity: -3 })).toEqual([['INVALID', 'input.minOrderQuantity']]);

    const pc = async (over: Partial<PurchaseOrderCreateInput>) =>
      codes((await t.admin(PoCreateDocument, { input: { supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 1 }], ...over } })).purchaseOrderCreate);
    expect(await pc({ supplierCode: 'NOPE' })).toEqual([['NOT_FOUND', 'input.supplierCode']]);
    expect(await pc({ warehouseCode: 'NOPE' })).toEqual([['NOT_FOUND', 'input.warehouseCode']]);
    expect(await pc({ lines: [] })).toEqual([['INVALID', 'input.lines']]);
    expect(await pc({ lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] })).toEqual([['NOT_FOUND', 'input.lines.0.sku']]);
    expect(await pc({ lines: [{ sku: a!.sku, quantity: 1 }, { sku: a!.sku, quantity: 2 }] })).toEqual([['INVALID', 'input.lines.1.sku']]);
    expect(await pc({ lines: [{ sku: a!.sku, quantity: 0 }] })).toEqual([['INVALID', 'input.lines.0.quantity']]);
    expect(await pc({ lines: [{ sku: a!.sku, quantity: 1_000_001 }] })).toEqual([['INVALID', 'input.lines.0.quantity']]);
    expect(await pc({ lines: [{ sku: a!.sku, quantity: 1, unitCost: { amountMinor: -5, currency: 'RUB' } }] })).toEqual([['INVALID', 'input.lines.0.unitCost.amountMinor']]);
    expect(await pc({ lines: [{ sku: a!.sku, quantity: 1, unitCost: { amountMinor: 5, currency: 'USD' } }] })).toEqual([['CURRENCY_MISMATCH', 'input.lines.0.unitCost.currency']]);
    expect(await pc({ lines: [{ sku: b!.sku, quantity: 1 }] })).toEqual([['NOT_SOLD_BY_SUPPLIER', 'input.lines.0.unitCost']]);
    expect(await pc({ expectedAt: '9999-12-31T00:00:00Z' })).toEqual([['INVALID', 'input.expectedAt']]);
    // Five lines of 1,000,000 units at 2^31-1 minor units each add up past 2^53.
    const max = { amountMinor: 2_147_483_647, currency: 'RUB' };
    expect(await pc({ lines: [a!, b!, ...extra].map((p) => ({ sku: p.sku, quantity: 1_000_000, unitCost: max })) })).toEqual([['INVALID', 'input.lines']]);

    const rc = async (id: string, lines: PurchaseOrderReceiveLineInput[], binCode?: string) => codes(await receive(id, lines, binCode));
    expect(await rc(draft.id, [{ barcode: a!.sku, quantity: 1 }])).toEqual([['INVALID_STATE_TRANSITION', 'input.id']]);
    expect(await rc(po.id, [{ barcode: b!.sku, quantity: 1 }])).toEqual([['NOT_ON_ORDER', 'input.lines.0.barcode']]);
    expect(await rc(po.id, [{ barcode: b!.gtin, quantity: 1 }])).toEqual([['NOT_ON_ORDER', 'input.lines.0.barcode']]);
    expect(await rc(po.id, [{ barcode: a!.gtin.slice(0, -1) + String((Number(a!.gtin.slice(-1)) + 1) % 10), quantity: 1 }])).toEqual([['INVALID_BARCODE', 'input.lines.0.barcode']]);
    expect(await rc(po.id, [{ barcode: a!.sku, quantity: 0 }])).toEqual([['INVALID', 'input.lines.0.quantity']]);
    expect(await rc(po.id, [])).toEqual([['INVALID', 'input.lines']]);
    expect(await rc(po.id, [{ barcode: a!.sku, quantity: 1 }], 'NO-SUCH-BIN')).toEqual([['NOT_FOUND', 'input.binCode']]);
    expect(await rc(po.id, [{ barcode: a!.sku, quantity: 3 }])).toEqual([['OVER_RECEIPT', 'input.lines.0.quantity']]);
    const random = toGlobalId('PurchaseOrder', randomUUID());
    expect(await rc(random, [{ barcode: a!.sku, quantity: 1 }])).toEqual([['NOT_FOUND', 'input.id']]);
    expect(codes((await t.admin(PoSendDocument, { input: { id: po.id } })).purchaseOrderSend)).toEqual([['INVALID_STATE_TRANSITION', 'input.id']]);

    expect(await snapshot([a!, b!], wh, po.id)).toEqual(before);
  });
});

describe('PURCHASE_ORDER_UPDATED webhooks', () => {
  it('delivers one webhook per status change, with the warehouse code and the sequence', async () => {
    const hooks = await webhookReceiver();
    try {
      const sub = (await t.admin(WebhookSubscriptionCreateDocument, { input: { topic: 'PURCHASE_ORDER_UPDATED', url: hooks.url } })).webhookSubscriptionCreate;
      expect(sub.userErrors).toEqual([]);
      const wh = await warehouse();
      const [a] = await products(1);
      const sup = await supplier();
      await price(sup, a!.sku, 5_00);
      const po = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 3 }] });
      await send(po.id);
      await receive(po.id, [{ barcode: a!.sku, quantity: 1 }]);
      await receive(po.id, [{ barcode: a!.sku, quantity: 2 }]);
      const mine = () => hooks.of((b) => b.data.number === po.number);
      await waitFor('4 webhooks of the purchase order', () => mine().length, (n) => n >= 4, 10_000);
      await settle(600);
      expect(mine().map((b) => [b.topic, b.data.sequence, b.data.status, b.data.previousStatus ?? null, b.data.warehouseCode, b.data.supplierCode]).sort((x, y) => Number(x[1]) - Number(y[1]))).toEqual([
        ['PURCHASE_ORDER_UPDATED', 1, 'DRAFT', null, wh, sup],
        ['PURCHASE_ORDER_UPDATED', 2, 'SENT', 'DRAFT', wh, sup],
        ['PURCHASE_ORDER_UPDATED', 3, 'PARTIALLY_RECEIVED', 'SENT', wh, sup],
        ['PURCHASE_ORDER_UPDATED', 4, 'RECEIVED', 'PARTIALLY_RECEIVED', wh, sup],
      ]);
      await t.admin(WebhookSubscriptionDeleteDocument, { input: { id: sub.webhookSubscription!.id } });
    } finally {
      await hooks.close();
    }
  });
});

describe('backorders', () => {
  it('a backordered order is allocated from units a purchase order brought in', async () => {
    const wh = await warehouse();
    const [a] = await products(1);
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 2 }] } });
    const order = (
      await t.admin(OrderCreateDocument, {
        input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', allowBackorder: true, customer: { email: 'waits-for-po@example.ru' }, shippingAddress: address() as never, lines: [{ sku: a!.sku, quantity: 5 }] },
      })
    ).orderCreate;
    expect(order.userErrors).toEqual([]);
    expect(order.order).toMatchObject({ status: 'BACKORDERED', lines: [expect.objectContaining({ allocatedQuantity: 2 })] });
    const sup = await supplier();
    const po = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 3, unitCost: { amountMinor: 1_00, currency: 'RUB' } }] });
    await send(po.id);
    // Incoming units are not allocated: still waiting.
    await settle(300);
    expect((await t.admin(OrderDocument, { id: order.order!.id })).order!.status).toBe('BACKORDERED');
    expect((await receive(po.id, [{ barcode: a!.gtin, quantity: 3 }])).purchaseOrder!.status).toBe('RECEIVED');
    const after = await waitFor(
      'the backorder allocated',
      async () => (await t.admin(OrderDocument, { id: order.order!.id })).order!,
      (o) => o.status === 'ALLOCATED',
      8_000,
    );
    expect(after.status).toBe('ALLOCATED');
    expect(after.lines[0]!.allocatedQuantity).toBe(5);
    expect(await stock(a!.sku, wh)).toMatchObject({ onHand: 5, incoming: 0, available: 0 });
  });
});

describe('PARTNER key restricted to warehouses', () => {
  it('sees and touches purchase orders of its warehouses only; another warehouse answers as an id that does not exist; it may not create suppliers', async () => {
    const [ours, theirs] = [await warehouse(), await warehouse()];
    const [a] = await products(1);
    const sup = await supplier();
    await price(sup, a!.sku, 3_00);
    const key = (await t.admin(ApiKeyCreateDocument, { input: { name: 'Склад-партнёр', kind: 'PARTNER', scopes: ['read_inventory', 'write_inventory'], warehouseCodes: [ours] } })).apiKeyCreate;
    expect(key.userErrors).toEqual([]);
    const token = key.secret!;
    const other = await createPo({ supplierCode: sup, warehouseCode: theirs, lines: [{ sku: a!.sku, quantity: 2 }] });
    await send(other.id);

    // Its own warehouse: create, send, receive.
    const made = (await t.gql(PoCreateDocument, { input: { supplierCode: sup, warehouseCode: ours, lines: [{ sku: a!.sku, quantity: 2 }] } }, { token })).data!.purchaseOrderCreate;
    expect(made.userErrors).toEqual([]);
    expect((await t.gql(PoSendDocument, { input: { id: made.purchaseOrder!.id } }, { token })).data!.purchaseOrderSend.userErrors).toEqual([]);
    expect((await t.gql(PoReceiveDocument, { input: { id: made.purchaseOrder!.id, lines: [{ barcode: a!.sku, quantity: 2 }] } }, { token })).data!.purchaseOrderReceive.purchaseOrder!.status).toBe('RECEIVED');

    // The other warehouse: invisible, and refused exactly as a random id.
    expect((await t.gql(PoGetDocument, { id: other.id }, { token })).data!.purchaseOrder).toBeNull();
    expect((await t.gql(PoNodeDocument, { id: other.id }, { token })).data!.node).toBeNull();
    const list = (await t.gql(PoListDocument, { first: 100 }, { token })).data!.purchaseOrders;
    expect(list.nodes.map((n) => n.number)).toEqual([made.purchaseOrder!.number]);
    expect(list.totalCount).toBe(1);
    const random = toGlobalId('PurchaseOrder', randomUUID());
    const asRandom = (await t.gql(PoReceiveDocument, { input: { id: random, lines: [{ barcode: a!.sku, quantity: 1 }] } }, { token })).data!.purchaseOrderReceive.userErrors;
    expect(asRandom.map((e) => e.code)).toEqual(['NOT_FOUND']);
    expect((await t.gql(PoReceiveDocument, { input: { id: other.id, lines: [{ barcode: a!.sku, quantity: 1 }] } }, { token })).data!.purchaseOrderReceive.userErrors).toEqual(asRandom);
    expect((await t.gql(PoCancelDocument, { input: { id: other.id } }, { token })).data!.purchaseOrderCancel.userErrors).toEqual(asRandom);
    expect((await t.gql(PoCreateDocument, { input: { supplierCode: sup, warehouseCode: theirs, lines: [{ sku: a!.sku, quantity: 1 }] } }, { token })).data!.purchaseOrderCreate.userErrors.map((e) => [e.code, e.field])).toEqual([
      ['NOT_FOUND', ['input', 'warehouseCode']],
    ]);
    expect(await stock(a!.sku, theirs)).toMatchObject({ onHand: 0, incoming: 2 });
    expect((await t.admin(PoGetDocument, { id: other.id })).purchaseOrder!.status).toBe('SENT');

    // Suppliers serve every warehouse: it reads them but may not create or change them.
    expect((await t.gql(PoSuppliersDocument, {}, { token })).data!.suppliers.map((s) => s.code)).toContain(sup);
    const refused = await t.gql(PoSupplierCreateDocument, { input: { code: `PART${tag}`, name: 'x', currency: 'RUB', leadTimeDays: 1 } }, { token });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refused2 = await t.gql(PoSupplierProductSetDocument, { input: { supplierCode: sup, sku: a!.sku, unitCost: { amountMinor: 1, currency: 'RUB' } } }, { token });
    expect(refused2.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.admin(PoSuppliersDocument)).suppliers.map((s) => s.code)).not.toContain(`PART${tag}`);
  });
});

describe('lead time learnt from received purchase orders', () => {
  it('mean and standard deviation of sent → last unit received over RECEIVED orders; the next send expects that mean', async () => {
    const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
    const app = await startApp({ clock });
    try {
      const wh = await warehouse(app);
      const [a] = await products(1, app);
      const sup = await supplier(14, app);
      await price(sup, a!.sku, 1_00, app);
      const leadTime = async () => (await app.admin(PoSuppliersDocument)).suppliers.find((s) => s.code === sup)!;
      expect(await leadTime()).toMatchObject({ leadTimeDays: 14, leadTimeStdDevDays: 0 });

      const cycle = async (days: number[], qty = 2) => {
        const po = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: qty }] }, app);
        await send(po.id, app);
        for (const d of days) {
          clock.advance(d * 86_400_000);
          await receive(po.id, [{ barcode: a!.sku, quantity: qty / days.length }], undefined, app);
        }
        return po;
      };
      // 10 days (in two receipts: 4 + 6, the last one counts), then 12 days.
      await cycle([4, 6]);
      expect(await leadTime()).toMatchObject({ leadTimeDays: 10, leadTimeStdDevDays: 0 });
      // A partly received or cancelled order teaches nothing.
      const partial = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 2 }] }, app);
      await send(partial.id, app);
      clock.advance(40 * 86_400_000);
      await receive(partial.id, [{ barcode: a!.sku, quantity: 1 }], undefined, app);
      await cycle([12]);
      const learnt = await leadTime();
      expect(learnt.leadTimeDays).toBe(11);
      expect(learnt.leadTimeStdDevDays).toBeCloseTo(Math.SQRT2, 6);

      const next = await createPo({ supplierCode: sup, warehouseCode: wh, lines: [{ sku: a!.sku, quantity: 1 }] }, app);
      const sentAt = clock.now().getTime();
      const sent = await send(next.id, app);
      expect(new Date(sent.expectedAt!).getTime()).toBe(sentAt + 11 * 86_400_000);
      expect(sent.supplier.leadTimeDays).toBe(11);
      expect((await app.admin(PoNodeDocument, { id: (await leadTime()).id })).node).toMatchObject({ code: sup, leadTimeDays: 11 });
    } finally {
      await app.close();
    }
  });
});
