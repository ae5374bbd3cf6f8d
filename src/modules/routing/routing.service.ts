/**
 * Route plans for a warehouse's own couriers (TMS): validate the day's fleet and stops,
 * solve the CVRPTW in a worker thread (fewest vehicles, then distance), check the result with
 * the independent verifier, recompute the schedule from the coordinates and store the plan.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { transact } from '../../events/outbox.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { isValidLatLng, type LatLng } from '../../shared/geo.js';
import { hasScope, mayAccessWarehouse } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { courierStopsToRoute } from '../shipments/courier.service.js';
import { warehouseByCode, warehousesByIds, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { routePlans, type StoredRoute, type StoredUnassignedStop } from './routing.table.js';
import { GeoModel, type GeoPlanInput, type PlanStop, type PlanVehicle, type RouteSchedule, type UnassignedStop } from './routing.instance.js';
import { solveInWorker } from './solver/worker.js';
import { checkClaimedDistance, verifySolution } from './solver/verify.js';

export type RoutePlanRow = typeof routePlans.$inferSelect;
export type { StoredRoute, StoredRouteStop, StoredUnassignedStop } from './routing.table.js';
export { UNASSIGNED_REASONS, type UnassignedReasonValue } from './routing.instance.js';

export const ROUTE_PLAN_CREATED = 'routing.plan_created';

export const LIMITS = {
  vehicles: 200,
  stops: 1_000,
  idLength: 100,
  speedKmh: { min: 1, max: 200 },
  detourFactor: { min: 1, max: 3 },
  timeLimitMs: { min: 100, max: 30_000 },
  serviceMinutes: { min: 0, max: 24 * 60 },
  shiftHours: 24,
} as const;

export const DEFAULTS = { speedKmh: 30, detourFactor: 1.3, timeLimitMs: 5_000, serviceMinutes: 5 } as const;

export interface VehicleData {
  id: string;
  capacity: number;
  shiftStart: Date;
  shiftEnd: Date;
}

export interface StopData {
  id: string;
  location: LatLng;
  demand: number;
  windowStart?: Date | null;
  windowEnd?: Date | null;
  serviceMinutes?: number | null;
}

export interface RoutePlanCreateData {
  warehouseCode: string;
  /** Local delivery date in the warehouse's time zone, YYYY-MM-DD. */
  date: string;
  vehicles: VehicleData[];
  stops?: StopData[] | null;
  speedKmh?: number | null;
  detourFactor?: number | null;
  timeLimitMs?: number | null;
}

type Path = (string | number)[];

// ---------------------------------------------------------------------------------------------
// Solver concurrency: each solve keeps a core busy for up to timeLimitMs; beyond the cores
// (one left for the event loop) solves wait their turn instead of slowing each other down.

const MAX_PARALLEL_SOLVES = Math.max(1, availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];

async function withSolverSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL_SOLVES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

const validDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s).isValid;
const isDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
const validId = (s: string) => typeof s === 'string' && s.trim().length > 0 && s.length <= LIMITS.idLength;
const inRange = (v: number, r: { min: number; max: number }) => Number.isFinite(v) && v >= r.min && v <= r.max;

