/**
 * No double spend under real concurrency (PostgreSQL only, like order-race.test.ts): concurrent
 * orderCreate calls redeeming the same customer's points succeed only as far as the balance goes;
 * the others get INSUFFICIENT_POINTS and leave nothing behind (no order, no reservation, no ledger
 * row), and balance = Σ ledger = Σ remaining of the lots afterwards.
 */
import { describe, expect, it } from 'vitest';
import { address, stockedStore } from '../factories/stock.js';
import { givePoints, ledgerSums, storedLoyalty } from '../factories/loyalty-redeem.js';
import { LrLevelsDocument, LrOrderCreateDocument, LrOrdersDocument } from '../generated/graphql.js';
import { freshPostgresDatabase, realPostgresUrl, startApp, type TestApp } from '../harness.js';

async function race(t: TestApp, sku: string, email: string, n: number, points: number) {
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      t.gql(LrOrderCreateDocument, {
        input: {
          channel: 'web',
          currency: 'RUB',
          deliveryType: 'COURIER',
          idempotencyKey: `race-${i}`,
          customer: { email },
          shippingAddress: address(),
          // 2 000.00 RUB: up to 600 points may be redeemed on each.
          lines: [{ sku, quantity: 1, unitPrice: { amountMinor: 2000_00, currency: 'RUB' } }],
          redeemPoints: points,
        },
      }),
    ),
  );
  expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
  const created = results.filter((r) => r.data!.orderCreate.order);
  const refused = results.filter((r) => !r.data!.orderCreate.order);
  return { created, refusedCodes: refused.map((r) => r.data!.orderCreate.userErrors.map((e) => e.code).join()) };
}

async function inStore(fn: (t: TestApp, sku: string) => Promise<void>) {
  const db = await freshPostgresDatabase(realPostgresUrl!);
  const t = await startApp({ databaseUrl: db.url, env: { DB_POOL_SIZE: '20' } });
  try {
    const [sku] = await stockedStore(t, { msk: [100], spb: [0] });
    await fn(t, sku!);
  } finally {
    await t.close();
    await db.drop();
  }
}

const allocated = async (t: TestApp, sku: string) => (await t.admin(LrLevelsDocument, { sku })).inventoryLevels.reduce((a, l) => a + l.allocated, 0);

describe.skipIf(!realPostgresUrl)('redemption race on PostgreSQL', () => {
  it("50 concurrent orders each redeeming the customer's whole balance: exactly one succeeds, 49 INSUFFICIENT_POINTS with nothing written", async () => {
    await inStore(async (t, sku) => {
      // Three lots (the debit consumes them in expiry order under the account row's lock).
      const customerId = await givePoints(t, 'whole@example.ru', [200, 150, 150], [30, 10, 200]);
      const { created, refusedCodes } = await race(t, sku, 'whole@example.ru', 50, 500);
      expect(created).toHaveLength(1);
      expect(refusedCodes).toEqual(Array(49).fill('INSUFFICIENT_POINTS'));
      expect(created[0]!.data!.orderCreate.order).toMatchObject({ pointsRedeemed: 500, discount: { amountMinor: 500_00 }, total: { amountMinor: 1500_00 } });

      expect((await t.admin(LrOrdersDocument, { first: 1 })).orders.totalCount).toBe(1);
      expect(await allocated(t, sku)).toBe(1);
      const after = await storedLoyalty(t, customerId);
      expect(after.balance).toBe(0);
      expect(after.ledger.map((e) => e.kind).sort()).toEqual(['ADJUST', 'ADJUST', 'ADJUST', 'REDEEM']);
      expect(after.ledger.find((e) => e.kind === 'REDEEM')).toMatchObject({ points: -500, orderId: expect.any(String) });
      expect(ledgerSums(after)).toEqual({ points: 0, remaining: 0 });
    });
  }, 120_000);

  it('20 concurrent orders each redeeming 10% of a balance of 70: exactly 7 succeed', async () => {
    await inStore(async (t, sku) => {
      const customerId = await givePoints(t, 'parts@example.ru', [25, 45], [5, 50]);
      const { created, refusedCodes } = await race(t, sku, 'parts@example.ru', 20, 10);
      expect(created).toHaveLength(7);
      expect(refusedCodes).toEqual(Array(13).fill('INSUFFICIENT_POINTS'));
      expect((await t.admin(LrOrdersDocument, { first: 1 })).orders.totalCount).toBe(7);
      expect(await allocated(t, sku)).toBe(7);
      const after = await storedLoyalty(t, customerId);
      expect(after.balance).toBe(0);
      const redeems = after.ledger.filter((e) => e.kind === 'REDEEM');
      expect(redeems).toHaveLength(7);
      expect(redeems.every((e) => e.points === -10)).toBe(true);
      expect(new Set(redeems.map((e) => e.orderId)).size).toBe(7);
      expect(ledgerSums(after)).toEqual({ points: 0, remaining: 0 });
    });
  }, 120_000);
});
