/**
 * Allocation strategy over warehouses, pure: given the order lines, the available stock per
 * warehouse and the destination, decide which warehouse ships what.
 *
 * 1. One warehouse that can ship every line, the nearest to the destination (by coordinates
 *    when both are known, else same region, then same country, then the rest).
 * 2. Otherwise split into the fewest fulfillment orders: greedily take the warehouse that covers
 *    the most remaining units (nearest first on ties), until every line is covered; then check a
 *    smaller cover does not exist for small warehouse counts (exact search up to 8 warehouses).
 * 3. What no warehouse can cover is returned as `short` (backorder or refuse: the caller decides).
 */
import { haversineKm, type LatLng } from '../../shared/geo.js';

export interface AllocationLine {
  variantId: string;
  quantity: number;
}

export interface WarehouseStock {
  warehouseId: string;
  location?: LatLng | null;
  region?: string | null;
  countryCode?: string | null;
  /** Available units per variant id. */
  available: ReadonlyMap<string, number>;
}

export interface Destination {
  location?: LatLng | null;
  region?: string | null;
  countryCode: string;
}

export interface AllocationPlan {
  /** Per warehouse, nearest first: units of each variant it ships. */
  parts: { warehouseId: string; lines: AllocationLine[] }[];
  /** Units no warehouse can supply. */
  short: AllocationLine[];
}

/** Smaller is nearer: kilometres when both points are known, else a coarse rank by region and country. */
export function proximity(w: WarehouseStock, d: Destination): number {
  if (w.location && d.location) return haversineKm(w.location, d.location);
  if (d.region && w.region && w.region.toLowerCase() === d.region.toLowerCase() && w.countryCode === d.countryCode) return 1e6;
  if (w.countryCode && w.countryCode === d.countryCode) return 2e6;
  return 3e6;
}

function merge(lines: readonly AllocationLine[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l.variantId, (m.get(l.variantId) ?? 0) + l.quantity);
  return m;
}

const canShipAll = (w: WarehouseStock, need: ReadonlyMap<string, number>) => [...need].every(([v, q]) => (w.available.get(v) ?? 0) >= q);

/** Assigns units to the given warehouses in order, each taking what it can of what is still needed. */
function fill(order: readonly WarehouseStock[], need: ReadonlyMap<string, number>): AllocationPlan {
  const left = new Map(need);
  const parts: AllocationPlan['parts'] = [];
  for (const w of order) {
    const lines: AllocationLine[] = [];
    for (const [v, q] of left) {
      const take = Math.min(q, w.available.get(v) ?? 0);
      if (take > 0) {
        lines.push({ variantId: v, quantity: take });
        left.set(v, q - take);
      }
    }
    for (const [v, q] of [...left]) if (q === 0) left.delete(v);
    if (lines.length) parts.push({ warehouseId: w.warehouseId, lines });
  }
  return { parts, short: [...left].map(([variantId, quantity]) => ({ variantId, quantity })) };
}

const covers = (ws: readonly WarehouseStock[], need: ReadonlyMap<string, number>) =>
  [...need].every(([v, q]) => ws.reduce((s, w) => s + (w.available.get(v) ?? 0), 0) >= q);

/** The allocation plan for an order (see module doc). Deterministic: ties break by warehouse id. */
export function planAllocation(lines: readonly AllocationLine[], stock: readonly WarehouseStock[], destination: Destination): AllocationPlan {
  const need = merge(lines);
  const byDistance = [...stock].sort((a, b) => proximity(a, destination) - proximity(b, destination) || a.warehouseId.localeCompare(b.warehouseId));
  const single = byDistance.find((w) => canShipAll(w, need));
  if (single) return fill([single], need);

  // Fewest warehouses: exact search over subsets by size when the set is small.
  const useful = byDistance.filter((w) => [...need.keys()].some((v) => (w.available.get(v) ?? 0) > 0));
  if (useful.length <= 8) {
    for (let k = 2; k <= useful.length; k++) {
      const best = firstCover(useful, k, need);
      if (best) return fill(best, need);
    }
  } else {
    // Greedy cover: repeatedly the warehouse supplying the most remaining units, nearest on ties.
    const left = new Map(need);
    const chosen: WarehouseStock[] = [];
    const pool = [...useful];
    while ([...left.values()].some((q) => q > 0) && pool.length) {
      let bestIdx = 0;
      let bestGain = -1;
      pool.forEach((w, i) => {
        const gain = [...left].reduce((s, [v, q]) => s + Math.min(q, w.available.get(v) ?? 0), 0);
        if (gain > bestGain) {
          bestGain = gain;
          bestIdx = i;
        }
      });
      if (bestGain <= 0) break;
      const w = pool.splice(bestIdx, 1)[0]!;
      chosen.push(w);
      for (const [v, q] of left) left.set(v, Math.max(0, q - (w.available.get(v) ?? 0)));
    }
    if (covers(chosen, need)) return fill(chosen.sort((a, b) => byDistance.indexOf(a) - byDistance.indexOf(b)), need);
  }
  // No full cover: supply what exists, nearest first; the rest is short.
  return fill(useful, need);
}

/** The first k-subset (in nearest-first lexicographic order) that covers the need, or null. */
function firstCover(ws: readonly WarehouseStock[], k: number, need: ReadonlyMap<string, number>): WarehouseStock[] | null {
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    const subset = idx.map((i) => ws[i]!);
    if (covers(subset, need)) return subset;
    let i = k - 1;
    while (i >= 0 && idx[i] === ws.length - k + i) i--;
    if (i < 0) return null;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}
