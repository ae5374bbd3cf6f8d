/**
 * Loyalty accounts as the API reads them, and the account lock the ledger flows take first. A
 * customer without an account reads as zeros (Customer.loyalty is non-null).
 */
import { and, asc, eq, gt, inArray, lte, sql, sum } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { AccessError } from '../../shared/errors.js';
import { money, type Money } from '../../shared/money.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import type { LoyaltyAccountRow, LoyaltyTransactionRow } from './loyalty.ledger.js';
import { getProgram, tierFor, type Tier } from './loyalty.program.js';
import { loyaltyAccounts, loyaltyTransactions } from './loyalty.table.js';

/** Lots expiring within this many days count as expiringSoon. */
export const EXPIRING_SOON_DAYS = 30;
const DAY_MS = 86_400_000;

export interface AccountView {
  customerId: string;
  balance: number;
  lifetimePoints: number;
  tier: Tier;
  rollingSpend: Money;
  expiringSoon: number;
}

/** A CUSTOMER its own account; staff with read_customers any. */
export function mayReadAccount(ctx: ServiceContext, customerId: string): boolean {
  const p = ctx.principal;
  return p.kind === 'CUSTOMER' ? p.customerId === customerId : hasScope(p, 'read_customers');
}

/** Throws FORBIDDEN unless mayReadAccount. */
export function requireAccountAccess(ctx: ServiceContext, customerId: string): void {
  if (!mayReadAccount(ctx, customerId)) throw new AccessError('FORBIDDEN', "Forbidden: a customer's loyalty account needs read_customers (a CUSTOMER sees its own).");
}

/** Creates the account if need be and locks its row until the caller's transaction ends. */
export async function lockAccount(tx: Executor, customerId: string): Promise<LoyaltyAccountRow> {
  await tx.insert(loyaltyAccounts).values({ customerId }).onConflictDoNothing();
  const [row] = await tx.select().from(loyaltyAccounts).where(eq(loyaltyAccounts.customerId, customerId)).for('update');
  return row!;
}

/**
 * Accounts of these customers (zeros for those without one), with expiringSoon; the caller checked
 * access. The tier is the program's tier of the stored rolling spend (recomputed on every EARN and
 * REVERSAL), so a program change shows at once. Two statements for any number of customers.
 */
export async function accountViews(ctx: ServiceContext, customerIds: readonly string[], executor: Executor = ctx.database.db): Promise<AccountView[]> {
  if (!customerIds.length) return [];
  const program = await getProgram(ctx, executor === ctx.database.db ? undefined : executor);
  const ids = [...customerIds];
  const soon = new Date(ctx.clock.now().getTime() + EXPIRING_SOON_DAYS * DAY_MS);
  const [rows, expiring] = [
    await executor.select().from(loyaltyAccounts).where(inArray(loyaltyAccounts.customerId, ids)),
    await executor
      .select({ customerId: loyaltyTransactions.customerId, points: sum(loyaltyTransactions.remaining).mapWith(Number) })
      .from(loyaltyTransactions)
      .where(and(inArray(loyaltyTransactions.customerId, ids), gt(loyaltyTransactions.remaining, 0), lte(loyaltyTransactions.expiresAt, soon)))
      .groupBy(loyaltyTransactions.customerId),
  ];
  const byId = new Map(rows.map((r) => [r.customerId, r]));
  const soonBy = new Map(expiring.map((r) => [r.customerId, r.points]));
  return ids.map((customerId) => {
    const r = byId.get(customerId);
    const spend = r?.rollingSpendMinor ?? 0;
    return {
      customerId,
      balance: r?.balance ?? 0,
      lifetimePoints: r?.lifetimePoints ?? 0,
      tier: tierFor(program, spend),
      rollingSpend: money(spend, program.currency),
      expiringSoon: soonBy.get(customerId) ?? 0,
    };
  });
}

/** The ledger of a customer, newest first (the caller checked access). */
/**
 * The customer's next expiry: the earliest date its unspent points expire and how many expire
 * then (null when none are left). The caller checked access (mayReadAccount).
 */
export async function nextExpiry(ctx: ServiceContext, customerId: string): Promise<{ points: number; on: Date } | null> {
  const [row] = await ctx.database.db
    .select({ on: loyaltyTransactions.expiresAt, points: sum(loyaltyTransactions.remaining).mapWith(Number) })
    .from(loyaltyTransactions)
    .where(and(eq(loyaltyTransactions.customerId, customerId), gt(loyaltyTransactions.remaining, 0), gt(loyaltyTransactions.expiresAt, ctx.clock.now())))
    .groupBy(loyaltyTransactions.expiresAt)
    .orderBy(asc(loyaltyTransactions.expiresAt))
    .limit(1);
  return row?.on && row.points > 0 ? { points: row.points, on: row.on } : null;
}

export async function transactionsPage(ctx: ServiceContext, customerId: string, args: PageArgs): Promise<Page<LoyaltyTransactionRow>> {
  const db = ctx.database.db;
  const filter = eq(loyaltyTransactions.customerId, customerId);
  const plan = planPage(args, loyaltyTransactions.id, filter);
  const rows = await db.select().from(loyaltyTransactions).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => db.$count(loyaltyTransactions, filter));
}

/** Ledger entries by id (the caller checked access to their accounts). */
export async function transactionsByIds(executor: Executor, ids: readonly string[]): Promise<LoyaltyTransactionRow[]> {
  if (!ids.length) return [];
  return executor.select().from(loyaltyTransactions).where(inArray(loyaltyTransactions.id, [...ids]));
}

/** Whether any ledger entry exists (the program currency is locked then). */
export async function ledgerIsEmpty(executor: Executor): Promise<boolean> {
  const [row] = await executor.select({ one: sql<number>`1` }).from(loyaltyTransactions).limit(1);
  return !row;
}
