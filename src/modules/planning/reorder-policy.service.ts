/**
 * Reorder policies per SKU × warehouse: the settings a store gives (service level, review period,
 * ordering and holding costs) are stored; the figures (safety stock, reorder point, order-up-to,
 * EOQ) are computed when read, from the variant's demand outlook (forecast and its error) and the
 * preferred supplier's lead time (learnt from received purchase orders when there are some), with
 * the pure functions of reorder.ts. A variant without a stored policy gets the default one, so
 * suggestions work on day one.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { isCurrency, money, type Money } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { requireInventoryRead } from './planning.access.js';
import { variantsBySkus, type VariantRow } from '../catalog/catalog.service.js';
import { requireWarehouseAccess } from '../warehouse/warehouse.service.js';
import { demandOutlooksByHorizon, type DemandOutlook } from './demand.service.js';
import { learntLeadTimes, type SupplierRow } from './planning.reads.js';
import { reorderPolicies } from './planning.table.js';
import { demandFromForecast, reorderPolicy, SERVICE_LEVEL_MAX, SERVICE_LEVEL_MIN, type ReorderPolicyLevels } from './reorder.js';
import { preferredSupplierProducts } from './supplier.service.js';

export type ReorderPolicyRow = typeof reorderPolicies.$inferSelect;

/** The policy of a variant nobody configured: 95% cycle service level, weekly review, no costs. */
export const DEFAULT_SERVICE_LEVEL = 0.95;
export const DEFAULT_REVIEW_PERIOD_DAYS = 7;
/**
 * Lead time assumed for a variant without a preferred supplier (it can only come by transfer or a
 * purchase order placed by hand): two weeks, a common domestic replenishment time.
 */
export const DEFAULT_LEAD_TIME_DAYS = 14;
/** Forecast weeks the policy and the stockout date look at (at least; longer when L + R is longer). */
export const PLANNING_HORIZON_WEEKS = 13;

export interface PolicySettings {
  serviceLevel: number;
  reviewPeriodDays: number;
  orderingCost: Money | null;
  holdingCostRate: number | null;
  /** Whether the store set it (false: the default policy). */
  configured: boolean;
}

export interface ComputedPolicy extends ReorderPolicyLevels {
  variantId: string;
  warehouseId: string;
  serviceLevel: number;
  leadTimeDays: number;
  leadTimeStdDevDays: number;
  reviewPeriodDays: number;
  /** The preferred supplier and its terms, when there is one. */
  supplier: SupplierRow | null;
  /** The preferred supplier's price per unit (minor units of its currency). */
  unitCostMinor: number | null;
  packSize: number;
  minOrderQuantity: number;
  outlook: DemandOutlook;
}

const defaults = (): PolicySettings => ({ serviceLevel: DEFAULT_SERVICE_LEVEL, reviewPeriodDays: DEFAULT_REVIEW_PERIOD_DAYS, orderingCost: null, holdingCostRate: null, configured: false });

const settingsOf = (r: ReorderPolicyRow): PolicySettings => ({
  serviceLevel: r.serviceLevel,
  reviewPeriodDays: r.reviewPeriodDays,
  orderingCost: r.orderingCostMinor != null && r.orderingCostCurrency ? money(r.orderingCostMinor, r.orderingCostCurrency) : null,
  holdingCostRate: r.holdingCostRate,
  configured: true,
});

const key = (variantId: string, warehouseId: string) => `${variantId}|${warehouseId}`;

/** Stored settings per `${variantId}|${warehouseId}` (absent: the default policy). */
export async function policySettings(ctx: Pick<ServiceContext, 'database'>, keys: readonly { variantId: string; warehouseId: string }[]): Promise<Map<string, PolicySettings>> {
  const out = new Map<string, PolicySettings>();
  if (!keys.length) return out;
  const rows = await ctx.database.db
    .select()
    .from(reorderPolicies)
    .where(and(inArray(reorderPolicies.variantId, [...new Set(keys.map((k) => k.variantId))]), inArray(reorderPolicies.warehouseId, [...new Set(keys.map((k) => k.warehouseId))])));
  for (const r of rows) out.set(key(r.variantId, r.warehouseId), settingsOf(r));
  return out;
}

/** Variants with a stored policy in a warehouse. */
export async function configuredVariantIds(ctx: Pick<ServiceContext, 'database'>, warehouseId: string): Promise<string[]> {
  const rows = await ctx.database.db.select({ v: reorderPolicies.variantId }).from(reorderPolicies).where(eq(reorderPolicies.warehouseId, warehouseId));
  return rows.map((r) => r.v);
}

