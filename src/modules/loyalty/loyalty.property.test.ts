/**
 * Property test of the points ledger (issue 16): random sequences of deliveries (EARN, sometimes
 * twice), refunds (REVERSAL), redemptions, staff adjustments (with repeated idempotency keys), clock
 * jumps and expiry passes, run through the real flows on the ledger service, checked against a
 * model of the lots after every step:
 * - balance = Σ points of the ledger = Σ remaining of the lots ≥ 0;
 * - no point spent twice: what the lots lost is exactly what the debits took;
 * - expired points are never spent (every lot's remaining matches a model that only spends
 *   unexpired lots, soonest expiry first, and writes expired ones off first);
 * - an order's reversals never exceed what it earned; a delivered order earns once.
 * On PGlite, and on PostgreSQL too when DATABASE_URL is set.
 */
import fc from 'fast-check';
import { and, eq, inArray } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, realPostgresUrl } from '../../../test/harness.js';
import type { Config } from '../../config.js';
import { openDatabase, type Database } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { transact } from '../../events/outbox.js';
import { ManualClock } from '../../shared/clock.js';
import { BusinessError } from '../../shared/errors.js';
import { Extensions } from '../../shared/extensions.js';
import { money } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { customers } from '../customers/customer.table.js';
import type { AddressData } from '../warehouse/warehouse.table.js';
import { orders } from '../orders/order.table.js';
import { returnRequests } from '../returns/returns.table.js';
import { lockAccount } from './loyalty.accounts.js';
import { adjustPoints } from './loyalty.adjust.js';
import { earnOnDelivery, expireDueLots, expirePoints, reverseOnRefund } from './loyalty.earning.js';
import { debit } from './loyalty.ledger.js';
import { updateProgram } from './loyalty.program-update.js';
import { loyaltyAccounts, loyaltyTransactions } from './loyalty.table.js';

const DAY = 86_400_000;
const EXPIRY_DAYS = 30;

type Op =
  | { kind: 'deliver'; c: number; roubles: number; twice: boolean }
  | { kind: 'refund'; order: number; share: number }
  | { kind: 'redeem'; c: number; points: number }
  | { kind: 'adjust'; c: number; points: number; key: number }
  | { kind: 'advance'; days: number }
  | { kind: 'expire' };

