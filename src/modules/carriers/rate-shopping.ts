/**
 * Rate shopping, pure: pick one carrier service for a parcel by strategy.
 * - CHEAPEST: lowest price; ties by faster (transitDaysMax), then code.
 * - FASTEST: lowest transitDaysMax, then transitDaysMin, then price.
 * - BEST_VALUE: lowest price x (1 + lateRisk), lateRisk the service's share of late deliveries in
 *   the store's history, Laplace-smoothed ((late + 1) / (delivered + 2)) so a service without
 *   history counts as a coin flip rather than perfect; a service that is late half the time
 *   "costs" 1.5x its price.
 */
export type RateStrategyValue = 'CHEAPEST' | 'FASTEST' | 'BEST_VALUE';
export const RATE_STRATEGIES: readonly RateStrategyValue[] = ['CHEAPEST', 'FASTEST', 'BEST_VALUE'];

export interface RateCandidate {
  code: string;
  priceMinor: number;
  transitDaysMin: number;
  transitDaysMax: number;
  /** Delivered shipments of the service in the history window, and how many arrived after the promised window. */
  delivered: number;
  late: number;
}

export const lateRisk = (c: Pick<RateCandidate, 'delivered' | 'late'>): number => (c.late + 1) / (c.delivered + 2);

export const bestValueScore = (c: RateCandidate): number => c.priceMinor * (1 + lateRisk(c));

export function chooseService<T extends RateCandidate>(candidates: readonly T[], strategy: RateStrategyValue): T | null {
  if (!candidates.length) return null;
  const byCode = (a: T, b: T) => a.code.localeCompare(b.code);
  const order: Record<RateStrategyValue, (a: T, b: T) => number> = {
    CHEAPEST: (a, b) => a.priceMinor - b.priceMinor || a.transitDaysMax - b.transitDaysMax || byCode(a, b),
    FASTEST: (a, b) => a.transitDaysMax - b.transitDaysMax || a.transitDaysMin - b.transitDaysMin || a.priceMinor - b.priceMinor || byCode(a, b),
    BEST_VALUE: (a, b) => bestValueScore(a) - bestValueScore(b) || a.transitDaysMax - b.transitDaysMax || byCode(a, b),
  };
  return [...candidates].sort(order[strategy])[0]!;
}
