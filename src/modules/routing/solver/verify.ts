/**
 * Independent solution verifier.
 *
 * Intentionally shares no code with the solver (no distance matrix, no
 * schedule arrays): it recomputes everything from the raw coordinates so a
 * bug in the solver's incremental bookkeeping cannot hide itself.
 */
import type { VrpInstance } from './instance.js';

/** Outcome of {@link verifySolution}. */
export interface VerifyResult {
  ok: boolean;
  errors: string[];
  /** Number of non-empty routes. */
  vehicles: number;
  /** Total distance recomputed from coordinates. */
  distance: number;
}

/** Tolerance on time comparisons: Solomon times are sums of unrounded square roots. */
const TIME_EPS = 1e-6;

function coordEdge(inst: VrpInstance, a: number, b: number): number {
  const dx = inst.x[a] - inst.x[b];
  const dy = inst.y[a] - inst.y[b];
  const d = Math.hypot(dx, dy);
  // TSPLIB nint: floor(d + 0.5).
  return inst.rounding === 'nint' ? Math.floor(d + 0.5) : d;
}

/**
 * Checks a solution against every constraint of the instance.
 *
 * @param instance the problem
 * @param routes routes as arrays of node indices (depots excluded)
 * @param vehicleOfRoute optional vehicle index per route (defaults to the
 *   route's position, which is what homogeneous fleets use)
 * @param metric travel time (= cost) between two nodes, recomputed by the
 *   caller from its own raw data; required when the instance carries an
 *   explicit `matrix` (the verifier never reads the solver's matrix)
 */
export function verifySolution(
  instance: VrpInstance,
  routes: readonly (readonly number[])[],
  vehicleOfRoute?: readonly number[],
  metric?: (a: number, b: number) => number,
): VerifyResult {
  if (instance.matrix && !metric) {
    throw new Error('verifySolution: the instance has an explicit matrix; pass a metric recomputed from the raw data');
  }
  const edge = metric ?? ((a: number, b: number) => coordEdge(instance, a, b));
  const errors: string[] = [];
  const seen = new Map<number, number>();
  const isCustomer = new Uint8Array(instance.n);
  for (const c of instance.customers) isCustomer[c] = 1;
  const usedVehicles = new Set<number>();
  let distance = 0;
  let vehicles = 0;

  routes.forEach((route, r) => {
    if (route.length === 0) return;
    vehicles++;
    const v = vehicleOfRoute ? vehicleOfRoute[r] : r;
    const veh = instance.vehicles[v];
    if (!veh) {
      errors.push(`route ${r}: no vehicle ${v} (fleet has ${instance.vehicles.length})`);
      return;
    }
    if (usedVehicles.has(v)) errors.push(`route ${r}: vehicle ${v} used twice`);
    usedVehicles.add(v);

    let load = 0;
    let prev = veh.startDepot;
    let t = Math.max(veh.shiftStart, instance.ready[veh.startDepot]);
    let routeDist = 0;
    for (const c of route) {
      if (!Number.isInteger(c) || c < 0 || c >= instance.n || !isCustomer[c]) {
        errors.push(`route ${r}: ${c} is not a customer`);
        continue;
      }
      seen.set(c, (seen.get(c) ?? 0) + 1);
      load += instance.demand[c];
      const d = edge(prev, c);
      routeDist += d;
      const arrival = t + d;
      const start = Math.max(arrival, instance.ready[c]); // early: wait
      if (start > instance.due[c] + TIME_EPS) {
        errors.push(
          `route ${r}: late at customer ${instance.labels[c]} (start ${start.toFixed(3)} > due ${instance.due[c]})`,
        );
      }
      t = start + instance.service[c];
      prev = c;
    }
    const back = edge(prev, veh.endDepot);
    routeDist += back;
    const end = t + back;
    const limit = Math.min(veh.shiftEnd, instance.due[veh.endDepot]);
    if (end > limit + TIME_EPS) {
      errors.push(`route ${r}: returns at ${end.toFixed(3)} after shift end / depot due ${limit}`);
    }
    if (load > veh.capacity + 1e-9) {
      errors.push(`route ${r}: load ${load} exceeds capacity ${veh.capacity}`);
    }
    distance += routeDist;
  });

  for (const c of instance.customers) {
    const k = seen.get(c) ?? 0;
    if (k === 0) errors.push(`customer ${instance.labels[c]} not served`);
    else if (k > 1) errors.push(`customer ${instance.labels[c]} served ${k} times`);
  }
  return { ok: errors.length === 0, errors, vehicles, distance };
}

/**
 * Compares a claimed distance with the verifier's own figure; returns an
 * error message when they disagree beyond rounding noise.
 */
export function checkClaimedDistance(verified: VerifyResult, claimed: number): string | null {
  const tol = 1e-6 * Math.max(1, Math.abs(verified.distance));
  return Math.abs(verified.distance - claimed) > tol
    ? `claimed distance ${claimed} differs from recomputed ${verified.distance}`
    : null;
}