const CUSTOMERS = 3;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), c: fc.nat(CUSTOMERS - 1), roubles: fc.integer({ min: 0, max: 3000 }), twice: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('refund' as const), order: fc.nat(20), share: fc.double({ min: 0.05, max: 1, noNaN: true }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('redeem' as const), c: fc.nat(CUSTOMERS - 1), points: fc.integer({ min: 1, max: 1500 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('adjust' as const), c: fc.nat(CUSTOMERS - 1), points: fc.integer({ min: -800, max: 1500 }).filter((n) => n !== 0), key: fc.nat(4) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
);

interface Lot {
  id: string;
  expiresAt: number;
  remaining: number;
}

/** The model: lots per customer, spent soonest expiry first (ties by id, as the ledger). */
class Model {
  lots = new Map<string, Lot[]>();
  of(c: string): Lot[] {
    let l = this.lots.get(c);
    if (!l) this.lots.set(c, (l = []));
    return l;
  }
  balance(c: string): number {
    return this.of(c).reduce((s, l) => s + l.remaining, 0);
  }
  /** Writes off the expired lots; returns the points. */
  expire(c: string, now: number): number {
    let n = 0;
    for (const l of this.of(c)) if (l.expiresAt <= now && l.remaining > 0) ((n += l.remaining), (l.remaining = 0));
    return n;
  }
  /** Takes `points` (≤ balance), soonest expiry first; never from an expired lot unless expiring. */
  consume(c: string, points: number, now: number, expiring = false): void {
    const lots = [...this.of(c)].sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let left = points;
    for (const l of lots) {
      if (!left) break;
      if (!l.remaining) continue;
      if (!expiring && l.expiresAt <= now) throw new Error(`model: spending expired lot ${l.id}`);
      const take = Math.min(left, l.remaining);
      l.remaining -= take;
      left -= take;
    }
    if (left) throw new Error('model: not enough points');
  }
}

function contextOf(database: Database, clock: ManualClock): ServiceContext {
  return {
    database,
    principal: { kind: 'STAFF', name: 'property', scopes: ['admin'] },
    clock,
    relay: { committed() {} },
    log: pino({ level: 'silent' }),
    config: {} as Config,
    extensions: new Extensions(),
  };
}

let runSeq = 0;

async function runSequence(database: Database, clock: ManualClock, ops: Op[]): Promise<void> {
  const ctx = contextOf(database, clock);
  const run = `${process.pid}-${++runSeq}-${newId().slice(-8)}`;
  const customerIds: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const [c] = await database.db.insert(customers).values({ email: `p${i}.${run}@example.test` }).returning();
    customerIds.push(c!.id);
  }
  const model = new Model();
  const delivered: { row: typeof orders.$inferSelect; earned: number; refundedGoods: number }[] = [];
  const keys = new Map<string, string>(); // "customer:key" → transaction id

  const check = async (what: string) => {
    const accounts = await database.db.select().from(loyaltyAccounts).where(inArray(loyaltyAccounts.customerId, customerIds));
    const entries = await database.db.select().from(loyaltyTransactions).where(inArray(loyaltyTransactions.customerId, customerIds));
    for (const c of customerIds) {
      const mine = entries.filter((e) => e.customerId === c);
      const balance = accounts.find((a) => a.customerId === c)?.balance ?? 0;
      const ledger = mine.reduce((s, e) => s + e.points, 0);
      const lots = mine.reduce((s, e) => s + e.remaining, 0);
      expect({ what, balance, ledger, lots }).toEqual({ what, balance: ledger, ledger, lots: ledger });
      expect(balance).toBeGreaterThanOrEqual(0);
      // No point spent twice (nor created): what the lots lost is what the debits took.
      const consumed = mine.filter((e) => e.points > 0).reduce((s, e) => s + e.points - e.remaining, 0);
      const debited = mine.filter((e) => e.points < 0).reduce((s, e) => s - e.points, 0);
      expect(consumed).toBe(debited);
      // Every lot as the model has it (the model never spends an expired lot).
      const got = mine.filter((e) => e.points > 0).map((e) => [e.id, e.remaining]).sort();
      const want = model.of(c).map((l) => [l.id, l.remaining]).sort();
      expect(got).toEqual(want);
      for (const e of mine) if (e.points > 0) expect(e.expiresAt!.getTime()).toBeGreaterThan(e.createdAt.getTime());
    }
    for (const d of delivered) {
      const ofOrder = entries.filter((e) => e.orderId === d.row.id);
      const earns = ofOrder.filter((e) => e.kind === 'EARN');
      expect(earns.length).toBe(d.earned > 0 ? 1 : 0);
      const reversals = ofOrder.filter((e) => e.kind === 'REVERSAL' && e.returnRequestId);
      expect(reversals.reduce((s, e) => s - e.points + e.shortfall, 0)).toBeLessThanOrEqual(d.earned);
      expect(reversals.reduce((s, e) => s - e.points, 0)).toBeLessThanOrEqual(d.earned);
    }
  };

  for (const [i, op] of ops.entries()) {
    const now = clock.now();
    const what = `#${i} ${JSON.stringify(op)}`;
    if (op.kind === 'deliver') {
      const c = customerIds[op.c]!;
      const subtotal = op.roubles * 100;
      const [row] = await database.db
        .insert(orders)
        .values({
          number: `P-${run}-${i}`,
          channel: 'property',
          status: 'DELIVERED',
          customerId: c,
          shippingAddress: {} as AddressData,
          deliveryType: 'COURIER',
          currency: 'RUB',
          subtotalMinor: subtotal,
          totalMinor: subtotal,
          deliveredAt: now,
        })
        .returning();
      for (let n = 0; n < (op.twice ? 2 : 1); n++) await transact(ctx, (tx, events) => earnOnDelivery(ctx, tx, events, row!));
      const [earn] = await database.db.select().from(loyaltyTransactions).where(and(eq(loyaltyTransactions.orderId, row!.id), eq(loyaltyTransactions.kind, 'EARN')));
      if (earn) model.of(c).push({ id: earn.id, expiresAt: earn.expiresAt!.getTime(), remaining: earn.points });
      expect(earn?.expiresAt?.getTime() ?? now.getTime() + EXPIRY_DAYS * DAY).toBe(now.getTime() + EXPIRY_DAYS * DAY);
      delivered.push({ row: row!, earned: earn?.points ?? 0, refundedGoods: 0 });
    } else if (op.kind === 'refund') {
      const d = delivered[op.order % Math.max(1, delivered.length)];
      if (!d || d.refundedGoods >= d.row.subtotalMinor) continue;
      const goods = Math.max(1, Math.min(d.row.subtotalMinor - d.refundedGoods, Math.round(d.row.subtotalMinor * op.share)));
      const [ret] = await database.db
        .insert(returnRequests)
        .values({
          number: `PR-${run}-${i}`,
          orderId: d.row.id,
          customerId: d.row.customerId,
          status: 'REFUNDED',
          currency: 'RUB',
          refundAmountMinor: goods,
          refundShippingMinor: 0,
          refundRestockingFeeMinor: 0,
          refundedAt: now,
        })
        .returning();
      // The model: expired lots written off first, then the order's share, capped, out of what is there.
      const c = d.row.customerId;
      const before = await database.db.select().from(loyaltyTransactions).where(and(eq(loyaltyTransactions.orderId, d.row.id), eq(loyaltyTransactions.kind, 'REVERSAL')));
      const claimed = before.reduce((s, e) => s - e.points + e.shortfall, 0);
      await transact(ctx, (tx, events) => reverseOnRefund(ctx, tx, events, { returnRequest: ret!, order: d.row, goods: money(goods, 'RUB'), amount: money(goods, 'RUB'), discount: money(0, 'RUB'), discountSoFar: money(0, 'RUB') }));
      d.refundedGoods += goods;
      if (d.earned > 0) {
        model.expire(c, now.getTime());
        const want = Math.min(Math.round((d.earned * goods) / d.row.subtotalMinor), d.earned - claimed);
        const taken = Math.min(want, model.balance(c));
        if (taken > 0) model.consume(c, taken, now.getTime());
        const [rev] = await database.db.select().from(loyaltyTransactions).where(eq(loyaltyTransactions.returnRequestId, ret!.id));
        if (want > 0) expect({ what, points: rev?.points, shortfall: rev?.shortfall }).toEqual({ what, points: 0 - taken, shortfall: want - taken });
        else expect(rev).toBeUndefined();
      }
    } else if (op.kind === 'redeem') {
      // What orderCreate does with redeemPoints: under the account lock, expired lots off first, then one conditional debit.
      const c = customerIds[op.c]!;
      let refused = false;
      try {
        await transact(ctx, async (tx, events) => {
          await lockAccount(tx, c);
          await expireDueLots(ctx, tx, events, c);
          await debit(ctx, tx, events, { customerId: c, kind: 'REDEEM', points: op.points });
        });
      } catch (e) {
        if (!(e instanceof BusinessError) || e.errors[0]!.code !== 'INSUFFICIENT_POINTS') throw e;
        refused = true;
      }
      const unexpired = model.of(c).filter((l) => l.expiresAt > now.getTime()).reduce((s, l) => s + l.remaining, 0);
      expect({ what, refused }).toEqual({ what, refused: op.points > unexpired });
      if (!refused) {
        model.expire(c, now.getTime());
        model.consume(c, op.points, now.getTime());
      }
    } else if (op.kind === 'adjust') {
      const c = customerIds[op.c]!;
      const k = `${c}:${op.key}`;
      let code: string | null = null;
      let txId: string | null = null;
      try {
        const r = await adjustPoints(ctx, { customerId: c, points: op.points, reason: 'property', idempotencyKey: String(op.key) });
        txId = r.transaction.id;
        if (!keys.has(k)) {
          if (op.points > 0) model.of(c).push({ id: r.transaction.id, expiresAt: r.transaction.expiresAt!.getTime(), remaining: op.points });
          else {
            model.expire(c, now.getTime());
            model.consume(c, -op.points, now.getTime());
          }
          keys.set(k, r.transaction.id);
        } else expect(txId).toBe(keys.get(k));
      } catch (e) {
        if (!(e instanceof BusinessError)) throw e;
        code = e.errors[0]!.code;
      }
      if (code) {
        const unexpired = model.of(c).filter((l) => l.expiresAt > now.getTime()).reduce((s, l) => s + l.remaining, 0);
        expect({ what, code, replay: keys.has(k) }).toEqual({ what, code: 'INSUFFICIENT_POINTS', replay: false });
        expect(-op.points).toBeGreaterThan(unexpired);
      }
    } else if (op.kind === 'advance') {
      clock.advance(op.days * DAY);
    } else {
      await expirePoints(ctx);
      for (const c of customerIds) model.expire(c, now.getTime());
      // A second pass finds nothing.
      expect((await expirePoints(ctx)).points).toBe(0);
    }
    await check(what);
  }
}

function suite(name: string, open: () => Promise<{ database: Database; drop?: () => Promise<void> }>, numRuns: number) {
  describe(name, () => {
    let database: Database;
    let drop: (() => Promise<void>) | undefined;
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    beforeAll(async () => {
      ({ database, drop } = await open());
      const ctx = contextOf(database, clock);
      await updateProgram(ctx, {
        pointsPerCurrencyUnit: 1,
        pointValue: money(100, 'RUB'),
        expiryDays: EXPIRY_DAYS,
        maxRedeemShare: 0.5,
        tiers: [
          { code: 'BRONZE', name: 'Bronze', minSpend: money(0, 'RUB'), earnMultiplier: 1 },
          { code: 'SILVER', name: 'Silver', minSpend: money(3000_00, 'RUB'), earnMultiplier: 1.5 },
          { code: 'GOLD', name: 'Gold', minSpend: money(8000_00, 'RUB'), earnMultiplier: 2 },
        ],
      });
    }, 60_000);
    afterAll(async () => {
      await database?.close();
      await drop?.();
    });

    it('balance = ledger = lots ≥ 0, no point spent twice, expired points never spent, reversals within what was earned', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
          await runSequence(database, clock, ops);
        }),
        {
          numRuns,
          // Spending right after points expired, before any expiry pass: the expired lot is written off, not spent.
          examples: [
            [
              [
                { kind: 'deliver', c: 0, roubles: 1000, twice: true },
                { kind: 'adjust', c: 0, points: 300, key: 1 },
                { kind: 'advance', days: 31 },
                { kind: 'adjust', c: 0, points: 200, key: 2 },
                { kind: 'adjust', c: 0, points: -250, key: 3 },
                { kind: 'redeem', c: 0, points: 1 },
                { kind: 'refund', order: 0, share: 0.5 },
                { kind: 'expire' },
              ],
            ],
          ],
        },
      );
    }, 600_000);
  });
}

suite('loyalty ledger properties (PGlite)', async () => ({ database: await openDatabase({ dataDir: '', url: 'memory://', poolSize: 1 }) }), 40);

if (realPostgresUrl) {
  suite(
    'loyalty ledger properties (PostgreSQL)',
    async () => {
      const fresh = await freshPostgresDatabase(realPostgresUrl!);
      return { database: await openDatabase({ dataDir: '', url: fresh.url, poolSize: 4 }), drop: fresh.drop };
    },
    25,
  );
}
