/** Batch picking with scan checks, through GraphQL over real HTTP. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyCreateDocument,
  BinLocationsCreateDocument,
  CarrierCreateDocument,
  InventoryLevelsDocument,
  InventoryReceiveDocument,
  OrderCancelDocument,
  OrderCreateDocument,
  OrderDocument,
  FulfillmentOrderPackDocument,
  PickListCreateDocument,
  PickListDocument,
  PickListScanDocument,
  ProductCreateDocument,
  ShipmentCreateDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
} from '../../../test/generated/graphql.js';
import { productInput } from '../../../test/factories/catalog.js';
import { address } from '../../../test/factories/stock.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { idOfType } from '../../graphql/relay.js';

let t: TestApp;
const v: { sku: string; gtin: string }[] = [];

beforeAll(async () => {
  t = await startApp();
  for (let i = 0; i < 2; i++) {
    const p = productInput();
    v.push({ sku: p.variants[0]!.sku, gtin: p.variants[0]!.gtin! });
    await t.admin(ProductCreateDocument, { input: p });
  }
  await t.admin(WarehouseCreateDocument, { input: { code: 'PK1', name: 'Pick', address: { line1: 'x', city: 'Москва', postalCode: '101000', countryCode: 'RU', location: { lat: 55.75, lng: 37.6 } } } });
  await t.admin(ZoneCreateDocument, { input: { warehouseCode: 'PK1', code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
  await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: 'PK1', zoneCode: 'P', aisles: ['A', 'B'], racks: 2, levels: 1, positions: 1 } });
  // v0 sits in B-02 (walked third, B-02, B-01), v1 in A-01.
  await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'PK1', binBarcode: 'PK1-B-02-01-01', lines: [{ sku: v[0]!.sku, quantity: 10 }] } });
  await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'PK1', binBarcode: 'PK1-A-01-01-01', lines: [{ sku: v[1]!.sku, quantity: 10 }] } });
});
afterAll(async () => t?.close());

const order = (lines: { sku: string; quantity: number }[]) =>
  t.admin(OrderCreateDocument, { input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'p@example.ru' }, shippingAddress: address(), lines } });

describe('picking', () => {
  it('batches open orders into one walk, merged per bin and SKU, sorted by pickSequence; scans are checked; picks write the ledger', async () => {
    const o1 = (await order([{ sku: v[0]!.sku, quantity: 2 }, { sku: v[1]!.sku, quantity: 1 }])).orderCreate.order!;
    const o2 = (await order([{ sku: v[0]!.sku, quantity: 1 }])).orderCreate.order!;
    const created = (await t.admin(PickListCreateDocument, { input: { warehouseCode: 'PK1', maxOrders: 10 } })).pickListCreate;
    expect(created.userErrors).toEqual([]);
    const list = created.pickList!;
    expect(list.fulfillmentOrders.length).toBe(2);
    expect(list.lines.map((l) => [l.bin.code, l.variant.sku, l.quantity])).toEqual([
      ['A-01-01-01', v[1]!.sku, 1],
      ['B-02-01-01', v[0]!.sku, 3],
    ]);
    expect((await t.admin(OrderDocument, { id: o1.id })).order!.status).toBe('PICKING');
    // Nothing else to batch.
    expect((await t.admin(PickListCreateDocument, { input: { warehouseCode: 'PK1' } })).pickListCreate.userErrors[0]!.code).toBe('NOTHING_TO_PICK');

    const scan = (bin: string, item: string, quantity = 1) => t.admin(PickListScanDocument, { input: { pickListId: list.id, binBarcode: bin, itemBarcode: item, quantity } });
    expect((await scan('PK1-B-01-01-01', v[0]!.gtin)).pickListScan.userErrors[0]!.code).toBe('WRONG_BIN_SCANNED');
    expect((await scan('PK1-A-01-01-01', v[0]!.gtin)).pickListScan.userErrors[0]!.code).toBe('WRONG_ITEM_SCANNED');
    expect((await scan('PK1-A-01-01-01', '4006381333932')).pickListScan.userErrors[0]!.code).toBe('INVALID_BARCODE');
    expect((await scan('PK1-A-01-01-01', v[1]!.gtin, 2)).pickListScan.userErrors[0]!.code).toBe('OVER_PICK');
    const unchanged = (await t.admin(PickListDocument, { id: list.id })).pickList!;
    expect(unchanged.lines.every((l) => l.pickedQuantity === 0)).toBe(true);

    expect((await scan('PK1-A-01-01-01', v[1]!.gtin)).pickListScan.userErrors).toEqual([]);
    expect((await scan('PK1-B-02-01-01', v[0]!.gtin, 2)).pickListScan.pickList!.completed).toBe(false);
    const last = (await scan('PK1-B-02-01-01', v[0]!.gtin)).pickListScan.pickList!;
    expect(last.completed).toBe(true);
    expect(last.fulfillmentOrders.map((f) => f.status)).toEqual(['PICKED', 'PICKED']);
    expect((await scan('PK1-B-02-01-01', v[0]!.gtin)).pickListScan.userErrors[0]!.code).toBe('INVALID_STATE_TRANSITION');

    const o2full = (await t.admin(OrderDocument, { id: o2.id })).order!;
    expect(o2full.fulfillmentOrders[0]!.lines[0]!.pickedQuantity).toBe(1);
    // Picked units left the bin but are still on hand (staging) and allocated until shipped.
    const [lvl] = (await t.admin(InventoryLevelsDocument, { sku: v[0]!.sku, warehouseCode: 'PK1' })).inventoryLevels;
    expect(lvl).toMatchObject({ onHand: 10, allocated: 3, bins: [{ bin: { code: 'B-02-01-01' }, quantity: 7 }] });
    const ledger = await t.app.database.rows<{ s: number }>(sql`select coalesce(sum(quantity_delta), 0)::int as s from inventory_movements where reason = 'PICK'`);
    expect(ledger[0]!.s).toBe(0);

    // Packing o1 (2 × v0, 1 × v1): scans are compared with the picked lines as a multiset.
    const fo1 = (await t.admin(OrderDocument, { id: o1.id })).order!.fulfillmentOrders[0]!.id;
    const pack = (scans: string[]) =>
      t.admin(FulfillmentOrderPackDocument, { input: { fulfillmentOrderId: fo1, scannedBarcodes: scans, weightGrams: 1200, dimensions: { lengthMm: 300, widthMm: 200, heightMm: 100 } } });
    const missing = (await pack([v[0]!.gtin, v[1]!.gtin])).fulfillmentOrderPack;
    expect(missing.fulfillmentOrder).toBeNull();
    expect(missing.userErrors.map((e) => [e.code, e.message])).toEqual([['PACK_MISMATCH', `Missing 1 × ${v[0]!.sku}.`]]);
    const extra = (await pack([v[0]!.gtin, v[0]!.gtin, v[1]!.gtin, v[1]!.gtin, '4006381333931'])).fulfillmentOrderPack;
    expect(extra.userErrors.map((e) => e.message).sort()).toEqual([`Extra 1 × ${v[1]!.sku}.`, 'Extra 1 × 4006381333931.'].sort());
    expect((await t.admin(OrderDocument, { id: o1.id })).order!.fulfillmentOrders[0]!.status).toBe('PICKED');
    const ok = (await pack([v[1]!.gtin, v[0]!.gtin, v[0]!.gtin])).fulfillmentOrderPack;
    expect(ok.userErrors).toEqual([]);
    expect(ok.fulfillmentOrder).toMatchObject({ status: 'PACKED', packedWeightGrams: 1200, packedDimensions: { lengthMm: 300, widthMm: 200, heightMm: 100 }, order: { status: 'PACKED' } });
    expect((await pack([v[1]!.gtin, v[0]!.gtin, v[0]!.gtin])).fulfillmentOrderPack.userErrors[0]!.code).toBe('INVALID_STATE_TRANSITION');

    // Shipped: o1's fulfillment order has walked its whole path, one gapless timeline entry per step,
    // and an outbox event for each with the same sequence.
    const carrier = await t.admin(CarrierCreateDocument, {
      input: {
        code: 'PKC',
        name: 'Pick courier',
        services: [{ code: 'PKC_COURIER', name: 'Courier', deliveryType: 'COURIER', transitDaysMin: 1, transitDaysMax: 2, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 300_00, currency: 'RUB' } }] }],
      },
    });
    expect(carrier.carrierCreate.userErrors).toEqual([]);
    const shipped = (await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: fo1 } })).shipmentCreate;
    expect(shipped.userErrors).toEqual([]);
    const fo1Events = (await t.admin(OrderDocument, { id: o1.id })).order!.fulfillmentOrders[0]!.events;
    expect(fo1Events.map((e) => [e.sequence, e.status, e.previousStatus])).toEqual([
      [1, 'OPEN', null],
      [2, 'PICKING', 'OPEN'],
      [3, 'PICKED', 'PICKING'],
      [4, 'PACKED', 'PICKED'],
      [5, 'SHIPPED', 'PACKED'],
    ]);
    expect(fo1Events.map((e) => Date.parse(e.occurredAt))).toEqual(fo1Events.map((e) => Date.parse(e.occurredAt)).sort((a, b) => a - b));
    const published = await t.app.database.rows<{ payload: { sequence: number; status: string; previousStatus: string | null; orderId: string } }>(
      sql`select payload from outbox where topic = 'fulfillment_order.status_changed' and payload->>'fulfillmentOrderId' = ${idOfType(fo1, 'FulfillmentOrder')} order by id`,
    );
    expect(published.map((r) => [r.payload.sequence, r.payload.status, r.payload.previousStatus, r.payload.orderId])).toEqual(
      fo1Events.map((e) => [e.sequence, e.status, e.previousStatus ?? null, idOfType(o1.id, 'Order')]),
    );

    // o2 was picked but not packed; cancelling the order cancels its part, on the part's own timeline too.
    expect((await t.admin(OrderCancelDocument, { input: { id: o2.id } })).orderCancel.userErrors).toEqual([]);
    const fo2 = (await t.admin(OrderDocument, { id: o2.id })).order!.fulfillmentOrders[0]!;
    expect(fo2.status).toBe('CANCELLED');
    expect(fo2.events.map((e) => [e.sequence, e.status, e.previousStatus])).toEqual([
      [1, 'OPEN', null],
      [2, 'PICKING', 'OPEN'],
      [3, 'PICKED', 'PICKING'],
      [4, 'CANCELLED', 'PICKED'],
    ]);

    // The pick list's own history: opened, then completed by the last scan (status and completedAt agree).
    const listId = idOfType(list.id, 'PickList')!;
    const [row] = await t.app.database.rows<{ status: string; completed: boolean; last_sequence: number }>(
      sql`select status, completed_at is not null as completed, last_sequence from pick_lists where id = ${listId}`,
    );
    expect(row).toEqual({ status: 'COMPLETED', completed: true, last_sequence: 2 });
    const listHistory = await t.app.database.rows<{ sequence: number; status: string; previous_status: string | null }>(
      sql`select sequence, status, previous_status from pick_list_events where pick_list_id = ${listId} order by sequence`,
    );
    expect(listHistory.map((h) => [h.sequence, h.status, h.previous_status])).toEqual([
      [1, 'OPEN', null],
      [2, 'COMPLETED', 'OPEN'],
    ]);
    const listEvents = await t.app.database.rows<{ payload: { sequence: number; status: string } }>(
      sql`select payload from outbox where topic = 'pick_list.status_changed' and payload->>'pickListId' = ${listId} order by id`,
    );
    expect(listEvents.map((e) => [e.payload.sequence, e.payload.status])).toEqual([
      [1, 'OPEN'],
      [2, 'COMPLETED'],
    ]);
  });

  it('a refused scan whose log cannot be written is still answered with its refusal (the log is best effort), and nothing else changes', async () => {
    await order([{ sku: v[1]!.sku, quantity: 1 }]);
    const list = (await t.admin(PickListCreateDocument, { input: { warehouseCode: 'PK1' } })).pickListCreate.pickList!;
    const before = await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from warehouse_scans`);
    // The scan log refuses unmatched rows, as a database that fails that insert would.
    await t.app.database.db.execute(sql.raw(`create function wb_test_refuse_scan() returns trigger language plpgsql as $$ begin raise exception 'scan log unavailable'; end $$`));
    await t.app.database.db.execute(sql.raw(`create trigger wb_test_refuse_scan before insert on warehouse_scans for each row when (not new.matched) execute function wb_test_refuse_scan()`));
    try {
      const res = await t.admin(PickListScanDocument, { input: { pickListId: list.id, binBarcode: 'PK1-B-01-01-01', itemBarcode: v[1]!.gtin, quantity: 1 } });
      expect(res.pickListScan.userErrors.map((e) => e.code)).toEqual(['WRONG_BIN_SCANNED']);
    } finally {
      await t.app.database.db.execute(sql.raw(`drop trigger wb_test_refuse_scan on warehouse_scans`));
      await t.app.database.db.execute(sql.raw(`drop function wb_test_refuse_scan()`));
    }
    expect(await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from warehouse_scans`)).toEqual(before);
    expect((await t.admin(PickListDocument, { id: list.id })).pickList!.lines.every((l) => l.pickedQuantity === 0)).toBe(true);
  });

  it('cancelling an order with picked units puts them back in the bins they were picked from: no unallocated stock is left in staging', async () => {
    // Found by the schema fuzzer (test/faults/fuzz.test.ts): the units stayed in staging, on hand and
    // available to new orders, but in no bin, so no pick list could ever take them.
    const p = productInput();
    const item = { sku: p.variants[0]!.sku, gtin: p.variants[0]!.gtin! };
    await t.admin(ProductCreateDocument, { input: p });
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'PK1', binBarcode: 'PK1-A-02-01-01', lines: [{ sku: item.sku, quantity: 5 }] } });
    const o = (await order([{ sku: item.sku, quantity: 3 }])).orderCreate.order!;
    const other = (await order([{ sku: item.sku, quantity: 1 }])).orderCreate.order!;
    const list = (await t.admin(PickListCreateDocument, { input: { warehouseCode: 'PK1' } })).pickListCreate.pickList!;
    expect(list.lines.map((l) => l.quantity)).toEqual([4]);
    const scan = (quantity: number) => t.admin(PickListScanDocument, { input: { pickListId: list.id, binBarcode: 'PK1-A-02-01-01', itemBarcode: item.gtin, quantity } });
    expect((await scan(2)).pickListScan.userErrors).toEqual([]);
    const picked = (await t.admin(InventoryLevelsDocument, { sku: item.sku, warehouseCode: 'PK1' })).inventoryLevels[0]!;
    expect(picked).toMatchObject({ onHand: 5, allocated: 4, bins: [{ bin: { code: 'A-02-01-01' }, quantity: 3 }] });

    expect((await t.admin(OrderCancelDocument, { input: { id: o.id } })).orderCancel.userErrors).toEqual([]);
    const after = (await t.admin(InventoryLevelsDocument, { sku: item.sku, warehouseCode: 'PK1' })).inventoryLevels[0]!;
    expect(after).toMatchObject({ onHand: 5, allocated: 1, available: 4, bins: [{ bin: { code: 'A-02-01-01' }, quantity: 5 }] });
    // The cancelled order's unpicked unit left the list: one more pick is the other order's, a second one is refused.
    expect((await t.admin(PickListDocument, { id: list.id })).pickList!.lines.map((l) => [l.quantity, l.pickedQuantity])).toEqual([[3, 2]]);
    expect((await scan(2)).pickListScan.userErrors[0]!.code).toBe('OVER_PICK');
    const last = (await scan(1)).pickListScan;
    expect(last.userErrors).toEqual([]);
    expect(last.pickList!.completed).toBe(true);
    expect((await t.admin(OrderDocument, { id: other.id })).order!.fulfillmentOrders[0]!.status).toBe('PICKED');
    expect((await t.admin(InventoryLevelsDocument, { sku: item.sku, warehouseCode: 'PK1' })).inventoryLevels[0]!).toMatchObject({ onHand: 5, allocated: 1, bins: [{ quantity: 4 }] });
    const staged = await t.app.database.rows<{ s: number }>(
      sql`select coalesce(sum(quantity_delta), 0)::int as s from inventory_movements m join product_variants v on v.id = m.variant_id where v.sku = ${item.sku} and m.bin_id is null`,
    );
    expect(staged[0]!.s).toBe(1); // the other order's unit, picked and allocated
  });

  it('needs the fulfillment scopes', async () => {
    const k = await t.admin(ApiKeyCreateDocument, { input: { name: 'ro', kind: 'STAFF', scopes: ['read_orders'] } });
    const r = await t.gql(PickListCreateDocument, { input: { warehouseCode: 'PK1' } }, { token: k.apiKeyCreate.secret });
    expect(r.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});
