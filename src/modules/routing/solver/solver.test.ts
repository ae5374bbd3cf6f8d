import { describe, expect, it } from 'vitest';
import { emptyInstance, parseInstance, readInstanceFile, type VrpInstance } from './instance.js';
import { solve } from './solver.js';
import { checkClaimedDistance, verifySolution } from './verify.js';
import { solveInWorker } from './worker.js';

const DATA = '/work/shared/data/vrp';
const solomon = (name: string): VrpInstance => readInstanceFile(`${DATA}/solomon/${name}.txt`);

/** Tiny instance builder: node 0 is the depot. */
function tiny(
  nodes: { x: number; y: number; q?: number; a?: number; b?: number; s?: number }[],
  vehicles: number,
  capacity: number,
  horizon = 1e9,
): VrpInstance {
  const inst = emptyInstance('tiny', 'custom', nodes.length, 'none');
  nodes.forEach((nd, i) => {
    inst.x[i] = nd.x;
    inst.y[i] = nd.y;
    inst.demand[i] = nd.q ?? 0;
    inst.ready[i] = nd.a ?? 0;
    inst.due[i] = i === 0 ? horizon : (nd.b ?? horizon);
    inst.service[i] = nd.s ?? 0;
  });
  inst.customers = nodes.map((_, i) => i).filter((i) => i > 0);
  for (let v = 0; v < vehicles; v++) {
    inst.vehicles.push({ capacity, shiftStart: 0, shiftEnd: horizon, startDepot: 0, endDepot: 0 });
  }
  return inst;
}

describe('parsers', () => {
  it('parses a Solomon file', () => {
    const inst = solomon('C101');
    expect(inst.name).toBe('C101');
    expect(inst.n).toBe(101);
    expect(inst.customers).toHaveLength(100);
    expect(inst.vehicles).toHaveLength(25);
    expect(inst.vehicles[0]).toMatchObject({ capacity: 200, shiftStart: 0, shiftEnd: 1236, startDepot: 0, endDepot: 0 });
    expect([inst.x[1], inst.y[1], inst.demand[1], inst.ready[1], inst.due[1], inst.service[1]]).toEqual([
      45, 68, 10, 912, 967, 90,
    ]);
    expect(inst.labels[100]).toBe(100);
    expect(inst.rounding).toBe('none');
  });

  it('parses a CVRPLIB file', () => {
    const inst = readInstanceFile(`${DATA}/cvrp/A/A-n32-k5.vrp`);
    expect(inst.name).toBe('A-n32-k5');
    expect(inst.format).toBe('cvrplib');
    expect(inst.n).toBe(32);
    expect(inst.customers).toHaveLength(31);
    expect(inst.customers).not.toContain(0);
    expect(inst.labels[0]).toBe(1); // depot is node id 1
    expect(inst.vehicles[0].capacity).toBe(100);
    expect([inst.x[0], inst.y[0], inst.demand[1]]).toEqual([82, 76, 19]);
    expect(inst.rounding).toBe('nint');
  });

  it('detects the format by content', () => {
    const text = 'NAME : t\nTYPE : CVRP\nDIMENSION : 2\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 5\nNODE_COORD_SECTION\n1 0 0\n2 3 4\nDEMAND_SECTION\n1 0\n2 1\nDEPOT_SECTION\n1\n-1\nEOF\n';
    expect(parseInstance(text, 'x.txt').format).toBe('cvrplib');
  });
});

