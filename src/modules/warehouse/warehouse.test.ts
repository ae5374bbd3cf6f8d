/** Warehouses, zones, bin grids, scans and warehouse restrictions, through GraphQL over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyCreateDocument,
  BinLocationsCreateCountDocument,
  BinLocationsCreateDocument,
  ProductCreateDocument,
  ScanBarcodeDocument,
  WarehouseCreateDocument,
  WarehouseDocument,
  WarehouseNodeDocument,
  WarehousesDocument,
  ZoneCreateDocument,
  type BinLocationsCreateInput,
  type ZoneCreateInput,
} from '../../../test/generated/graphql.js';
import { productInput } from '../../../test/factories/catalog.js';
import { addressInput, warehouseInput } from '../../../test/factories/warehouse.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { serpentine } from './warehouse.service.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => t?.close());

async function warehouse(code?: string) {
  const r = await t.admin(WarehouseCreateDocument, { input: warehouseInput(code ? { code } : {}) });
  expect(r.warehouseCreate.userErrors).toEqual([]);
  return r.warehouseCreate.warehouse!;
}

async function zone(warehouseCode: string, over: Partial<ZoneCreateInput> = {}) {
  const r = await t.admin(ZoneCreateDocument, { input: { warehouseCode, code: 'A', name: 'Pick A', kind: 'PICK', distanceRank: 1, ...over } });
  expect(r.zoneCreate.userErrors).toEqual([]);
  return r.zoneCreate.zone!;
}

const grid = (warehouseCode: string, over: Partial<BinLocationsCreateInput> = {}): BinLocationsCreateInput => ({
  warehouseCode,
  zoneCode: 'A',
  aisles: ['A', 'B', 'C'],
  racks: 4,
  levels: 2,
  positions: 3,
  ...over,
});

const binTotal = async (code: string) => (await t.admin(WarehouseDocument, { code, first: 1 })).warehouse?.bins.totalCount ?? 0;

async function key(scopes: string[], extra: { kind?: 'STAFF' | 'PARTNER'; warehouseCodes?: string[] } = {}) {
  const r = await t.admin(ApiKeyCreateDocument, { input: { name: `k-${scopes.join('+')}`, kind: extra.kind ?? 'STAFF', scopes, warehouseCodes: extra.warehouseCodes } });
  expect(r.apiKeyCreate.userErrors).toEqual([]);
  return r.apiKeyCreate.secret!;
}

describe('warehouseCreate, zoneCreate', () => {
  it('creates a warehouse with its address and a zone that links back to it', async () => {
    const input = warehouseInput({ name: 'Moscow South' });
    const { warehouseCreate } = await t.admin(WarehouseCreateDocument, { input });
    expect(warehouseCreate.userErrors).toEqual([]);
    expect(warehouseCreate.warehouse).toMatchObject({
      code: input.code,
      name: 'Moscow South',
      isActive: true,
      address: { city: 'Moscow', countryCode: 'RU', location: { lat: 55.7, lng: 37.62 } },
    });
    const z = await zone(input.code, { code: 'FP', kind: 'FAST_PICK', distanceRank: 0 });
    expect(z).toMatchObject({ code: 'FP', kind: 'FAST_PICK', distanceRank: 0, warehouse: { code: input.code } });
    const node = await t.admin(WarehouseNodeDocument, { id: warehouseCreate.warehouse!.id });
    expect(node.node).toMatchObject({ __typename: 'Warehouse', code: input.code });
    expect((await t.admin(WarehouseNodeDocument, { id: z.id })).node).toMatchObject({ __typename: 'Zone', code: 'FP' });
  });

  it('refuses bad input with stable codes and writes nothing', async () => {
    const taken = await warehouse();
    const before = (await t.admin(WarehousesDocument, {})).warehouses.length;

    const dup = await t.admin(WarehouseCreateDocument, { input: warehouseInput({ code: taken.code }) });
    expect(dup.warehouseCreate).toMatchObject({ warehouse: null, userErrors: [{ code: 'CODE_TAKEN', field: ['input', 'code'] }] });

    const bad = await t.admin(WarehouseCreateDocument, {
      input: warehouseInput({ code: 'msk', address: addressInput({ countryCode: 'Russia', city: ' ', location: { lat: 91, lng: 0 } }) }),
    });
    expect(bad.warehouseCreate.userErrors.map((e) => `${e.code}:${e.field?.join('.')}`).sort()).toEqual([
      'INVALID:input.address.city',
      'INVALID:input.address.countryCode',
      'INVALID:input.address.location.lat',
      'INVALID:input.code',
    ]);
    expect((await t.admin(WarehousesDocument, {})).warehouses.length).toBe(before);

    const noWh = await t.admin(ZoneCreateDocument, { input: { warehouseCode: 'NOPE', code: 'A', name: 'A', kind: 'PICK', distanceRank: 1 } });
    expect(noWh.zoneCreate).toMatchObject({ zone: null, userErrors: [{ code: 'NOT_FOUND', field: ['input', 'warehouseCode'] }] });
    await zone(taken.code);
    const dupZone = await t.admin(ZoneCreateDocument, { input: { warehouseCode: taken.code, code: 'A', name: 'Again', kind: 'BULK', distanceRank: 2 } });
    expect(dupZone.zoneCreate.userErrors).toEqual([expect.objectContaining({ code: 'CODE_TAKEN', field: ['input', 'code'] })]);
    const negative = await t.admin(ZoneCreateDocument, { input: { warehouseCode: taken.code, code: 'B', name: 'B', kind: 'BULK', distanceRank: -1 } });
    expect(negative.zoneCreate.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'distanceRank'] })]);
    const zones = (await t.admin(WarehousesDocument, {})).warehouses.find((w) => w.code === taken.code)!.zones;
    expect(zones.map((z) => z.code)).toEqual(['A']);
  });
});

describe('binLocationsCreate', () => {
  it('creates a 3 x 4 x 2 x 3 grid: 72 bins, unique barcodes, serpentine pick sequence', async () => {
    const wh = await warehouse();
    await zone(wh.code);
    const { binLocationsCreate } = await t.admin(BinLocationsCreateDocument, { input: grid(wh.code, { capacityUnits: 40 }) });
    expect(binLocationsCreate.userErrors).toEqual([]);
    const bins = binLocationsCreate.bins;
    expect(bins.length).toBe(72);
    expect(new Set(bins.map((b) => b.barcode)).size).toBe(72);
    expect(new Set(bins.map((b) => b.code)).size).toBe(72);
    for (const b of bins) {
      expect(b.code).toMatch(/^[ABC]-0[1-4]-0[12]-0[1-3]$/);
      expect(b.barcode).toBe(`${wh.code}-${b.code}`);
      expect(b.barcode).toMatch(/[A-Z]/);
      expect(b).toMatchObject({ capacityUnits: 40, zone: { code: 'A' } });
    }
    expect(bins.map((b) => b.pickSequence)).toEqual(Array.from({ length: 72 }, (_, i) => i + 1));
    expect(bins[0]!.code).toBe('A-01-01-01');
    const racksIn = (aisle: string) => [...new Set(bins.filter((b) => b.code.startsWith(`${aisle}-`)).map((b) => Number(b.code.split('-')[1])))];
    expect(racksIn('A')).toEqual([1, 2, 3, 4]);
    expect(racksIn('B')).toEqual([4, 3, 2, 1]);
    expect(racksIn('C')).toEqual([1, 2, 3, 4]);
    // Aisle A ends at rack 4; aisle B starts at rack 4, next to it.
    expect(bins[23]!.code.split('-')[1]).toBe('04');
    expect(bins[24]!.code).toBe('B-04-01-01');

    // The warehouse lists its bins in pick order, page by page.
    const p1 = await t.admin(WarehouseDocument, { code: wh.code, first: 30 });
    expect(p1.warehouse!.bins.totalCount).toBe(72);
    expect(p1.warehouse!.bins.nodes.map((b) => b.pickSequence)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(p1.warehouse!.bins.nodes[0]!.zone).toEqual({ code: 'A', warehouse: { code: wh.code } });
    const p3 = await t.admin(WarehouseDocument, { code: wh.code, first: 30, after: (await t.admin(WarehouseDocument, { code: wh.code, first: 30, after: p1.warehouse!.bins.pageInfo.endCursor })).warehouse!.bins.pageInfo.endCursor });
    expect(p3.warehouse!.bins.nodes.map((b) => b.pickSequence)).toEqual(Array.from({ length: 12 }, (_, i) => i + 61));
    expect(p3.warehouse!.bins.pageInfo.hasNextPage).toBe(false);

    const node = await t.admin(WarehouseNodeDocument, { id: bins[5]!.id });
    expect(node.node).toMatchObject({ __typename: 'BinLocation', code: bins[5]!.code });

    // A second grid continues the numbering after the warehouse's last bin.
    await zone(wh.code, { code: 'BULK', kind: 'BULK', distanceRank: 5 });
    const more = await t.admin(BinLocationsCreateDocument, { input: grid(wh.code, { zoneCode: 'BULK', aisles: ['D'], racks: 1, levels: 1, positions: 2 }) });
    expect(more.binLocationsCreate.bins.map((b) => [b.code, b.pickSequence, b.zone.code])).toEqual([
      ['D-01-01-01', 73, 'BULK'],
      ['D-01-01-02', 74, 'BULK'],
    ]);
  });

  it('creates 5,000 bins in a handful of SQL statements', async () => {
    const wh = await warehouse();
    await zone(wh.code);
    await t.gql(WarehousesDocument, {}); // warm the auth cache
    const r = await t.gql(BinLocationsCreateCountDocument, {
      input: grid(wh.code, { aisles: ['A', 'B', 'C', 'D', 'E'], racks: 25, levels: 4, positions: 10 }),
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.binLocationsCreate.userErrors).toEqual([]);
    expect(r.data!.binLocationsCreate.bins.length).toBe(5000);
    expect(r.data!.binLocationsCreate.bins.at(-1)!.pickSequence).toBe(5000);
    const statements = Number(r.headers.get('x-sql-statements'));
    expect(statements).toBeGreaterThan(0);
    expect(statements).toBeLessThanOrEqual(15);
    expect(await binTotal(wh.code)).toBe(5000);
  });

  it('numbers concurrent grids of one warehouse without overlap, and creates a contested grid once', async () => {
    const wh = await warehouse();
    await zone(wh.code);
    const run = (aisles: string[]) => t.admin(BinLocationsCreateCountDocument, { input: grid(wh.code, { aisles, racks: 5, levels: 2, positions: 2 }) });
    const disjoint = await Promise.all([['A'], ['B'], ['C'], ['D']].map(run));
    const seqs = disjoint.flatMap((r) => r.binLocationsCreate.bins.map((b) => b.pickSequence)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    const contested = await Promise.all(Array.from({ length: 4 }, () => run(['E'])));
    expect(contested.filter((r) => r.binLocationsCreate.bins.length === 20).length).toBe(1);
    expect(contested.filter((r) => r.binLocationsCreate.userErrors[0]?.code === 'BIN_EXISTS').length).toBe(3);
    expect(await binTotal(wh.code)).toBe(100);
  });

  it('refuses bad grids with stable codes and writes nothing', async () => {
    const wh = await warehouse();
    await zone(wh.code);
    await t.admin(BinLocationsCreateDocument, { input: grid(wh.code, { aisles: ['A'], racks: 2, levels: 1, positions: 1 }) });
    expect(await binTotal(wh.code)).toBe(2);
    const cases: [Partial<BinLocationsCreateInput>, string, string][] = [
      [{ warehouseCode: 'NO-SUCH' }, 'NOT_FOUND', 'input.warehouseCode'],
      [{ zoneCode: 'ZZ' }, 'NOT_FOUND', 'input.zoneCode'],
      [{ aisles: ['B', 'A'], racks: 3 }, 'BIN_EXISTS', 'input.aisles'], // A-01-01-01 exists; B bins would be new
      [{ racks: 0 }, 'INVALID', 'input.racks'],
      [{ aisles: [] }, 'INVALID', 'input.aisles'],
      [{ aisles: ['A-1'] }, 'INVALID', 'input.aisles.0'],
      [{ aisles: ['X', 'X'] }, 'INVALID', 'input.aisles.1'],
      [{ aisles: ['X'], racks: 99, levels: 99, positions: 99 }, 'INVALID', 'input.aisles'], // 970,299 > 20,000
      [{ aisles: ['X'], capacityUnits: 0 }, 'INVALID', 'input.capacityUnits'],
    ];
    for (const [over, code, field] of cases) {
      const r = await t.admin(BinLocationsCreateDocument, { input: grid(wh.code, over) });
      expect(r.binLocationsCreate.bins).toEqual([]);
      expect(r.binLocationsCreate.userErrors.map((e) => `${e.code}:${e.field?.join('.')}`)).toContain(`${code}:${field}`);
    }
    expect(await binTotal(wh.code)).toBe(2);
  });

  it('orders a grid serpentine: racks alternate direction aisle by aisle', () => {
    const cells = serpentine(['1', '2'], 3, 2, 2);
    expect(cells.length).toBe(24);
    expect([...new Set(cells.filter((c) => c.aisle === '1').map((c) => c.rack))]).toEqual([1, 2, 3]);
    expect([...new Set(cells.filter((c) => c.aisle === '2').map((c) => c.rack))]).toEqual([3, 2, 1]);
    expect(cells.slice(0, 4).map((c) => [c.level, c.position])).toEqual([[1, 1], [1, 2], [2, 1], [2, 2]]);
  });
});

describe('scanBarcode', () => {
  it('tells a product GTIN, a bin label and garbage apart, and never fails', async () => {
    const wh = await warehouse();
    await zone(wh.code);
    const bins = (await t.admin(BinLocationsCreateDocument, { input: grid(wh.code, { aisles: ['S'], racks: 1, levels: 1, positions: 2 }) })).binLocationsCreate.bins;
    const product = productInput();
    await t.admin(ProductCreateDocument, { input: product });
    const gtin = product.variants[0]!.gtin!;
    const scan = async (barcode: string, warehouseCode = wh.code) => {
      const r = await t.gql(ScanBarcodeDocument, { warehouseCode, barcode });
      expect(r.errors).toBeUndefined();
      return r.data!.scanBarcode;
    };
    expect(await scan(gtin)).toEqual({ kind: 'PRODUCT', variant: { sku: product.variants[0]!.sku }, bin: null });
    expect(await scan(` ${gtin}\r\n`)).toMatchObject({ kind: 'PRODUCT' });
    expect(await scan(bins[1]!.barcode)).toEqual({ kind: 'BIN', variant: null, bin: { code: 'S-01-01-02', barcode: bins[1]!.barcode, zone: { code: 'A' } } });
    const badCheck = gtin.slice(0, -1) + String((Number(gtin.at(-1)) + 1) % 10);
    for (const garbage of [badCheck, 'hello', '', '12345', '00000000000000000000', 'NO-SUCH-BIN']) {
      expect(await scan(garbage)).toEqual({ kind: 'UNKNOWN', variant: null, bin: null });
    }
    const other = await warehouse();
    expect((await scan(bins[0]!.barcode, other.code)).kind).toBe('UNKNOWN');
    expect((await scan(bins[0]!.barcode, 'NOWHERE')).kind).toBe('UNKNOWN');
  });
});

describe('access', () => {
  it('restricts a PARTNER key to its warehouses, and needs inventory scopes and a token', async () => {
    for (const code of ['MSK1', 'SPB1']) {
      await warehouse(code);
      await zone(code);
    }
    const spb = (await t.admin(WarehouseDocument, { code: 'SPB1' })).warehouse!;
    const partner = await key(['read_inventory', 'write_inventory'], { kind: 'PARTNER', warehouseCodes: ['MSK1'] });

    const list = await t.gql(WarehousesDocument, {}, { token: partner });
    expect(list.data!.warehouses.map((w) => w.code)).toEqual(['MSK1']);
    expect((await t.gql(WarehouseDocument, { code: 'SPB1' }, { token: partner })).data!.warehouse).toBeNull();
    expect((await t.gql(WarehouseDocument, { code: 'MSK1' }, { token: partner })).data!.warehouse!.code).toBe('MSK1');
    expect((await t.gql(WarehouseNodeDocument, { id: spb.id }, { token: partner })).data!.node).toBeNull();

    // Another warehouse answers exactly as a code that does not exist (never reveal existence).
    const hidden = await t.gql(ZoneCreateDocument, { input: { warehouseCode: 'SPB1', code: 'P', name: 'P', kind: 'PICK', distanceRank: 1 } }, { token: partner });
    expect(hidden.data!.zoneCreate.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'warehouseCode'], message: 'No warehouse with code SPB1.' }]);
    const gridHidden = await t.gql(BinLocationsCreateDocument, { input: grid('SPB1') }, { token: partner });
    expect(gridHidden.data!.binLocationsCreate.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    expect(await binTotal('SPB1')).toBe(0);
    const allowed = await t.gql(ZoneCreateDocument, { input: { warehouseCode: 'MSK1', code: 'P', name: 'P', kind: 'PICK', distanceRank: 1 } }, { token: partner });
    expect(allowed.data!.zoneCreate.zone!.code).toBe('P');

    const catalogOnly = await key(['read_catalog']);
    expect((await t.gql(WarehousesDocument, {}, { token: catalogOnly })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(ScanBarcodeDocument, { warehouseCode: 'MSK1', barcode: 'x' }, { token: catalogOnly })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const readOnly = await key(['read_inventory']);
    expect((await t.gql(ZoneCreateDocument, { input: { warehouseCode: 'MSK1', code: 'Q', name: 'Q', kind: 'PICK', distanceRank: 1 } }, { token: readOnly })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(WarehousesDocument, {}, { token: null })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
