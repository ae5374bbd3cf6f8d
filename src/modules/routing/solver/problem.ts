/**
 * Solver-internal, precomputed view of an instance: flat typed arrays, the
 * distance matrix and neighbour lists, so that inner loops never allocate.
 */
import type { VrpInstance } from './instance.js';

/** Numerical slack on time-window checks (tighter than the verifier's). */
export const EPS = 1e-9;

/** Builds the n×n distance (= travel time) matrix from coordinates, or copies the instance's explicit one. */
export function buildDistanceMatrix(inst: VrpInstance): Float64Array {
  const n = inst.n;
  if (inst.matrix) {
    if (inst.matrix.length !== n * n) throw new Error(`instance matrix has ${inst.matrix.length} entries, expected ${n * n}`);
    return Float64Array.from(inst.matrix);
  }
  const d = new Float64Array(n * n);
  const nint = inst.rounding === 'nint';
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = inst.x[i] - inst.x[j];
      const dy = inst.y[i] - inst.y[j];
      let v = Math.sqrt(dx * dx + dy * dy);
      if (nint) v = Math.floor(v + 0.5);
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  return d;
}

export class Problem {
  readonly n: number;
  readonly nCust: number;
  readonly customers: Int32Array;
  readonly isCustomer: Uint8Array;
  readonly dist: Float64Array;
  readonly demand: Float64Array;
  readonly ready: Float64Array;
  readonly due: Float64Array;
  /** Service time; forced to 0 on depots (depot service is not modelled). */
  readonly service: Float64Array;
  readonly V: number;
  readonly cap: Float64Array;
  /** Departure time from the start depot. */
  readonly vStart: Float64Array;
  /** Latest arrival at the end depot (shift end ∩ depot due). */
  readonly vEnd: Float64Array;
  readonly sDep: Int32Array;
  readonly eDep: Int32Array;
  /** Vehicles with identical attributes share a class: only one empty vehicle per class is worth trying. */
  readonly vClass: Int32Array;
  readonly nClasses: number;
  /** For each node: all customers sorted by distance from it (row of length nCust). */
  readonly adj: Int32Array;
  /** Lower bound on the number of vehicles (by total demand / max capacity). */
  readonly vehicleLowerBound: number;
  /** Mean depot↔customer distance, used to scale annealing temperatures. */
  readonly scale: number;

  constructor(readonly inst: VrpInstance) {
    const n = (this.n = inst.n);
    this.customers = Int32Array.from(inst.customers);
    this.nCust = this.customers.length;
    this.isCustomer = new Uint8Array(n);
    for (const c of inst.customers) this.isCustomer[c] = 1;
    this.dist = buildDistanceMatrix(inst);
    this.demand = Float64Array.from(inst.demand);
    this.ready = Float64Array.from(inst.ready);
    this.due = Float64Array.from(inst.due);
    this.service = Float64Array.from(inst.service);
    for (let i = 0; i < n; i++) if (!this.isCustomer[i]) this.service[i] = 0;
    const V = (this.V = inst.vehicles.length);
    this.cap = new Float64Array(V);
    this.vStart = new Float64Array(V);
    this.vEnd = new Float64Array(V);
    this.sDep = new Int32Array(V);
    this.eDep = new Int32Array(V);
    this.vClass = new Int32Array(V);
    const classes = new Map<string, number>();
    let maxCap = 0;
    inst.vehicles.forEach((v, k) => {
      this.cap[k] = v.capacity;
      this.sDep[k] = v.startDepot;
      this.eDep[k] = v.endDepot;
      this.vStart[k] = Math.max(v.shiftStart, inst.ready[v.startDepot]);
      this.vEnd[k] = Math.min(v.shiftEnd, inst.due[v.endDepot]);
      const key = `${v.capacity}|${v.startDepot}|${v.endDepot}|${this.vStart[k]}|${this.vEnd[k]}`;
      let cl = classes.get(key);
      if (cl === undefined) {
        cl = classes.size;
        classes.set(key, cl);
      }
      this.vClass[k] = cl;
      maxCap = Math.max(maxCap, v.capacity);
    });
    this.nClasses = classes.size;
    let totalDemand = 0;
    let depotDist = 0;
    for (const c of inst.customers) {
      totalDemand += inst.demand[c];
      depotDist += V > 0 ? this.dist[this.sDep[0] * n + c] : 0;
    }
    this.vehicleLowerBound = maxCap > 0 ? Math.max(1, Math.ceil(totalDemand / maxCap - 1e-9)) : 1;
    this.scale = this.nCust > 0 ? depotDist / this.nCust : 1;

    const m = this.nCust;
    this.adj = new Int32Array(n * m);
    const tmp = Array.from(this.customers);
    for (let i = 0; i < n; i++) {
      const row = i * n;
      tmp.sort((a, b) => this.dist[row + a] - this.dist[row + b] || (a === i ? -1 : b === i ? 1 : a - b));
      for (let k = 0; k < m; k++) this.adj[i * m + k] = tmp[k];
    }
  }

  /*
   * The route-cost delta, in one place for every operator: detour() is its distance side,
   * serviceStart() and latestStart() its time-window side, placeDelta() both for one customer.
   */

  /**
   * Distance added by putting the chain x…y (one customer: x = y) between a and b:
   * d(a,x) + d(y,b) − d(a,b). Taking the chain out from between a and b saves as much.
   */
  detour(a: number, x: number, y: number, b: number): number {
    const d = this.dist;
    const n = this.n;
    return d[a * n + x] + d[y * n + b] - d[a * n + b];
  }

  /** When service at u starts if u directly follows a, whose service starts at startA (waiting for u's ready time). */
  serviceStart(a: number, startA: number, u: number): number {
    const t = startA + this.service[a] + this.dist[a * this.n + u];
    return t > this.ready[u] ? t : this.ready[u];
  }

  /**
   * The route-cost delta of putting customer u between a and b: the distance added (detour),
   * or +Infinity when a time window breaks: u, after a whose service starts at startA, would
   * start after its due time, or b could no longer start by latestB. Capacity is the caller's.
   */
  placeDelta(a: number, startA: number, u: number, b: number, latestB: number): number {
    const start = this.serviceStart(a, startA, u);
    if (start > this.due[u] + EPS) return Infinity;
    if (start + this.service[u] + this.dist[u * this.n + b] > latestB + EPS) return Infinity;
    return this.detour(a, u, u, b);
  }

  /** The latest service start at u that still reaches b, directly next, by b's latest start (and meets u's due time). */
  latestStart(u: number, b: number, latestB: number): number {
    const l = latestB - this.dist[u * this.n + b] - this.service[u];
    return l < this.due[u] ? l : this.due[u];
  }
}