function validateShape(e: ErrorList, input: RoutePlanCreateData, opts: { speedKmh: number; detourFactor: number; timeLimitMs: number }): void {
  const p = (...path: Path): Path => ['input', ...path];
  if (!validDate(input.date)) {
    e.add('INVALID', 'date is a calendar date, YYYY-MM-DD.', p('date'));
  }
  if (!inRange(opts.speedKmh, LIMITS.speedKmh)) e.add('INVALID', `speedKmh must be ${LIMITS.speedKmh.min} to ${LIMITS.speedKmh.max}.`, p('speedKmh'));
  if (!inRange(opts.detourFactor, LIMITS.detourFactor)) {
    e.add('INVALID', `detourFactor must be ${LIMITS.detourFactor.min} to ${LIMITS.detourFactor.max}.`, p('detourFactor'));
  }
  if (!Number.isInteger(opts.timeLimitMs) || !inRange(opts.timeLimitMs, LIMITS.timeLimitMs)) {
    e.add('INVALID', `timeLimitMs must be ${LIMITS.timeLimitMs.min} to ${LIMITS.timeLimitMs.max}.`, p('timeLimitMs'));
  }

  if (!input.vehicles.length) e.add('NO_VEHICLES', 'At least one vehicle is needed.', p('vehicles'));
  if (input.vehicles.length > LIMITS.vehicles) e.add('INVALID', `At most ${LIMITS.vehicles} vehicles per plan.`, p('vehicles'));
  const vehicleIds = new Set<string>();
  input.vehicles.forEach((v, i) => {
    const f = (k: string) => p('vehicles', i, k);
    if (!validId(v.id)) e.add('INVALID', `Vehicle id must be 1 to ${LIMITS.idLength} characters.`, f('id'));
    else if (vehicleIds.has(v.id)) e.add('DUPLICATE_ID', `Vehicle id ${v.id} appears more than once.`, f('id'));
    vehicleIds.add(v.id);
    if (!Number.isInteger(v.capacity) || v.capacity <= 0) e.add('INVALID', 'capacity must be a positive integer.', f('capacity'));
    if (!isDate(v.shiftStart)) e.add('INVALID', 'shiftStart must be a date-time.', f('shiftStart'));
    if (!isDate(v.shiftEnd)) e.add('INVALID', 'shiftEnd must be a date-time.', f('shiftEnd'));
    else if (isDate(v.shiftStart)) {
      const span = v.shiftEnd.getTime() - v.shiftStart.getTime();
      if (span <= 0) e.add('INVALID', 'shiftEnd must be after shiftStart.', f('shiftEnd'));
      else if (span > LIMITS.shiftHours * 3_600_000) e.add('INVALID', `A shift lasts at most ${LIMITS.shiftHours} hours.`, f('shiftEnd'));
    }
  });

  const stops = input.stops ?? [];
  if (stops.length > LIMITS.stops) e.add('INVALID', `At most ${LIMITS.stops} stops per plan.`, p('stops'));
  const stopIds = new Set<string>();
  stops.forEach((s, i) => {
    const f = (...k: Path) => p('stops', i, ...k);
    if (!validId(s.id)) e.add('INVALID', `Stop id must be 1 to ${LIMITS.idLength} characters.`, f('id'));
    else if (stopIds.has(s.id)) e.add('DUPLICATE_ID', `Stop id ${s.id} appears more than once.`, f('id'));
    stopIds.add(s.id);
    const { lat, lng } = s.location;
    if (!Number.isFinite(lat) || lat < -90 || lat > 90) e.add('INVALID', 'Latitude must be -90..90.', f('location', 'lat'));
    if (!Number.isFinite(lng) || lng < -180 || lng > 180) e.add('INVALID', 'Longitude must be -180..180.', f('location', 'lng'));
    if (!Number.isInteger(s.demand) || s.demand < 0) e.add('INVALID', 'demand must be a non-negative integer.', f('demand'));
    if (s.windowStart != null && !isDate(s.windowStart)) e.add('INVALID', 'windowStart must be a date-time.', f('windowStart'));
    if (s.windowEnd != null && !isDate(s.windowEnd)) e.add('INVALID', 'windowEnd must be a date-time.', f('windowEnd'));
    if (isDate(s.windowStart) && isDate(s.windowEnd) && s.windowEnd.getTime() < s.windowStart.getTime()) {
      e.add('INVALID', 'windowEnd must not be before windowStart.', f('windowEnd'));
    }
    const service = s.serviceMinutes ?? DEFAULTS.serviceMinutes;
    if (!inRange(service, LIMITS.serviceMinutes)) {
      e.add('INVALID', `serviceMinutes must be ${LIMITS.serviceMinutes.min} to ${LIMITS.serviceMinutes.max}.`, f('serviceMinutes'));
    }
  });
}

/** Checks that depend on the warehouse: it exists, has coordinates, and every shift starts on `date` in its time zone. */
function validateAgainstWarehouse(e: ErrorList, input: RoutePlanCreateData, wh: WarehouseRow | null): LatLng | null {
  if (!wh) {
    e.add('NOT_FOUND', `No warehouse with code ${input.warehouseCode}.`, ['input', 'warehouseCode']);
    return null;
  }
  const depot = wh.lat != null && wh.lng != null ? { lat: wh.lat, lng: wh.lng } : null;
  if (!depot || !isValidLatLng(depot)) {
    e.add('WAREHOUSE_LOCATION_MISSING', `Warehouse ${wh.code} has no coordinates; set its address location first.`, ['input', 'warehouseCode']);
  }
  if (!validDate(input.date)) return depot; // reported by validateShape
  input.vehicles.forEach((v, i) => {
    if (!isDate(v.shiftStart)) return;
    const local = DateTime.fromJSDate(v.shiftStart, { zone: wh.timezone }).toISODate();
    if (local !== input.date) {
      e.add('INVALID', `shiftStart falls on ${local} in the warehouse's time zone (${wh.timezone}), not on ${input.date}.`, [
        'input',
        'vehicles',
        String(i),
        'shiftStart',
      ]);
    }
  });
  return depot;
}

// ---------------------------------------------------------------------------------------------
// Writes

