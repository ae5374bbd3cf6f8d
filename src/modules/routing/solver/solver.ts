/**
 * CVRPTW solver: regret construction, then (hierarchical objective) a SISR
 * fleet-minimisation phase driven by absence counters, then SISR
 * ruin-and-recreate under simulated annealing on distance, with the best
 * solutions polished by a local search.
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
  /** Annealing start/end temperatures as multiples of the mean depot distance. */
  t0?: number;
  tf?: number;
  sisr?: Partial<SisrParams>;
  /** Shorthands for sisr.cBar / sisr.lMax (numeric tuning from the benchmark CLI). */
  cBar?: number;
  lMax?: number;
  /** Fleet minimisation: also accept candidates with equal absences (tuning). */
  fleetTies?: number;
  /** Average removal size during fleet minimisation (tuning). */
  fleetCbar?: number;
  /** Probability of inserting the most-often-absent customers first during fleet minimisation. */
  fleetPriority?: number;
  /** With a fixed fleet, let the annealing pass through states with unserved customers at this cost each (× mean depot distance); 0 = never. */
  absentPenalty?: number;
  /** Number of annealing cycles in the distance phase (each restarts hot from the best). */
  cycles?: number;
  /** Drop a random route instead of the smallest one when shrinking the fleet (tuning). */
  fleetRandomDrop?: number;
  /** Polish new best solutions with the local search (default true). */
  localSearch?: boolean;
  /** Neighbours per customer considered by the local search. */
  granularity?: number;
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

const TRACE = process.env.VRP_TRACE === '1';

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
 */
