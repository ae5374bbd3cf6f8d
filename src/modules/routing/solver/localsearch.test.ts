import { describe, expect, it } from 'vitest';
import { emptyInstance, readInstanceFile, type VrpInstance } from './instance.js';
import { LocalSearch } from './localsearch.js';
import { Problem } from './problem.js';
import { Rng } from './rng.js';
import { Sol } from './solution.js';
import { verifySolution } from './verify.js';

function points(coords: [number, number][], capacity: number, vehicles: number): VrpInstance {
  const inst = emptyInstance('pts', 'custom', coords.length, 'none');
  coords.forEach(([x, y], i) => {
    inst.x[i] = x;
    inst.y[i] = y;
    inst.demand[i] = i === 0 ? 0 : 1;
  });
  inst.customers = coords.map((_, i) => i).filter((i) => i > 0);
  for (let v = 0; v < vehicles; v++) {
    inst.vehicles.push({ capacity, shiftStart: 0, shiftEnd: Infinity, startDepot: 0, endDepot: 0 });
  }
  return inst;
}

describe('local search', () => {
  it('uncrosses two routes (inter-route move)', () => {
    const inst = points([[0, 0], [10, 1], [20, 1], [10, -1], [20, -1]], 2, 2);
    const p = new Problem(inst);
    const s = new Sol(p);
    s.loadRoutes([[1, 4], [3, 2]]);
    const before = s.totalCost();
    expect(new LocalSearch(p, new Rng(1)).run(s)).toBe(true);
    const out = s.export();
    const v = verifySolution(inst, out.routes, out.vehicleOfRoute);
    expect(v.ok).toBe(true);
    expect(v.distance).toBeLessThan(before);
    // Optimum: the two near customers together, the two far ones together.
    expect(v.distance).toBeCloseTo(2 * Math.hypot(10, 1) + 2 + 2 * Math.hypot(20, 1) + 2, 9);
  });

  it('removes a self-crossing inside a route (intra-route 2-opt / or-opt)', () => {
    // Square visited in a crossing order.
    const inst = points([[0, 0], [0, 10], [10, 0], [10, 10]], 10, 1);
    const p = new Problem(inst);
    const s = new Sol(p);
    s.loadRoutes([[1, 2, 3]]);
    new LocalSearch(p, new Rng(1)).run(s);
    const out = s.export();
    const v = verifySolution(inst, out.routes, out.vehicleOfRoute);
    expect(v.ok).toBe(true);
    expect(v.distance).toBeCloseTo(40, 9);
  });

  it('never worsens nor breaks a feasible Solomon solution', () => {
    const inst = readInstanceFile('/work/shared/data/vrp/solomon/RC101.txt');
    const p = new Problem(inst);
    // A deliberately naive start: customers by due date, each appended to the
    // first route that stays feasible (checked with the verifier).
    const order = inst.customers.slice().sort((a, b) => inst.due[a] - inst.due[b]);
    const routes: number[][] = [];
    for (const c of order) {
      const placed = routes.some((r) => {
        const cand = [...r, c];
        if (verifySolution({ ...inst, customers: cand }, [cand]).ok) {
          r.push(c);
          return true;
        }
        return false;
      });
      if (!placed) routes.push([c]);
    }
    expect(routes.length).toBeLessThanOrEqual(inst.vehicles.length);
    const s = new Sol(p);
    s.loadRoutes(routes);
    const before = verifySolution(inst, routes);
    expect(before.ok).toBe(true);
    new LocalSearch(p, new Rng(7)).run(s);
    for (let r = 0; r < p.V; r++) s.update(r);
    const out = s.export();
    const after = verifySolution(inst, out.routes, out.vehicleOfRoute);
    expect(after.errors).toEqual([]);
    expect(after.distance).toBeLessThan(before.distance);
    expect(after.vehicles).toBeLessThanOrEqual(before.vehicles);
    expect(s.totalCost()).toBeCloseTo(after.distance, 6);
  });
});