/**
 * The figures of many (variant, warehouse) pairs at once: one settings query, one supplier query,
 * one lead-time query and the demand outlooks (batched, cached by the demand service).
 */
export async function computePolicies(ctx: ServiceContext, keys: readonly { variantId: string; warehouseId: string }[]): Promise<Map<string, ComputedPolicy>> {
  const out = new Map<string, ComputedPolicy>();
  if (!keys.length) return out;
  const variantIds = [...new Set(keys.map((k) => k.variantId))];
  const [settings, preferred] = await Promise.all([policySettings(ctx, keys), preferredSupplierProducts(ctx, variantIds)]);
  const supplierIds = [...new Set([...preferred.values()].map((p) => p.supplier.id))];
  const learnt = new Map((await learntLeadTimes(ctx, supplierIds)).map((l) => [l.supplierId, l]));
  // Lead time and horizon per key, then the outlooks of all keys, each with its horizon (one read of the history).
  const plans = keys.map((k) => {
    const s = settings.get(key(k.variantId, k.warehouseId)) ?? defaults();
    const p = preferred.get(k.variantId) ?? null;
    const l = p ? learnt.get(p.supplier.id) : undefined;
    const leadTimeDays = l ? l.meanDays : p ? p.supplier.leadTimeDays : DEFAULT_LEAD_TIME_DAYS;
    const leadTimeStdDevDays = l ? l.stdDevDays : 0;
    const protectionWeeks = Math.max(1, Math.ceil((leadTimeDays + s.reviewPeriodDays) / 7));
    const horizon = Math.min(52, Math.max(PLANNING_HORIZON_WEEKS, protectionWeeks));
    return { k, s, p, leadTimeDays, leadTimeStdDevDays, protectionWeeks: Math.min(protectionWeeks, horizon), horizon };
  });
  const outlooks = await demandOutlooksByHorizon(
    ctx,
    plans.map((p) => ({ variantId: p.k.variantId, warehouseId: p.k.warehouseId, horizonWeeks: p.horizon })),
  );
  for (const plan of plans) {
    const { k, s, p } = plan;
    const outlook = outlooks.get(`${key(k.variantId, k.warehouseId)}|${plan.horizon}`)!;
    // Demand over the protection window L + R: the forecast weeks it covers (a coming peak counts).
    const fromForecast = demandFromForecast(
      { mean: outlook.forecast.mean.slice(0, plan.protectionWeeks), upper80: outlook.forecast.upper80.slice(0, plan.protectionWeeks) },
      outlook.history,
    );
    // The outlook's first point is `firstStep` weeks past the last complete week (the current week
    // lies between), and select.ts widens intervals as σ·√h: its half-width over z is σ·√firstStep.
    const demand = { ...fromForecast, sdWeekly: fromForecast.sdWeekly / Math.sqrt(outlook.firstStep) };
    const unitCost = p ? money(p.product.unitCostMinor, p.supplier.currency) : null;
    const orderingCost = s.orderingCost && unitCost && s.orderingCost.currency === unitCost.currency ? s.orderingCost : null;
    const levels = reorderPolicy({
      demand,
      leadTime: { meanWeeks: plan.leadTimeDays / 7, sdWeeks: plan.leadTimeStdDevDays / 7 },
      reviewWeeks: s.reviewPeriodDays / 7,
      serviceLevel: s.serviceLevel,
      orderingCost,
      unitCost,
      holdingCostRate: s.holdingCostRate,
    });
    out.set(key(k.variantId, k.warehouseId), {
      ...levels,
      variantId: k.variantId,
      warehouseId: k.warehouseId,
      serviceLevel: s.serviceLevel,
      leadTimeDays: plan.leadTimeDays,
      leadTimeStdDevDays: plan.leadTimeStdDevDays,
      reviewPeriodDays: s.reviewPeriodDays,
      supplier: p?.supplier ?? null,
      unitCostMinor: p?.product.unitCostMinor ?? null,
      packSize: p?.product.packSize ?? 1,
      minOrderQuantity: p?.product.minOrderQuantity ?? 1,
      outlook,
    });
  }
  return out;
}

