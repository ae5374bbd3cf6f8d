/**
 * The one way points move: `credit` and `debit` append a transaction and change the account's
 * balance in the caller's transaction, with the LOYALTY_TRANSACTION_CREATED outbox event.
 *
 * Concurrency by construction: a debit is one conditional UPDATE (`balance >= n`), so two
 * checkouts redeeming the same points cannot both succeed; the account row it locks orders every
 * later step of that customer's debit (consuming the oldest lots), so lots are never spent twice.
 * The balance column's CHECK (>= 0) backs it up.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import { BusinessError } from '../../shared/errors.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { loyaltyAccounts, loyaltyTransactions, type LoyaltyTransactionKindValue } from './loyalty.table.js';

/** Outbox topic of every ledger transaction (the LOYALTY_TRANSACTION_CREATED webhook; loyaltyBalanceChanged). */
export const LOYALTY_TRANSACTION_CREATED = 'loyalty.transaction_created';

export type LoyaltyTransactionRow = typeof loyaltyTransactions.$inferSelect;
export type LoyaltyAccountRow = typeof loyaltyAccounts.$inferSelect;

export interface EntryRefs {
  orderId?: string | null;
  returnRequestId?: string | null;
  reason?: string | null;
  idempotencyKey?: string | null;
}

async function ensureAccount(tx: Executor, customerId: string): Promise<void> {
  await tx.insert(loyaltyAccounts).values({ customerId }).onConflictDoNothing();
}

/**
 * Appends the transaction row (after the caller changed the balance) and its outbox event, in the
 * caller's transaction: what credits and debits share. `amounts` are the columns that differ
 * between them (a credit's lot and expiry, a debit's shortfall).
 */
async function record(
  ctx: Pick<ServiceContext, 'clock'>,
  tx: Executor,
  events: EventWriter,
  entry: EntryRefs & { customerId: string; kind: LoyaltyTransactionKindValue },
  amounts: { points: number; remaining?: number; expiresAt?: Date; shortfall?: number },
  balance: number,
): Promise<LoyaltyTransactionRow> {
  const [row] = await tx
    .insert(loyaltyTransactions)
    .values({
      customerId: entry.customerId,
      kind: entry.kind,
      ...amounts,
      orderId: entry.orderId ?? null,
      returnRequestId: entry.returnRequestId ?? null,
      reason: entry.reason ?? null,
      idempotencyKey: entry.idempotencyKey ?? null,
      createdAt: ctx.clock.now(),
    })
    .returning();
  await events.emit({
    topic: LOYALTY_TRANSACTION_CREATED,
    payload: { transactionId: row!.id, customerId: row!.customerId, kind: row!.kind, points: row!.points, balance, orderId: row!.orderId, returnRequestId: row!.returnRequestId },
  });
  return row!;
}

/**
 * Adds `points` (> 0) as a lot that expires at `expiresAt`: EARN, a positive ADJUST, or the
 * REVERSAL that gives back a cancelled order's redeemed points. `lifetime` counts it in
 * lifetimePoints (earnings, not give-backs).
 */
export async function credit(
  ctx: Pick<ServiceContext, 'clock'>,
  tx: Executor,
  events: EventWriter,
  entry: EntryRefs & { customerId: string; kind: LoyaltyTransactionKindValue; points: number; expiresAt: Date; lifetime: boolean },
): Promise<{ transaction: LoyaltyTransactionRow; balance: number }> {
  if (!Number.isInteger(entry.points) || entry.points <= 0) throw new RangeError(`credit of ${entry.points} points`);
  await ensureAccount(tx, entry.customerId);
  const [account] = await tx
    .update(loyaltyAccounts)
    .set({
      balance: sql`${loyaltyAccounts.balance} + ${entry.points}`,
      lifetimePoints: entry.lifetime ? sql`${loyaltyAccounts.lifetimePoints} + ${entry.points}` : loyaltyAccounts.lifetimePoints,
      updatedAt: ctx.clock.now(),
    })
    .where(eq(loyaltyAccounts.customerId, entry.customerId))
    .returning({ balance: loyaltyAccounts.balance });
  const transaction = await record(ctx, tx, events, entry, { points: entry.points, remaining: entry.points, expiresAt: entry.expiresAt }, account!.balance);
  return { transaction, balance: account!.balance };
}

