/**
 * loyaltyProgramUpdate: validates the whole program as it would be (every error at once, nothing
 * written), then writes the program row and replaces the tiers in one transaction with a
 * `loyalty.program_updated` event, on which every instance drops its cached program.
 */
import type { Database } from '../../db/client.js';
import { transact } from '../../events/outbox.js';
import type { EventWatching } from '../../events/relay.js';
import { ErrorList } from '../../shared/errors.js';
import { isCurrency, isMinorAmount, money, type Money } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { ledgerIsEmpty } from './loyalty.accounts.js';
import { forgetProgram, getProgram, type Program } from './loyalty.program.js';
import { loyaltyProgram, loyaltyTiers } from './loyalty.table.js';

export const LOYALTY_PROGRAM_UPDATED = 'loyalty.program_updated';
export const MAX_EXPIRY_DAYS = 3650;
const TIER_CODE = /^[A-Z0-9_]{1,32}$/;

export interface ProgramUpdateInput {
  pointsPerCurrencyUnit?: number | null;
  pointValue?: Money | null;
  expiryDays?: number | null;
  maxRedeemShare?: number | null;
  tiers?: { code: string; name: string; minSpend: Money; earnMultiplier: number }[] | null;
}

/**
 * Changes the program (the caller checked scope admin); fields left out stay. Errors (all at once,
 * nothing written): INVALID (rate < 0 or not finite, point value ≤ 0, expiryDays outside 1..3650,
 * maxRedeemShare outside 0..1, no tiers, a bad or repeated code, an empty name, the first minSpend
 * not 0, minSpends not strictly increasing, a multiplier not > 0 and finite), INVALID_CURRENCY (an
 * unknown currency, a tier's minSpend not in the program currency), CURRENCY_LOCKED (a new
 * currency while the ledger has entries: their points were earned and priced in the old one).
 */
export async function updateProgram(ctx: ServiceContext, input: ProgramUpdateInput): Promise<Program> {
  const current = await getProgram(ctx);
  const e = new ErrorList();
  const f = (...p: (string | number)[]) => ['input', ...p];
  const rate = input.pointsPerCurrencyUnit ?? current.pointsPerCurrencyUnit;
  if (!Number.isFinite(rate) || rate < 0) e.add('INVALID', 'pointsPerCurrencyUnit must be a finite number >= 0.', f('pointsPerCurrencyUnit'));
  const pointValue = input.pointValue ?? current.pointValue;
  if (!isCurrency(pointValue.currency)) e.add('INVALID_CURRENCY', `Unknown ISO 4217 currency "${pointValue.currency}".`, f('pointValue', 'currency'));
  if (!isMinorAmount(pointValue.amountMinor) || pointValue.amountMinor <= 0) e.add('INVALID', 'pointValue must be a positive whole number of minor units.', f('pointValue', 'amountMinor'));
  const currency = pointValue.currency;
  const expiryDays = input.expiryDays ?? current.expiryDays;
  if (!Number.isInteger(expiryDays) || expiryDays < 1 || expiryDays > MAX_EXPIRY_DAYS) e.add('INVALID', `expiryDays must be 1..${MAX_EXPIRY_DAYS}.`, f('expiryDays'));
  const share = input.maxRedeemShare ?? current.maxRedeemShare;
  if (!Number.isFinite(share) || share < 0 || share > 1) e.add('INVALID', 'maxRedeemShare must be between 0 and 1.', f('maxRedeemShare'));
  const tiers = input.tiers ?? current.tiers;
  if (!tiers.length) e.add('INVALID', 'At least one tier is needed (the first with minSpend 0).', f('tiers'));
  const seen = new Set<string>();
  tiers.forEach((t, i) => {
    const at = (...p: string[]) => (input.tiers ? f('tiers', i, ...p) : f('tiers'));
    if (!TIER_CODE.test(t.code)) e.add('INVALID', 'A tier code is 1 to 32 of A-Z, 0-9 and _.', at('code'));
    else if (seen.has(t.code)) e.add('INVALID', `Tier code ${t.code} is repeated.`, at('code'));
    seen.add(t.code);
    if (!t.name.trim() || t.name.length > 100) e.add('INVALID', 'A tier name is 1 to 100 characters.', at('name'));
    if (t.minSpend.currency !== currency) {
      e.add('INVALID_CURRENCY', `Tier minSpend must be in the program currency ${currency}${input.tiers ? '' : ' (give the tiers again in the new currency)'}.`, at('minSpend', 'currency'));
    }
    if (!isMinorAmount(t.minSpend.amountMinor) || t.minSpend.amountMinor < 0) e.add('INVALID', 'minSpend must be a whole number of minor units >= 0.', at('minSpend', 'amountMinor'));
    else if (i === 0 && t.minSpend.amountMinor !== 0) e.add('INVALID', 'The first tier starts at minSpend 0.', at('minSpend', 'amountMinor'));
    else if (i > 0 && t.minSpend.amountMinor <= tiers[i - 1]!.minSpend.amountMinor) e.add('INVALID', 'Tiers must be in strictly increasing minSpend.', at('minSpend', 'amountMinor'));
    if (!Number.isFinite(t.earnMultiplier) || t.earnMultiplier <= 0) e.add('INVALID', 'earnMultiplier must be a finite number > 0.', at('earnMultiplier'));
  });
  if (currency !== current.currency && e.empty && !(await ledgerIsEmpty(ctx.database.db))) {
    e.add('CURRENCY_LOCKED', `The program currency stays ${current.currency}: points have been earned and priced in it (the ledger has entries).`, f('pointValue', 'currency'));
  }
  e.throwIfAny();
  await transact(ctx, async (tx, events) => {
    // Checked again in the transaction: the first entry may have been written meanwhile.
    if (currency !== current.currency && !(await ledgerIsEmpty(tx))) {
      e.add('CURRENCY_LOCKED', `The program currency stays ${current.currency}: the ledger has entries.`, f('pointValue', 'currency'));
      e.throwIfAny();
    }
    const row = { pointsPerCurrencyUnit: rate, pointValueMinor: pointValue.amountMinor, currency, expiryDays, maxRedeemShare: share, updatedAt: ctx.clock.now() };
    await tx.insert(loyaltyProgram).values({ id: 'default', ...row }).onConflictDoUpdate({ target: loyaltyProgram.id, set: row });
    await tx.delete(loyaltyTiers);
    await tx.insert(loyaltyTiers).values(tiers.map((t, position) => ({ code: t.code, name: t.name.trim(), minSpendMinor: t.minSpend.amountMinor, earnMultiplier: t.earnMultiplier, position })));
    await events.emit({ topic: LOYALTY_PROGRAM_UPDATED, payload: { currency } });
  });
  forgetProgram(ctx.database); // this instance's watcher did too; harmless twice
  return {
    pointsPerCurrencyUnit: rate,
    pointValue: money(pointValue.amountMinor, currency),
    currency,
    expiryDays,
    maxRedeemShare: share,
    tiers: tiers.map((t) => ({ code: t.code, name: t.name.trim(), minSpend: money(t.minSpend.amountMinor, currency), earnMultiplier: t.earnMultiplier })),
  };
}

/**
 * Keeps the cached program true on this instance: a committed update (from any instance) drops
 * it, and so does every change of the relay's reliability (an update may go unheard in a gap).
 */
export function watchLoyaltyProgram(relay: EventWatching, database: Database): void {
  relay.watch(LOYALTY_PROGRAM_UPDATED, () => forgetProgram(database));
  relay.onReliability(() => forgetProgram(database));
}
