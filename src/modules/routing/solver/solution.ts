/**
 * Mutable solution state with per-route schedules for O(1) insertion checks.
 *
 * Route r is bound to vehicle r. nodes[r][0] is the start depot and
 * nodes[r][len-1] the end depot; an empty route (len 2) is an unused vehicle.
 * est = earliest service start given the prefix, lst = latest service start
 * that keeps the suffix feasible; inserting u between positions i and i+1 is
 * feasible iff load fits, u's start ≤ due(u) and the pushed arrival at i+1 ≤
 * lst[i+1]. Both arrays are recomputed in O(len) after each route change,
 * which is cheap next to the evaluation of all positions.
 */
import { EPS, type Problem } from './problem.js';

export { EPS };

/** Decides, position by position, which insertion positions a scan passes over (SISR's blinks). */
export interface PositionSkips {
  skip(): boolean;
}

export class Sol {
  readonly nodes: Int32Array[];
  readonly est: Float64Array[];
  readonly lst: Float64Array[];
  /** cum[r][i] = total demand of positions 1..i (for O(1) tail-exchange checks). */
  readonly cum: Float64Array[];
  readonly len: Int32Array;
  readonly load: Float64Array;
  readonly cost: Float64Array;
  readonly routeOf: Int32Array;
  readonly posOf: Int32Array;
  /** Unassigned customers (swap-remove list) and their index in it. */
  readonly absent: Int32Array;
  nAbsent = 0;
  readonly absPos: Int32Array;
  /** Routes modified since the last clearTouched (for cheap commit/rollback). */
  readonly touched: Uint8Array;
  readonly touchedList: Int32Array;
  nTouched = 0;

  constructor(readonly p: Problem) {
    const V = p.V;
    const cap = p.nCust + 2;
    this.nodes = [];
    this.est = [];
    this.lst = [];
    this.cum = [];
    for (let r = 0; r < V; r++) {
      this.nodes.push(new Int32Array(cap));
      this.est.push(new Float64Array(cap));
      this.lst.push(new Float64Array(cap));
      this.cum.push(new Float64Array(cap));
    }
    this.len = new Int32Array(V);
    this.load = new Float64Array(V);
    this.cost = new Float64Array(V);
    this.routeOf = new Int32Array(p.n).fill(-1);
    this.posOf = new Int32Array(p.n).fill(-1);
    this.absent = new Int32Array(p.nCust);
    this.absPos = new Int32Array(p.n).fill(-1);
    this.touched = new Uint8Array(V);
    this.touchedList = new Int32Array(V);
    for (let r = 0; r < V; r++) {
      this.nodes[r][0] = p.sDep[r];
      this.nodes[r][1] = p.eDep[r];
      this.len[r] = 2;
      this.update(r);
    }
    for (let k = 0; k < p.nCust; k++) this.addAbsent(p.customers[k]);
    this.clearTouched();
  }

  /** Total distance over all routes. */
  totalCost(): number {
    let s = 0;
    for (let r = 0; r < this.p.V; r++) s += this.cost[r];
    return s;
  }

  /** Number of non-empty routes. */
  vehicles(): number {
    let k = 0;
    for (let r = 0; r < this.p.V; r++) if (this.len[r] > 2) k++;
    return k;
  }

  addAbsent(c: number): void {
    this.absPos[c] = this.nAbsent;
    this.absent[this.nAbsent++] = c;
    this.routeOf[c] = -1;
    this.posOf[c] = -1;
  }

  removeAbsent(c: number): void {
    const i = this.absPos[c];
    if (i < 0) return;
    const last = this.absent[--this.nAbsent];
    this.absent[i] = last;
    this.absPos[last] = i;
    this.absPos[c] = -1;
  }

  touch(r: number): void {
    if (!this.touched[r]) {
      this.touched[r] = 1;
      this.touchedList[this.nTouched++] = r;
    }
  }

  clearTouched(): void {
    for (let k = 0; k < this.nTouched; k++) this.touched[this.touchedList[k]] = 0;
    this.nTouched = 0;
  }

