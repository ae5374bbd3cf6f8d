/**
 * loyaltyAdjust: a staff correction of a customer's points, once per idempotency key.
 */
import { and, eq } from 'drizzle-orm';
import { transact } from '../../events/outbox.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { customerById } from '../customers/customer.service.js';
import { lockAccount } from './loyalty.accounts.js';
import { expireDueLots } from './loyalty.earning.js';
import { credit, debit, type LoyaltyTransactionRow } from './loyalty.ledger.js';
import { getProgram, lotExpiry } from './loyalty.program.js';
import { loyaltyTransactions } from './loyalty.table.js';

export const MAX_ADJUST_REASON = 500;
export const MAX_IDEMPOTENCY_KEY = 200;

export interface AdjustInput {
  customerId: string;
  points: number;
  reason: string;
  idempotencyKey: string;
}

/**
 * Adds (a lot that expires like earned points) or takes points. The same key for the same customer
 * again returns the first entry and changes nothing (whatever the other fields say). Errors (nothing
 * written): INVALID (points 0 or not a whole number, reason empty or over 500 characters, key empty
 * or over 200), NOT_FOUND (customer), INSUFFICIENT_POINTS (taking more than the balance).
 */
export async function adjustPoints(ctx: ServiceContext, input: AdjustInput): Promise<{ transaction: LoyaltyTransactionRow; customerId: string; replayed: boolean }> {
  const e = new ErrorList();
  const reason = input.reason.trim();
  if (!Number.isSafeInteger(input.points) || input.points === 0) e.add('INVALID', 'points must be a whole number other than 0.', ['input', 'points']);
  if (!reason || reason.length > MAX_ADJUST_REASON) e.add('INVALID', `reason must be 1 to ${MAX_ADJUST_REASON} characters.`, ['input', 'reason']);
  if (!input.idempotencyKey || input.idempotencyKey.length > MAX_IDEMPOTENCY_KEY) e.add('INVALID', `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY} characters.`, ['input', 'idempotencyKey']);
  e.throwIfAny();
  if (!(await customerById(ctx.database.db, input.customerId))) throw BusinessError.of('NOT_FOUND', 'No such customer.', ['input', 'customerId']);
  const program = await getProgram(ctx);
  return transact(ctx, async (tx, events) => {
    await lockAccount(tx, input.customerId);
    // Under the account lock: a concurrent retry with the same key waits here and then sees the first.
    const [first] = await tx
      .select()
      .from(loyaltyTransactions)
      .where(and(eq(loyaltyTransactions.customerId, input.customerId), eq(loyaltyTransactions.kind, 'ADJUST'), eq(loyaltyTransactions.idempotencyKey, input.idempotencyKey)));
    if (first) return { transaction: first, customerId: input.customerId, replayed: true };
    if (input.points < 0) await expireDueLots(ctx, tx, events, input.customerId); // expired points cannot be taken
    const refs = { customerId: input.customerId, kind: 'ADJUST' as const, reason, idempotencyKey: input.idempotencyKey };
    const { transaction } =
      input.points > 0
        ? await credit(ctx, tx, events, { ...refs, points: input.points, expiresAt: lotExpiry(program, ctx.clock.now()), lifetime: true })
        : await debit(ctx, tx, events, { ...refs, points: -input.points, field: ['input', 'points'] });
    return { transaction, customerId: input.customerId, replayed: false };
  });
}
