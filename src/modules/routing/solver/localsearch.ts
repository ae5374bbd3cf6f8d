/**
 * Granular inter-route local search: relocate / or-opt (segments of 1–3),
 * swap and 2-opt* between a customer and its nearest neighbours, first
 * improvement. Every feasibility test is O(1) (or O(segment)) thanks to the
 * est/lst/cum arrays kept by {@link Sol}: a candidate route is always
 * "prefix of a route + a few explicit nodes + suffix of a route", so it is
 * enough to push the departure time through the explicit nodes and compare
 * the arrival at the suffix with that suffix's latest start.
 *
 * Intra-route or-opt and 2-opt (segment reversal) are checked by pushing
 * the departure time through the changed stretch, O(stretch length).
 *
 * Moves never use an empty vehicle, so the vehicle count can only go down.
 */
import type { Problem } from './problem.js';
import type { Rng } from './rng.js';
import { EPS, type Sol } from './solution.js';

const IMPROVE = 1e-7;

export class LocalSearch {
  private readonly order: Int32Array;
  private readonly seq: Int32Array;
  private readonly bufA: Int32Array;
  private readonly bufB: Int32Array;
  /** Whether vehicles a and b have the same end depot and end time (tails are exchangeable). */
  private readonly sameEnd: Uint8Array;

  constructor(
    private readonly p: Problem,
    private readonly rng: Rng,
    private readonly granularity = 20,
  ) {
    this.order = Int32Array.from(p.customers);
    this.seq = new Int32Array(p.nCust + 2);
    this.bufA = new Int32Array(p.nCust + 2);
    this.bufB = new Int32Array(p.nCust + 2);
    const V = p.V;
    this.sameEnd = new Uint8Array(V * V);
    for (let a = 0; a < V; a++) {
      for (let b = 0; b < V; b++) {
        this.sameEnd[a * V + b] = p.eDep[a] === p.eDep[b] && p.vEnd[a] === p.vEnd[b] ? 1 : 0;
      }
    }
  }

  /**
   * Is "route ra up to position i, then seq[0..k), then route rb from
   * position j on" time-feasible?
   */
  private chain(s: Sol, ra: number, i: number, k: number, rb: number, j: number): boolean {
    const p = this.p;
    let prev = s.nodes[ra][i];
    let t = s.est[ra][i];
    for (let q = 0; q < k; q++) {
      const x = this.seq[q];
      t = p.serviceStart(prev, t, x);
      if (t > p.due[x] + EPS) return false;
      prev = x;
    }
    return t + p.service[prev] + p.dist[prev * p.n + s.nodes[rb][j]] <= s.lst[rb][j] + EPS;
  }

