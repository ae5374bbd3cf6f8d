/**
 * transferOrderShip under real concurrency on PostgreSQL: concurrent ships of transfers that
 * together exceed the source's stock never take it below zero, exactly the ones that fit succeed
 * and the rest stay DRAFT with INSUFFICIENT_STOCK; a ship racing order intake never takes units
 * the orders were allocated.
 */
import { describe, expect, it } from 'vitest';
import { address, stockedStore } from '../../../test/factories/stock.js';
import { productInput } from '../../../test/factories/catalog.js';
import { InventoryReceiveDocument, ProductCreateDocument, TrCreateDocument, TrLevelsDocument, TrMovementsDocument, TrOrderCreateDocument, TrShipDocument, TrTransferDocument } from '../../../test/generated/graphql.js';
import { freshPostgresDatabase, realPostgresUrl, startApp, type TestApp } from '../../../test/harness.js';

async function levels(t: TestApp, sku: string) {
  const out: Record<string, { onHand: number; allocated: number; available: number; incoming: number }> = {};
  for (const l of (await t.admin(TrLevelsDocument, { sku })).inventoryLevels) out[l.warehouse.code] = { onHand: l.onHand, allocated: l.allocated, available: l.available, incoming: l.incoming };
  return out;
}

async function draft(t: TestApp, sku: string, quantity: number) {
  const r = (await t.admin(TrCreateDocument, { input: { fromWarehouseCode: 'MSK1', toWarehouseCode: 'SPB1', lines: [{ sku, quantity }] } })).transferOrderCreate;
  expect(r.userErrors).toEqual([]);
  return r.transferOrder!;
}

