/** Route plans through GraphQL over real HTTP: optimality on a small instance, unassigned stops, validation, reads, access. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyCreateDocument,
  CarrierCreateDocument,
  OrderCreateDocument,
  RoutePlanCreateDocument,
  RoutePlanCreateShipmentsDocument,
  ShipmentCreateDocument,
  RoutePlanDocument,
  RoutePlanNodeDocument,
  WarehouseCreateDocument,
  type RoutePlanCreateInput,
  type RoutePlanFieldsFragment,
  type StopInput,
  type VehicleInput,
} from '../../../test/generated/graphql.js';
import { pickAndPack } from '../../../test/factories/fulfillment.js';
import { address, MOSCOW, stockedStore } from '../../../test/factories/stock.js';
import { addressInput, warehouseInput } from '../../../test/factories/warehouse.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { haversineKm, type LatLng } from '../../shared/geo.js';

let t: TestApp;
let WH: string; // Europe/Moscow (the default time zone), depot at DEPOT
const DEPOT: LatLng = { lat: 55.7, lng: 37.62 };
const DATE = '2026-11-26';
const at = (hhmmUtc: string) => `${DATE}T${hhmmUtc}:00.000Z`; // 06:00Z is 09:00 in Moscow

beforeAll(async () => {
  t = await startApp();
  WH = await warehouse();
});
afterAll(async () => t?.close());

async function warehouse(over: Parameters<typeof warehouseInput>[0] = {}) {
  const r = await t.admin(WarehouseCreateDocument, { input: warehouseInput({ address: addressInput({ location: DEPOT }), ...over }) });
  expect(r.warehouseCreate.userErrors).toEqual([]);
  return r.warehouseCreate.warehouse!.code;
}

async function key(scopes: string[], extra: { kind?: 'STAFF' | 'PARTNER'; warehouseCodes?: string[] } = {}) {
  const r = await t.admin(ApiKeyCreateDocument, { input: { name: `k-${scopes.join('+')}`, kind: extra.kind ?? 'STAFF', scopes, warehouseCodes: extra.warehouseCodes } });
  expect(r.apiKeyCreate.userErrors).toEqual([]);
  return r.apiKeyCreate.secret!;
}

const planCount = async () => (await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from route_plans`))[0]!.n;

const vehicle = (over: Partial<VehicleInput> = {}): VehicleInput => ({ id: 'V1', capacity: 10, shiftStart: at('06:00'), shiftEnd: at('14:00'), ...over });
/** A stop `kmNorth` / `kmEast` of the depot (roughly: 1° lat = 111.2 km, 1° lng = 62.7 km at 55.7°N). */
const stop = (id: string, kmNorth: number, kmEast: number, over: Partial<StopInput> = {}): StopInput => ({
  id,
  location: { lat: DEPOT.lat + kmNorth / 111.2, lng: DEPOT.lng + kmEast / 62.7 },
  demand: 1,
  ...over,
});
const planInput = (over: Partial<RoutePlanCreateInput> = {}): RoutePlanCreateInput => ({
  warehouseCode: WH,
  date: DATE,
  vehicles: [vehicle()],
  stops: [stop('S1', 2, 1)],
  timeLimitMs: 300,
  ...over,
});

async function createPlan(input: RoutePlanCreateInput): Promise<RoutePlanFieldsFragment> {
  const r = await t.admin(RoutePlanCreateDocument, { input });
  expect(r.routePlanCreate.userErrors).toEqual([]);
  return r.routePlanCreate.routePlan!;
}

// ---------------------------------------------------------------------------------------------
// The reference: exhaustive search with the API's own model (haversine × detour, km / speed).

interface Model {
  vehicles: VehicleInput[];
  stops: StopInput[];
  speedKmh: number;
  detourFactor: number;
}
const ms = (s: string) => new Date(s).getTime();
const roadKm = (m: Model, a: LatLng, b: LatLng) => haversineKm(a, b) * m.detourFactor;
const minutes = (m: Model, km: number) => (km / m.speedKmh) * 60;