export function solve(instance: VrpInstance, options: SolveOptions = {}): SolveResult {
  const objective = options.objective ?? 'hierarchical';
  const maxIter = options.maxIterations ?? Infinity;
  const timeMs = options.timeLimitMs ?? (options.maxIterations !== undefined ? Infinity : 1000);
  const budget = new Budget(timeMs, maxIter);
  const p = new Problem(instance);
  const rng = new Rng(options.seed ?? 1);
  const ops = new SisrOps(p, rng, {
    ...DEFAULT_SISR,
    ...(options.cBar ? { cBar: options.cBar } : {}),
    ...(options.lMax ? { lMax: options.lMax } : {}),
    ...options.sisr,
  });

  const useLs = options.localSearch ?? true;
  const ls = new LocalSearch(p, rng, options.granularity ?? 20);
  const cur = new Sol(p);
  // Regret insertion is O(n³); beyond a few hundred customers fall back to
  // SISR's greedy recreate, which is O(n²).
  if (p.nCust <= REGRET_MAX_CUSTOMERS) regretConstruct(cur);
  else ops.recreate(cur, true);
  if (useLs) ls.run(cur);
  cur.clearTouched();
  const work = new Sol(p);
  work.copyFrom(cur);
  const best = new Sol(p);
  best.copyFrom(cur);
  let bestCost = best.totalCost();

  if (objective === 'hierarchical' && p.nCust > 0) {
    const share = options.fleetShare ?? 0.5;
    fleetMinimise(p, ops, rng, cur, work, best, budget, share, options);
    bestCost = best.totalCost();
    cur.copyFrom(best);
    work.copyFrom(best);
  }

  // Distance phase: simulated annealing over SISR moves.
  const allowNew = objective === 'distance';
  const T0 = (options.t0 ?? 1) * p.scale;
  const Tf = (options.tf ?? 0.01) * p.scale;
  const startIter = budget.iter;
  const startMs = budget.elapsed();
  let curCost = cur.totalCost();
  let lastLs = -Infinity;
  let absentRejects = 0;
  const cycles = Math.max(1, Math.round(options.cycles ?? 1));
  let curCycle = 0;
  const absentPen = allowNew ? 0 : (options.absentPenalty ?? 0) * p.scale;
  const iterSpan = maxIter - startIter;
  const timeSpan = timeMs - startMs;
  while (!budget.done() && p.nCust > 0) {
    budget.iter++;
    const prog =
      maxIter < Infinity
        ? (budget.iter - startIter) / iterSpan
        : (budget.elapsed() - startMs) / timeSpan;
    // Several annealing cycles: each restarts hot from the best solution.
    const cycProg = Math.min(1, prog) * cycles;
    const cycle = Math.min(cycles - 1, Math.floor(cycProg));
    if (cycle !== curCycle) {
      curCycle = cycle;
      cur.copyFrom(best);
      work.copyFrom(best);
      curCost = bestCost;
    }
    const T = T0 * Math.pow(Tf / T0, cycProg - cycle);
    if (TRACE && (budget.iter & 8191) === 0) console.error(`it ${budget.iter} T ${T.toFixed(2)} cur ${curCost.toFixed(2)} best ${bestCost.toFixed(2)}`);
    ops.ruin(work);
    ops.recreate(work, allowNew);
    const wCost = work.totalCost();
    let accept: boolean;
    if (absentPen > 0) {
      accept = wCost + absentPen * work.nAbsent < curCost + absentPen * cur.nAbsent - T * Math.log(rng.next());
    } else if (work.nAbsent !== cur.nAbsent) {
      accept = work.nAbsent < cur.nAbsent;
      if (!accept) absentRejects++;
    }
    else accept = wCost < curCost - T * Math.log(rng.next());
    if (accept) {
      commit(cur, work);
      curCost = wCost;
      if (better(objective, cur, curCost, best, bestCost)) {
        best.copyFrom(cur);
        bestCost = curCost;
        // Polish a copy so the annealing trajectory itself is undisturbed;
        // throttled because early on a new best appears almost every iteration.
        if (useLs && budget.iter - lastLs >= LS_EVERY) {
          lastLs = budget.iter;
          if (ls.run(best)) bestCost = best.totalCost();
          best.clearTouched();
        }
      }
    } else {
      rollback(work, cur);
    }
  }

  if (TRACE) console.error(`distance phase: ${budget.iter - startIter} iterations, ${absentRejects} rejected for absences`);
  if (useLs && lastLs !== budget.iter) {
    ls.run(best);
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

/**
 * SISR fleet minimisation: drop a route, then ruin-and-recreate without new
 * routes, accepting a candidate if it leaves fewer customers absent or the
 * absent ones have a smaller total "absence" count (customers that are often
 * left out are hard, so they get priority in being placed). Each time every
 * customer is placed, that solution becomes the best and another route goes.
 */
function fleetMinimise(
  p: Problem,
  ops: SisrOps,
  rng: Rng,
  cur: Sol,
  work: Sol,
  best: Sol,
  budget: Budget,
  share: number,
  options: SolveOptions,
): void {
  const absCount = new Float64Array(p.n);
  const sumAbs = (s: Sol): number => {
    let t = 0;
    for (let k = 0; k < s.nAbsent; k++) t += absCount[s.absent[k]];
    return t;
  };
  const ties = (options.fleetTies ?? 1) > 0;
  const randomDrop = (options.fleetRandomDrop ?? 0) > 0;
  const phaseDone = (): boolean => budget.done() || budget.progress() >= share;
  const dropRoute = (): boolean => {
    if (cur.vehicles() <= p.vehicleLowerBound) return false;
    // Drop the route with the fewest customers (random tie-break).
    let pick = -1;
    let bestLen = Infinity;
    for (let r = 0; r < p.V; r++) {
      const len = cur.len[r];
      if (len <= 2) continue;
      const key = randomDrop ? rng.next() : len + rng.next() * 0.5;
      if (key < bestLen) {
        bestLen = key;
        pick = r;
      }
    }
    cur.clearRoute(pick);
    cur.clearTouched();
    work.copyFrom(cur);
    return true;
  };
  if (best.nAbsent > 0 || !dropRoute()) return;
  const saved = ops.params;
  if (options.fleetCbar) ops.params = { ...saved, cBar: options.fleetCbar };
  ops.priorityRate = options.fleetPriority ?? 0.5;
  try {
    fleetLoop();
  } finally {
    ops.params = saved;
  }
  function fleetLoop(): void {
  while (!phaseDone()) {
    budget.iter++;
    ops.ruin(work);
    ops.recreate(work, false, absCount);
    for (let k = 0; k < work.nAbsent; k++) absCount[work.absent[k]]++;
    const wa = sumAbs(work);
    const ca = sumAbs(cur);
    if (work.nAbsent < cur.nAbsent || wa < ca || (ties && work.nAbsent === cur.nAbsent && wa === ca)) {
      commit(cur, work);
      if (cur.nAbsent === 0) {
        best.copyFrom(cur);
        if (TRACE) console.error(`fleet ${cur.vehicles()} at ${budget.elapsed().toFixed(0)} ms, iter ${budget.iter}`);
        if (!dropRoute()) return;
      }
    } else {
      rollback(work, cur);
    }
  }
}
}