describe.skipIf(!realPostgresUrl)('transferOrderShip race on PostgreSQL', () => {
  it('12 concurrent ships of 3 units against 20 on hand (2 of them allocated): exactly 6 ship, 6 stay DRAFT with INSUFFICIENT_STOCK', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const t = await startApp({ databaseUrl: db.url, env: { DB_POOL_SIZE: '20' } });
    try {
      const [sku] = await stockedStore(t, { msk: [20], spb: [0] });
      const order = (await t.admin(TrOrderCreateDocument, {
        input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'race-alloc@example.ru' }, shippingAddress: address(), lines: [{ sku: sku!, quantity: 2 }] },
      })).orderCreate;
      expect(order.order?.status).toBe('ALLOCATED');
      const drafts = [];
      for (let i = 0; i < 12; i++) drafts.push(await draft(t, sku!, 3));
      const results = await Promise.all(drafts.map((d) => t.gql(TrShipDocument, { input: { id: d.id } })));
      expect(results.every((r) => !r.errors)).toBe(true);
      const shipped = results.filter((r) => r.data!.transferOrderShip.transferOrder);
      const refused = results.filter((r) => !r.data!.transferOrderShip.transferOrder).map((r) => r.data!.transferOrderShip.userErrors.map((e) => e.code));
      expect(shipped).toHaveLength(6);
      expect(refused).toEqual(Array.from({ length: 6 }, () => ['INSUFFICIENT_STOCK']));
      const ls = await levels(t, sku!);
      expect(ls.MSK1).toEqual({ onHand: 2, allocated: 2, available: 0, incoming: 0 });
      expect(ls.SPB1).toMatchObject({ onHand: 0, incoming: 18 });
      const statuses = await Promise.all(drafts.map(async (d) => (await t.admin(TrTransferDocument, { id: d.id })).transferOrder!.status));
      expect(statuses.filter((s) => s === 'IN_TRANSIT')).toHaveLength(6);
      expect(statuses.filter((s) => s === 'DRAFT')).toHaveLength(6);
      const moves = (await t.admin(TrMovementsDocument, { sku: sku!, warehouseCode: 'MSK1' })).inventoryMovements.nodes.filter((m) => m.reason === 'TRANSFER');
      expect(moves.reduce((s, m) => s + m.quantityDelta, 0)).toBe(-18);
    } finally {
      await t.close();
      await db.drop();
    }
  }, 120_000);

  it('a ship racing 12 one-unit orders for the same 10 units: allocations plus shipped never exceed on hand, in any interleaving', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const t = await startApp({ databaseUrl: db.url, env: { DB_POOL_SIZE: '20' } });
    try {
      let shippedRounds = 0;
      const [first] = await stockedStore(t, { msk: [10], spb: [0] });
      for (let round = 0; round < 4; round++) {
        let sku = first!;
        if (round > 0) {
          const p = productInput();
          await t.admin(ProductCreateDocument, { input: p });
          sku = p.variants[0]!.sku;
          await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', lines: [{ sku, quantity: 10 }] } });
        }
        const tr = await draft(t, sku, 6);
        const order = (i: number) =>
          t.gql(TrOrderCreateDocument, {
            input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: `race-${round}-${i}@example.ru` }, shippingAddress: address(), lines: [{ sku, quantity: 1 }] },
          });
        // Round 0: the ship gets a head start; round 1: the orders do; then both at once.
        const headStart = (ms: number) => new Promise((r) => setTimeout(r, ms));
        const ship = (round === 1 ? headStart(40) : Promise.resolve()).then(() => t.gql(TrShipDocument, { input: { id: tr.id } }));
        if (round === 0) await headStart(40);
        const [orders, shipResult] = await Promise.all([Promise.all(Array.from({ length: 12 }, (_, i) => order(i))), ship]);
        expect(orders.every((r) => !r.errors) && !shipResult.errors).toBe(true);
        const allocatedOrders = orders.filter((r) => r.data!.orderCreate.order?.status === 'ALLOCATED').length;
        const shipped = !!shipResult.data!.transferOrderShip.transferOrder;
        if (!shipped) expect(shipResult.data!.transferOrderShip.userErrors.map((e) => e.code)).toEqual(['INSUFFICIENT_STOCK']);
        else shippedRounds++;
        const ls = await levels(t, sku);
        expect(ls.MSK1!.onHand).toBe(10 - (shipped ? 6 : 0));
        expect(ls.MSK1!.allocated).toBe(allocatedOrders);
        expect(ls.MSK1!.available).toBeGreaterThanOrEqual(0);
        expect(allocatedOrders + (shipped ? 6 : 0)).toBeLessThanOrEqual(10);
        expect((await t.admin(TrTransferDocument, { id: tr.id })).transferOrder!.status).toBe(shipped ? 'IN_TRANSIT' : 'DRAFT');
        expect(ls.SPB1?.incoming ?? 0).toBe(shipped ? 6 : 0);
      }
      // Not vacuous: the ship won at least once (it starts 40 ms early in the first round).
      expect(shippedRounds).toBeGreaterThan(0);
    } finally {
      await t.close();
      await db.drop();
    }
  }, 180_000);

  it('ships in both directions racing orders that may split over both warehouses: no deadlock, no oversell, units conserved', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const t = await startApp({ databaseUrl: db.url, env: { DB_POOL_SIZE: '20' } });
    try {
      const [sku] = await stockedStore(t, { msk: [20], spb: [20] });
      const drafts = [];
      for (let i = 0; i < 8; i++) {
        const r = (await t.admin(TrCreateDocument, { input: { fromWarehouseCode: i % 2 ? 'SPB1' : 'MSK1', toWarehouseCode: i % 2 ? 'MSK1' : 'SPB1', lines: [{ sku: sku!, quantity: 3 }] } })).transferOrderCreate;
        drafts.push(r.transferOrder!);
      }
      // Orders of 12: more than one warehouse keeps once a few have shipped, so some split.
      const [ships, orders] = await Promise.all([
        Promise.all(drafts.map((d) => t.gql(TrShipDocument, { input: { id: d.id } }))),
        Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            t.gql(TrOrderCreateDocument, {
              input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: `split-${i}@example.ru` }, shippingAddress: address(), lines: [{ sku: sku!, quantity: 12 }] },
            }),
          ),
        ),
      ]);
      // A deadlock would surface as a GraphQL error (a fault), not a userError.
      expect(ships.every((r) => !r.errors) && orders.every((r) => !r.errors)).toBe(true);
      for (const r of ships) expect(r.data!.transferOrderShip.userErrors.map((e) => e.code)).toEqual(r.data!.transferOrderShip.transferOrder ? [] : ['INSUFFICIENT_STOCK']);
      const ls = await levels(t, sku!);
      const inTransit = (ls.MSK1!.incoming ?? 0) + (ls.SPB1!.incoming ?? 0);
      expect(ls.MSK1!.onHand + ls.SPB1!.onHand + inTransit).toBe(40);
      const shipped = ships.filter((r) => r.data!.transferOrderShip.transferOrder).length;
      expect(inTransit).toBe(shipped * 3);
      for (const l of [ls.MSK1!, ls.SPB1!]) {
        expect(l.allocated).toBeLessThanOrEqual(l.onHand);
        expect(l.available).toBeGreaterThanOrEqual(0);
      }
      const allocated = orders.filter((r) => r.data!.orderCreate.order?.status === 'ALLOCATED').length;
      expect(ls.MSK1!.allocated + ls.SPB1!.allocated).toBe(allocated * 12);
    } finally {
      await t.close();
      await db.drop();
    }
  }, 120_000);
});
