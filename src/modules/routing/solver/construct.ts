/**
 * Regret-2 insertion construction.
 *
 * Routes are opened one at a time (seeded with the farthest unrouted
 * customer) only when no unrouted customer fits into an open route, which
 * gives a fleet-frugal start for the hierarchical objective; the customer
 * with the largest regret (second best minus best route) is inserted first so
 * that hard-to-place customers are not squeezed out.
 */
import type { Problem } from './problem.js';
import type { Sol } from './solution.js';

/** Inserts every absent customer it can into s (in place). */
export function regretConstruct(s: Sol): void {
  const p = s.p;
  const V = p.V;
  while (s.nAbsent > 0) {
    let bestU = -1;
    let bestScore = -Infinity;
    let bestR = -1;
    let bestI = -1;
    for (let k = 0; k < s.nAbsent; k++) {
      const u = s.absent[k];
      let b1 = Infinity;
      let b2 = Infinity;
      let r1 = -1;
      let i1 = -1;
      for (let r = 0; r < V; r++) {
        const len = s.len[r];
        if (len <= 2) continue;
        if (s.load[r] + p.demand[u] > p.cap[r] + 1e-9) continue;
        const rb = s.cheapestInsertion(u, r);
        const ri = s.insertAt;
        if (rb < b1) {
          b2 = b1;
          b1 = rb;
          r1 = r;
          i1 = ri;
        } else if (rb < b2) b2 = rb;
      }
      if (r1 < 0) continue;
      // Customers with a single option go first; ties by cheapest insertion.
      const score = (b2 === Infinity ? 1e12 : b2 - b1) - 1e-6 * b1;
      if (score > bestScore) {
        bestScore = score;
        bestU = u;
        bestR = r1;
        bestI = i1;
      }
    }
    if (bestU >= 0) {
      s.insert(bestU, bestR, bestI);
      continue;
    }
    if (!openRoute(s, p)) break;
  }
}

/** Opens a new route with the farthest absent customer that fits an empty vehicle. */
function openRoute(s: Sol, p: Problem): boolean {
  for (let r = 0; r < p.V; r++) {
    if (s.len[r] > 2) continue;
    let best = -1;
    let bestD = -1;
    for (let k = 0; k < s.nAbsent; k++) {
      const u = s.absent[k];
      if (p.demand[u] > p.cap[r]) continue;
      if (s.cheapestInsertion(u, r) === Infinity) continue;
      const d = p.dist[p.sDep[r] * p.n + u];
      if (d > bestD) {
        bestD = d;
        best = u;
      }
    }
    if (best >= 0) {
      s.insert(best, r, 0);
      return true;
    }
  }
  return false;
}
