/**
 * Issue 18 item 1: the warehouse figures of `kpis` (pickAccuracy, unitsPickedPerHour,
 * warehousingCostPerOrder, stockoutRate, inventoryTurnover, daysOfSupply) on a small store built
 * through the API, each recomputed here by hand from rows read through the API (warehouseScans,
 * inventoryMovements, orders) following the fields' descriptions.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyCreateDocument,
  CostModelChangeDocument,
  DeliveryOptionsDocument,
  FulfillmentOrderPackDocument,
  InventoryAdjustDocument,
  KpisApiKeyDocument,
  KpisDocument,
  KwMovementsDocument,
  KwScansDocument,
  KwSupplierCreateDocument,
  KwSupplierProductSetDocument,
  OrderCreateDocument,
  OrderDocument,
  PickListCreateDocument,
  PickListScanDocument,
} from '../generated/graphql.js';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import { address } from '../factories/stock.js';
import { startApp, type TestApp } from '../harness.js';
import { daySlices, scanFigures, sliceStock, stockFigures as slicedStockFigures, stockoutRate } from '../kpi-recompute.js';

const ZONE = 'Europe/Moscow';
const PARCEL = { weightGrams: 500, dimensions: { lengthMm: 300, widthMm: 200, heightMm: 150 } };

type Scan = {
  kind: string;
  actor: string;
  quantity: number;
  matched: boolean;
  errorCode?: string | null;
  scannedAt: string;
  pickListId?: string | null;
  warehouse: { code: string };
  fulfillmentOrder?: { id: string } | null;
};
type Movement = { quantityDelta: number; reason: string; createdAt: string; bin?: { code: string } | null; variant: { sku: string }; warehouse: { code: string } };

describe('kpis: warehouse figures', () => {
  let t: TestApp;
  let reader: string;
  let a: DeliveredOrder;
  let b: DeliveredOrder;
  let extraOrderId: string;
  let extraListId: string;
  let extraFoId: string;
  const orderIds: string[] = [];
  let from: Date;
  let to: Date;
  let midnight: Date;
  const cost = new Map<string, number>();

  const ok = (errors: readonly unknown[] | undefined, what: string) => {
    if (errors?.length) throw new Error(`${what}: ${JSON.stringify(errors)}`);
  };

  beforeAll(async () => {
    t = await startApp();
    reader = (await t.admin(KpisApiKeyDocument, { input: { name: 'dashboard', kind: 'PARTNER', scopes: ['read_metrics'] } })).apiKeyCreate.secret!;
    const today = DateTime.now().setZone(ZONE).startOf('day');
    from = today.minus({ days: 1 }).toJSDate();
    midnight = today.toJSDate();
    to = today.plus({ days: 1 }).toJSDate();
    a = await deliveredOrder(t, { lines: [{ quantity: 2 }] });
    b = await deliveredOrder(t, { lines: [{ quantity: 1 }, { quantity: 3 }], deliveredAt: null });
    orderIds.push(a.orderId, b.orderId);

    // A second order in a's warehouse, picked and packed with mistakes: a wrong bin, a wrong item,
    // then the right scan; a pack with one extra unit, then the right pack.
    const shippingAddress = address({ city: 'Москва', line1: 'ул. Арбат, 10, кв. 5', phone: '+7 900 765-43-21' });
    const lines = [{ sku: a.lines[0]!.sku, quantity: 1 }];
    const options = await t.gql(DeliveryOptionsDocument, { input: { destination: shippingAddress as never, lines, currency: 'RUB' } }, { token: null });
    const option = options.data!.deliveryOptions.find((o) => o.carrier.code === a.carrierCode)!;
    const created = (await t.admin(OrderCreateDocument, { input: { channel: 'app', currency: 'RUB', deliveryOptionId: option.id, customer: { email: a.customerEmail }, shippingAddress: shippingAddress as never, lines } })).orderCreate;
    ok(created.userErrors, 'orderCreate');
    extraOrderId = created.order!.id;
    orderIds.push(extraOrderId);
    const list = (await t.admin(PickListCreateDocument, { input: { warehouseCode: a.warehouseCode } })).pickListCreate.pickList!;
    const scan = async (binBarcode: string, itemBarcode: string) =>
      (await t.admin(PickListScanDocument, { input: { pickListId: list.id, binBarcode, itemBarcode, quantity: 1 } })).pickListScan.userErrors.map((e) => e.code);
    expect(await scan(a.returnsBinBarcode, a.lines[0]!.gtin)).toEqual(['WRONG_BIN_SCANNED']);
    expect(await scan(a.pickBinBarcode, b.lines[0]!.gtin)).toEqual(['WRONG_ITEM_SCANNED']);
    expect(await scan(a.pickBinBarcode, a.lines[0]!.gtin)).toEqual([]);
    const fo = list.fulfillmentOrders[0]!;
    expect(list.fulfillmentOrders.length).toBe(1);
    extraListId = list.id;
    extraFoId = fo.id;
    const pack = async (scannedBarcodes: string[]) => (await t.admin(FulfillmentOrderPackDocument, { input: { fulfillmentOrderId: fo.id, scannedBarcodes, ...PARCEL } })).fulfillmentOrderPack.userErrors.map((e) => e.code);
    expect(await pack([a.lines[0]!.gtin, b.lines[0]!.gtin])).toEqual(['PACK_MISMATCH']);
    expect(await pack([a.lines[0]!.gtin])).toEqual([]);

    // b's second SKU runs out in its bin (10 left after the order).
    ok((await t.admin(InventoryAdjustDocument, { input: { warehouseCode: b.warehouseCode, binBarcode: b.pickBinBarcode, sku: b.lines[1]!.sku, quantityDelta: -10, reason: 'ADJUSTMENT' } })).inventoryAdjust.userErrors, 'inventoryAdjust');

    // Unit costs: a's SKU and b's first from a RUB supplier; b's second has none.
    const supplier = (await t.admin(KwSupplierCreateDocument, { input: { code: 'KW-SUP', name: 'Поставщик', currency: 'RUB', leadTimeDays: 5 } })).supplierCreate;
    ok(supplier.userErrors, 'supplierCreate');
    for (const [sku, minor] of [
      [a.lines[0]!.sku, 500_00],
      [b.lines[0]!.sku, 200_00],
    ] as const) {
      ok((await t.admin(KwSupplierProductSetDocument, { input: { supplierCode: 'KW-SUP', sku, unitCost: { amountMinor: minor, currency: 'RUB' } } })).supplierProductSet.userErrors, 'supplierProductSet');
      cost.set(sku, minor);
    }
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const report = async (vars: { granularity?: 'HOUR' | 'DAY'; filter?: Record<string, string[]>; from?: Date; to?: Date }) => {
    const r = await t.gql(KpisDocument, { from: (vars.from ?? from).toISOString(), to: (vars.to ?? to).toISOString(), granularity: vars.granularity ?? 'DAY', filter: vars.filter }, { token: reader });
    expect(r.errors).toBeUndefined();
    return r.data!.kpis;
  };
  const scansOf = async (warehouseCode: string): Promise<Scan[]> => {
    const r = await t.admin(KwScansDocument, { warehouseCode, from: from.toISOString(), to: to.toISOString(), first: 100 });
    expect(r.warehouseScans.pageInfo.hasNextPage).toBe(false);
    return r.warehouseScans.nodes;
  };
  const movementsOf = async (warehouseCode: string): Promise<Movement[]> => {
    const r = await t.admin(KwMovementsDocument, { warehouseCode, first: 100 });
    expect(r.inventoryMovements.pageInfo.hasNextPage).toBe(false);
    return r.inventoryMovements.nodes;
  };

  it('logs every pick and pack scan, refused ones too, and computes pickAccuracy and unitsPickedPerHour from them', async () => {
    const sa = await scansOf(a.warehouseCode);
    const sb = await scansOf(b.warehouseCode);
    // a: 1 + 3 pick scans (2 refused), 2 + 2 + 1 pack barcodes (1 extra); b: 2 pick scans, 4 pack barcodes.
    expect(sa.filter((s) => s.kind === 'PICK').map((s) => s.errorCode).sort()).toEqual([null, null, 'WRONG_BIN_SCANNED', 'WRONG_ITEM_SCANNED'].sort());
    expect(sa.filter((s) => s.kind === 'PACK').length).toBe(5);
    expect(sa.filter((s) => !s.matched).length).toBe(3);
    expect(sa.find((s) => s.errorCode === 'PACK_MISMATCH')).toMatchObject({ matched: false, quantity: 1 });
    expect(sb.length).toBe(6);
    expect(sb.every((s) => s.matched)).toBe(true);

    const k = await report({});
    const all = scanFigures([...sa, ...sb]);
    expect(all.accuracy).toBeCloseTo(12 / 15, 9);
    expect(k.totals.pickAccuracy).toBeCloseTo(all.accuracy!, 9);
    expect(all.perHour).not.toBeNull();
    expect(k.totals.unitsPickedPerHour! / all.perHour!).toBeCloseTo(1, 6);
    // Everything happened today: yesterday's bucket has no scans.
    expect(k.series.map((s) => s.values.pickAccuracy)).toEqual([null, k.totals.pickAccuracy]);

    // Wrong scans lower the accuracy of a's warehouse; b's is perfect.
    const byA = (await report({ filter: { warehouseCodes: [a.warehouseCode] } })).totals;
    expect(byA.pickAccuracy).toBeCloseTo(scanFigures(sa).accuracy!, 9);
    expect(byA.pickAccuracy).toBeLessThan(1);
    const fa = scanFigures(sa).perHour;
    if (fa == null) expect(byA.unitsPickedPerHour).toBeNull();
    else expect(byA.unitsPickedPerHour! / fa).toBeCloseTo(1, 6);
    expect((await report({ filter: { warehouseCodes: [b.warehouseCode] } })).totals.pickAccuracy).toBe(1);
    // Through the orders: the extra order came through 'app' (its pick list's scans and its pack scans).
    const app = (await report({ filter: { channels: ['app'] } })).totals;
    const appScans = sa.filter((s) => s.pickListId === extraListId || s.fulfillmentOrder?.id === extraFoId);
    expect(appScans.length).toBe(6);
    expect(app.pickAccuracy).toBeCloseTo(scanFigures(appScans).accuracy!, 9);
    expect(app.pickAccuracy).toBeCloseTo(3 / 6, 9);
  });

  /** Bins holding stock at `at`, from bin movements before it. */
  const binsHolding = (movements: Movement[], at: Date) => {
    const q = new Map<string, number>();
    for (const m of movements) if (m.bin && new Date(m.createdAt) < at) q.set(m.bin.code, (q.get(m.bin.code) ?? 0) + m.quantityDelta);
    return [...q.values()].filter((n) => n > 0).length;
  };

  it('warehousingCostPerOrder: null without a cost model or in another currency; otherwise orders, units picked and bin-days at the rates', async () => {
    expect((await report({})).totals.warehousingCostPerOrder).toBeNull();
    ok((await t.admin(CostModelChangeDocument, { input: { perOrderHandled: { amountMinor: 60_00, currency: 'USD' } } })).costModelUpdate.userErrors, 'costModelUpdate');
    expect((await report({})).totals.warehousingCostPerOrder).toBeNull();
    ok(
      (await t.admin(CostModelChangeDocument, { input: { perOrderHandled: { amountMinor: 60_00, currency: 'RUB' }, perUnitPicked: { amountMinor: 12_33, currency: 'RUB' }, storagePerBinDay: { amountMinor: 4_00, currency: 'RUB' } } }))
        .costModelUpdate.userErrors,
      'costModelUpdate',
    );
    const expected = async (warehouses: string[], ids: string[]) => {
      let picked = 0;
      for (const id of ids) {
        const order = (await t.admin(OrderDocument, { id })).order!;
        for (const fo of order.fulfillmentOrders) if (warehouses.includes(fo.warehouse.code)) picked += fo.lines.reduce((n, l) => n + l.pickedQuantity, 0);
      }
      let binDays = 0;
      for (const w of warehouses) {
        const ms = await movementsOf(w);
        binDays += binsHolding(ms, midnight) + binsHolding(ms, to);
      }
      const total = 60_00 * ids.length + 12_33 * picked + 4_00 * binDays;
      return { amountMinor: Math.floor((2 * total + ids.length) / (2 * ids.length)), currency: 'RUB' };
    };
    const k = await report({});
    const want = await expected([a.warehouseCode, b.warehouseCode], orderIds);
    expect(k.totals.warehousingCostPerOrder).toEqual(want);
    expect(k.series[0]!.values.warehousingCostPerOrder).toBeNull(); // no orders yesterday
    expect(k.series[1]!.values.warehousingCostPerOrder).toEqual(want);
    const byA = (await report({ filter: { warehouseCodes: [a.warehouseCode] } })).totals;
    expect(byA.warehousingCostPerOrder).toEqual(await expected([a.warehouseCode], [a.orderId, extraOrderId]));
  });

  /** Stock figures of [from, to) from the ledger, as the descriptions define them (two whole days). */
  const stockFigures = (movements: Movement[]) => {
    const pairs = new Map<string, Movement[]>();
    for (const m of movements) pairs.set(m.variant.sku, [...(pairs.get(m.variant.sku) ?? []), m]);
    let hit = 0;
    let stockedPairs = 0;
    for (const ms of pairs.values()) {
      const byInstant = new Map<number, number>();
      for (const m of ms) byInstant.set(new Date(m.createdAt).getTime(), (byInstant.get(new Date(m.createdAt).getTime()) ?? 0) + m.quantityDelta);
      let q = 0;
      let stocked = false;
      let zero = false;
      for (const [at, d] of [...byInstant].sort((x, y) => x[0] - y[0])) {
        q += d;
        if (stocked && q <= 0 && at >= from.getTime() && at < to.getTime()) zero = true;
        if (q > 0) stocked = true;
      }
      if (zero) hit++;
      if (stocked) stockedPairs++;
    }
    const shipped = movements.filter((m) => m.reason === 'SHIPMENT').reduce((n, m) => n - m.quantityDelta, 0);
    const onHand = movements.reduce((n, m) => n + m.quantityDelta, 0);
    const cogs = movements.filter((m) => m.reason === 'SHIPMENT').reduce((n, m) => n - m.quantityDelta * (cost.get(m.variant.sku) ?? 0), 0);
    const value = (at: Date) => movements.filter((m) => new Date(m.createdAt) < at).reduce((n, m) => n + m.quantityDelta * (cost.get(m.variant.sku) ?? 0), 0);
    return { pairs: stockedPairs, hit, shipped, onHand, cogs, avgValue: (value(midnight) + value(to)) / 2 };
  };

  it('stockoutRate, inventoryTurnover and daysOfSupply from the ledger, per warehouse and together; null under a channel filter', async () => {
    const ma = await movementsOf(a.warehouseCode);
    const mb = await movementsOf(b.warehouseCode);
    const check = (got: { stockoutRate?: number | null; inventoryTurnover?: number | null; daysOfSupply?: number | null }, f: ReturnType<typeof stockFigures>) => {
      expect(got.stockoutRate).toBeCloseTo(f.hit / f.pairs, 9);
      expect(got.daysOfSupply).toBeCloseTo(f.onHand / (f.shipped / 2), 6);
      expect(got.inventoryTurnover! / (((f.cogs / f.avgValue) * 365) / 2)).toBeCloseTo(1, 6);
    };
    const fb = stockFigures(mb);
    expect(fb).toMatchObject({ pairs: 2, hit: 1, shipped: 4 });
    const both = stockFigures([...ma, ...mb]);
    const k = await report({});
    check(k.totals, both);
    // The general recomputation (any period, day by day; test/seed.test.ts uses it) agrees.
    const general = slicedStockFigures(sliceStock([...ma, ...mb], daySlices(from, to, ZONE), cost));
    expect(k.totals.inventoryTurnover! / general.inventoryTurnover!).toBeCloseTo(1, 6);
    expect(k.totals.daysOfSupply).toBeCloseTo(general.daysOfSupply!, 6);
    expect(k.totals.stockoutRate).toBeCloseTo(stockoutRate([...ma, ...mb], from.getTime(), to.getTime(), to.getTime())!, 9);
    check((await report({ filter: { warehouseCodes: [b.warehouseCode] } })).totals, fb);
    check((await report({ filter: { warehouseCodes: [a.warehouseCode] } })).totals, stockFigures(ma));
    // Yesterday nothing had moved yet: no pairs, nothing shipped, no stock value.
    expect(k.series[0]!.values).toMatchObject({ stockoutRate: null, inventoryTurnover: null, daysOfSupply: null });
    expect((await report({ filter: { channels: ['web'] } })).totals).toMatchObject({ stockoutRate: null, inventoryTurnover: null, daysOfSupply: null });
  });

  it('node(id) answers a scan and a movement to keys that may see their warehouse with the scope, null to others', async () => {
    expect(a.warehouseCode).not.toBe(b.warehouseCode);
    type Listed = { warehouseScans: { nodes: { id: string; itemBarcode: string }[] }; inventoryMovements: { nodes: { id: string; quantityDelta: number }[] } };
    const listed = (await t.gql(
      parse(`query ($w: String!) { warehouseScans(warehouseCode: $w, first: 1) { nodes { id itemBarcode } } inventoryMovements(warehouseCode: $w, first: 1) { nodes { id quantityDelta } } }`) as TypedDocumentNode<Listed, { w: string }>,
      { w: a.warehouseCode },
    )).data!;
    const scan = listed.warehouseScans.nodes[0]!;
    const movement = listed.inventoryMovements.nodes[0]!;
    const NODE = parse(`query ($id: ID!) { node(id: $id) { __typename id ... on WarehouseScan { itemBarcode } ... on InventoryMovement { quantityDelta } } }`) as TypedDocumentNode<
      { node: Record<string, unknown> | null },
      { id: string }
    >;
    const nodeAs = async (id: string, token?: string) => {
      const r = await t.gql(NODE, { id }, token === undefined ? {} : { token });
      expect(r.errors).toBeUndefined();
      return r.data!.node;
    };
    const key = async (scopes: string[], warehouseCodes: string[]) => {
      const k = (await t.admin(ApiKeyCreateDocument, { input: { name: `node-${scopes.join('-')}-${warehouseCodes.join('-')}`, kind: 'PARTNER', scopes, warehouseCodes } })).apiKeyCreate;
      expect(k.userErrors).toEqual([]);
      return k.secret!;
    };
    expect(await nodeAs(scan.id)).toEqual({ __typename: 'WarehouseScan', id: scan.id, itemBarcode: scan.itemBarcode });
    expect(await nodeAs(movement.id)).toEqual({ __typename: 'InventoryMovement', id: movement.id, quantityDelta: movement.quantityDelta });
    const ours = await key(['read_inventory', 'read_fulfillment'], [a.warehouseCode]);
    expect(await nodeAs(scan.id, ours)).toMatchObject({ id: scan.id });
    expect(await nodeAs(movement.id, ours)).toMatchObject({ id: movement.id });
    const theirs = await key(['read_inventory', 'read_fulfillment'], [b.warehouseCode]);
    expect(await nodeAs(scan.id, theirs)).toBeNull();
    expect(await nodeAs(movement.id, theirs)).toBeNull();
    const inventoryOnly = await key(['read_inventory'], [a.warehouseCode]);
    expect(await nodeAs(movement.id, inventoryOnly)).toMatchObject({ id: movement.id });
    expect(await nodeAs(scan.id, inventoryOnly)).toBeNull();
    const catalogOnly = await key(['read_catalog'], [a.warehouseCode]);
    expect(await nodeAs(movement.id, catalogOnly)).toBeNull();
  });

  it('answers in the same number of statements for 2 or 48 buckets', async () => {
    const statements = async (granularity: 'HOUR' | 'DAY') =>
      Number((await t.gql(KpisDocument, { from: from.toISOString(), to: to.toISOString(), granularity }, { token: reader })).headers.get('x-sql-statements'));
    const [day, hour] = [await statements('DAY'), await statements('HOUR')];
    expect(day).toBeGreaterThan(0);
    expect(hour).toBe(day);
  });
});
