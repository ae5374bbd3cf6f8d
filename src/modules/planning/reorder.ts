/**
 * Reorder-policy math: safety stock, reorder point, order-up-to level, EOQ and the suggested
 * order quantity for one SKU × warehouse. Pure functions: no GraphQL, no database; the
 * service (reorderPolicySet / replenishment) feeds them the forecast of ./forecast/select.ts
 * and the supplier's lead time, and turns `validateReorderInput`'s errors into userErrors.
 *
 * Units: demand in units per week, lead time and review period in weeks (the service converts
 * the contract's days), money only through shared/money.ts.
 *
 * Protection interval. With periodic review every R weeks and a lead time L, an order placed
 * now must cover demand until the next order arrives, i.e. over L + R (Silver, Pyke & Thomas,
 * *Inventory and Production Management in Supply Chains*, 4th ed. 2017, ch. 7, (R, S) systems).
 * Its demand has mean μ = d·(E[L] + R) and, with independent weekly forecast errors σ_d and
 * lead-time standard deviation σ_L (SPT ch. 6, the case of a probabilistic lead time),
 *
 *   V = (E[L] + R)·σ_d² + d²·σ_L².
 *
 * Two ways to turn (μ, V) into safety stock at cycle service level p:
 *
 * - NORMAL (fast movers): SS = z_p·√V, z_p the standard normal quantile (SPT ch. 6).
 * - Slow / intermittent movers: a normal with small mean puts mass on negative demand and is
 *   symmetric where real demand is skewed, so it under-protects at high p. We use a discrete
 *   distribution fitted by moments to the same (μ, V) and take SS = quantile_p − μ:
 *     POISSON when V ≤ μ (no over-dispersion to model; the Poisson is SPT's standard model for
 *     slow-moving items, ch. 6 / "Class C" items), and
 *     NEGATIVE_BINOMIAL when V > μ: the gamma-mixed Poisson, the over-dispersed count model
 *     recommended for intermittent demand by Syntetos & Boylan (*Intermittent Demand
 *     Forecasting*, Wiley 2021, ch. on stock control; Syntetos, Babai & Altay 2012) because it
 *     matches mean and variance with two parameters and stays on the non-negative integers.
 *   Moment fit: p_nb = μ/V, r = μ²/(V − μ) (mean r(1 − p_nb)/p_nb = μ, variance μ/p_nb = V).
 *   The quantile can fall below μ at low p for a skewed distribution; safety stock is then 0,
 *   never negative.
 * - In both: V = 0 (no forecast error, no lead-time variability) means no uncertainty to protect
 *   against, and the safety stock is 0 (a Poisson fitted to V = 0 would still add √μ-sized noise).
 *
 * Switch rule (`chooseMethod`): intermittent when the mean demand over L + R is below
 * SLOW_MOVER_UNITS (10 units: the usual rule of thumb, cf. SPT ch. 6 on slow-moving items, that
 * the normal is a poor model below roughly ten units of demand over the protection interval) or when the share of zero weeks in the history is at least
 * INTERMITTENT_ZERO_SHARE (0.24 ≈ 1 − 1/1.32, i.e. average inter-demand interval ≥ 1.32 weeks,
 * the cut-off of Syntetos, Boylan & Croston 2005). Neither depends on p, so raising the
 * service level never moves an item across branches.
 */
import negativeBinomialQuantile from '@stdlib/stats-base-dists-negative-binomial-quantile';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import poissonQuantile from '@stdlib/stats-base-dists-poisson-quantile';
import type { UserErrorData } from '../../shared/errors.js';
import { type Money, ratio } from '../../shared/money.js';
import type { ForecastResult } from './forecast/select.js';

/** Below this mean demand over the protection interval an item is a slow mover. */
export const SLOW_MOVER_UNITS = 10;
/** At or above this share of zero weeks a series is intermittent (ADI ≥ 1.32). */
export const INTERMITTENT_ZERO_SHARE = 0.24;
/** Open interval of accepted service levels (contract: outside (0.5, 0.999) is a userError). */
export const SERVICE_LEVEL_MIN = 0.5;
export const SERVICE_LEVEL_MAX = 0.999;
export const WEEKS_PER_YEAR = 52;