  /** Recomputes schedule, load, cost and position index of route r. */
  update(r: number): void {
    const p = this.p;
    const d = p.dist;
    const n = p.n;
    const nodes = this.nodes[r];
    const est = this.est[r];
    const lst = this.lst[r];
    const cum = this.cum[r];
    const len = this.len[r];
    let load = 0;
    let cost = 0;
    est[0] = p.vStart[r];
    cum[0] = 0;
    let prev = nodes[0];
    for (let i = 1; i < len; i++) {
      const c = nodes[i];
      cost += d[prev * n + c];
      est[i] = p.serviceStart(prev, est[i - 1], c);
      load += p.demand[c];
      cum[i] = load;
      this.routeOf[c] = r;
      this.posOf[c] = i;
      prev = c;
    }
    lst[len - 1] = p.vEnd[r];
    let next = nodes[len - 1];
    for (let i = len - 2; i >= 0; i--) {
      const c = nodes[i];
      lst[i] = p.latestStart(c, next, lst[i + 1]);
      next = c;
    }
    // Depot node ids are shared between routes: keep their index clean.
    this.routeOf[nodes[0]] = -1;
    this.routeOf[nodes[len - 1]] = -1;
    this.load[r] = load;
    this.cost[r] = cost;
    this.touch(r);
  }

  /** Where the last cheapestInsertion found its delta: insert after this position (-1: nowhere). */
  insertAt = -1;

  /**
   * The cheapest insertion of u into route r: its route-cost delta (Problem.placeDelta), or
   * +Infinity when no position fits; the position goes to insertAt. Positions `skips` passes
   * over are not considered. Capacity is the caller's.
   */
  cheapestInsertion(u: number, r: number, skips?: PositionSkips): number {
    const p = this.p;
    const nodes = this.nodes[r];
    const est = this.est[r];
    const lst = this.lst[r];
    const last = this.len[r] - 1;
    const dueU = p.due[u] + EPS;
    let best = Infinity;
    let at = -1;
    let a = nodes[0];
    for (let i = 0; i < last; i++) {
      const b = nodes[i + 1];
      const delta = p.placeDelta(a, est[i], u, b, lst[i + 1]);
      // est + service is non-decreasing along the route, so with the triangle
      // inequality no later position can meet u's due time either.
      if (delta === Infinity && p.serviceStart(a, est[i], u) > dueU) break;
      if ((skips === undefined || !skips.skip()) && delta < best) {
        best = delta;
        at = i;
      }
      a = b;
    }
    this.insertAt = at;
    return best;
  }

  /**
   * Inserts u after position i of route r. Incremental: the schedule arrays
   * are shifted and only re-propagated while values actually change (forward
   * for earliest starts, backward for latest starts), which matters on long
   * routes where a full recomputation dominated the run time.
   */
  insert(u: number, r: number, i: number): void {
    const p = this.p;
    const nodes = this.nodes[r];
    const est = this.est[r];
    const lst = this.lst[r];
    const cum = this.cum[r];
    const len = this.len[r];
    const a = nodes[i];
    const b = nodes[i + 1];
    nodes.copyWithin(i + 2, i + 1, len);
    est.copyWithin(i + 2, i + 1, len);
    lst.copyWithin(i + 2, i + 1, len);
    cum.copyWithin(i + 2, i + 1, len);
    nodes[i + 1] = u;
    const newLen = len + 1;
    this.len[r] = newLen;
    this.removeAbsent(u);
    const du = p.demand[u];
    this.load[r] += du;
    this.cost[r] += p.detour(a, u, u, b);
    cum[i + 1] = cum[i] + du;
    for (let q = i + 2; q < newLen; q++) cum[q] += du;
    this.routeOf[u] = r;
    for (let q = i + 1; q < newLen - 1; q++) this.posOf[nodes[q]] = q;
    // Forward: earliest starts from u on, stop once unchanged.
    let prev = u;
    est[i + 1] = p.serviceStart(a, est[i], u);
    for (let q = i + 2; q < newLen; q++) {
      const c = nodes[q];
      const e = p.serviceStart(prev, est[q - 1], c);
      if (e === est[q]) break;
      est[q] = e;
      prev = c;
    }
    // Backward: latest starts from u down to the depot, stop once unchanged.
    lst[i + 1] = p.latestStart(u, b, lst[i + 2]);
    let next = u;
    for (let q = i; q >= 0; q--) {
      const c = nodes[q];
      const v = p.latestStart(c, next, lst[q + 1]);
      if (v === lst[q]) break;
      lst[q] = v;
      next = c;
    }
    this.touch(r);
  }

