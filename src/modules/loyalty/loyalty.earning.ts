/**
 * The ledger flows that follow the goods: EARN when an order is DELIVERED, REVERSAL when a return
 * of it is refunded, the tier recomputed after both, and EXPIRE of lots past their date. Each runs
 * inside the transaction of the change that caused it (the order's DELIVERED transition, the
 * refund), so it commits with that change or not at all; all of them go through the ledger's
 * credit/debit, after locking the customer's account row.
 */
import { and, asc, eq, gt, isNotNull, lte, sum } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import { inWholeUnits, money } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import type { OrderRow } from '../orders/order.service.js';
import { deliveredPaymentsOfCustomer } from '../orders/order.spend.js';
import type { RefundedReturn } from '../returns/returns.hooks.js';
import { refundedPaidGoodsByOrderIds } from '../returns/returns.spend.js';
import { lockAccount } from './loyalty.accounts.js';
import { credit, debit } from './loyalty.ledger.js';
import { getProgram, lotExpiry, tierFor, type Program } from './loyalty.program.js';
import { loyaltyAccounts, loyaltyTransactions } from './loyalty.table.js';

const DAY_MS = 86_400_000;
/** The tier's window: paid spend of the orders delivered in the last this many days. */
export const ROLLING_DAYS = 365;

/**
 * Points for paying `paidMinor` (minor units of the program currency) at a tier multiplier:
 * floor(whole units × rate × multiplier). The tiny epsilon keeps 2000 × 0.05 = 99.999… from losing a point.
 */
export function pointsFor(program: Program, paidMinor: number, multiplier: number): number {
  if (paidMinor <= 0) return 0;
  const exact = inWholeUnits(money(paidMinor, program.currency)) * program.pointsPerCurrencyUnit * multiplier;
  return Math.max(0, Math.floor(exact + 1e-9));
}

/**
 * ORDER_STATUS_HOOKS: on DELIVERED, EARN once per order. Orders in another currency than the
 * program's earn nothing (there is no exchange rate to apply); 0 points writes no entry.
 */
export async function earnOnDelivery(ctx: ServiceContext, tx: Executor, events: EventWriter, order: OrderRow): Promise<void> {
  if (order.status !== 'DELIVERED') return;
  const program = await getProgram(ctx, tx);
  if (order.currency !== program.currency) return;
  const account = await lockAccount(tx, order.customerId);
  // Once per order: checked under the account lock (the partial unique index backs it up).
  const [earned] = await tx
    .select({ id: loyaltyTransactions.id })
    .from(loyaltyTransactions)
    .where(and(eq(loyaltyTransactions.orderId, order.id), eq(loyaltyTransactions.kind, 'EARN')));
  if (earned) return;
  const tier = tierFor(program, account.rollingSpendMinor);
  const points = pointsFor(program, order.subtotalMinor - order.discountMinor, tier.earnMultiplier);
  if (points > 0) {
    await credit(ctx, tx, events, {
      customerId: order.customerId,
      kind: 'EARN',
      points,
      orderId: order.id,
      reason: `Order ${order.number} delivered`,
      expiresAt: lotExpiry(program, ctx.clock.now()),
      lifetime: true,
    });
  }
  await recomputeTier(ctx, tx, order.customerId, program);
}

/**
 * RETURN_REFUND_HOOKS, two entries per refund at most, each once per return:
 * - the REVERSAL of earned points: round(earned × refunded goods / order subtotal), never more in
 *   all the order's reversals than the order earned; what the balance cannot cover is recorded as
 *   the shortfall (the balance stays ≥ 0). An order that earned nothing reverses nothing.
 * - the REVERSAL of redeemed points: the refund's `discount` (the part of it the order's points
 *   discount paid for) comes back as points, as a new lot expiring expiryDays from now:
 *   round(redeemed × discount settled so far / order discount) minus what earlier refunds of the
 *   order gave back, so a fully returned order gives back exactly what it redeemed.
 * The tier is recomputed either way (the spend went down).
 */