/**
 * Plans the routes of a warehouse's couriers for one day and stores the plan.
 *
 * Stops no vehicle can serve (demand above every capacity, window out of reach, no time to
 * return before any shift ends), and stops the solver could not fit into the fleet, are kept in
 * `unassigned` with a reason: never dropped. The solver's routes are verified independently and
 * every figure stored (times, km, load) is recomputed from the coordinates.
 *
 * Without explicit stops, the warehouse's COURIER shipments with a label (LABEL_CREATED) and a
 * located address are the stops, one parcel each.
 *
 * Errors (nothing written): INVALID, NO_VEHICLES, NO_STOPS, DUPLICATE_ID, NOT_FOUND (warehouse),
 * WAREHOUSE_LOCATION_MISSING; a warehouse outside a restricted PARTNER's is NOT_FOUND, exactly as a
 * code that does not exist (warehouseByCode hides it). Thrown: a fault when the verifier rejects the solver's result.
 */
export async function createRoutePlan(ctx: ServiceContext, input: RoutePlanCreateData): Promise<RoutePlanRow> {
  const opts = {
    speedKmh: input.speedKmh ?? DEFAULTS.speedKmh,
    detourFactor: input.detourFactor ?? DEFAULTS.detourFactor,
    timeLimitMs: input.timeLimitMs ?? DEFAULTS.timeLimitMs,
  };
  const e = new ErrorList();
  validateShape(e, input, opts);
  const wh = await warehouseByCode(ctx, input.warehouseCode);
  const depot = validateAgainstWarehouse(e, input, wh);
  e.throwIfAny();

  const vehicles: PlanVehicle[] = input.vehicles.map((v) => ({ id: v.id, capacity: v.capacity, shiftStart: v.shiftStart, shiftEnd: v.shiftEnd }));
  const stops: PlanStop[] = input.stops?.length
    ? input.stops.map((s) => ({
        id: s.id,
        shipmentId: null,
        location: { lat: s.location.lat, lng: s.location.lng },
        demand: s.demand,
        windowStart: s.windowStart ?? null,
        windowEnd: s.windowEnd ?? null,
        serviceMinutes: s.serviceMinutes ?? DEFAULTS.serviceMinutes,
      }))
    : await shipmentStops(ctx, wh!.id);
  if (!stops.length) {
    throw BusinessError.of(
      'NO_STOPS',
      `Nothing to plan: no stops given, and warehouse ${input.warehouseCode} has no COURIER shipment with status LABEL_CREATED and a located address.`,
      ['input', 'stops'],
    );
  }
  if (stops.length > LIMITS.stops) {
    throw BusinessError.of('INVALID', `${stops.length} shipments wait for a courier, over ${LIMITS.stops} per plan: pass the stops explicitly, in batches.`, ['input', 'stops']);
  }
  const plan = await solvePlan(ctx, { depot: depot!, vehicles, stops, speedKmh: opts.speedKmh, detourFactor: opts.detourFactor }, opts.timeLimitMs);

  return transact(ctx, async (tx, events) => {
    const [row] = await tx
      .insert(routePlans)
      .values({
        warehouseId: wh!.id,
        date: input.date,
        routes: plan.routes,
        unassigned: plan.unassigned,
        vehiclesUsed: plan.routes.length,
        totalDistanceKm: plan.routes.reduce((a, r) => a + r.distanceKm, 0),
        totalDurationMinutes: plan.routes.reduce((a, r) => a + r.durationMinutes, 0),
        solveMs: plan.solveMs,
        createdAt: ctx.clock.now(),
      })
      .returning();
    await events.emit({
      topic: ROUTE_PLAN_CREATED,
      payload: { routePlanId: row!.id, warehouseId: row!.warehouseId, date: row!.date, vehiclesUsed: row!.vehiclesUsed, unassigned: plan.unassigned.length },
    });
    return row!;
  });
}

/**
 * Stops when the input gives none: the warehouse's COURIER shipments waiting with a label, one
 * parcel of demand each, the tracking number as the stop id, no window beyond the shifts.
 */
async function shipmentStops(ctx: ServiceContext, warehouseId: string): Promise<PlanStop[]> {
  return (await courierStopsToRoute(ctx, warehouseId)).map((c) => ({
    id: c.trackingNumber,
    shipmentId: c.shipmentId,
    location: c.location,
    demand: 1,
    windowStart: null,
    windowEnd: null,
    serviceMinutes: DEFAULTS.serviceMinutes,
  }));
}

interface SolvedPlan {
  routes: StoredRoute[];
  unassigned: StoredUnassignedStop[];
  solveMs: number;
}