describe('verifier', () => {
  // Depot at origin, 4 customers on a square; service 1, generous windows.
  const inst = tiny(
    [
      { x: 0, y: 0 },
      { x: 0, y: 10, q: 4, s: 1 },
      { x: 10, y: 10, q: 4, s: 1 },
      { x: 10, y: 0, q: 4, s: 1, a: 0, b: 100 },
      { x: 20, y: 0, q: 4, s: 1, a: 0, b: 25 },
    ],
    3,
    10,
    1000,
  );

  it('accepts a valid solution and recomputes its distance', () => {
    const res = verifySolution(inst, [[1, 2], [3, 4]]);
    expect(res.errors).toEqual([]);
    expect(res.ok).toBe(true);
    expect(res.vehicles).toBe(2);
    expect(res.distance).toBeCloseTo(10 + 10 + Math.hypot(10, 10) + 10 + 10 + 20, 9);
  });

  it('catches a duplicate customer', () => {
    const res = verifySolution(inst, [[1, 2], [3, 4, 1]]);
    expect(res.ok).toBe(false);
    expect(res.errors.join()).toMatch(/served 2 times/);
  });

  it('catches a missing customer', () => {
    const res = verifySolution(inst, [[1, 2], [3]]);
    expect(res.ok).toBe(false);
    expect(res.errors.join()).toMatch(/not served/);
  });

  it('catches a capacity violation', () => {
    const res = verifySolution(inst, [[1, 2, 3], [4]]);
    expect(res.ok).toBe(false);
    expect(res.errors.join()).toMatch(/exceeds capacity/);
  });

  it('catches a late arrival (and allows waiting when early)', () => {
    // 1 -> 2 -> 4: reaches 4 at 10+1+10+1+10 = 32 > 25.
    const late = verifySolution(inst, [[1, 2, 4], [3]]);
    expect(late.ok).toBe(false);
    expect(late.errors.join()).toMatch(/late at customer 4/);
    const waiting = tiny([{ x: 0, y: 0 }, { x: 1, y: 0, q: 1, a: 50, b: 60 }], 1, 10, 100);
    expect(verifySolution(waiting, [[1]]).ok).toBe(true);
  });

  it('catches a return after the shift end', () => {
    const short = tiny([{ x: 0, y: 0 }, { x: 10, y: 0, q: 1, b: 50, s: 5 }], 1, 10, 20);
    expect(verifySolution(short, [[1]]).errors.join()).toMatch(/after shift end/);
  });

  it('catches too many routes and non-customers', () => {
    expect(verifySolution(inst, [[1], [2], [3], [4]]).errors.join()).toMatch(/no vehicle/);
    expect(verifySolution(inst, [[0, 1, 2], [3, 4]]).errors.join()).toMatch(/not a customer/);
  });

  it('catches a wrong claimed distance', () => {
    const res = verifySolution(inst, [[1, 2], [3, 4]]);
    expect(checkClaimedDistance(res, res.distance)).toBeNull();
    expect(checkClaimedDistance(res, res.distance - 1)).toMatch(/differs/);
  });
});

/** Seeded LCG for building random test instances (independent of the solver's PRNG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Random 7-customer instance with capacity and time windows. */
function randomTiny(seed: number): VrpInstance {
  const r = lcg(seed);
  const nodes: { x: number; y: number; q?: number; a?: number; b?: number; s?: number }[] = [{ x: 50, y: 50 }];
  for (let i = 0; i < 7; i++) {
    const x = Math.round(r() * 100);
    const y = Math.round(r() * 100);
    const a = Math.round(r() * 150);
    nodes.push({ x, y, q: 1 + Math.floor(r() * 5), a, b: a + 60 + Math.round(r() * 100), s: 5 });
  }
  return tiny(nodes, 7, 10, 400);
}

/**
 * Exact optimum by enumeration: every permutation of the customers, cut into
 * consecutive routes in every possible way, scored hierarchically or by distance.
 */
