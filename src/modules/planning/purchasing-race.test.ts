/** Purchase order receipts under real concurrency on PostgreSQL: the last units of a line are received exactly once. */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  BinLocationsCreateDocument,
  PoCancelDocument,
  PoCreateDocument,
  PoGetDocument,
  PoReceiveDocument,
  PoSendDocument,
  PoStockDocument,
  PoSupplierCreateDocument,
  ProductCreateDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
} from '../../../test/generated/graphql.js';
import { productInput } from '../../../test/factories/catalog.js';
import { freshPostgresDatabase, realPostgresUrl, startApp, type TestApp } from '../../../test/harness.js';

async function setup(t: TestApp, quantity: number) {
  const p = productInput();
  await t.admin(ProductCreateDocument, { input: p });
  const sku = p.variants[0]!.sku;
  await t.admin(WarehouseCreateDocument, { input: { code: 'RACE1', name: 'Race', address: { line1: 'Складская 1', city: 'Москва', postalCode: '101000', countryCode: 'RU', location: { lat: 55.75, lng: 37.61 } } } });
  await t.admin(ZoneCreateDocument, { input: { warehouseCode: 'RACE1', code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
  await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: 'RACE1', zoneCode: 'P', aisles: ['A'], racks: 2, levels: 1, positions: 5 } });
  await t.admin(PoSupplierCreateDocument, { input: { code: 'RACE', name: 'Race', currency: 'RUB', leadTimeDays: 3 } });
  const po = (await t.admin(PoCreateDocument, { input: { supplierCode: 'RACE', warehouseCode: 'RACE1', lines: [{ sku, quantity, unitCost: { amountMinor: 1_00, currency: 'RUB' } }] } })).purchaseOrderCreate.purchaseOrder!;
  await t.admin(PoSendDocument, { input: { id: po.id } });
  return { sku, po };
}

describe.skipIf(!realPostgresUrl)('purchase order receipt races on PostgreSQL', () => {
  it('20 concurrent receipts of the last 2 units of a line: exactly one wins, the others are OVER_RECEIPT with nothing written', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const t = await startApp({ databaseUrl: db.url, env: { DB_POOL_SIZE: '20' } });
    try {
      const { sku, po } = await setup(t, 10);
      expect((await t.admin(PoReceiveDocument, { input: { id: po.id, lines: [{ barcode: sku, quantity: 8 }] } })).purchaseOrderReceive.userErrors).toEqual([]);
      const results = await Promise.all(Array.from({ length: 20 }, () => t.gql(PoReceiveDocument, { input: { id: po.id, lines: [{ barcode: sku, quantity: 2 }] } })));
      expect(results.every((r) => !r.errors)).toBe(true);
      const won = results.filter((r) => r.data!.purchaseOrderReceive.purchaseOrder);
      const lost = results.filter((r) => !r.data!.purchaseOrderReceive.purchaseOrder).map((r) => r.data!.purchaseOrderReceive.userErrors.map((e) => e.code));
      expect(won).toHaveLength(1);
      // Losers either waited for the row lock and saw RECEIVED, or were refused before it.
      for (const codes of lost) expect(codes.length === 1 && ['OVER_RECEIPT', 'INVALID_STATE_TRANSITION'].includes(codes[0]!)).toBe(true);
      const final = (await t.admin(PoGetDocument, { id: po.id })).purchaseOrder!;
      expect(final.status).toBe('RECEIVED');
      expect(final.lines.map((l) => l.receivedQuantity)).toEqual([10]);
      expect(final.events.map((e) => e.status)).toEqual(['DRAFT', 'SENT', 'PARTIALLY_RECEIVED', 'RECEIVED']);
      const s = await t.admin(PoStockDocument, { sku, warehouseCode: 'RACE1' });
      expect(s.inventoryLevels[0]).toMatchObject({ onHand: 10, incoming: 0 });
      expect(s.inventoryMovements.nodes.map((m) => m.quantityDelta).sort((a, b) => a - b)).toEqual([2, 8]);
      const [inbound] = await t.app.database.rows<{ expected: number; received: number }>(sql`select expected, received from inbound_lines where reference = ${final.number}`);
      expect(inbound).toEqual({ expected: 10, received: 10 });
    } finally {
      await t.close();
      await db.drop();
    }
  }, 120_000);

  it('concurrent partial receipts of one order all count, and a concurrent cancel leaves incoming equal to what is still open', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const t = await startApp({ databaseUrl: db.url, env: { DB_POOL_SIZE: '20' } });
    try {
      const { sku, po } = await setup(t, 100);
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => t.gql(PoReceiveDocument, { input: { id: po.id, lines: [{ barcode: sku, quantity: 5 }] } })),
        t.gql(PoCancelDocument, { input: { id: po.id } }),
      ]);
      expect(results.every((r) => !r.errors)).toBe(true);
      const received = results.slice(0, 10).filter((r) => (r.data as { purchaseOrderReceive: { purchaseOrder: unknown } }).purchaseOrderReceive.purchaseOrder).length;
      const final = (await t.admin(PoGetDocument, { id: po.id })).purchaseOrder!;
      expect(final.status).toBe('CANCELLED');
      expect(final.lines[0]!.receivedQuantity).toBe(received * 5);
      const s = await t.admin(PoStockDocument, { sku, warehouseCode: 'RACE1' });
      // Units received before the cancel are on hand; nothing stays incoming after it.
      expect(s.inventoryLevels[0]).toMatchObject({ onHand: received * 5, incoming: 0 });
    } finally {
      await t.close();
      await db.drop();
    }
  }, 120_000);
});
