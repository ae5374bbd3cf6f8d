/**
 * The warehousing cost model: what handling an order, picking a unit and a bin's day of storage
 * cost the store. One row; every rate optional (null: not configured, and the KPIs built on it are
 * null). All rates share one currency.
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { inTransaction } from '../../db/tx.js';
import { AccessError, ErrorList } from '../../shared/errors.js';
import { isCurrency, isMinorAmount, money, type Money } from '../../shared/money.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { costModels } from './metrics.table.js';

const MODEL_ID = 'default';
/** The columns are 32-bit integers. */
const MAX_RATE_MINOR = 2_000_000_000;
export const COST_RATES = ['perOrderHandled', 'perUnitPicked', 'storagePerBinDay'] as const;
export type CostRate = (typeof COST_RATES)[number];

export type CostModelView = Record<CostRate, Money | null>;

const COLUMN: Record<CostRate, 'perOrderHandledMinor' | 'perUnitPickedMinor' | 'storagePerBinDayMinor'> = {
  perOrderHandled: 'perOrderHandledMinor',
  perUnitPicked: 'perUnitPickedMinor',
  storagePerBinDay: 'storagePerBinDayMinor',
};

function viewOf(row: typeof costModels.$inferSelect | undefined): CostModelView {
  const rate = (r: CostRate) => (row?.currency && row[COLUMN[r]] != null ? money(row[COLUMN[r]]!, row.currency) : null);
  return { perOrderHandled: rate('perOrderHandled'), perUnitPicked: rate('perUnitPicked'), storagePerBinDay: rate('storagePerBinDay') };
}

/** The cost model as stored (all null while none is configured). For the KPIs and the API. */
export async function loadCostModel(executor: Executor): Promise<CostModelView> {
  const [row] = await executor.select().from(costModels).where(eq(costModels.id, MODEL_ID));
  return viewOf(row);
}

/** The cost model (read_metrics). */
export async function getCostModel(ctx: ServiceContext): Promise<CostModelView> {
  if (ctx.principal.kind === 'CUSTOMER' || !hasScope(ctx.principal, 'read_metrics')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_metrics.');
  return loadCostModel(ctx.database.db);
}

/**
 * Changes the cost model (scope admin). A rate left out stays; an explicit null clears it. Every
 * rate set afterwards must be in one currency (INVALID_CURRENCY names the mismatch). Errors, all at
 * once and nothing written: INVALID (negative or not whole minor units, too large),
 * INVALID_CURRENCY (unknown, or not the currency of the other rates).
 */
export async function updateCostModel(ctx: ServiceContext, input: Partial<Record<CostRate, Money | null>>): Promise<CostModelView> {
  if (ctx.principal.kind === 'CUSTOMER' || !hasScope(ctx.principal, 'admin')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope admin.');
  const e = new ErrorList();
  for (const r of COST_RATES) {
    const m = input[r];
    if (!m) continue;
    if (!isCurrency(m.currency)) e.add('INVALID_CURRENCY', `Unknown ISO 4217 currency "${m.currency}".`, ['input', r, 'currency']);
    if (!isMinorAmount(m.amountMinor) || m.amountMinor < 0 || m.amountMinor > MAX_RATE_MINOR) e.add('INVALID', `${r} is a non-negative amount in whole minor units.`, ['input', r, 'amountMinor']);
  }
  e.throwIfAny();
  return inTransaction(ctx.database, async (tx) => {
    const [current] = await tx.select().from(costModels).where(eq(costModels.id, MODEL_ID)).for('update');
    const next = viewOf(current);
    for (const r of COST_RATES) if (input[r] !== undefined) next[r] = input[r] ?? null;
    const set = COST_RATES.map((r) => next[r]).filter((m): m is Money => !!m);
    const currencies = [...new Set(set.map((m) => m.currency))];
    if (currencies.length > 1) {
      const errs = new ErrorList();
      for (const r of COST_RATES) if (input[r] && input[r]!.currency !== currencies[0]) errs.add('INVALID_CURRENCY', `Every rate is in one currency; the cost model would mix ${currencies.join(' and ')}.`, ['input', r, 'currency']);
      if (!errs.errors.length) errs.add('INVALID_CURRENCY', `Every rate is in one currency; the cost model would mix ${currencies.join(' and ')}.`, ['input']);
      errs.throwIfAny();
    }
    const values = {
      currency: currencies[0] ?? null,
      perOrderHandledMinor: next.perOrderHandled?.amountMinor ?? null,
      perUnitPickedMinor: next.perUnitPicked?.amountMinor ?? null,
      storagePerBinDayMinor: next.storagePerBinDay?.amountMinor ?? null,
      updatedAt: ctx.clock.now(),
    };
    const [row] = await tx.insert(costModels).values({ id: MODEL_ID, ...values }).onConflictDoUpdate({ target: costModels.id, set: values }).returning();
    return viewOf(row);
  });
}