function bruteForce(inst: VrpInstance, hierarchical: boolean): { vehicles: number; distance: number } {
  const cust = inst.customers;
  const k = cust.length;
  let best = { vehicles: Infinity, distance: Infinity };
  const perm = cust.slice();
  const permute = (i: number): void => {
    if (i === k) {
      for (let mask = 0; mask < 1 << (k - 1); mask++) {
        const routes: number[][] = [[perm[0]]];
        for (let j = 1; j < k; j++) {
          if (mask & (1 << (j - 1))) routes.push([perm[j]]);
          else routes[routes.length - 1].push(perm[j]);
        }
        if (routes.length > inst.vehicles.length) continue;
        const v = verifySolution(inst, routes);
        if (!v.ok) continue;
        const better = hierarchical
          ? v.vehicles < best.vehicles || (v.vehicles === best.vehicles && v.distance < best.distance - 1e-9)
          : v.distance < best.distance - 1e-9;
        if (better) best = { vehicles: v.vehicles, distance: v.distance };
      }
      return;
    }
    for (let j = i; j < k; j++) {
      [perm[i], perm[j]] = [perm[j], perm[i]];
      permute(i + 1);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
  };
  permute(0);
  return best;
}

describe('solver', () => {
  for (const seed of [3, 11]) {
    it(`finds the brute-force optimum of a 7-customer instance (seed ${seed})`, () => {
      const inst = randomTiny(seed);
      for (const objective of ['distance', 'hierarchical'] as const) {
        const opt = bruteForce(inst, objective === 'hierarchical');
        expect(opt.distance).toBeLessThan(Infinity);
        const res = solve(inst, { objective, maxIterations: 3000, seed: 1 });
        const v = verifySolution(inst, res.routes, res.vehicleOfRoute);
        expect(v.ok).toBe(true);
        expect(v.distance).toBeCloseTo(opt.distance, 6);
        if (objective === 'hierarchical') expect(v.vehicles).toBe(opt.vehicles);
      }
    });
  }

  it('is deterministic for a seed and an iteration limit', () => {
    const inst = solomon('R101');
    const a = solve(inst, { maxIterations: 2000, seed: 42 });
    const b = solve(inst, { maxIterations: 2000, seed: 42 });
    expect(a.routes).toEqual(b.routes);
    expect(a.distance).toBe(b.distance);
    expect(a.iterations).toBe(b.iterations);
  });

  it('produces verified solutions on real instances within a short iteration limit (load-independent)', () => {
    for (const [name, objective] of [
      ['R101', 'hierarchical'],
      ['RC202', 'distance'],
      ['C201', 'hierarchical'],
    ] as const) {
      const inst = solomon(name);
      const res = solve(inst, { objective, maxIterations: 300, seed: 5 });
      const v = verifySolution(inst, res.routes, res.vehicleOfRoute);
      expect(v.errors).toEqual([]);
      expect(res.unassigned).toEqual([]);
      expect(v.vehicles).toBe(res.vehicles);
      expect(checkClaimedDistance(v, res.distance)).toBeNull();
    }
  });

  it('gets close to the optimum of a CVRPLIB instance (iteration-limited, load-independent)', () => {
    const cvrp = readInstanceFile(`${DATA}/cvrp/A/A-n32-k5.vrp`);
    const res = solve(cvrp, { objective: 'distance', maxIterations: 20000, seed: 5 });
    const v = verifySolution(cvrp, res.routes, res.vehicleOfRoute);
    expect(v.ok).toBe(true);
    expect(v.distance).toBeLessThanOrEqual(784 * 1.01); // proven optimum 784
  });

  it('supports heterogeneous vehicles with their own depots and shifts', () => {
    // Two depots far apart; each vehicle must start/end at its own depot.
    const inst = tiny(
      [
        { x: 0, y: 0 },
        { x: 100, y: 0 },
        { x: 5, y: 0, q: 3 },
        { x: 95, y: 0, q: 3 },
        { x: 0, y: 5, q: 3 },
        { x: 100, y: 5, q: 3 },
      ],
      0,
      0,
      1000,
    );
    inst.customers = [2, 3, 4, 5];
    inst.vehicles.push({ capacity: 6, shiftStart: 0, shiftEnd: 1000, startDepot: 0, endDepot: 0 });
    inst.vehicles.push({ capacity: 10, shiftStart: 0, shiftEnd: 1000, startDepot: 1, endDepot: 1 });
    const res = solve(inst, { objective: 'distance', maxIterations: 500 });
    const v = verifySolution(inst, res.routes, res.vehicleOfRoute);
    expect(v.ok).toBe(true);
    expect(v.distance).toBeCloseTo(2 * (5 + 5 + Math.hypot(5, 5)), 6);
  });
});

describe('explicit matrix', () => {
  // Customers 10 left and 10 right of the depot, joined by a "tunnel" of cost 1 that
  // coordinates cannot express: the tour 0-1-2-0 costs 10 + 1 + 10.
  function tunnel(): { inst: VrpInstance; metric: (a: number, b: number) => number } {
    const inst = tiny([{ x: 0, y: 0 }, { x: 10, y: 0, q: 1 }, { x: -10, y: 0, q: 1 }], 1, 10);
    const cost = (a: number, b: number) => (a === b ? 0 : a > 0 && b > 0 ? 1 : 10);
    inst.matrix = Float64Array.from({ length: 9 }, (_, k) => cost(Math.floor(k / 3), k % 3));
    return { inst, metric: cost };
  }

  it('is used instead of coordinates, in process and through the worker', async () => {
    const { inst, metric } = tunnel();
    for (const res of [solve(inst, { maxIterations: 200 }), await solveInWorker(inst, { maxIterations: 200 })]) {
      const v = verifySolution(inst, res.routes, res.vehicleOfRoute, metric);
      expect(v.ok).toBe(true);
      expect(v.distance).toBeCloseTo(21, 9);
      expect(checkClaimedDistance(v, res.distance)).toBeNull();
    }
  });

  it('makes the verifier insist on a metric of its own', () => {
    const { inst } = tunnel();
    expect(() => verifySolution(inst, [[1, 2]], [0])).toThrow(/metric/);
  });
});

describe('worker', () => {
  it('solves in a worker thread and round-trips the result', async () => {
    // An iteration limit, not a time limit: the same seed must give the same answer in and out of
    // the worker whatever the machine's load.
    const inst = solomon('C101');
    const opts = { maxIterations: 300, seed: 3 };
    const res = await solveInWorker(inst, opts);
    const v = verifySolution(inst, res.routes, res.vehicleOfRoute);
    expect(v.ok).toBe(true);
    const here = solve(inst, opts);
    expect([res.vehicles, res.distance]).toEqual([here.vehicles, here.distance]);
    expect(res.routes).toEqual(here.routes);
  });

  it('can be aborted', async () => {
    const ctl = new AbortController();
    const p = solveInWorker(solomon('R101'), { timeLimitMs: 5000 }, ctl.signal);
    setTimeout(() => ctl.abort(), 50);
    await expect(p).rejects.toThrow(/aborted/);
  });
});
