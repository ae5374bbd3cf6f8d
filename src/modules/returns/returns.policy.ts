/**
 * The store's return policy: one row (id 'default'); while it is absent the defaults apply
 * (14 days from delivery, no restocking fee, every category returnable, no amount auto-approved).
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { AccessError, ErrorList } from '../../shared/errors.js';
import { isCurrency, isMinorAmount, type Money } from '../../shared/money.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { returnPolicies } from './returns.table.js';

export type ReturnPolicyRow = typeof returnPolicies.$inferSelect;

const POLICY_ID = 'default';
export const MAX_NON_RETURNABLE_CATEGORIES = 100;
export const MAX_CATEGORY_PREFIX_LENGTH = 200;
/** The column is a 32-bit integer. */
const MAX_AUTO_APPROVE_MINOR = 2_000_000_000;

/** The policy as stored, or the defaults. */
export async function loadReturnPolicy(executor: Executor): Promise<ReturnPolicyRow> {
  const [row] = await executor.select().from(returnPolicies).where(eq(returnPolicies.id, POLICY_ID));
  return row ?? { id: POLICY_ID, windowDays: 14, restockingFeePercent: 0, nonReturnableCategories: [], autoApproveMaxMinor: null, autoApproveCurrency: null, updatedAt: new Date(0) };
}

/** The store's return policy. Any authenticated caller the resolver lets through may read it (the storefront shows it). */
export async function getReturnPolicy(ctx: ServiceContext): Promise<ReturnPolicyRow> {
  return loadReturnPolicy(ctx.database.db);
}

export interface ReturnPolicyUpdateInput {
  windowDays?: number | null;
  restockingFeePercent?: number | null;
  nonReturnableCategories?: string[] | null;
  /** Absent: unchanged; null: cleared (only seller-fault requests are approved at once). */
  autoApproveMaxAmount?: Money | null;
}

/** Whether a percent has at most two decimals (the fee is computed in whole basis points). */
const twoDecimals = (p: number): boolean => Math.abs(p * 100 - Math.round(p * 100)) < 1e-6;

/**
 * Changes the policy (scope admin). Fields left out (or null, for the ones that cannot be empty)
 * stay; an explicit null autoApproveMaxAmount clears it. Errors (nothing written): INVALID,
 * INVALID_CURRENCY.
 */
export async function updateReturnPolicy(ctx: ServiceContext, input: ReturnPolicyUpdateInput): Promise<ReturnPolicyRow> {
  if (!hasScope(ctx.principal, 'admin')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope admin.');
  const e = new ErrorList();
  const w = input.windowDays;
  if (w != null && (!Number.isInteger(w) || w < 0 || w > 365)) e.add('INVALID', 'windowDays is a whole number of days from 0 to 365.', ['input', 'windowDays']);
  const fee = input.restockingFeePercent;
  if (fee != null && (!Number.isFinite(fee) || fee < 0 || fee > 100 || !twoDecimals(fee))) {
    e.add('INVALID', 'restockingFeePercent is 0 to 100 with at most two decimals.', ['input', 'restockingFeePercent']);
  }
  let categories: string[] | undefined;
  if (input.nonReturnableCategories != null) {
    if (input.nonReturnableCategories.length > MAX_NON_RETURNABLE_CATEGORIES) {
      e.add('INVALID', `At most ${MAX_NON_RETURNABLE_CATEGORIES} category prefixes.`, ['input', 'nonReturnableCategories']);
    }
    categories = [];
    input.nonReturnableCategories.forEach((raw, i) => {
      const c = raw.trim();
      if (!c) e.add('INVALID', 'A category prefix cannot be empty.', ['input', 'nonReturnableCategories', i]);
      else if (c.length > MAX_CATEGORY_PREFIX_LENGTH) e.add('INVALID', `A category prefix is at most ${MAX_CATEGORY_PREFIX_LENGTH} characters.`, ['input', 'nonReturnableCategories', i]);
      else if (!categories!.includes(c)) categories!.push(c);
    });
  }
  const auto = input.autoApproveMaxAmount;
  if (auto) {
    if (!isCurrency(auto.currency)) e.add('INVALID_CURRENCY', `Unknown ISO 4217 currency "${auto.currency}".`, ['input', 'autoApproveMaxAmount', 'currency']);
    if (!isMinorAmount(auto.amountMinor) || auto.amountMinor < 0 || auto.amountMinor > MAX_AUTO_APPROVE_MINOR) {
      e.add('INVALID', 'autoApproveMaxAmount is a non-negative amount in minor units.', ['input', 'autoApproveMaxAmount', 'amountMinor']);
    }
  }
  e.throwIfAny();
  const set: Partial<typeof returnPolicies.$inferInsert> = { updatedAt: ctx.clock.now() };
  if (w != null) set.windowDays = w;
  if (fee != null) set.restockingFeePercent = fee;
  if (categories) set.nonReturnableCategories = categories;
  if (auto !== undefined) {
    set.autoApproveMaxMinor = auto ? auto.amountMinor : null;
    set.autoApproveCurrency = auto ? auto.currency : null;
  }
  const [row] = await ctx.database.db
    .insert(returnPolicies)
    .values({ id: POLICY_ID, ...set })
    .onConflictDoUpdate({ target: returnPolicies.id, set })
    .returning();
  return row!;
}
