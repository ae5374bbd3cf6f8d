/**
 * SISR ruin-and-recreate operators (Christiaens & Vanden Berghe 2020,
 * "Slack Induction by String Removals for Vehicle Routing Problems").
 *
 * Ruin removes a few strings of consecutive customers from routes close to a
 * random seed customer, creating slack in neighbouring routes; recreate
 * re-inserts the absent customers greedily, in a randomly chosen order, at
 * their cheapest position with "blinks" (each position skipped with a small
 * probability) to diversify.
 */
import type { Problem } from './problem.js';
import type { Rng } from './rng.js';
import type { PositionSkips, Sol } from './solution.js';

export interface SisrParams {
  /** Average number of removed customers (c̄). */
  cBar: number;
  /** Maximum string length (L^max). */
  lMax: number;
  /** Probability of the split-string variant. */
  splitRate: number;
  /** Stop probability when growing the preserved part of a split string. */
  splitDepth: number;
  /** Probability of skipping a position in recreate. */
  blinkRate: number;
}

export const DEFAULT_SISR: SisrParams = { cBar: 10, lMax: 10, splitRate: 0.5, splitDepth: 0.01, blinkRate: 0.01 };

/**
 * Blinks: recreate skips each insertion position with probability `rate`. Instead of one random
 * draw per position, the (geometric) number of positions until the next skipped one is drawn.
 */
class Blinks implements PositionSkips {
  private logKeep = 0;
  private until = Infinity;

  constructor(private readonly rng: Rng) {}

  /** Starts a new recreate at this rate. */
  reset(rate: number): this {
    this.logKeep = Math.log(1 - rate);
    this.until = this.draw();
    return this;
  }

  skip(): boolean {
    if (this.until-- > 0) return false;
    this.until = this.draw();
    return true;
  }

  private draw(): number {
    return this.logKeep < 0 ? Math.floor(Math.log(1 - this.rng.next()) / this.logKeep) : Infinity;
  }
}

/** Reusable buffers so that ruin/recreate never allocate. */
export class SisrOps {
  private readonly routeMark: Int32Array;
  private markStamp = 0;
  private readonly classMark: Int32Array;
  private classStamp = 0;
  private readonly order: Int32Array;
  private readonly keys: Float64Array;
  private readonly blinks: Blinks;
  /** Probability of ordering by the priority array when one is given. */
  priorityRate = 0.5;

  constructor(
    private readonly p: Problem,
    private readonly rng: Rng,
    public params: SisrParams = DEFAULT_SISR,
  ) {
    this.routeMark = new Int32Array(p.V);
    this.classMark = new Int32Array(p.nClasses);
    this.order = new Int32Array(p.nCust);
    this.keys = new Float64Array(p.n);
    this.blinks = new Blinks(rng);
  }

  /**
   * SISR string removal around a seed customer: a random one, or with
   * probability absentSeedRate an unserved one, so that slack is created
   * right where a left-out customer needs it (fleet minimisation).
   */
  ruin(s: Sol, absentSeedRate = 0): void {
    const p = this.p;
    const rng = this.rng;
    const used = s.vehicles();
    if (used === 0) return;
    const avgCard = (p.nCust - s.nAbsent) / used;
    const lsMax = Math.min(this.params.lMax, avgCard);
    const ksMax = (4 * this.params.cBar) / (1 + lsMax) - 1;
    const ks = Math.floor(rng.next() * ksMax) + 1;
    const seed =
      s.nAbsent > 0 && absentSeedRate > 0 && rng.next() < absentSeedRate
        ? s.absent[rng.int(s.nAbsent)]
        : p.customers[rng.int(p.nCust)];
    const stamp = ++this.markStamp;
    const m = p.nCust;
    const base = seed * m;
    let ruined = 0;
    for (let k = 0; k < m && ruined < ks; k++) {
      const c = p.adj[base + k];
      const r = s.routeOf[c];
      if (r < 0 || this.routeMark[r] === stamp) continue;
      this.routeMark[r] = stamp;
      ruined++;
      const card = s.len[r] - 2;
      const lMaxT = Math.min(card, lsMax);
      const l = Math.floor(rng.next() * lMaxT) + 1;
      const pos = s.posOf[c];
      if (l >= card || rng.next() >= this.params.splitRate) {
        this.removeString(s, r, card, pos, l, 0, 0);
      } else {
        let keep = 1;
        while (l + keep < card && rng.next() >= this.params.splitDepth) keep++;
        this.removeString(s, r, card, pos, l + keep, keep, rng.int(l + 1));
      }
    }
  }

