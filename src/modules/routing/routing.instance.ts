/**
 * From a delivery day on a map to the solver's abstract CVRPTW and back: geo stops and a
 * real fleet become a `VrpInstance` in minutes since the earliest shift start (travel time
 * = haversine km × detour factor ÷ speed), and the solver's routes become a timed schedule.
 *
 * Pure (no database, no GraphQL). The schedule is recomputed here from the raw coordinates,
 * never taken from the solver, and checked against every window, capacity and shift.
 */
import { haversineKm, type LatLng } from '../../shared/geo.js';
import { emptyInstance, type VrpInstance } from './solver/instance.js';

export interface PlanVehicle {
  id: string;
  capacity: number;
  shiftStart: Date;
  shiftEnd: Date;
}

export interface PlanStop {
  id: string;
  /** Set when the stop is a shipment of this system. */
  shipmentId?: string | null;
  location: LatLng;
  demand: number;
  /** Earliest service start; default: the earliest shift start. */
  windowStart?: Date | null;
  /** Latest service start; default: the latest shift end. */
  windowEnd?: Date | null;
  serviceMinutes: number;
}

export interface GeoPlanInput {
  depot: LatLng;
  vehicles: readonly PlanVehicle[];
  stops: readonly PlanStop[];
  speedKmh: number;
  detourFactor: number;
}

export const UNASSIGNED_REASONS = ['DEMAND_EXCEEDS_CAPACITY', 'WINDOW_UNREACHABLE', 'SHIFT_TOO_SHORT', 'FLEET_EXHAUSTED'] as const;
export type UnassignedReasonValue = (typeof UNASSIGNED_REASONS)[number];

export interface UnassignedStop {
  stop: PlanStop;
  reason: UnassignedReasonValue;
  message: string;
}

const MINUTE_MS = 60_000;
/**
 * Tolerance for "on time" and "back within the shift", in minutes (0.06 ms). Screening and
 * scheduling use the same one, so a stop whose service exactly fills a shift is servable in both
 * (fast-check seed -777921242 found them disagreeing by 1e-15 minutes).
 */
const TIME_EPS = 1e-6;

/** The geometry and the clock of one planning problem. */
export class GeoModel {
  /** Time origin: the earliest shift start (ms since epoch); instance times are minutes after it. */
  readonly originMs: number;
  /** Latest shift end, in minutes after the origin: the default end of a stop's window. */
  readonly horizon: number;

  constructor(readonly input: GeoPlanInput) {
    if (!input.vehicles.length) throw new Error('GeoModel: no vehicles');
    this.originMs = Math.min(...input.vehicles.map((v) => v.shiftStart.getTime()));
    this.horizon = Math.max(...input.vehicles.map((v) => this.toMinutes(v.shiftEnd)));
  }

  /** Road distance estimate: great-circle km × detour factor. */
  roadKm(a: LatLng, b: LatLng): number {
    return haversineKm(a, b) * this.input.detourFactor;
  }

  /** Driving minutes for a road distance at the plan's speed. */
  travelMinutes(km: number): number {
    return (km / this.input.speedKmh) * 60;
  }

  toMinutes(d: Date): number {
    return (d.getTime() - this.originMs) / MINUTE_MS;
  }

  toDate(minutes: number): Date {
    return new Date(Math.round(this.originMs + minutes * MINUTE_MS));
  }

  ready(s: PlanStop): number {
    return s.windowStart ? this.toMinutes(s.windowStart) : 0;
  }

  due(s: PlanStop): number {
    return s.windowEnd ? this.toMinutes(s.windowEnd) : this.horizon;
  }

  /** Why no vehicle could serve this stop even on a route of its own; null when some vehicle can. */
  whyUnservable(s: PlanStop): Omit<UnassignedStop, 'stop'> | null {
    const { depot, vehicles } = this.input;
    const big = vehicles.filter((v) => v.capacity >= s.demand);
    if (!big.length) {
      const max = Math.max(...vehicles.map((v) => v.capacity));
      return { reason: 'DEMAND_EXCEEDS_CAPACITY', message: `Demand ${s.demand} exceeds the largest vehicle capacity (${max}).` };
    }
    const out = this.travelMinutes(this.roadKm(depot, s.location));
    const ready = this.ready(s);
    const due = this.due(s);
    let reachable = false;
    for (const v of big) {
      const start = Math.max(this.toMinutes(v.shiftStart) + out, ready);
      if (start > due + TIME_EPS) continue;
      reachable = true;
      if (start + s.serviceMinutes + out <= this.toMinutes(v.shiftEnd) + TIME_EPS) return null;
    }
    // Without an explicit window the window is the shifts' span: being too far is then a matter of shifts.
    return !reachable && s.windowEnd
      ? { reason: 'WINDOW_UNREACHABLE', message: 'No vehicle large enough can reach the stop before its window ends, even leaving at its shift start.' }
      : { reason: 'SHIFT_TOO_SHORT', message: 'No vehicle large enough can reach the stop, serve it and be back at the warehouse within its shift.' };
  }

