/**
 * CVRPTW solver: regret construction, then SISR ruin-and-recreate under
 * simulated annealing on distance, with new best solutions polished by a
 * granular local search. For the hierarchical objective, SISR fleet
 * minimisation driven by absence counters comes first (half the budget),
 * then distance with the fleet fixed.
 */
import type { VrpInstance } from './instance.js';
import { Problem } from './problem.js';
import { Rng } from './rng.js';
import { Sol } from './solution.js';
import { regretConstruct } from './construct.js';
import { DEFAULT_SISR, SisrOps, type SisrParams } from './sisr.js';
import { LocalSearch } from './localsearch.js';

export type Objective = 'hierarchical' | 'distance';

export interface SolveOptions {
  /** 'hierarchical' = fewest vehicles then distance; 'distance' = distance only. Default hierarchical. */
  objective?: Objective;
  /** Wall-clock limit in ms (default 1000 unless maxIterations is given). */
  timeLimitMs?: number;
  /** Iteration limit; when set, the annealing schedule follows iterations so runs are reproducible. */
  maxIterations?: number;
  seed?: number;
  /** Share of the budget given to fleet minimisation (hierarchical only). */
  fleetShare?: number;
  /**
   * Hierarchical only: share of the budget spent first on distance with a
   * free fleet, fleet minimisation then starting from that solution instead
   * of the construction. Default 0: measured worse on both vehicles and
   * distance (fleet minimisation does better from the frugal construction).
   */
  preShare?: number;
  /** Annealing start/end temperatures as multiples of the mean depot distance. */
  t0?: number;
  tf?: number;
  sisr?: Partial<SisrParams>;
  /** Shorthands for sisr.cBar / sisr.lMax (numeric tuning from the benchmark CLI). */
  cBar?: number;
  lMax?: number;
  /** Fleet minimisation: also accept candidates with equal absences (tuning). */
  fleetTies?: number;
  /** Probability of inserting the most-often-absent customers first during fleet minimisation. */
  fleetPriority?: number;
  /** Fleet minimisation: let unplaceable customers eject less often absent ones (depth-1 ejection). */
  fleetEject?: number;
  /** Iterations without a fleet reduction before ejection is enabled. */
  fleetEjectAfter?: number;
  /** Polish new best solutions with the local search (default true). */
  localSearch?: boolean;
  /** Neighbours per customer considered by the local search. */
  granularity?: number;
  /** Print the annealing and fleet-minimisation progress on stderr (tuning; config VRP_TRACE). */
  trace?: boolean;
}

export interface SolveResult {
  /** Routes as node indices (depots excluded). */
  routes: number[][];
  /** Vehicle index serving each route. */
  vehicleOfRoute: number[];
  vehicles: number;
  distance: number;
  /** Customers that could not be served (fleet too small / infeasible). */
  unassigned: number[];
  iterations: number;
  elapsedMs: number;
  objective: Objective;
}

const REGRET_MAX_CUSTOMERS = 400;

/** Minimum number of iterations between two local-search polishes of the best solution. */
const LS_EVERY = 500;

/** Clock abstraction so that the iteration-limited mode ignores time. */
class Budget {
  private readonly t0 = performance.now();
  constructor(
    private readonly timeMs: number,
    private readonly maxIter: number,
  ) {}
  iter = 0;
  elapsed(): number {
    return performance.now() - this.t0;
  }
  /** Progress in [0,1] of a phase spanning [from, to] fractions of the budget. */
  progress(): number {
    if (this.maxIter < Infinity) return Math.min(1, this.iter / this.maxIter);
    return Math.min(1, this.elapsed() / this.timeMs);
  }
  done(): boolean {
    if (this.iter >= this.maxIter) return true;
    return (this.iter & 15) === 0 ? (this.expired = this.elapsed() >= this.timeMs) : this.expired;
  }
  private expired = false;
}

/** Lexicographic comparison used for "best so far". */
function better(objective: Objective, a: Sol, aCost: number, b: Sol, bCost: number): boolean {
  if (a.nAbsent !== b.nAbsent) return a.nAbsent < b.nAbsent;
  if (objective === 'hierarchical') {
    const va = a.vehicles();
    const vb = b.vehicles();
    if (va !== vb) return va < vb;
  }
  return aCost < bCost - 1e-9;
}

/**
 * Solves a CVRPTW instance. Deterministic for a given seed when only
 * maxIterations limits the run.
 *
 * @param instance the problem
 * @param options objective, limits, seed and tuning knobs
 * @returns the best solution found (routes as node indices, depots excluded)
 */