/** Distance of the route if `vehicle` can drive `order` within capacity, windows and shift; else null. */
function routeKm(m: Model, v: VehicleInput, order: StopInput[]): number | null {
  const origin = Math.min(...m.vehicles.map((x) => ms(x.shiftStart)));
  const horizon = Math.max(...m.vehicles.map((x) => ms(x.shiftEnd)));
  if (order.reduce((a, s) => a + s.demand, 0) > v.capacity) return null;
  let t = (ms(v.shiftStart) - origin) / 60_000;
  let prev = DEPOT;
  let km = 0;
  for (const s of order) {
    const d = roadKm(m, prev, s.location);
    km += d;
    const ready = s.windowStart ? (ms(s.windowStart) - origin) / 60_000 : 0;
    const due = ((s.windowEnd ? ms(s.windowEnd) : horizon) - origin) / 60_000;
    const start = Math.max(t + minutes(m, d), ready);
    if (start > due + 1e-9) return null;
    t = start + (s.serviceMinutes ?? 5);
    prev = s.location;
  }
  const back = roadKm(m, prev, DEPOT);
  if (t + minutes(m, back) > (ms(v.shiftEnd) - origin) / 60_000 + 1e-9) return null;
  return km + back;
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Lexicographic optimum (fewest vehicles, then km) over every assignment of stops to vehicles and every order. */
function bruteForce(m: Model): { vehicles: number; km: number } {
  const V = m.vehicles.length;
  let best = { vehicles: Infinity, km: Infinity };
  for (let code = 0; code < V ** m.stops.length; code++) {
    const groups: StopInput[][] = m.vehicles.map(() => []);
    let c = code;
    for (const s of m.stops) {
      groups[c % V]!.push(s);
      c = Math.floor(c / V);
    }
    let km = 0;
    let used = 0;
    for (let k = 0; k < V && Number.isFinite(km); k++) {
      if (!groups[k]!.length) continue;
      used++;
      let bestRoute = Infinity;
      for (const p of permutations(groups[k]!)) bestRoute = Math.min(bestRoute, routeKm(m, m.vehicles[k]!, p) ?? Infinity);
      km += bestRoute;
    }
    if (Number.isFinite(km) && (used < best.vehicles || (used === best.vehicles && km < best.km))) best = { vehicles: used, km };
  }
  return best;
}

/** Checks a returned plan against the model: every stop once, loads, windows, shifts, and times consistent with travel. */
function checkPlan(m: Model, plan: RoutePlanFieldsFragment) {
  const byId = new Map(m.stops.map((s) => [s.id, s]));
  const seen = [...plan.routes.flatMap((r) => r.stops.map((s) => s.stopId)), ...plan.unassigned].sort();
  expect(seen).toEqual(m.stops.map((s) => s.id).sort());
  let total = 0;
  for (const r of plan.routes) {
    const v = m.vehicles.find((x) => x.id === r.vehicleId)!;
    const order = r.stops.map((s) => byId.get(s.stopId)!);
    const km = routeKm(m, v, order);
    expect(km, `route of ${v.id} is feasible`).not.toBeNull();
    expect(r.distanceKm).toBeCloseTo(km!, 9);
    expect(r.load).toBe(order.reduce((a, s) => a + s.demand, 0));
    let prev = DEPOT;
    let prevDeparture: number | null = null;
    for (const [i, s] of r.stops.entries()) {
      const st = order[i]!;
      const arrival = ms(s.arrival);
      const travel = minutes(m, roadKm(m, prev, st.location)) * 60_000;
      if (prevDeparture === null) expect(arrival - travel).toBeGreaterThanOrEqual(ms(v.shiftStart) - 1);
      else expect(Math.abs(arrival - (prevDeparture + travel))).toBeLessThanOrEqual(2);
      const start = Math.max(arrival, st.windowStart ? ms(st.windowStart) : -Infinity);
      if (st.windowEnd) expect(start).toBeLessThanOrEqual(ms(st.windowEnd) + 1);
      expect(Math.abs(ms(s.departure) - (start + (st.serviceMinutes ?? 5) * 60_000))).toBeLessThanOrEqual(2);
      prevDeparture = ms(s.departure);
      prev = st.location;
    }
    total += r.distanceKm;
  }
  expect(plan.vehiclesUsed).toBe(plan.routes.length);
  expect(plan.totalDistanceKm).toBeCloseTo(total, 9);
  expect(plan.totalDurationMinutes).toBeCloseTo(plan.routes.reduce((a, r) => a + r.durationMinutes, 0), 9);
}

// ---------------------------------------------------------------------------------------------

describe('routePlanCreate', () => {
  it('finds the brute-force optimum (fewest vehicles, then km) of a 6-stop, 2-vehicle day with windows and mixed fleet', async () => {
    // Demand 13 needs both vehicles (capacities 8 and 6); the late-shift van cannot make S2's morning window.
    const vehicles = [vehicle({ id: 'VAN-A', capacity: 8 }), vehicle({ id: 'VAN-B', capacity: 6, shiftStart: at('07:00'), shiftEnd: at('12:00') })];
    const stops = [
      stop('S1', 4, 2, { demand: 3 }),
      stop('S2', -3, 5, { demand: 2, windowStart: at('06:00'), windowEnd: at('06:30') }),
      stop('S3', 6, -4, { demand: 2, serviceMinutes: 10 }),
      stop('S4', -5, -6, { demand: 3, windowStart: at('09:00'), windowEnd: at('10:00') }),
      stop('S5', 1, 7, { demand: 1 }),
      stop('S6', 8, 3, { demand: 2, serviceMinutes: 0 }),
    ];
    const model: Model = { vehicles, stops, speedKmh: 30, detourFactor: 1.3 };
    const optimum = bruteForce(model);
    expect(optimum.vehicles).toBe(2);

    const before = await planCount();
    const plan = await createPlan(planInput({ vehicles, stops, timeLimitMs: 2000 }));
    expect(await planCount()).toBe(before + 1);
    expect(plan).toMatchObject({ date: DATE, warehouse: { code: WH }, unassigned: [], unassignedStops: [], vehiclesUsed: 2 });
    expect(Math.abs(plan.totalDistanceKm - optimum.km) / optimum.km).toBeLessThanOrEqual(1e-6);
    checkPlan(model, plan);
    expect(plan.solveMs).toBeGreaterThan(0);
  });

  it('uses one vehicle when one suffices, even if two would drive less', async () => {
    // Two stops in opposite directions: one van does both in one (longer) loop.
    const vehicles = [vehicle({ id: 'A' }), vehicle({ id: 'B' })];
    const stops = [stop('N', 5, 0), stop('S', -5, 0)];
    const model: Model = { vehicles, stops, speedKmh: 30, detourFactor: 1.3 };
    const plan = await createPlan(planInput({ vehicles, stops }));
    expect(plan.vehiclesUsed).toBe(1);
    expect(plan.totalDistanceKm).toBeCloseTo(bruteForce(model).km, 6);
    checkPlan(model, plan);
  });

  it('honours speedKmh and detourFactor', async () => {
    const vehicles = [vehicle()];
    const stops = [stop('X', 10, 0, { serviceMinutes: 0 })];
    const plan = await createPlan(planInput({ vehicles, stops, speedKmh: 60, detourFactor: 1 }));
    const km = 2 * haversineKm(DEPOT, stops[0]!.location);
    expect(plan.totalDistanceKm).toBeCloseTo(km, 9);
    expect(plan.totalDurationMinutes).toBeCloseTo(km, 6); // 60 km/h: a minute per km
    checkPlan({ vehicles, stops, speedKmh: 60, detourFactor: 1 }, plan);
  });

  it('waits at the warehouse rather than at the door: leaves late enough to arrive when the window opens', async () => {
    const stops = [stop('LATE', 5, 0, { windowStart: at('10:00'), windowEnd: at('11:00'), serviceMinutes: 5 })];
    const plan = await createPlan(planInput({ stops }));
    const [s] = plan.routes[0]!.stops;
    expect(s!.arrival).toBe(at('10:00'));
    expect(s!.departure).toBe(at('10:05'));
    const travel = minutes({ vehicles: [], stops, speedKmh: 30, detourFactor: 1.3 }, roadKm({ vehicles: [], stops, speedKmh: 30, detourFactor: 1.3 }, DEPOT, stops[0]!.location));
    expect(plan.routes[0]!.durationMinutes).toBeCloseTo(2 * travel + 5, 6);
  });

  it('reports stops no vehicle can serve in unassigned, with reasons, and plans the rest', async () => {
    const vehicles = [vehicle({ id: 'V1', capacity: 10, shiftStart: at('06:00'), shiftEnd: at('10:00') })];
    const stops = [
      stop('OK', 2, 2, { demand: 4 }),
      stop('HEAVY', 1, 1, { demand: 11 }),
      // 10 km away at 30 km/h with detour: ~26 minutes; the window closes 10 minutes into the shift.
      stop('EARLY', 10, 0, { windowStart: at('05:00'), windowEnd: at('06:10') }),
      // 60 km each way (78 road km, 156 minutes): reachable in the shift, but not there and back in 4 hours.
      stop('FAR', 60, 0),
      // Fits alone, but not together with OK (4 + 7 > 10): the fleet runs out.
      stop('BIG', -2, -2, { demand: 7 }),
    ];
    const before = await planCount();
    const plan = await createPlan(planInput({ vehicles, stops }));
    expect(await planCount()).toBe(before + 1);
    expect(plan.routes.flatMap((r) => r.stops.map((s) => s.stopId))).toHaveLength(1);
    const served = plan.routes[0]!.stops[0]!.stopId;
    expect(['OK', 'BIG']).toContain(served);
    const left = served === 'OK' ? 'BIG' : 'OK';
    expect(plan.unassigned).toEqual(['HEAVY', 'EARLY', 'FAR', left].sort((a, b) => stops.findIndex((s) => s.id === a) - stops.findIndex((s) => s.id === b)));
    const reasons = Object.fromEntries(plan.unassignedStops.map((u) => [u.stopId, u.reason]));
    expect(reasons).toEqual({ HEAVY: 'DEMAND_EXCEEDS_CAPACITY', EARLY: 'WINDOW_UNREACHABLE', FAR: 'SHIFT_TOO_SHORT', [left]: 'FLEET_EXHAUSTED' });
    for (const u of plan.unassignedStops) expect(u.message.length).toBeGreaterThan(10);
    expect(plan.unassignedStops.find((u) => u.stopId === 'FAR')!.location).toEqual(stops[3]!.location);
    checkPlan({ vehicles, stops, speedKmh: 30, detourFactor: 1.3 }, plan);
  });

  it('stores a plan with every stop unassigned when nothing can be served, without running the solver', async () => {
    const plan = await createPlan(planInput({ stops: [stop('HEAVY', 1, 1, { demand: 99 })] }));
    expect(plan).toMatchObject({ routes: [], unassigned: ['HEAVY'], vehiclesUsed: 0, totalDistanceKm: 0, solveMs: 0 });
  });

  it('refuses invalid input with field paths and writes nothing', async () => {
    const before = await planCount();
    const r = await t.admin(RoutePlanCreateDocument, {
      input: planInput({
        date: '2026-02-30',
        speedKmh: 0,
        detourFactor: 5,
        timeLimitMs: 60_000,
        vehicles: [
          vehicle({ id: 'V1', capacity: 0 }),
          vehicle({ id: 'V1', shiftEnd: at('05:00') }),
          vehicle({ id: 'V3', shiftEnd: '2026-11-28T06:00:00.000Z' }),
        ],
        stops: [
          stop('S1', 1, 1, { demand: -1 }),
          stop('S1', 1, 1, { location: { lat: 91, lng: 181 } }),
          stop('S3', 1, 1, { windowStart: at('09:00'), windowEnd: at('08:00'), serviceMinutes: -1 }),
        ],
      }),
    });
    const errs = r.routePlanCreate.userErrors;
    expect(r.routePlanCreate.routePlan).toBeNull();
    const got = errs.map((e) => `${e.code} ${e.field!.join('.')}`).sort();
    expect(got).toEqual(
      [
        'INVALID input.date',
        'INVALID input.speedKmh',
        'INVALID input.detourFactor',
        'INVALID input.timeLimitMs',
        'INVALID input.vehicles.0.capacity',
        'DUPLICATE_ID input.vehicles.1.id',
        'INVALID input.vehicles.1.shiftEnd',
        'INVALID input.vehicles.2.shiftEnd',
        'INVALID input.stops.0.demand',
        'DUPLICATE_ID input.stops.1.id',
        'INVALID input.stops.1.location.lat',
        'INVALID input.stops.1.location.lng',
        'INVALID input.stops.2.windowEnd',
        'INVALID input.stops.2.serviceMinutes',
      ].sort(),
    );
    expect(await planCount()).toBe(before);
  });

  it('refuses an unknown warehouse, one without coordinates, no vehicles, no stops, a shift on another day', async () => {
    const before = await planCount();
    const noGeo = await warehouse({ address: addressInput({ location: null }) });
    const cases: [Partial<RoutePlanCreateInput>, string, string][] = [
      [{ warehouseCode: 'NOPE1' }, 'NOT_FOUND', 'input.warehouseCode'],
      [{ warehouseCode: noGeo }, 'WAREHOUSE_LOCATION_MISSING', 'input.warehouseCode'],
      [{ vehicles: [] }, 'NO_VEHICLES', 'input.vehicles'],
      [{ stops: [] }, 'NO_STOPS', 'input.stops'],
      [{ stops: null }, 'NO_STOPS', 'input.stops'],
      // 22:00Z on the 26th is 01:00 on the 27th in Moscow.
      [{ vehicles: [vehicle({ shiftStart: at('22:00'), shiftEnd: '2026-11-27T06:00:00.000Z' })] }, 'INVALID', 'input.vehicles.0.shiftStart'],
    ];
    for (const [over, code, field] of cases) {
      const r = await t.admin(RoutePlanCreateDocument, { input: planInput(over) });
      expect(r.routePlanCreate.routePlan).toBeNull();
      expect(r.routePlanCreate.userErrors.map((e) => [e.code, e.field!.join('.')])).toEqual([[code, field]]);
    }
    expect(await planCount()).toBe(before);
  });
});

describe('routePlan, node', () => {
  it('reads a stored plan back by id and through node(id)', async () => {
    const created = await createPlan(planInput({ stops: [stop('A', 1, 1), stop('B', 2, -1)] }));
    const { routePlan } = await t.admin(RoutePlanDocument, { id: created.id });
    expect(routePlan).toEqual(created);
    const { node } = await t.admin(RoutePlanNodeDocument, { id: created.id });
    expect(node).toEqual({
      __typename: 'RoutePlan',
      id: created.id,
      date: DATE,
      vehiclesUsed: 1,
      totalDistanceKm: created.totalDistanceKm,
      warehouse: { code: WH },
    });
    // An id of another type, or garbage, is null.
    const otherType = Buffer.from(`Order:${Buffer.from(created.id, 'base64url').toString().split(':')[1]}`).toString('base64url');
    expect((await t.admin(RoutePlanDocument, { id: otherType })).routePlan).toBeNull();
    expect((await t.admin(RoutePlanDocument, { id: 'nope' })).routePlan).toBeNull();
  });
});

describe('access', () => {
  it('needs a token, write_shipping to plan and read_shipping to read', async () => {
    const plan = await createPlan(planInput());
    const anon = await t.gql(RoutePlanCreateDocument, { input: planInput() }, { token: null });
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(RoutePlanDocument, { id: plan.id }, { token: null })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const inventory = await key(['write_inventory']);
    expect((await t.gql(RoutePlanCreateDocument, { input: planInput() }, { token: inventory })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(RoutePlanDocument, { id: plan.id }, { token: inventory })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(RoutePlanNodeDocument, { id: plan.id }, { token: inventory })).data?.node).toBeNull();

    const reader = await key(['read_shipping']);
    expect((await t.gql(RoutePlanCreateDocument, { input: planInput() }, { token: reader })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(RoutePlanDocument, { id: plan.id }, { token: reader })).data?.routePlan?.id).toBe(plan.id);

    const writer = await key(['write_shipping']);
    const r = await t.gql(RoutePlanCreateDocument, { input: planInput() }, { token: writer });
    expect(r.errors).toBeUndefined();
    expect(r.data?.routePlanCreate.routePlan?.vehiclesUsed).toBe(1);
  });

  it('keeps a PARTNER restricted to warehouses to their plans', async () => {
    const other = await warehouse();
    const mine = await createPlan(planInput());
    const theirs = await createPlan(planInput({ warehouseCode: other }));
    const partner = await key(['write_shipping'], { kind: 'PARTNER', warehouseCodes: [other] });

    const before = await planCount();
    const refused = await t.gql(RoutePlanCreateDocument, { input: planInput() }, { token: partner });
    // Another warehouse answers exactly as a code that does not exist (never reveal existence).
    expect(refused.data?.routePlanCreate.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'warehouseCode'], message: `No warehouse with code ${WH}.` }]);
    expect(await planCount()).toBe(before);
    expect((await t.gql(RoutePlanDocument, { id: mine.id }, { token: partner })).data?.routePlan).toBeNull();
    expect((await t.gql(RoutePlanNodeDocument, { id: mine.id }, { token: partner })).data?.node).toBeNull();

    expect((await t.gql(RoutePlanDocument, { id: theirs.id }, { token: partner })).data?.routePlan?.id).toBe(theirs.id);
    expect((await t.gql(RoutePlanNodeDocument, { id: theirs.id }, { token: partner })).data?.node?.id).toBe(theirs.id);
    const ok = await t.gql(RoutePlanCreateDocument, { input: planInput({ warehouseCode: other }) }, { token: partner });
    expect(ok.data?.routePlanCreate.routePlan?.warehouse.code).toBe(other);
  });
});

