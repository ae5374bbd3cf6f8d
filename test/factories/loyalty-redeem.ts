/**
 * Loyalty test helpers for redemption: points put on a customer's account through the ledger's
 * own `credit` (a service context and transaction, as an ADJUST would), and the account and ledger
 * as stored, to check that balance = Σ ledger = Σ remaining of the lots.
 */
import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { transact } from '../../src/events/outbox.js';
import { findOrCreateCustomer } from '../../src/modules/customers/customer.service.js';
import { credit } from '../../src/modules/loyalty/loyalty.ledger.js';
import { loyaltyAccounts, loyaltyTransactions } from '../../src/modules/loyalty/loyalty.table.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import type { TestApp } from '../harness.js';

const DAY_MS = 86_400_000;

export const loyaltyStaff = (t: TestApp): ServiceContext => t.app.context({ kind: 'STAFF', name: 'loyalty-test', scopes: ['admin'] }).services;

/** Credits `lots` (points each, expiring in `expiresInDays` each, default 100 + i days) to the customer with this e-mail (created if new); its id. */
export async function givePoints(t: TestApp, email: string, lots: number[], expiresInDays: number[] = []): Promise<string> {
  const ctx = loyaltyStaff(t);
  return transact(ctx, async (tx, events) => {
    const { customer } = await findOrCreateCustomer(tx, { email }, ['email']);
    for (const [i, points] of lots.entries()) {
      await credit(ctx, tx, events, {
        customerId: customer.id,
        kind: 'ADJUST',
        points,
        lifetime: true,
        reason: 'test credit',
        idempotencyKey: randomUUID(),
        expiresAt: new Date(ctx.clock.now().getTime() + (expiresInDays[i] ?? 100 + i) * DAY_MS),
      });
    }
    return customer.id;
  });
}

export interface StoredLoyalty {
  /** null when the customer has no account row. */
  balance: number | null;
  ledger: (typeof loyaltyTransactions.$inferSelect)[];
}

export async function storedLoyalty(t: TestApp, customerId: string): Promise<StoredLoyalty> {
  const db = loyaltyStaff(t).database.db;
  const [account] = await db.select().from(loyaltyAccounts).where(eq(loyaltyAccounts.customerId, customerId));
  const ledger = await db.select().from(loyaltyTransactions).where(eq(loyaltyTransactions.customerId, customerId)).orderBy(asc(loyaltyTransactions.createdAt), asc(loyaltyTransactions.id));
  return { balance: account?.balance ?? null, ledger };
}

/** Σ points of the ledger and Σ remaining of its lots: both must equal the balance. */
export const ledgerSums = (s: StoredLoyalty) => ({
  points: s.ledger.reduce((a, r) => a + r.points, 0),
  remaining: s.ledger.reduce((a, r) => a + r.remaining, 0),
});