  /**
   * Removes a window of `size` customers containing position pos, except a
   * preserved block of `keep` customers starting `keepAt` into the window.
   */
  private removeString(s: Sol, r: number, card: number, pos: number, size: number, keep: number, keepAt: number): void {
    let start = pos - this.rng.int(size);
    if (start < 1) start = 1;
    if (start > card - size + 1) start = card - size + 1;
    const nodes = s.nodes[r];
    const len = s.len[r];
    let w = 1;
    for (let i = 1; i < len; i++) {
      const off = i - start;
      const inWindow = off >= 0 && off < size && i < len - 1;
      const kept = off >= keepAt && off < keepAt + keep;
      if (inWindow && !kept) {
        s.addAbsent(nodes[i]);
      } else {
        nodes[w++] = nodes[i];
      }
    }
    s.len[r] = w;
    s.update(r);
  }

  /** Orders the absent customers with one of the SISR sort criteria. */
  private sortAbsent(s: Sol, priority?: Float64Array): number {
    const p = this.p;
    const rng = this.rng;
    const k = s.nAbsent;
    const order = this.order;
    for (let i = 0; i < k; i++) order[i] = s.absent[i];
    const pick = rng.next() * 11;
    if (priority && rng.next() < this.priorityRate) {
      // Most often absent (hardest) customers first, random tie-break.
      for (let i = 0; i < k; i++) this.keys[order[i]] = -priority[order[i]] - rng.next() * 0.5;
      this.insertionSort(k);
      return k;
    }
    if (pick < 4) {
      for (let i = k - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      return k;
    }
    const keys = this.keys;
    const n = p.n;
    for (let i = 0; i < k; i++) {
      const c = order[i];
      const dd = p.dist[p.sDep[0] * n + c];
      // Lower key first.
      keys[c] = pick < 8 ? -p.demand[c] : pick < 10 ? -dd : dd;
    }
    this.insertionSort(k);
    return k;
  }

  /** Sorts order[0..k) by ascending keys[]. */
  private insertionSort(k: number): void {
    const order = this.order;
    const keys = this.keys;
    for (let i = 1; i < k; i++) {
      const c = order[i];
      const key = keys[c];
      let j = i - 1;
      while (j >= 0 && keys[order[j]] > key) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = c;
    }
  }

  /**
   * Greedy re-insertion with blinks. Empty vehicles are only tried when
   * allowNew (one per vehicle class). Customers that fit nowhere stay absent,
   * unless `eject` is set: then u may take the place of a customer with a
   * lower priority (see {@link ejectFor}).
   */
  recreate(s: Sol, allowNew: boolean, priority?: Float64Array, eject = false): void {
    const p = this.p;
    const V = p.V;
    const blinks = this.blinks.reset(this.params.blinkRate);
    const k = this.sortAbsent(s, priority);
    for (let q = 0; q < k; q++) {
      const u = this.order[q];
      const du = p.demand[u];
      let best = Infinity;
      let bestR = -1;
      let bestI = -1;
      const cstamp = ++this.classStamp;
      for (let r = 0; r < V; r++) {
        const len = s.len[r];
        if (len === 2) {
          if (!allowNew) continue;
          const cl = p.vClass[r];
          if (this.classMark[cl] === cstamp) continue;
          this.classMark[cl] = cstamp;
        }
        if (s.load[r] + du > p.cap[r] + 1e-9) continue;
        const delta = s.cheapestInsertion(u, r, blinks);
        if (delta < best) {
          best = delta;
          bestR = r;
          bestI = s.insertAt;
        }
      }
      if (bestR >= 0) s.insert(u, bestR, bestI);
      else if (eject && priority) this.ejectFor(s, u, priority);
    }
  }

  /**
   * Depth-1 ejection (fleet minimisation): put u in the place of the routed
   * customer v with the smallest priority (absence count) below u's such
   * that the swap is feasible; v becomes absent instead. Hard customers thus
   * push easier ones out, which later find a place elsewhere.
   */
  private ejectFor(s: Sol, u: number, priority: Float64Array): void {
    const p = this.p;
    const du = p.demand[u];
    let bestKey = priority[u];
    let bestR = -1;
    let bestI = -1;
    for (let r = 0; r < p.V; r++) {
      const len = s.len[r];
      if (len <= 2) continue;
      const nodes = s.nodes[r];
      const est = s.est[r];
      const lst = s.lst[r];
      const spare = p.cap[r] + 1e-9 - s.load[r] - du;
      for (let i = 1; i < len - 1; i++) {
        const v = nodes[i];
        const key = priority[v];
        if (key >= bestKey) continue;
        if (spare + p.demand[v] < 0) continue;
        // u in v's place: between positions i - 1 and i + 1.
        if (p.placeDelta(nodes[i - 1], est[i - 1], u, nodes[i + 1], lst[i + 1]) === Infinity) continue;
        bestKey = key;
        bestR = r;
        bestI = i;
      }
    }
    if (bestR < 0) return;
    const nodes = s.nodes[bestR];
    const v = nodes[bestI];
    nodes[bestI] = u;
    s.removeAbsent(u);
    s.addAbsent(v);
    s.update(bestR);
  }
}