export async function reverseOnRefund(ctx: ServiceContext, tx: Executor, events: EventWriter, refunded: RefundedReturn): Promise<void> {
  const { order, returnRequest, goods } = refunded;
  const program = await getProgram(ctx, tx);
  if (order.currency !== program.currency) return;
  await lockAccount(tx, order.customerId);
  const entries = await tx
    .select({ kind: loyaltyTransactions.kind, points: loyaltyTransactions.points, shortfall: loyaltyTransactions.shortfall, returnRequestId: loyaltyTransactions.returnRequestId })
    .from(loyaltyTransactions)
    .where(eq(loyaltyTransactions.orderId, order.id));
  // Once per return: a refund is recorded once, but a hook must not trust that.
  if (entries.some((e) => e.kind === 'REVERSAL' && e.returnRequestId === returnRequest.id)) return;
  const ofReturns = entries.filter((e) => e.kind === 'REVERSAL' && e.returnRequestId);
  const earn = entries.find((e) => e.kind === 'EARN');
  if (earn) {
    // What earlier returns of this order claimed back (taken + shortfall).
    const claimed = ofReturns.filter((e) => e.points < 0).reduce((s, e) => s + -e.points + e.shortfall, 0);
    await expireDueLots(ctx, tx, events, order.customerId); // expired points are not there to take back
    const share = order.subtotalMinor > 0 ? Math.round((earn.points * goods.amountMinor) / order.subtotalMinor) : 0;
    const points = Math.min(share, earn.points - claimed);
    if (points > 0) {
      await debit(ctx, tx, events, {
        customerId: order.customerId,
        kind: 'REVERSAL',
        points,
        allowShortfall: true,
        orderId: order.id,
        returnRequestId: returnRequest.id,
        reason: `Return ${returnRequest.number} refunded`,
      });
    }
  }
  if (order.pointsRedeemed > 0 && order.discountMinor > 0 && refunded.discount.amountMinor > 0) {
    const givenBack = ofReturns.filter((e) => e.points > 0).reduce((s, e) => s + e.points, 0);
    const dueSoFar = Math.round((order.pointsRedeemed * Math.min(refunded.discountSoFar.amountMinor, order.discountMinor)) / order.discountMinor);
    const points = Math.min(dueSoFar, order.pointsRedeemed) - givenBack;
    if (points > 0) {
      await credit(ctx, tx, events, {
        customerId: order.customerId,
        kind: 'REVERSAL',
        points,
        orderId: order.id,
        returnRequestId: returnRequest.id,
        reason: `Return ${returnRequest.number} refunded: redeemed points returned`,
        lifetime: false,
        expiresAt: lotExpiry(program, ctx.clock.now()),
      });
    }
  }
  await recomputeTier(ctx, tx, order.customerId, program);
}

/**
 * The rolling 365 days' paid spend (program currency): Σ over the customer's orders delivered in
 * the window of subtotal − points discount − refunded goods (never below 0 per order), and the
 * tier it reaches, stored on the account. The caller holds the account lock.
 */
export async function recomputeTier(ctx: ServiceContext, tx: Executor, customerId: string, program: Program): Promise<{ tierCode: string; rollingSpendMinor: number }> {
  const since = new Date(ctx.clock.now().getTime() - ROLLING_DAYS * DAY_MS);
  const paid = await deliveredPaymentsOfCustomer(tx, customerId, program.currency, since);
  const refunded = await refundedPaidGoodsByOrderIds(tx, paid.map((p) => p.orderId));
  const rollingSpendMinor = paid.reduce((s, p) => s + Math.max(0, p.paidMinor - (refunded.get(p.orderId) ?? 0)), 0);
  const tierCode = tierFor(program, rollingSpendMinor).code;
  await tx.update(loyaltyAccounts).set({ tierCode, rollingSpendMinor, updatedAt: ctx.clock.now() }).where(eq(loyaltyAccounts.customerId, customerId));
  return { tierCode, rollingSpendMinor };
}

/**
 * Writes off the customer's lots that expired by `now` and still hold points: one EXPIRE debit of
 * exactly their remaining (the soonest-expiring lots are consumed first, and the expired ones are
 * the soonest). The caller holds the account lock (lockAccount) in `tx`. Every debit that spends
 * points calls it first, so an expired point is never spent even before the scheduled pass ran.
 * Returns the points written off (0: nothing written).
 */
export async function expireDueLots(ctx: Pick<ServiceContext, 'clock'>, tx: Executor, events: EventWriter, customerId: string, now: Date = ctx.clock.now()): Promise<number> {
  const [row] = await tx
    .select({ points: sum(loyaltyTransactions.remaining).mapWith(Number) })
    .from(loyaltyTransactions)
    .where(and(eq(loyaltyTransactions.customerId, customerId), gt(loyaltyTransactions.remaining, 0), lte(loyaltyTransactions.expiresAt, now)));
  const expired = row?.points ?? 0;
  if (expired <= 0) return 0;
  await debit(ctx, tx, events, { customerId, kind: 'EXPIRE', points: expired, reason: `Points that expired by ${now.toISOString().slice(0, 10)}` });
  return expired;
}

/**
 * EXPIRE: for every customer with lots past their date and points left, one EXPIRE debit of
 * exactly those points. Debits consume the soonest-expiring lots first, so the expired lots are the
 * ones consumed. Idempotent (an expired lot is left with 0 remaining: a second run finds nothing);
 * `batchSize` customers per transaction. Returns what it did.
 */
export async function expirePoints(ctx: ServiceContext, now: Date = ctx.clock.now(), batchSize = 200): Promise<{ customers: number; points: number }> {
  let customers = 0;
  let points = 0;
  for (;;) {
    const due = await ctx.database.db
      .selectDistinct({ customerId: loyaltyTransactions.customerId })
      .from(loyaltyTransactions)
      .where(and(gt(loyaltyTransactions.remaining, 0), isNotNull(loyaltyTransactions.expiresAt), lte(loyaltyTransactions.expiresAt, now)))
      .orderBy(asc(loyaltyTransactions.customerId))
      .limit(batchSize);
    if (!due.length) break;
    const done = await transact(ctx, async (tx, events) => {
      let n = 0;
      for (const { customerId } of due) {
        await lockAccount(tx, customerId);
        n += await expireDueLots(ctx, tx, events, customerId, now);
      }
      return n;
    });
    customers += due.length;
    points += done;
    if (due.length < batchSize) break;
  }
  return { customers, points };
}