export function solve(instance: VrpInstance, options: SolveOptions = {}): SolveResult {
  const objective = options.objective ?? 'hierarchical';
  const maxIter = options.maxIterations ?? Infinity;
  const timeMs = options.timeLimitMs ?? (options.maxIterations !== undefined ? Infinity : 1000);
  const budget = new Budget(timeMs, maxIter);
  const p = new Problem(instance);
  const search = new Search(p, options, budget);
  const { cur, work, best } = search;

  // Regret insertion is O(n³); beyond a few hundred customers fall back to
  // SISR's greedy recreate, which is O(n²).
  if (p.nCust <= REGRET_MAX_CUSTOMERS) regretConstruct(cur);
  else search.ops.recreate(cur, true);
  if (search.useLs) search.ls.run(cur);
  cur.clearTouched();
  work.copyFrom(cur);
  best.copyFrom(cur);
  search.bestCost = best.totalCost();

  if (p.nCust > 0) {
    if (objective === 'hierarchical') {
      const pre = options.preShare ?? 0;
      const fleet = options.fleetShare ?? 0.5;
      if (pre > 0) {
        // Free-fleet distance search, tracked with its own best: its result
        // usually has more routes than the construction but a far better
        // structure to squeeze routes out of.
        const distBest = new Sol(p);
        distBest.copyFrom(cur);
        search.anneal(0, pre, true, 'distance', distBest);
        cur.copyFrom(distBest);
        work.copyFrom(distBest);
        search.offerBest(distBest);
      }
      search.fleetMinimise(pre + fleet);
      cur.copyFrom(best);
      work.copyFrom(best);
      search.anneal(pre + fleet, 1, false, 'hierarchical', best);
    } else {
      search.anneal(0, 1, true, 'distance', best);
    }
  }

  if (search.useLs && search.lastLs !== budget.iter) {
    search.ls.run(best);
    best.clearTouched();
  }
  // Insertions update route costs incrementally: recompute exactly before reporting.
  for (let r = 0; r < p.V; r++) best.update(r);
  best.clearTouched();
  const out = best.export();
  const unassigned = Array.from(best.absent.subarray(0, best.nAbsent));
  return {
    routes: out.routes,
    vehicleOfRoute: out.vehicleOfRoute,
    vehicles: out.routes.length,
    distance: best.totalCost(),
    unassigned,
    iterations: budget.iter,
    elapsedMs: budget.elapsed(),
    objective,
  };
}

/** Makes cur equal to work by copying only the routes work touched. */
function commit(cur: Sol, work: Sol): void {
  for (let k = 0; k < work.nTouched; k++) cur.copyRoute(work, work.touchedList[k]);
  cur.copyAbsent(work);
  work.clearTouched();
}

/** Restores work to cur by copying back only the routes work touched. */
function rollback(work: Sol, cur: Sol): void {
  for (let k = 0; k < work.nTouched; k++) work.copyRoute(cur, work.touchedList[k]);
  work.copyAbsent(cur);
  work.clearTouched();
}

/** Search state shared by the phases: current / candidate / best solutions and operators. */
class Search {
  readonly rng: Rng;
  readonly ops: SisrOps;
  readonly ls: LocalSearch;
  readonly useLs: boolean;
  readonly cur: Sol;
  readonly work: Sol;
  /** Best solution for the run's objective. */
  readonly best: Sol;
  bestCost = Infinity;
  lastLs = -Infinity;
  private readonly objective: Objective;
  private readonly trace: boolean;

  constructor(
    private readonly p: Problem,
    private readonly options: SolveOptions,
    private readonly budget: Budget,
  ) {
    this.objective = options.objective ?? 'hierarchical';
    this.trace = options.trace ?? false;
    this.rng = new Rng(options.seed ?? 1);
    this.ops = new SisrOps(p, this.rng, {
      ...DEFAULT_SISR,
      ...(options.cBar ? { cBar: options.cBar } : {}),
      ...(options.lMax ? { lMax: options.lMax } : {}),
      ...options.sisr,
    });
    this.useLs = options.localSearch ?? true;
    this.ls = new LocalSearch(p, this.rng, options.granularity ?? 20);
    this.cur = new Sol(p);
    this.work = new Sol(p);
    this.best = new Sol(p);
  }

  /** Budget progress within the phase [from, to] (fractions of the whole budget). */
  private phaseProgress(from: number, to: number): number {
    const g = this.budget.progress();
    return to > from ? Math.min(1, Math.max(0, (g - from) / (to - from))) : 1;
  }

  /** Replaces the run's best with s if s is better for the run's objective. */
  offerBest(s: Sol): void {
    const cost = s.totalCost();
    if (better(this.objective, s, cost, this.best, this.bestCost)) {
      this.best.copyFrom(s);
      this.bestCost = cost;
    }
  }

