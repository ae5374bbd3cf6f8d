/**
 * Properties of the geo model that the API's promises rest on: the screening reasons agree with
 * what a single-stop route can do, the schedule agrees with the independent verifier on random
 * routes, and leaving late never breaks a window nor lengthens a day.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeoModel, type GeoPlanInput, type PlanStop, type PlanVehicle } from './routing.instance.js';
import { verifySolution } from './solver/verify.js';

const T0 = Date.parse('2026-11-26T06:00:00Z');
const DEPOT = { lat: 55.7, lng: 37.62 };
const min = (m: number) => new Date(T0 + m * 60_000);

/** Random days around DEPOT; `tight` makes infeasibility common, loose makes most routes feasible. */
function problemArb(tight: boolean) {
  const vehicle = fc
    .record({
      capacity: tight ? fc.integer({ min: 1, max: 12 }) : fc.integer({ min: 10, max: 40 }),
      start: fc.integer({ min: 0, max: 180 }),
      len: tight ? fc.integer({ min: 30, max: 600 }) : fc.integer({ min: 360, max: 720 }),
    })
    .map(({ capacity, start, len }): Omit<PlanVehicle, 'id'> => ({ capacity, shiftStart: min(start), shiftEnd: min(start + len) }));
  const spread = tight ? 0.5 : 0.08;
  const stop = fc
    .record({
      dLat: fc.double({ min: -spread, max: spread, noNaN: true }),
      dLng: fc.double({ min: -1.6 * spread, max: 1.6 * spread, noNaN: true }),
      demand: tight ? fc.integer({ min: 0, max: 14 }) : fc.integer({ min: 0, max: 5 }),
      window: fc.option(
        fc.record({ from: fc.integer({ min: -60, max: tight ? 600 : 300 }), len: tight ? fc.integer({ min: 0, max: 240 }) : fc.integer({ min: 120, max: 480 }) }),
        { nil: null },
      ),
      service: fc.integer({ min: 0, max: tight ? 30 : 10 }),
    })
    .map(({ dLat, dLng, demand, window, service }): Omit<PlanStop, 'id'> => ({
      location: { lat: DEPOT.lat + dLat, lng: DEPOT.lng + dLng },
      demand,
      windowStart: window ? min(window.from) : null,
      windowEnd: window ? min(window.from + window.len) : null,
      serviceMinutes: service,
    }));
  return fc
    .record({
      vehicles: fc.array(vehicle, { minLength: 1, maxLength: 3 }),
      stops: fc.array(stop, { minLength: 1, maxLength: 6 }),
      speedKmh: fc.integer({ min: 10, max: 80 }),
      detourFactor: fc.double({ min: 1, max: 2, noNaN: true }),
    })
    .map(({ vehicles, stops, speedKmh, detourFactor }): GeoPlanInput => ({
      depot: DEPOT,
      vehicles: vehicles.map((v, i) => ({ ...v, id: `V${i}` })),
      stops: stops.map((s, i) => ({ ...s, id: `S${i}` })),
      speedKmh,
      detourFactor,
    }));
}

describe('GeoModel', () => {
  it('screens out exactly the stops that no vehicle can serve on a route of their own', () => {
    fc.assert(
      fc.property(problemArb(true), (p) => {
        const m = new GeoModel(p);
        for (const s of p.stops) {
          const alone = p.vehicles.some((v) => !('errors' in m.schedule(v, [s])));
          expect(m.whyUnservable(s) === null).toBe(alone);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('screens a stop whose service exactly fills the shift as servable, as the schedule does (float boundary)', () => {
    // Regression for fast-check seed -777921242: a stop 1e-14 degrees from the depot, 30 minutes of
    // service, a 30-minute shift. Travel rounds to ~1e-15 minutes each way.
    const p: GeoPlanInput = {
      depot: DEPOT,
      vehicles: [{ id: 'V0', capacity: 5, shiftStart: min(0), shiftEnd: min(30) }],
      stops: [{ id: 'S0', location: { lat: DEPOT.lat + 1e-14, lng: DEPOT.lng + 1e-14 }, demand: 1, windowStart: null, windowEnd: null, serviceMinutes: 30 }],
      speedKmh: 17,
      detourFactor: 1.3,
    };
    const m = new GeoModel(p);
    expect('errors' in m.schedule(p.vehicles[0]!, p.stops)).toBe(false);
    expect(m.whyUnservable(p.stops[0]!)).toBeNull();
    // One more second of service is really too long, in both.
    const longer = { ...p.stops[0]!, serviceMinutes: 30 + 1 / 60 };
    expect('errors' in m.schedule(p.vehicles[0]!, [longer])).toBe(true);
    expect(m.whyUnservable(longer)?.reason).toBe('SHIFT_TOO_SHORT');
  });

  it('agrees with the independent verifier on random routes, in feasibility and distance', () => {
    fc.assert(
      fc.property(fc.oneof(problemArb(false), problemArb(true)), fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), (p, assign, keys) => {
        const m = new GeoModel(p);
        const inst = m.instance(p.stops);
        const V = p.vehicles.length;
        // Random assignment of stops to vehicles, random order within each route.
        const routes: number[][] = p.vehicles.map(() => []);
        p.stops.forEach((_, i) => routes[assign[i]! % V]!.push(i + 1));
        for (const r of routes) r.sort((a, b) => keys[a - 1]! - keys[b - 1]! || a - b);
        const verified = verifySolution(inst, routes, routes.map((_, k) => k), m.metric(p.stops));
        const schedules = routes.map((r, k) => (r.length ? m.schedule(p.vehicles[k]!, r.map((c) => p.stops[c - 1]!)) : null));
        const ok = schedules.every((s) => s === null || !('errors' in s));
        expect(ok).toBe(verified.ok);
        if (!ok) return;
        const km = schedules.reduce((a, s) => a + (s && !('errors' in s) ? s.distanceKm : 0), 0);
        expect(km).toBeCloseTo((verified.distance * p.speedKmh) / 60, 6);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves as late as the windows allow: never before the shift, never late, never a longer day', () => {
    fc.assert(
      fc.property(problemArb(false), (p) => {
        const m = new GeoModel(p);
        for (const v of p.vehicles) {
          const s = m.schedule(v, p.stops);
          if ('errors' in s) continue;
          expect(s.leave).toBeGreaterThanOrEqual(m.toMinutes(v.shiftStart));
          const naive = m.travelMinutes(s.distanceKm) + p.stops.reduce((a, x) => a + x.serviceMinutes, 0);
          expect(s.durationMinutes).toBeGreaterThanOrEqual(naive - 1e-6); // driving and service never shrink
          for (const x of s.stops) {
            expect(x.start).toBeGreaterThanOrEqual(x.arrival);
            expect(x.start).toBeGreaterThanOrEqual(m.ready(x.stop) - 1e-9);
            expect(x.start).toBeLessThanOrEqual(m.due(x.stop) + 1e-6);
          }
          expect(s.back).toBeLessThanOrEqual(m.toMinutes(v.shiftEnd) + 1e-6);
          // Leaving at the shift start instead ends no earlier.
          let t = m.toMinutes(v.shiftStart);
          let prev = DEPOT;
          for (const x of p.stops) {
            t = Math.max(t + m.travelMinutes(m.roadKm(prev, x.location)), m.ready(x)) + x.serviceMinutes;
            prev = x.location;
          }
          expect(s.back).toBeLessThanOrEqual(t + m.travelMinutes(m.roadKm(prev, DEPOT)) + 1e-6);
        }
      }),
      { numRuns: 300 },
    );
  });
});