describe('stops from shipments', () => {
  it('without stops, plans the COURIER shipments of the warehouse with a label and a located address, linked to the shipments', async () => {
    const [sku] = await stockedStore(t, { msk: [20], spb: [0] });
    const carrier = await t.admin(CarrierCreateDocument, {
      input: {
        code: 'RTCOUR',
        name: 'Route test courier',
        services: [
          { code: 'RT_COURIER', name: 'Courier', deliveryType: 'COURIER', transitDaysMin: 1, transitDaysMax: 2, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 300_00, currency: 'RUB' } }] },
          { code: 'RT_PARTNER', name: 'Partner', deliveryType: 'PARTNER', transitDaysMin: 1, transitDaysMax: 2, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 100_00, currency: 'RUB' } }] },
        ],
      },
    });
    expect(carrier.carrierCreate.userErrors).toEqual([]);
    const order = async (location: { lat: number; lng: number } | null, deliveryType: 'COURIER' | 'PARTNER') => {
      const r = await t.admin(OrderCreateDocument, {
        input: { channel: 'web', currency: 'RUB', deliveryType, customer: { email: 'route@example.ru' }, shippingAddress: address({ location }) as never, lines: [{ sku: sku!, quantity: 1 }] },
      });
      expect(r.orderCreate.userErrors).toEqual([]);
      return r.orderCreate.order!.id;
    };
    const north = { lat: MOSCOW.lat + 0.03, lng: MOSCOW.lng };
    const east = { lat: MOSCOW.lat, lng: MOSCOW.lng + 0.05 };
    const ids = [await order(north, 'COURIER'), await order(east, 'COURIER'), await order(null, 'COURIER'), await order(north, 'PARTNER')];
    const foIds = await pickAndPack(t, 'MSK1', ids, { weightGrams: 800, dimensions: { lengthMm: 200, widthMm: 150, heightMm: 100 } });
    expect(foIds).toHaveLength(4);
    const tracking: string[] = [];
    for (const [i, fo] of foIds.entries()) {
      const r = await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: fo, serviceCode: i === 3 ? 'RT_PARTNER' : 'RT_COURIER' } });
      expect(r.shipmentCreate.userErrors).toEqual([]);
      tracking.push(r.shipmentCreate.shipment!.trackingNumber);
    }

    const before = await planCount();
    const r = await t.admin(RoutePlanCreateShipmentsDocument, {
      input: { warehouseCode: 'MSK1', date: DATE, vehicles: [vehicle({ capacity: 1 }), vehicle({ id: 'V2', capacity: 5 })], timeLimitMs: 300 },
    });
    expect(r.routePlanCreate.userErrors).toEqual([]);
    expect(await planCount()).toBe(before + 1);
    const plan = r.routePlanCreate.routePlan!;
    // The two located COURIER parcels, on one vehicle (demand 1 each): not the one without coordinates, not the PARTNER one.
    expect(plan.unassigned).toEqual([]);
    expect(plan.routes).toHaveLength(1);
    expect(plan.routes[0]).toMatchObject({ vehicleId: 'V2', load: 2 });
    const stops = plan.routes[0]!.stops;
    expect(stops.map((s) => s.stopId).sort()).toEqual([tracking[0], tracking[1]].sort());
    for (const s of stops) {
      expect(s.shipment).toMatchObject({ trackingNumber: s.stopId, status: 'LABEL_CREATED' });
      expect(s.location).toEqual(s.stopId === tracking[0] ? north : east);
    }

    // Explicit stops are not shipments.
    const explicit = await createPlan(planInput({ warehouseCode: 'MSK1' }));
    expect(explicit.routes[0]!.stops[0]!.stopId).toBe('S1');
  });

  it('says NO_STOPS when there are neither stops nor shipments to route, and writes nothing', async () => {
    const before = await planCount();
    const r = await t.admin(RoutePlanCreateDocument, { input: planInput({ stops: [] }) });
    expect(r.routePlanCreate.userErrors).toMatchObject([{ code: 'NO_STOPS', field: ['input', 'stops'] }]);
    expect(await planCount()).toBe(before);
  });
});
