/** Inventory through GraphQL over real HTTP and WebSocket: receive/putaway, move, adjust, count, channels, access. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyCreateDocument,
  BinLocationsCreateDocument,
  ChannelStockSyncDocument,
  CycleCountSubmitDocument,
  InventoryAdjustDocument,
  InventoryInboundCreateDocument,
  InventoryLevelsDocument,
  InventoryMoveDocument,
  InventoryMovementsDocument,
  InventoryReceiveDocument,
  ProductCreateDocument,
  VariantStockDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
} from '../../../test/generated/graphql.js';
import { productInput, variantInput } from '../../../test/factories/catalog.js';
import { collect, settle, startApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;
const address = { line1: 'ул. Складская, 1', city: 'Москва', postalCode: '101000', countryCode: 'RU', location: { lat: 55.75, lng: 37.62 } };
const skus: string[] = [];
const gtins: string[] = [];
let heavySku = '';

async function warehouse(code: string) {
  await t.admin(WarehouseCreateDocument, { input: { code, name: code, address } });
  const zones: [string, 'FAST_PICK' | 'PICK' | 'BULK' | 'OVERSIZE', number][] = [
    ['F', 'FAST_PICK', 0],
    ['P', 'PICK', 1],
    ['B', 'BULK', 2],
    ['O', 'OVERSIZE', 3],
  ];
  for (const [zc, kind, rank] of zones) {
    const z = await t.admin(ZoneCreateDocument, { input: { warehouseCode: code, code: zc, name: kind, kind, distanceRank: rank } });
    expect(z.zoneCreate.userErrors).toEqual([]);
    const b = await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: code, zoneCode: zc, aisles: [zc], racks: 2, levels: 1, positions: 2, capacityUnits: 100 } });
    expect(b.binLocationsCreate.userErrors).toEqual([]);
  }
}
const bin = (wh: string, zone: string, rack = 1, pos = 1) => `${wh}-${zone}-0${rack}-01-0${pos}`;

beforeAll(async () => {
  t = await startApp();
  for (let i = 0; i < 4; i++) {
    const p = productInput({}, 1);
    skus.push(p.variants[0]!.sku);
    gtins.push(p.variants[0]!.gtin!);
    await t.admin(ProductCreateDocument, { input: p });
  }
  const heavy = productInput({ variants: [variantInput({ weightGrams: 35_000 })] });
  heavySku = heavy.variants[0]!.sku;
  await t.admin(ProductCreateDocument, { input: heavy });
  await warehouse('MSK1');
  await warehouse('SPB1');
});
afterAll(async () => t?.close());

const level = async (sku: string, wh: string) => (await t.admin(InventoryLevelsDocument, { sku, warehouseCode: wh })).inventoryLevels[0];

async function ledgerMatches() {
  const bad = await t.app.database.rows(sql`
    select l.variant_id from inventory_levels l
    left join (select variant_id, warehouse_id, sum(quantity_delta)::int as s from inventory_movements group by 1, 2) m
      on m.variant_id = l.variant_id and m.warehouse_id = l.warehouse_id
    where coalesce(m.s, 0) <> l.on_hand`);
  const badBins = await t.app.database.rows(sql`
    select b.bin_id from bin_stock b
    left join (select bin_id, variant_id, sum(quantity_delta)::int as s from inventory_movements where bin_id is not null group by 1, 2) m
      on m.bin_id = b.bin_id and m.variant_id = b.variant_id
    where coalesce(m.s, 0) <> b.quantity`);
  expect(bad).toEqual([]);
  expect(badBins).toEqual([]);
}

describe('receiving and putaway', () => {
  it('receives into a named bin and writes RECEIPT movements', async () => {
    const r = await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'P'), reference: 'PO-1', lines: [{ sku: skus[0]!, quantity: 10 }] } });
    expect(r.inventoryReceive.userErrors).toEqual([]);
    expect(r.inventoryReceive.movements).toEqual([
      expect.objectContaining({ quantityDelta: 10, reason: 'RECEIPT', reference: 'PO-1', bin: { code: 'P-01-01-01', zone: { kind: 'PICK' } }, variant: { sku: skus[0] } }),
    ]);
    expect(await level(skus[0]!, 'MSK1')).toMatchObject({ onHand: 10, allocated: 0, available: 10, bins: [{ bin: { code: 'P-01-01-01' }, quantity: 10 }] });
    await ledgerMatches();
  });

  it('puts away without a bin: the bin holding the SKU first, else the zone of its class, oversize to OVERSIZE', async () => {
    const same = await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', lines: [{ sku: skus[0]!, quantity: 5 }] } });
    expect(same.inventoryReceive.movements[0]!.bin!.code).toBe('P-01-01-01');
    // No pick history: class C -> BULK, nearest bin first.
    const fresh = await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', lines: [{ barcode: gtins[1]!, quantity: 7 }] } });
    expect(fresh.inventoryReceive.movements[0]!.bin).toEqual({ code: 'B-01-01-01', zone: { kind: 'BULK' } });
    const heavy = await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', lines: [{ sku: heavySku, quantity: 2 }] } });
    expect(heavy.inventoryReceive.movements[0]!.bin!.zone.kind).toBe('OVERSIZE');
    await ledgerMatches();
  });

  it('refuses bad input with a stable code and writes nothing', async () => {
    const before = (await t.admin(InventoryMovementsDocument, { first: 1 })).inventoryMovements.totalCount;
    const cases: [Record<string, unknown>, string][] = [
      [{ warehouseCode: 'NOPE', lines: [{ sku: skus[0], quantity: 1 }] }, 'NOT_FOUND'],
      [{ warehouseCode: 'MSK1', binBarcode: 'NO-SUCH-BIN', lines: [{ sku: skus[0], quantity: 1 }] }, 'NOT_FOUND'],
      [{ warehouseCode: 'MSK1', binBarcode: bin('SPB1', 'P'), lines: [{ sku: skus[0], quantity: 1 }] }, 'NOT_FOUND'],
      [{ warehouseCode: 'MSK1', lines: [{ sku: 'UNKNOWN-SKU', quantity: 1 }] }, 'NOT_FOUND'],
      [{ warehouseCode: 'MSK1', lines: [{ sku: skus[0], quantity: 0 }] }, 'INVALID'],
      [{ warehouseCode: 'MSK1', lines: [{ sku: skus[0], quantity: -3 }] }, 'INVALID'],
      [{ warehouseCode: 'MSK1', lines: [{ sku: skus[0], barcode: gtins[0], quantity: 1 }] }, 'INVALID'],
      [{ warehouseCode: 'MSK1', lines: [{ barcode: '4006381333932', quantity: 1 }] }, 'INVALID_BARCODE'],
      [{ warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'F', 2, 2), lines: [{ sku: skus[2], quantity: 101 }] }, 'BIN_FULL'],
      [{ warehouseCode: 'MSK1', lines: [{ sku: skus[0], quantity: 1 }, { sku: skus[3], quantity: 5000 }] }, 'NO_BIN_AVAILABLE'],
    ];
    for (const [input, code] of cases) {
      const r = await t.admin(InventoryReceiveDocument, { input: input as never });
      expect(r.inventoryReceive.userErrors[0]?.code, JSON.stringify(input)).toBe(code);
      expect(r.inventoryReceive.movements).toEqual([]);
    }
    expect((await t.admin(InventoryMovementsDocument, { first: 1 })).inventoryMovements.totalCount).toBe(before);
  });
});

describe('moves, adjustments and counts', () => {
  it('moves between bins, refusing more than the bin holds', async () => {
    const ok = await t.admin(InventoryMoveDocument, { input: { warehouseCode: 'MSK1', fromBinBarcode: bin('MSK1', 'P'), toBinBarcode: bin('MSK1', 'F'), lines: [{ sku: skus[0]!, quantity: 4 }] } });
    expect(ok.inventoryMove.movements.map((m) => [m.quantityDelta, m.reason, m.bin!.code])).toEqual([
      [-4, 'MOVE', 'P-01-01-01'],
      [4, 'MOVE', 'F-01-01-01'],
    ]);
    expect((await level(skus[0]!, 'MSK1'))!.onHand).toBe(15);
    const tooMany = await t.admin(InventoryMoveDocument, { input: { warehouseCode: 'MSK1', fromBinBarcode: bin('MSK1', 'P'), toBinBarcode: bin('MSK1', 'F'), lines: [{ sku: skus[0]!, quantity: 20 }] } });
    expect(tooMany.inventoryMove.userErrors[0]!.code).toBe('INSUFFICIENT_STOCK');
    const otherWh = await t.admin(InventoryMoveDocument, { input: { warehouseCode: 'MSK1', fromBinBarcode: bin('MSK1', 'P'), toBinBarcode: bin('SPB1', 'F'), lines: [{ sku: skus[0]!, quantity: 1 }] } });
    expect(otherWh.inventoryMove.userErrors[0]!.code).toBe('NOT_FOUND');
    expect((await level(skus[0]!, 'MSK1'))!.bins.map((b) => [b.bin.code, b.quantity]).sort()).toEqual([
      ['F-01-01-01', 4],
      ['P-01-01-01', 11],
    ]);
    await ledgerMatches();
  });

  it('adjusts with a reason and refuses a zero delta or taking more than there is', async () => {
    const ok = await t.admin(InventoryAdjustDocument, { input: { warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'F'), sku: skus[0]!, quantityDelta: -1, reason: 'WRITE_OFF', reference: 'damaged' } });
    expect(ok.inventoryAdjust.movement).toEqual({ quantityDelta: -1, reason: 'WRITE_OFF', reference: 'damaged' });
    const zero = await t.admin(InventoryAdjustDocument, { input: { warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'F'), sku: skus[0]!, quantityDelta: 0, reason: 'ADJUSTMENT' } });
    expect(zero.inventoryAdjust.userErrors[0]!.code).toBe('INVALID');
    const tooMuch = await t.admin(InventoryAdjustDocument, { input: { warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'F'), sku: skus[0]!, quantityDelta: -50, reason: 'ADJUSTMENT' } });
    expect(tooMuch.inventoryAdjust.userErrors[0]!.code).toBe('INSUFFICIENT_STOCK');
    expect((await level(skus[0]!, 'MSK1'))!.onHand).toBe(14);
    // A scanned GTIN works where the SKU goes; a bad check digit is INVALID_BARCODE.
    const scanned = await t.admin(InventoryAdjustDocument, { input: { warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'F'), sku: gtins[0]!, quantityDelta: 1, reason: 'ADJUSTMENT' } });
    expect(scanned.inventoryAdjust.movement!.quantityDelta).toBe(1);
    const badScan = await t.admin(InventoryAdjustDocument, { input: { warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'F'), sku: '4006381333932', quantityDelta: 1, reason: 'ADJUSTMENT' } });
    expect(badScan.inventoryAdjust.userErrors[0]).toMatchObject({ code: 'INVALID_BARCODE', field: ['input', 'sku'] });
    await t.admin(InventoryAdjustDocument, { input: { warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'F'), sku: skus[0]!, quantityDelta: -1, reason: 'ADJUSTMENT' } });
    expect((await level(skus[0]!, 'MSK1'))!.onHand).toBe(14);
    await ledgerMatches();
  });

  it('counts a bin: SKUs missing from the count are 0, differences become CYCLE_COUNT movements', async () => {
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'P', 2, 1), lines: [{ sku: skus[2]!, quantity: 6 }, { sku: skus[3]!, quantity: 3 }] } });
    const r = await t.admin(CycleCountSubmitDocument, { input: { warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'P', 2, 1), counts: [{ barcode: gtins[2]!, quantity: 5 }] } });
    expect(r.cycleCountSubmit.userErrors).toEqual([]);
    expect(r.cycleCountSubmit.discrepancies).toEqual(
      expect.arrayContaining([
        { variant: { sku: skus[2] }, expected: 6, counted: 5 },
        { variant: { sku: skus[3] }, expected: 3, counted: 0 },
      ]),
    );
    expect(r.cycleCountSubmit.movements.map((m) => m.quantityDelta).sort()).toEqual([-1, -3]);
    expect(r.cycleCountSubmit.movements.every((m) => m.reason === 'CYCLE_COUNT')).toBe(true);
    await ledgerMatches();
  });
});

describe('unified availability', () => {
  it('sums warehouses and lists channel stock apart; a sync replaces the previous figure', async () => {
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'SPB1', binBarcode: bin('SPB1', 'P'), lines: [{ sku: skus[0]!, quantity: 3 }] } });
    await t.admin(ChannelStockSyncDocument, { input: { channel: 'ozon', lines: [{ sku: skus[0]!, quantity: 40 }] } });
    const again = await t.admin(ChannelStockSyncDocument, { input: { channel: 'ozon', lines: [{ sku: skus[0]!, quantity: 12 }] } });
    expect(again.channelStockSync).toEqual({ updated: 1, userErrors: [] });
    const bad = await t.admin(ChannelStockSyncDocument, { input: { channel: 'ozon', lines: [{ sku: 'NOPE', quantity: 1 }] } });
    expect(bad.channelStockSync.userErrors[0]!.code).toBe('NOT_FOUND');
    const s = (await t.admin(VariantStockDocument, { sku: skus[0]! })).productVariant!.stock;
    expect(s).toMatchObject({ onHand: 17, allocated: 0, available: 17, incoming: 0 });
    expect(s.levels.map((l) => [l.warehouse.code, l.onHand]).sort()).toEqual([
      ['MSK1', 14],
      ['SPB1', 3],
    ]);
    expect(s.channels).toEqual([expect.objectContaining({ channel: 'ozon', quantity: 12 })]);
  });
});

describe('incoming', () => {
  it('counts announced goods as incoming until a receipt with the same reference consumes them', async () => {
    const r = await t.admin(InventoryInboundCreateDocument, {
      input: { warehouseCode: 'SPB1', reference: 'PO-77', expectedAt: '2026-12-01T10:00:00.000Z', lines: [{ sku: skus[2]!, quantity: 30 }, { barcode: gtins[3]!, quantity: 5 }] },
    });
    expect(r.inventoryInboundCreate).toEqual({ lines: 2, userErrors: [] });
    expect(await level(skus[2]!, 'SPB1')).toMatchObject({ onHand: 0, incoming: 30, available: 0 });
    expect((await t.admin(VariantStockDocument, { sku: skus[2]! })).productVariant!.stock.incoming).toBe(30);
    // A partial receipt against the PO, then the rest; an unrelated receipt leaves incoming alone.
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'SPB1', binBarcode: bin('SPB1', 'B'), reference: 'PO-77', lines: [{ sku: skus[2]!, quantity: 12 }] } });
    expect(await level(skus[2]!, 'SPB1')).toMatchObject({ onHand: 12, incoming: 18 });
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'SPB1', binBarcode: bin('SPB1', 'B'), reference: 'OTHER', lines: [{ sku: skus[2]!, quantity: 1 }] } });
    expect((await level(skus[2]!, 'SPB1'))!.incoming).toBe(18);
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'SPB1', binBarcode: bin('SPB1', 'B'), reference: 'PO-77', lines: [{ sku: skus[2]!, quantity: 25 }] } });
    expect(await level(skus[2]!, 'SPB1')).toMatchObject({ onHand: 38, incoming: 0 });
    expect((await level(skus[3]!, 'SPB1'))!.incoming).toBe(5);
    const bad = await t.admin(InventoryInboundCreateDocument, { input: { warehouseCode: 'SPB1', reference: ' ', lines: [{ sku: skus[2]!, quantity: 1 }] } });
    expect(bad.inventoryInboundCreate.userErrors[0]!.code).toBe('INVALID');
    await ledgerMatches();
  });
});

describe('real time and access', () => {
  it('streams inventoryLevelChanged over graphql-ws after each committed change, filtered by warehouse', async () => {
    const sub = collect<{ inventoryLevelChanged: { level: { onHand: number; warehouse: { code: string }; variant: { sku: string } } } }>(
      t.ws(),
      'subscription($w: String) { inventoryLevelChanged(warehouseCode: $w) { occurredAt level { onHand warehouse { code } variant { sku } } } }',
      { w: 'SPB1' },
    );
    await settle();
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', binBarcode: bin('MSK1', 'P'), lines: [{ sku: skus[1]!, quantity: 1 }] } });
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'SPB1', binBarcode: bin('SPB1', 'P'), lines: [{ sku: skus[1]!, quantity: 2 }] } });
    const items = await sub.next(1);
    await settle(300);
    expect(items.map((i) => i.data!.inventoryLevelChanged.level)).toEqual([{ onHand: 2, warehouse: { code: 'SPB1' }, variant: { sku: skus[1] } }]);
    sub.dispose();
  });

  it('a PARTNER restricted to SPB1 sees only SPB1, and MSK1 answers it as a warehouse that does not exist', async () => {
    const k = await t.admin(ApiKeyCreateDocument, { input: { name: '3PL', kind: 'PARTNER', scopes: ['write_inventory', 'read_catalog'], warehouseCodes: ['SPB1'] } });
    const token = k.apiKeyCreate.secret!;
    const levels = await t.gql(InventoryLevelsDocument, { sku: skus[0]! }, { token });
    expect(levels.data!.inventoryLevels.map((l) => l.warehouse.code)).toEqual(['SPB1']);
    const stock = await t.gql(VariantStockDocument, { sku: skus[0]! }, { token });
    expect(stock.data!.productVariant!.stock.onHand).toBe(3);
    const write = await t.gql(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', lines: [{ sku: skus[0]!, quantity: 1 }] } }, { token });
    expect(write.data!.inventoryReceive.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'warehouseCode'], message: 'No warehouse with code MSK1.' }]);
    const own = await t.gql(InventoryReceiveDocument, { input: { warehouseCode: 'SPB1', binBarcode: bin('SPB1', 'B'), lines: [{ sku: skus[0]!, quantity: 1 }] } }, { token });
    expect(own.data!.inventoryReceive.userErrors).toEqual([]);
    const reader = await t.admin(ApiKeyCreateDocument, { input: { name: 'r', kind: 'STAFF', scopes: ['read_inventory'] } });
    const denied = await t.gql(InventoryReceiveDocument, { input: { warehouseCode: 'SPB1', lines: [{ sku: skus[0]!, quantity: 1 }] } }, { token: reader.apiKeyCreate.secret });
    expect(denied.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const anon = await t.gql(InventoryLevelsDocument, {}, { token: null });
    expect(anon.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });
});