  /** Splits the stops into those some vehicle can serve on its own and those no vehicle can (with the reason). */
  screen(): { servable: PlanStop[]; unservable: UnassignedStop[] } {
    const servable: PlanStop[] = [];
    const unservable: UnassignedStop[] = [];
    for (const s of this.input.stops) {
      const why = this.whyUnservable(s);
      if (why) unservable.push({ stop: s, ...why });
      else servable.push(s);
    }
    return { servable, unservable };
  }

  /**
   * The solver's instance over `stops`: node 0 is the warehouse, node i + 1 is stops[i];
   * vehicle k is input.vehicles[k]. Costs are travel minutes (an explicit matrix), so the
   * solver's "distance" is proportional to km at the plan's single speed.
   */
  instance(stops: readonly PlanStop[]): VrpInstance {
    const n = stops.length + 1;
    const inst = emptyInstance('routePlan', 'custom', n, 'none');
    const points = [this.input.depot, ...stops.map((s) => s.location)];
    points.forEach((p, i) => {
      inst.x[i] = p.lng;
      inst.y[i] = p.lat;
    });
    inst.ready[0] = 0;
    inst.due[0] = Number.POSITIVE_INFINITY; // shifts bound the return
    stops.forEach((s, i) => {
      inst.demand[i + 1] = s.demand;
      inst.ready[i + 1] = this.ready(s);
      inst.due[i + 1] = this.due(s);
      inst.service[i + 1] = s.serviceMinutes;
    });
    inst.customers = stops.map((_, i) => i + 1);
    inst.vehicles = this.input.vehicles.map((v) => ({
      capacity: v.capacity,
      shiftStart: this.toMinutes(v.shiftStart),
      shiftEnd: this.toMinutes(v.shiftEnd),
      startDepot: 0,
      endDepot: 0,
    }));
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) m[i * n + j] = m[j * n + i] = this.travelMinutes(this.roadKm(points[i]!, points[j]!));
    }
    inst.matrix = m;
    return inst;
  }

  /**
   * Travel minutes between two nodes of `instance(stops)`, recomputed from the coordinates
   * (for the independent verifier, which must not read the solver's matrix).
   */
  metric(stops: readonly PlanStop[]): (a: number, b: number) => number {
    const at = (i: number): LatLng => (i === 0 ? this.input.depot : stops[i - 1]!.location);
    return (a, b) => this.travelMinutes(this.roadKm(at(a), at(b)));
  }

  /**
   * The timed route of `vehicle` through `stops` in this order: the vehicle leaves as late as
   * it can without serving any stop later than it would leaving at shift start (so waiting at
   * early stops turns into a later departure, not idle minutes), times in minutes after the origin.
   * Returns the violated constraints instead of a schedule when the route is infeasible.
   */
  schedule(vehicle: PlanVehicle, stops: readonly PlanStop[]): RouteSchedule | { errors: string[] } {
    const errors: string[] = [];
    const load = stops.reduce((a, s) => a + s.demand, 0);
    if (load > vehicle.capacity) errors.push(`vehicle ${vehicle.id}: load ${load} exceeds capacity ${vehicle.capacity}`);
    const legs: number[] = [];
    let prev = this.input.depot;
    for (const s of stops) {
      legs.push(this.roadKm(prev, s.location));
      prev = s.location;
    }
    legs.push(this.roadKm(prev, this.input.depot));

    const run = (leave: number) => {
      let t = leave;
      let waitedSoFar = 0;
      let slack = Number.POSITIVE_INFINITY; // how much later the vehicle could leave, keeping every window
      const times = stops.map((s, i) => {
        const arrival = t + this.travelMinutes(legs[i]!);
        const start = Math.max(arrival, this.ready(s));
        waitedSoFar += start - arrival;
        slack = Math.min(slack, waitedSoFar + (this.due(s) - start));
        t = start + s.serviceMinutes;
        return { arrival, start, departure: t };
      });
      const back = t + this.travelMinutes(legs[stops.length]!);
      return { times, back, waited: waitedSoFar, slack };
    };

    const shiftStart = this.toMinutes(vehicle.shiftStart);
    const first = run(shiftStart);
    const delay = Math.max(0, Math.min(first.waited, first.slack));
    const leave = shiftStart + delay;
    const { times, back } = run(leave);
    times.forEach((x, i) => {
      if (x.start > this.due(stops[i]!) + TIME_EPS) errors.push(`vehicle ${vehicle.id}: late at stop ${stops[i]!.id}`);
    });
    if (back > this.toMinutes(vehicle.shiftEnd) + TIME_EPS) errors.push(`vehicle ${vehicle.id}: back after its shift end`);
    if (errors.length) return { errors };
    return {
      leave,
      back,
      stops: stops.map((s, i) => ({ stop: s, ...times[i]! })),
      distanceKm: legs.reduce((a, d) => a + d, 0),
      durationMinutes: back - leave,
      load,
    };
  }
}

export interface ScheduledStop {
  stop: PlanStop;
  /** Minutes after the origin. */
  arrival: number;
  start: number;
  departure: number;
}

export interface RouteSchedule {
  leave: number;
  back: number;
  stops: ScheduledStop[];
  distanceKm: number;
  durationMinutes: number;
  load: number;
}