/**
 * Takes `points` (> 0): REDEEM, EXPIRE, the REVERSAL of earned points, or a negative ADJUST. One
 * conditional UPDATE; when the balance is short it fails with INSUFFICIENT_POINTS (at `field`)
 * unless `allowShortfall`, which takes what there is and records the rest as the shortfall. The
 * points come out of the oldest-expiring lots first (or, for EXPIRE, out of the lots given).
 */
export async function debit(
  ctx: Pick<ServiceContext, 'clock'>,
  tx: Executor,
  events: EventWriter,
  entry: EntryRefs & { customerId: string; kind: LoyaltyTransactionKindValue; points: number; allowShortfall?: boolean; field?: string[] },
): Promise<{ transaction: LoyaltyTransactionRow; balance: number; taken: number }> {
  if (!Number.isInteger(entry.points) || entry.points <= 0) throw new RangeError(`debit of ${entry.points} points`);
  await ensureAccount(tx, entry.customerId);
  let taken = entry.points;
  let balance: number;
  if (entry.allowShortfall) {
    // least(): never below zero; the row lock of this UPDATE holds until commit.
    const [before] = await tx.select({ balance: loyaltyAccounts.balance }).from(loyaltyAccounts).where(eq(loyaltyAccounts.customerId, entry.customerId)).for('update');
    taken = Math.min(before!.balance, entry.points);
    const [a] = await tx
      .update(loyaltyAccounts)
      .set({ balance: sql`${loyaltyAccounts.balance} - ${taken}`, updatedAt: ctx.clock.now() })
      .where(eq(loyaltyAccounts.customerId, entry.customerId))
      .returning({ balance: loyaltyAccounts.balance });
    balance = a!.balance;
  } else {
    const [a] = await tx
      .update(loyaltyAccounts)
      .set({ balance: sql`${loyaltyAccounts.balance} - ${entry.points}`, updatedAt: ctx.clock.now() })
      .where(and(eq(loyaltyAccounts.customerId, entry.customerId), sql`${loyaltyAccounts.balance} >= ${entry.points}`))
      .returning({ balance: loyaltyAccounts.balance });
    if (!a) throw BusinessError.of('INSUFFICIENT_POINTS', `The balance is less than ${entry.points} points.`, entry.field ?? ['input', 'points']);
    balance = a.balance;
  }
  await consumeLots(tx, entry.customerId, taken);
  const transaction = await record(ctx, tx, events, entry, { points: -taken, shortfall: entry.points - taken }, balance);
  return { transaction, balance, taken };
}

/** Lowers the remaining points of the customer's lots by `points`, soonest expiry first (the account row is locked by the caller's UPDATE). */
async function consumeLots(tx: Executor, customerId: string, points: number): Promise<void> {
  let left = points;
  if (left <= 0) return;
  const lots = await tx
    .select({ id: loyaltyTransactions.id, remaining: loyaltyTransactions.remaining })
    .from(loyaltyTransactions)
    .where(and(eq(loyaltyTransactions.customerId, customerId), gt(loyaltyTransactions.remaining, 0)))
    .orderBy(asc(loyaltyTransactions.expiresAt), asc(loyaltyTransactions.id));
  for (const lot of lots) {
    if (left === 0) break;
    const take = Math.min(left, lot.remaining);
    await tx.update(loyaltyTransactions).set({ remaining: sql`${loyaltyTransactions.remaining} - ${take}` }).where(eq(loyaltyTransactions.id, lot.id));
    left -= take;
  }
  // balance = Σ remaining of the lots always holds; a shortfall here means that invariant broke.
  if (left > 0) throw new Error(`loyalty ledger: lots of ${customerId} hold ${points - left} points less than the balance`);
}