/** z = Φ⁻¹(0.8 + 0.2/2): the 80% two-sided interval half-width in standard deviations. */
const Z80 = normalQuantile(0.9, 0, 1);
/** Absorbs float noise before rounding up (2.0000000000004 units is 2, not 3). */
const EPS = 1e-9;
/** Expected demand over L + R below this (units) counts as none in the count-distribution branch. */
const NO_DEMAND = 1e-9;
const ceilUnits = (x: number): number => Math.max(0, Math.ceil(x - EPS));

export type SafetyStockMethod = 'NORMAL' | 'POISSON' | 'NEGATIVE_BINOMIAL';

export interface Demand {
  /** Mean demand per week (d). */
  meanWeekly: number;
  /** Standard deviation of the weekly forecast error (σ_d). */
  sdWeekly: number;
  /** Share of weeks with zero demand in the history, when known (for the switch rule). */
  zeroWeekShare?: number;
}

export interface LeadTime {
  /** Mean lead time in weeks (E[L]). */
  meanWeeks: number;
  /** Standard deviation of the lead time in weeks (σ_L). */
  sdWeeks: number;
}

export interface SafetyStockInput {
  demand: Demand;
  leadTime: LeadTime;
  /** Review period R in weeks. */
  reviewWeeks: number;
  /** Cycle service level p in (0.5, 0.999). */
  serviceLevel: number;
}

export interface SafetyStock {
  units: number;
  method: SafetyStockMethod;
  /** Mean demand over L + R. */
  protectionMean: number;
  /** Variance of demand over L + R. */
  protectionVariance: number;
}