async function requireVariant(ctx: ServiceContext, sku: string, field: string[]): Promise<VariantRow> {
  const [v] = await variantsBySkus(ctx, [sku]);
  if (!v) throw BusinessError.of('NOT_FOUND', `Unknown SKU ${sku}.`, field);
  return v;
}

export interface ReorderPolicySetInput {
  sku: string;
  warehouseCode: string;
  serviceLevel?: number | null;
  reviewPeriodDays?: number | null;
  orderingCost?: Money | null;
  holdingCostRate?: number | null;
}

/**
 * Creates or replaces the policy of a SKU in a warehouse and returns its figures. Errors: NOT_FOUND
 * (SKU, warehouse), SERVICE_LEVEL_OUT_OF_RANGE (not strictly between 0.5 and 0.999), INVALID (review
 * period outside 0..365, holding cost rate not in (0, 10], an unknown currency), NEGATIVE_COST.
 */
export async function setReorderPolicy(ctx: ServiceContext, input: ReorderPolicySetInput): Promise<ComputedPolicy> {
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  const variant = await requireVariant(ctx, input.sku, ['input', 'sku']);
  const serviceLevel = input.serviceLevel ?? DEFAULT_SERVICE_LEVEL;
  const reviewPeriodDays = input.reviewPeriodDays ?? DEFAULT_REVIEW_PERIOD_DAYS;
  const errors = new ErrorList();
  if (!(Number.isFinite(serviceLevel) && serviceLevel > SERVICE_LEVEL_MIN && serviceLevel < SERVICE_LEVEL_MAX)) {
    errors.add('SERVICE_LEVEL_OUT_OF_RANGE', `serviceLevel must be strictly between ${SERVICE_LEVEL_MIN} and ${SERVICE_LEVEL_MAX}.`, ['input', 'serviceLevel']);
  }
  if (!Number.isInteger(reviewPeriodDays) || reviewPeriodDays < 0 || reviewPeriodDays > 365) errors.add('INVALID', 'reviewPeriodDays must be a whole number from 0 to 365.', ['input', 'reviewPeriodDays']);
  const oc = input.orderingCost ?? null;
  if (oc) {
    if (!isCurrency(oc.currency)) errors.add('INVALID', `Unknown currency ${oc.currency}.`, ['input', 'orderingCost', 'currency']);
    if (!Number.isSafeInteger(oc.amountMinor)) errors.add('INVALID', 'orderingCost.amountMinor must be a whole number.', ['input', 'orderingCost', 'amountMinor']);
    else if (oc.amountMinor < 0) errors.add('NEGATIVE_COST', 'orderingCost must not be negative.', ['input', 'orderingCost', 'amountMinor']);
  }
  const rate = input.holdingCostRate ?? null;
  if (rate != null && !(Number.isFinite(rate) && rate > 0 && rate <= 10)) errors.add('INVALID', 'holdingCostRate must be above 0 and at most 10 (a yearly share of unit cost, e.g. 0.25).', ['input', 'holdingCostRate']);
  errors.throwIfAny();
  const values = {
    variantId: variant.id,
    warehouseId: warehouse.id,
    serviceLevel,
    reviewPeriodDays,
    orderingCostMinor: oc?.amountMinor ?? null,
    orderingCostCurrency: oc?.currency ?? null,
    holdingCostRate: rate,
    updatedAt: ctx.clock.now(),
  };
  await ctx.database.db
    .insert(reorderPolicies)
    .values(values)
    .onConflictDoUpdate({ target: [reorderPolicies.variantId, reorderPolicies.warehouseId], set: { ...values, updatedAt: sql`now()` } });
  return (await computePolicies(ctx, [{ variantId: variant.id, warehouseId: warehouse.id }])).get(key(variant.id, warehouse.id))!;
}

/**
 * The policy of a SKU in a warehouse with its figures: the stored one, else the default policy.
 * Needs read_inventory and the warehouse (a PARTNER's own). Errors (BAD_USER_INPUT on the query):
 * NOT_FOUND (SKU, warehouse).
 */
export async function getReorderPolicy(ctx: ServiceContext, sku: string, warehouseCode: string): Promise<ComputedPolicy> {
  requireInventoryRead(ctx);
  const warehouse = await requireWarehouseAccess(ctx, warehouseCode, 'read', ['warehouseCode']);
  const variant = await requireVariant(ctx, sku, ['sku']);
  return (await computePolicies(ctx, [{ variantId: variant.id, warehouseId: warehouse.id }])).get(key(variant.id, warehouse.id))!;
}