  /** Runs to a local optimum (bounded number of passes). Returns true if anything improved. */
  run(s: Sol, maxPasses = 50): boolean {
    const p = this.p;
    const order = this.order;
    const m = p.nCust;
    const K = Math.min(this.granularity, m - 1);
    let any = false;
    for (let pass = 0; pass < maxPasses; pass++) {
      let improved = false;
      for (let i = m - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (let q = 0; q < m; q++) {
        const u = order[q];
        if (s.routeOf[u] < 0) continue;
        const base = u * m;
        for (let k = 0; k <= K; k++) {
          const v = p.adj[base + k];
          if (v === u) continue;
          const rv = s.routeOf[v];
          const ru = s.routeOf[u];
          if (rv < 0) continue;
          if (ru === rv ? this.tryIntra(s, u, v, ru) : this.tryPair(s, u, ru, v, rv)) {
            improved = true;
            break;
          }
        }
      }
      if (!improved) break;
      any = true;
    }
    return any;
  }

  private tryPair(s: Sol, u: number, ru: number, v: number, rv: number): boolean {
    const p = this.p;
    const n = p.n;
    const d = p.dist;
    const A = s.nodes[ru];
    const B = s.nodes[rv];
    const lenA = s.len[ru];
    const lenB = s.len[rv];
    const pu = s.posOf[u];
    const pv = s.posOf[v];
    const prevU = A[pu - 1];
    const nextU = A[pu + 1];
    const prevV = B[pv - 1];
    const nextV = B[pv + 1];
    const du = p.demand[u];
    const dv = p.demand[v];

    // Relocate / or-opt: segment A[pu .. pu+L-1] after v or before v.
    for (let L = 1; L <= 3; L++) {
      const last = pu + L - 1;
      if (last > lenA - 2) break;
      const segLoad = s.cum[ru][last] - s.cum[ru][pu - 1];
      if (s.load[rv] + segLoad > p.cap[rv] + 1e-9) continue;
      const first = A[pu];
      const lastN = A[last];
      const gain = p.detour(prevU, first, lastN, A[last + 1]);
      for (let q = 0; q < L; q++) this.seq[q] = A[pu + q];
      // after v
      let delta = p.detour(v, first, lastN, nextV) - gain;
      if (delta < -IMPROVE && this.chain(s, rv, pv, L, rv, pv + 1) && this.chain(s, ru, pu - 1, 0, ru, last + 1)) {
        this.applyRelocate(s, ru, pu, L, rv, pv);
        return true;
      }
      // before v
      delta = p.detour(prevV, first, lastN, v) - gain;
      if (delta < -IMPROVE && this.chain(s, rv, pv - 1, L, rv, pv) && this.chain(s, ru, pu - 1, 0, ru, last + 1)) {
        this.applyRelocate(s, ru, pu, L, rv, pv - 1);
        return true;
      }
    }

    // Swap u and v.
    {
      const delta =
        d[prevU * n + v] + d[v * n + nextU] + d[prevV * n + u] + d[u * n + nextV] -
        d[prevU * n + u] - d[u * n + nextU] - d[prevV * n + v] - d[v * n + nextV];
      if (
        delta < -IMPROVE &&
        s.load[ru] - du + dv <= p.cap[ru] + 1e-9 &&
        s.load[rv] - dv + du <= p.cap[rv] + 1e-9
      ) {
        this.seq[0] = v;
        if (this.chain(s, ru, pu - 1, 1, ru, pu + 1)) {
          this.seq[0] = u;
          if (this.chain(s, rv, pv - 1, 1, rv, pv + 1)) {
            A[pu] = v;
            B[pv] = u;
            s.update(ru);
            s.update(rv);
            return true;
          }
        }
      }
    }

    // 2-opt*: exchange route tails so that u and v become adjacent.
    if (this.sameEnd[ru * p.V + rv]) {
      const cumA = s.cum[ru];
      const cumB = s.cum[rv];
      // (a) u -> nextV and v -> nextU
      let delta = d[u * n + nextV] + d[v * n + nextU] - d[u * n + nextU] - d[v * n + nextV];
      if (
        delta < -IMPROVE &&
        cumA[pu] + s.load[rv] - cumB[pv] <= p.cap[ru] + 1e-9 &&
        cumB[pv] + s.load[ru] - cumA[pu] <= p.cap[rv] + 1e-9 &&
        this.chain(s, ru, pu, 0, rv, pv + 1) &&
        this.chain(s, rv, pv, 0, ru, pu + 1)
      ) {
        this.applyTails(s, ru, pu, rv, pv, lenA, lenB);
        return true;
      }
      // (b) prevU -> v and prevV -> u
      delta = d[prevU * n + v] + d[prevV * n + u] - d[prevU * n + u] - d[prevV * n + v];
      if (
        delta < -IMPROVE &&
        cumA[pu - 1] + s.load[rv] - cumB[pv - 1] <= p.cap[ru] + 1e-9 &&
        cumB[pv - 1] + s.load[ru] - cumA[pu - 1] <= p.cap[rv] + 1e-9 &&
        this.chain(s, ru, pu - 1, 0, rv, pv) &&
        this.chain(s, rv, pv - 1, 0, ru, pu)
      ) {
        this.applyTails(s, ru, pu - 1, rv, pv - 1, lenA, lenB);
        return true;
      }
    }
    return false;
  }

  /** Intra-route moves between u and its neighbour v (same route r). */
  private tryIntra(s: Sol, u: number, v: number, r: number): boolean {
    const p = this.p;
    const n = p.n;
    const d = p.dist;
    const A = s.nodes[r];
    const len = s.len[r];
    const pu = s.posOf[u];
    const pv = s.posOf[v];
    const seq = this.seq;

    // 2-opt: make the earlier of u/v adjacent to the later one by reversing
    // the stretch in between (i+1..j).
    {
      const i = pu < pv ? pu : pv;
      const j = pu < pv ? pv : pu;
      if (j > i + 1) {
        const a = A[i];
        const a1 = A[i + 1];
        const b = A[j];
        const b1 = A[j + 1];
        // Symmetric distances assumed for the reversed stretch's inner edges.
        const delta = d[a * n + b] + d[a1 * n + b1] - d[a * n + a1] - d[b * n + b1];
        if (delta < -IMPROVE) {
          let k = 0;
          for (let q = j; q > i; q--) seq[k++] = A[q];
          if (this.chain(s, r, i, k, r, j + 1)) {
            for (let q = 0; q < k; q++) A[i + 1 + q] = seq[q];
            s.update(r);
            return true;
          }
        }
      }
    }

    // Or-opt: move the segment A[pu..pu+L-1] right after v.
    for (let L = 1; L <= 3; L++) {
      const last = pu + L - 1;
      if (last > len - 2) break;
      if (pv >= pu - 1 && pv <= last) continue;
      const first = A[pu];
      const lastN = A[last];
      const delta = p.detour(v, first, lastN, A[pv + 1]) - p.detour(A[pu - 1], first, lastN, A[last + 1]);
      if (delta >= -IMPROVE) continue;
      let k = 0;
      if (pv < pu) {
        for (let q = pu; q <= last; q++) seq[k++] = A[q];
        for (let q = pv + 1; q < pu; q++) seq[k++] = A[q];
        if (!this.chain(s, r, pv, k, r, last + 1)) continue;
        for (let q = 0; q < k; q++) A[pv + 1 + q] = seq[q];
      } else {
        for (let q = last + 1; q <= pv; q++) seq[k++] = A[q];
        for (let q = pu; q <= last; q++) seq[k++] = A[q];
        if (!this.chain(s, r, pu - 1, k, r, pv + 1)) continue;
        for (let q = 0; q < k; q++) A[pu + q] = seq[q];
      }
      s.update(r);
      return true;
    }
    return false;
  }

  /** Moves A[pu..pu+L-1] of route ru to after position at of route rv. */
  private applyRelocate(s: Sol, ru: number, pu: number, L: number, rv: number, at: number): void {
    const A = s.nodes[ru];
    const B = s.nodes[rv];
    const lenB = s.len[rv];
    B.copyWithin(at + 1 + L, at + 1, lenB);
    for (let q = 0; q < L; q++) B[at + 1 + q] = A[pu + q];
    s.len[rv] = lenB + L;
    A.copyWithin(pu, pu + L, s.len[ru]);
    s.len[ru] -= L;
    s.update(ru);
    s.update(rv);
  }

  /** Routes become A[0..i] + B[j+1..] and B[0..j] + A[i+1..]. */
  private applyTails(s: Sol, ru: number, i: number, rv: number, j: number, lenA: number, lenB: number): void {
    const A = s.nodes[ru];
    const B = s.nodes[rv];
    const ta = this.bufA;
    const tb = this.bufB;
    let na = 0;
    let nb = 0;
    for (let q = j + 1; q < lenB; q++) ta[na++] = B[q];
    for (let q = i + 1; q < lenA; q++) tb[nb++] = A[q];
    for (let q = 0; q < na; q++) A[i + 1 + q] = ta[q];
    for (let q = 0; q < nb; q++) B[j + 1 + q] = tb[q];
    s.len[ru] = i + 1 + na;
    s.len[rv] = j + 1 + nb;
    s.update(ru);
    s.update(rv);
  }
}