/** Standard normal quantile z_p (Φ⁻¹), from @stdlib. */
export function zQuantile(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** Mean and variance of demand over the protection interval L + R. */
export function protectionMoments(demand: Demand, leadTime: LeadTime, reviewWeeks: number): { mean: number; variance: number } {
  const t = leadTime.meanWeeks + reviewWeeks;
  const d = demand.meanWeekly;
  return { mean: d * t, variance: t * demand.sdWeekly ** 2 + d * d * leadTime.sdWeeks ** 2 };
}

/** The switch rule of the header: NORMAL for fast movers, a count distribution for slow or intermittent ones. */
export function chooseMethod(demand: Demand, protectionMean: number, protectionVariance: number): SafetyStockMethod {
  const intermittent = protectionMean < SLOW_MOVER_UNITS || (demand.zeroWeekShare ?? 0) >= INTERMITTENT_ZERO_SHARE;
  if (!intermittent) return 'NORMAL';
  return protectionVariance > protectionMean ? 'NEGATIVE_BINOMIAL' : 'POISSON';
}

/**
 * Safety stock in whole units (rounded up) at the service level, by the method the switch rule
 * picks unless `method` forces one. Never negative; zero when there is no demand.
 */
export function safetyStock(input: SafetyStockInput, method?: SafetyStockMethod): SafetyStock {
  const { mean, variance } = protectionMoments(input.demand, input.leadTime, input.reviewWeeks);
  const m = method ?? chooseMethod(input.demand, mean, variance);
  const p = input.serviceLevel;
  let units: number;
  if (!(variance > 0)) {
    // No forecast error and no lead-time variability: demand over L + R is known to be μ, so no
    // safety stock in either branch (the count distributions would otherwise add Poisson noise
    // the forecast says is not there).
    units = 0;
  } else if (m === 'NORMAL') {
    units = ceilUnits(zQuantile(p) * Math.sqrt(variance));
  } else if (!(mean > NO_DEMAND)) {
    // No expected demand: a count distribution with mean 0 is a point mass at 0.
    units = 0;
  } else if (m === 'POISSON' || variance <= mean) {
    units = ceilUnits(poissonQuantile(p, mean) - mean);
  } else {
    const success = mean / variance;
    const r = (mean * mean) / (variance - mean);
    // r or p underflowing to 0 (tiny mean, huge variance) is the limit of a point mass at 0,
    // where @stdlib returns NaN: the quantile is then 0 and so is the safety stock.
    units = r > 0 && success > 0 ? ceilUnits(negativeBinomialQuantile(p, r, success) - mean) : 0;
  }
  if (!Number.isFinite(units)) throw new RangeError(`safetyStock: no finite result for ${JSON.stringify(input)}`);
  return { units, method: m, protectionMean: mean, protectionVariance: variance };
}

export interface ReorderPolicyInput extends SafetyStockInput {
  /** Cost of placing one order (S), with unitCost and holdingCostRate for the EOQ. */
  orderingCost?: Money | null;
  unitCost?: Money | null;
  /** Yearly holding cost as a share of unit cost (H = rate × unitCost per unit per year). */
  holdingCostRate?: number | null;
}

export interface ReorderPolicyLevels {
  safetyStock: number;
  /** Expected demand over the lead time + safety stock, rounded up. */
  reorderPoint: number;
  /** Expected demand over lead time + review period + safety stock, rounded up; ≥ reorderPoint. */
  orderUpTo: number;
  /** Economic order quantity when ordering and holding costs are given, else null. */
  economicOrderQuantity: number | null;
  method: SafetyStockMethod;
}

/** Safety stock, reorder point, order-up-to level and (when costs are given) EOQ. */
export function reorderPolicy(input: ReorderPolicyInput): ReorderPolicyLevels {
  const ss = safetyStock(input);
  const d = input.demand.meanWeekly;
  const reorderPoint = ceilUnits(d * input.leadTime.meanWeeks + ss.units);
  const orderUpTo = Math.max(reorderPoint, ceilUnits(d * (input.leadTime.meanWeeks + input.reviewWeeks) + ss.units));
  const { orderingCost, unitCost, holdingCostRate } = input;
  const economicOrderQuantity =
    orderingCost && unitCost && holdingCostRate != null && holdingCostRate > 0 && unitCost.amountMinor > 0
      ? eoq(d * WEEKS_PER_YEAR, orderingCost, unitCost, holdingCostRate)
      : null;
  return { safetyStock: ss.units, reorderPoint, orderUpTo, economicOrderQuantity, method: ss.method };
}

/**
 * Economic order quantity √(2·D·S/H) (Harris 1913; SPT ch. 4), D units per year, S per order,
 * H = holdingCostRate × unitCost per unit per year; rounded to whole units, at least 1 when
 * there is demand.
 */
export function eoq(annualDemand: number, orderingCost: Money, unitCost: Money, holdingCostRate: number): number {
  if (annualDemand <= 0) return 0;
  const q = Math.sqrt((2 * annualDemand * ratio(orderingCost, unitCost)) / holdingCostRate);
  return Math.max(1, Math.round(q));
}

/** `quantity` rounded up to a multiple of packSize, and at least minOrderQuantity (itself rounded up to a pack); 0 stays 0. */
export function roundToPack(quantity: number, packSize: number, minOrderQuantity: number): number {
  if (quantity <= 0) return 0;
  const q = Math.max(quantity, minOrderQuantity);
  return Math.ceil(q / packSize - EPS) * packSize;
}

export interface OrderSuggestionInput {
  /** Inventory position: available + incoming (− backorders). */
  position: number;
  policy: Pick<ReorderPolicyLevels, 'reorderPoint' | 'orderUpTo' | 'economicOrderQuantity'>;
  packSize: number;
  minOrderQuantity: number;
}

/**
 * The quantity to order now under an (R, s, S) policy: nothing above the reorder point, else
 * enough to raise the position to orderUpTo — at least the EOQ when known (a smaller lot costs
 * more in ordering than it saves in holding) — rounded up to the pack size and at least the MOQ.
 */
export function suggestedOrderQuantity(input: OrderSuggestionInput): number {
  const { position, policy } = input;
  if (position > policy.reorderPoint) return 0;
  const raw = Math.max(policy.orderUpTo - position, policy.economicOrderQuantity ?? 0, 1);
  return roundToPack(raw, input.packSize, input.minOrderQuantity);
}

/**
 * Weekly demand for the policy from a forecast of ./forecast/select.ts: d = mean of the
 * forecast's per-week means; σ_d = the first week's upper 80% half-width / z₀.₉ (the lower bound
 * is clamped at 0, so it is not used). select.ts widens the interval as σ·√h, so its first week
 * is the per-week error σ and the √(L + R) growth is applied here by the variance formula;
 * averaging over the horizon would count that growth twice. The zero-week share from the history.
 */
export function demandFromForecast(forecast: Pick<ForecastResult, 'mean' | 'upper80'>, history: readonly number[] = []): Demand {
  const n = forecast.mean.length;
  if (n === 0) return { meanWeekly: 0, sdWeekly: 0, ...(history.length ? { zeroWeekShare: zeroShare(history) } : {}) };
  let mean = 0;
  for (const m of forecast.mean) mean += m;
  const first = forecast.mean[0] ?? 0;
  const sd = Math.max(0, (forecast.upper80[0] ?? first) - first) / Z80;
  const demand: Demand = { meanWeekly: mean / n, sdWeekly: sd };
  if (history.length) demand.zeroWeekShare = zeroShare(history);
  return demand;
}

const zeroShare = (history: readonly number[]): number => history.filter((x) => x === 0).length / history.length;

export interface ReorderInputToValidate {
  serviceLevel: number;
  leadTimeWeeks?: number;
  leadTimeSdWeeks?: number;
  reviewWeeks?: number;
  sdWeekly?: number;
  orderingCost?: Money | null;
  unitCost?: Money | null;
  holdingCostRate?: number | null;
  packSize?: number;
  minOrderQuantity?: number;
}

/**
 * Bad input as structured errors (code, field, message) for the service to return as
 * userErrors; empty when the input is usable. Fields are named as in the contract's inputs.
 */
export function validateReorderInput(input: ReorderInputToValidate): UserErrorData[] {
  const errors: UserErrorData[] = [];
  const bad = (field: string, code: string, message: string): void => {
    errors.push({ field: ['input', field], code, message });
  };
  const p = input.serviceLevel;
  if (!(Number.isFinite(p) && p > SERVICE_LEVEL_MIN && p < SERVICE_LEVEL_MAX)) {
    bad('serviceLevel', 'SERVICE_LEVEL_OUT_OF_RANGE', `serviceLevel must be in (${SERVICE_LEVEL_MIN}, ${SERVICE_LEVEL_MAX}), got ${p}`);
  }
  const nonNegative: [keyof ReorderInputToValidate, number | null | undefined][] = [
    ['leadTimeWeeks', input.leadTimeWeeks],
    ['leadTimeSdWeeks', input.leadTimeSdWeeks],
    ['reviewWeeks', input.reviewWeeks],
    ['sdWeekly', input.sdWeekly],
    ['holdingCostRate', input.holdingCostRate],
  ];
  for (const [field, v] of nonNegative) {
    if (v != null && !(Number.isFinite(v) && v >= 0)) bad(field, 'NEGATIVE_VALUE', `${field} must be a finite number ≥ 0, got ${v}`);
  }
  for (const [field, m] of [['orderingCost', input.orderingCost], ['unitCost', input.unitCost]] as const) {
    if (m && m.amountMinor < 0) bad(field, 'NEGATIVE_COST', `${field} must not be negative`);
  }
  if (input.orderingCost && input.unitCost && input.orderingCost.currency !== input.unitCost.currency) {
    bad('orderingCost', 'CURRENCY_MISMATCH', `orderingCost is in ${input.orderingCost.currency}, the unit cost in ${input.unitCost.currency}`);
  }
  for (const [field, v] of [['packSize', input.packSize], ['minOrderQuantity', input.minOrderQuantity]] as const) {
    if (v != null && !(Number.isInteger(v) && v >= 1)) bad(field, 'INVALID_QUANTITY', `${field} must be a whole number ≥ 1, got ${v}`);
  }
  return errors;
}