/** Screens, solves (worker thread), verifies and schedules; stores nothing. */
async function solvePlan(ctx: ServiceContext, problem: GeoPlanInput, timeLimitMs: number): Promise<SolvedPlan> {
  const model = new GeoModel(problem);
  const { servable, unservable } = model.screen();
  const unassigned: UnassignedStop[] = [...unservable];
  const routes: { vehicle: number; schedule: RouteSchedule }[] = [];
  let solveMs = 0;

  if (servable.length) {
    const instance = model.instance(servable);
    const t0 = performance.now();
    const result = await withSolverSlot(() =>
      solveInWorker(instance, { objective: 'hierarchical', timeLimitMs, trace: ctx.config.VRP_TRACE }, AbortSignal.timeout(timeLimitMs + 60_000)),
    );
    solveMs = Math.round(performance.now() - t0);

    // Never trust the solver's own figures: the verifier recomputes every edge from the
    // coordinates and checks each constraint; every stop must be either routed or unassigned.
    const left = new Set(result.unassigned);
    const verified = verifySolution(
      { ...instance, customers: instance.customers.filter((c) => !left.has(c)) },
      result.routes,
      result.vehicleOfRoute,
      model.metric(servable),
    );
    const bogus = [...left].filter((c) => !instance.customers.includes(c));
    if (!verified.ok || bogus.length) {
      ctx.log.error({ errors: verified.errors, bogus }, 'route solver returned an invalid plan');
      throw new Error(`Route solver returned an invalid plan: ${[...verified.errors, ...bogus.map((c) => `unknown unassigned node ${c}`)].slice(0, 5).join('; ')}`);
    }
    const claim = checkClaimedDistance(verified, result.distance);
    if (claim) ctx.log.warn({ claim }, 'route solver misreported its distance; using the recomputed figures');

    result.routes.forEach((nodes, r) => {
      if (!nodes.length) return;
      const vehicle = result.vehicleOfRoute[r]!;
      const schedule = model.schedule(
        problem.vehicles[vehicle]!,
        nodes.map((c) => servable[c - 1]!),
      );
      if ('errors' in schedule) throw new Error(`Route schedule failed its own checks: ${schedule.errors.join('; ')}`);
      routes.push({ vehicle, schedule });
    });
    for (const c of left) {
      unassigned.push({
        stop: servable[c - 1]!,
        reason: 'FLEET_EXHAUSTED',
        message: 'Some vehicle could serve this stop alone, but the fleet has no room or time left for it.',
      });
    }
  }

  routes.sort((a, b) => a.vehicle - b.vehicle);
  const order = new Map(problem.stops.map((s, i) => [s.id, i]));
  unassigned.sort((a, b) => order.get(a.stop.id)! - order.get(b.stop.id)!);
  return {
    routes: routes.map(({ vehicle, schedule }) => ({
      vehicleId: problem.vehicles[vehicle]!.id,
      stops: schedule.stops.map((x) => ({
        stopId: x.stop.id,
        shipmentId: x.stop.shipmentId ?? null,
        lat: x.stop.location.lat,
        lng: x.stop.location.lng,
        arrival: model.toDate(x.arrival).toISOString(),
        departure: model.toDate(x.departure).toISOString(),
      })),
      distanceKm: schedule.distanceKm,
      durationMinutes: schedule.durationMinutes,
      load: schedule.load,
    })),
    unassigned: unassigned.map((u) => ({
      stopId: u.stop.id,
      shipmentId: u.stop.shipmentId ?? null,
      lat: u.stop.location.lat,
      lng: u.stop.location.lng,
      reason: u.reason,
      message: u.message,
    })),
    solveMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Reads

/** True when the caller may read plans of this warehouse: read_shipping, and a restricted PARTNER only its own. */
export function mayViewRoutePlans(ctx: Pick<ServiceContext, 'principal'>, warehouseCode: string): boolean {
  return hasScope(ctx.principal, 'read_shipping') && mayAccessWarehouse(ctx.principal, warehouseCode);
}

/** Plans by id that the caller may see (read_shipping; a restricted PARTNER only its warehouses'). */
export async function routePlansByIds(ctx: ServiceContext, ids: readonly string[]): Promise<RoutePlanRow[]> {
  if (!ids.length || !hasScope(ctx.principal, 'read_shipping')) return [];
  const rows = await ctx.database.db.select().from(routePlans).where(inArray(routePlans.id, [...ids]));
  if (!ctx.principal.warehouseCodes) return rows;
  const whs = await warehousesByIds(ctx, [...new Set(rows.map((r) => r.warehouseId))]);
  const code = new Map(whs.map((w) => [w.id, w.code]));
  return rows.filter((r) => mayViewRoutePlans(ctx, code.get(r.warehouseId) ?? ''));
}
