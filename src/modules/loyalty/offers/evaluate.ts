/**
 * Offline evaluation of the offers (pure): a time split of order lines, hit-rate@k of the method
 * against the most-popular baseline, and the choice of blend weights on the train part only.
 */
import { buildModel, mostPopular, recommend, type BasketLine, type ItemInfo, type Offer, type OfferModel, type Purchase, type Weights } from './recommend.js';

const DAY = 86_400_000;

export interface HitRates {
  /** Customers with a purchase in the test window (and one before it is not required). */
  customers: number;
  method: number;
  baseline: number;
  /** Customers only the method hit, and only the baseline (the pairs a sign test compares). */
  onlyMethod: number;
  onlyBaseline: number;
}

/** The purchases of each customer in `lines`. */
export function historyByCustomer(lines: readonly BasketLine[]): Map<string, Purchase[]> {
  const out = new Map<string, Purchase[]>();
  for (const l of lines) {
    if (!l.customerId) continue;
    (out.get(l.customerId) ?? out.set(l.customerId, []).get(l.customerId)!).push({ variantId: l.variantId, at: l.at });
  }
  return out;
}

/**
 * Fits on the lines before `split`, then for every customer who bought in [split, end): a hit when
 * one of the `k` offers made at `split` is among what they bought then. Both methods see the same
 * history and exclude what the customer bought in the 30 days before `split`; stock is not considered.
 */
export function hitRates(lines: readonly BasketLine[], items: ReadonlyMap<string, ItemInfo>, split: Date, end: Date, opts: { k?: number; weights?: Weights; model?: OfferModel } = {}): HitRates {
  const k = opts.k ?? 10;
  const train = lines.filter((l) => l.at < split);
  const test = lines.filter((l) => l.at >= split && l.at < end);
  const model = opts.model ?? buildModel(train, split);
  const history = historyByCustomer(train);
  const bought = new Map<string, Set<string>>();
  for (const l of test) if (l.customerId) (bought.get(l.customerId) ?? bought.set(l.customerId, new Set()).get(l.customerId)!).add(l.variantId);
  let method = 0;
  let baseline = 0;
  let onlyMethod = 0;
  let onlyBaseline = 0;
  const hit = (offers: Offer[], got: Set<string>) => (offers.some((o) => got.has(o.variantId)) ? 1 : 0);
  for (const [customer, got] of [...bought].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const h = history.get(customer) ?? [];
    const m = hit(recommend({ model, items, history: h, now: split, first: k, weights: opts.weights }), got);
    const b = hit(mostPopular(model, h, split, k), got);
    method += m;
    baseline += b;
    onlyMethod += m > b ? 1 : 0;
    onlyBaseline += b > m ? 1 : 0;
  }
  const n = bought.size;
  return { customers: n, method: n ? method / n : 0, baseline: n ? baseline / n : 0, onlyMethod, onlyBaseline };
}

/** Every blend on a grid of `step` whose weights sum to 1. */
export function weightGrid(step = 0.1): Weights[] {
  const n = Math.round(1 / step);
  const out: Weights[] = [];
  for (let a = 0; a <= n; a++) for (let b = 0; a + b <= n; b++) out.push({ coPurchase: a / n, category: b / n, popularity: (n - a - b) / n });
  return out;
}

/**
 * Picks the weights on the train part only: fits on [trainStart, trainEnd − validationDays),
 * scores hit-rate@k on the last `validationDays` of the train part, keeps the best (ties: the
 * first on the grid). Nothing at or after `trainEnd` is read.
 */
export function tuneWeights(lines: readonly BasketLine[], items: ReadonlyMap<string, ItemInfo>, trainEnd: Date, opts: { validationDays?: number; k?: number; step?: number } = {}) {
  const train = lines.filter((l) => l.at < trainEnd);
  const split = new Date(trainEnd.getTime() - (opts.validationDays ?? 15) * DAY);
  const model = buildModel(train.filter((l) => l.at < split), split);
  let best: { weights: Weights; rates: HitRates } | null = null;
  for (const weights of weightGrid(opts.step)) {
    const rates = hitRates(train, items, split, trainEnd, { k: opts.k, weights, model });
    if (!best || rates.method > best.rates.method) best = { weights, rates };
  }
  return best!;
}