  /** Removes the customer at position i of route r (marks it absent). */
  removeAt(r: number, i: number): void {
    const nodes = this.nodes[r];
    const c = nodes[i];
    nodes.copyWithin(i, i + 1, this.len[r]);
    this.len[r]--;
    this.addAbsent(c);
    this.update(r);
  }

  /** Empties route r, all its customers become absent. */
  clearRoute(r: number): void {
    const nodes = this.nodes[r];
    for (let i = 1; i < this.len[r] - 1; i++) this.addAbsent(nodes[i]);
    nodes[1] = nodes[this.len[r] - 1];
    this.len[r] = 2;
    this.update(r);
  }

  /** Copies route r from src (same problem). */
  copyRoute(src: Sol, r: number): void {
    const len = (this.len[r] = src.len[r]);
    const dn = this.nodes[r];
    const sn = src.nodes[r];
    const de = this.est[r];
    const se = src.est[r];
    const dl = this.lst[r];
    const sl = src.lst[r];
    const dc = this.cum[r];
    const sc = src.cum[r];
    for (let i = 0; i < len; i++) {
      dn[i] = sn[i];
      de[i] = se[i];
      dl[i] = sl[i];
      dc[i] = sc[i];
    }
    for (let i = 1; i < len - 1; i++) {
      this.routeOf[dn[i]] = r;
      this.posOf[dn[i]] = i;
    }
    this.load[r] = src.load[r];
    this.cost[r] = src.cost[r];
  }

  /** Copies the absent list from src (call after copying the changed routes). */
  copyAbsent(src: Sol): void {
    for (let k = 0; k < this.nAbsent; k++) this.absPos[this.absent[k]] = -1;
    this.nAbsent = src.nAbsent;
    for (let k = 0; k < src.nAbsent; k++) {
      const c = src.absent[k];
      this.absent[k] = c;
      this.absPos[c] = k;
      this.routeOf[c] = -1;
      this.posOf[c] = -1;
    }
  }

  /** Full copy from src. */
  copyFrom(src: Sol): void {
    for (let r = 0; r < this.p.V; r++) this.copyRoute(src, r);
    this.copyAbsent(src);
    this.clearTouched();
  }

  /** Routes as arrays of node indices (depots excluded), with their vehicle. */
  export(): { routes: number[][]; vehicleOfRoute: number[] } {
    const routes: number[][] = [];
    const vehicleOfRoute: number[] = [];
    for (let r = 0; r < this.p.V; r++) {
      if (this.len[r] <= 2) continue;
      routes.push(Array.from(this.nodes[r].subarray(1, this.len[r] - 1)));
      vehicleOfRoute.push(r);
    }
    return { routes, vehicleOfRoute };
  }

  /** Loads routes (node indices) onto vehicles; unlisted customers become absent. */
  loadRoutes(routes: readonly (readonly number[])[], vehicleOfRoute?: readonly number[]): void {
    for (let r = 0; r < this.p.V; r++) if (this.len[r] > 2) this.clearRoute(r);
    routes.forEach((route, k) => {
      const r = vehicleOfRoute ? vehicleOfRoute[k] : k;
      const nodes = this.nodes[r];
      const end = nodes[this.len[r] - 1];
      route.forEach((c, i) => {
        nodes[i + 1] = c;
        this.removeAbsent(c);
      });
      nodes[route.length + 1] = end;
      this.len[r] = route.length + 2;
      this.update(r);
    });
  }
}