  /**
   * Simulated annealing over SISR ruin-and-recreate from cur, during the
   * budget fractions [from, to]. New bests (for `tracked`'s objective) are
   * copied into `tracked` and polished there, so the annealing trajectory
   * itself is undisturbed. allowNew: whether recreate may open routes.
   */
  anneal(from: number, to: number, allowNew: boolean, objective: Objective, tracked: Sol): void {
    const { p, ops, rng, cur, work, budget } = this;
    const T0 = (this.options.t0 ?? 1) * p.scale;
    const Tf = (this.options.tf ?? 0.01) * p.scale;
    let curCost = cur.totalCost();
    let trackedCost = tracked.totalCost();
    let absentRejects = 0;
    const start = budget.iter;
    while (!budget.done()) {
      const prog = this.phaseProgress(from, to);
      if (prog >= 1) break;
      budget.iter++;
      const T = T0 * Math.pow(Tf / T0, prog);
      if (this.trace && (budget.iter & 8191) === 0) {
        console.error(`it ${budget.iter} T ${T.toFixed(2)} cur ${curCost.toFixed(2)} best ${trackedCost.toFixed(2)}`);
      }
      ops.ruin(work);
      ops.recreate(work, allowNew);
      const wCost = work.totalCost();
      let accept: boolean;
      if (work.nAbsent !== cur.nAbsent) {
        // Serving more customers always wins (only matters when the fleet is short).
        accept = work.nAbsent < cur.nAbsent;
        if (!accept) absentRejects++;
      } else accept = wCost < curCost - T * Math.log(rng.next());
      if (accept) {
        commit(cur, work);
        curCost = wCost;
        if (better(objective, cur, curCost, tracked, trackedCost)) {
          tracked.copyFrom(cur);
          trackedCost = curCost;
          // Throttled: early on a new best appears almost every iteration.
          if (this.useLs && budget.iter - this.lastLs >= LS_EVERY) {
            this.lastLs = budget.iter;
            if (this.ls.run(tracked)) trackedCost = tracked.totalCost();
            tracked.clearTouched();
          }
        }
      } else {
        rollback(work, cur);
      }
    }
    if (tracked === this.best) this.bestCost = trackedCost;
    else this.offerBest(tracked);
    if (this.trace) console.error(`anneal ${objective}: ${budget.iter - start} iterations, ${absentRejects} rejected for absences, best ${trackedCost.toFixed(2)}`);
  }

  /**
   * SISR fleet minimisation from cur (a complete solution) until the budget
   * fraction `to`: drop a route, then ruin-and-recreate without new routes,
   * accepting a candidate if it leaves fewer customers absent or the absent
   * ones have a smaller total "absence" count (customers that are often left
   * out are hard, so they get priority). Each time every customer is placed
   * the solution is offered as best and another route goes.
   */
  fleetMinimise(to: number): void {
    const { p, ops, rng, cur, work, budget, options } = this;
    if (cur.nAbsent > 0) return;
    const absCount = new Float64Array(p.n);
    const sumAbs = (s: Sol): number => {
      let t = 0;
      for (let k = 0; k < s.nAbsent; k++) t += absCount[s.absent[k]];
      return t;
    };
    const ties = (options.fleetTies ?? 1) > 0;
    // Depth-1 ejection: measured 2–3 fewer vehicles on the 12 hardest R1/RC1
    // instances at equal iterations. Its price is a worse starting structure
    // for the fixed-fleet distance phase on C2/R2/RC2 (≈ +0.8 points of gap at
    // 150k iterations); delaying it (fleetEjectAfter) kept the distance but
    // lost the vehicle gain, and vehicles come first in this objective.
    const eject = (options.fleetEject ?? 1) > 0;
    const ejectAfter = options.fleetEjectAfter ?? 0;
    let lastDrop = budget.iter;
    const dropRoute = (): boolean => {
      if (cur.vehicles() <= p.vehicleLowerBound) return false;
      // The route with the fewest customers (random tie-break) is the cheapest to re-home.
      let pick = -1;
      let bestKey = Infinity;
      for (let r = 0; r < p.V; r++) {
        const len = cur.len[r];
        if (len <= 2) continue;
        const key = len + rng.next() * 0.5;
        if (key < bestKey) {
          bestKey = key;
          pick = r;
        }
      }
      cur.clearRoute(pick);
      cur.clearTouched();
      work.copyFrom(cur);
      return true;
    };
    if (!dropRoute()) return;
    ops.priorityRate = options.fleetPriority ?? 0.5;
    while (!budget.done() && budget.progress() < to) {
      budget.iter++;
      ops.ruin(work);
      ops.recreate(work, false, absCount, eject && budget.iter - lastDrop > ejectAfter);
      for (let k = 0; k < work.nAbsent; k++) absCount[work.absent[k]]++;
      const wa = sumAbs(work);
      const ca = sumAbs(cur);
      if (work.nAbsent < cur.nAbsent || wa < ca || (ties && work.nAbsent === cur.nAbsent && wa === ca)) {
        commit(cur, work);
        if (cur.nAbsent === 0) {
          this.offerBest(cur);
          if (this.trace) console.error(`fleet ${cur.vehicles()} at ${budget.elapsed().toFixed(0)} ms, iter ${budget.iter}`);
          if (!dropRoute()) break;
          lastDrop = budget.iter;
        }
      } else {
        rollback(work, cur);
      }
    }
    // cur may hold a partial solution (a dropped route not yet re-homed).
    cur.copyFrom(this.best);
    work.copyFrom(this.best);
  }
}
