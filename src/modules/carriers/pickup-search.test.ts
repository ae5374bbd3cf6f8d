/**
 * The nearest-point search (an in-memory k-d tree of the directory, usage read per answer) against
 * a brute force over the table: same points, same order, full and zero-capacity points skipped,
 * and with a per-carrier quota each carrier's first points exactly as in the full answer.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../../../test/harness.js';
import { prng } from '../../../scripts/lib/prng.js';
import { transact } from '../../events/outbox.js';
import { haversineKm, type LatLng } from '../../shared/geo.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { createCarrier } from './carrier.service.js';
import { createPickupPoint, pickupPointsNear, takePickupCapacity } from './pickup.service.js';

let t: TestApp;
let ctx: ServiceContext;
const center: LatLng = { lat: 55.75, lng: 37.62 };
const CARRIERS = ['PA', 'PB', 'PC'];

beforeAll(async () => {
  t = await startApp();
  ctx = t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services;
  for (const code of CARRIERS) {
    await createCarrier(ctx, {
      code,
      name: code,
      services: [{ code: `${code}_PVZ`, name: 'Point', deliveryType: 'PICKUP_POINT', transitDaysMin: 1, transitDaysMax: 2, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 100, currency: 'RUB' } }] }],
    });
  }
  const rnd = prng(7).next;
  const at = (i: number): LatLng => {
    // Pairs of points share coordinates (equal distances: ties broken by code).
    const k = i - (i % 2);
    const r = prng(1000 + k).next;
    return { lat: center.lat + (r() - 0.5) * 0.5, lng: center.lng + (r() - 0.5) * 0.8 };
  };
  for (let i = 0; i < 120; i++) {
    const loc = at(i);
    const roll = rnd();
    await createPickupPoint(ctx, {
      code: `PT${String(i).padStart(3, '0')}`,
      name: `Point ${i}`,
      carrierCode: roll < 0.15 ? null : CARRIERS[Math.floor(rnd() * CARRIERS.length)]!,
      dailyCapacity: roll > 0.93 ? 0 : 1 + Math.floor(rnd() * 2),
      address: { line1: `ул. ${i}`, city: 'Москва', postalCode: '101000', countryCode: 'RU', location: loc },
    });
  }
  // Fill every fourth point that has capacity (1 or 2 orders), so the search must skip them.
  const rows = await t.app.database.rows<{ id: string; daily_capacity: number }>(sql`select id, daily_capacity from pickup_points where daily_capacity > 0 order by code`);
  for (const [i, r] of rows.entries()) {
    if (i % 4 !== 0) continue;
    for (let n = 0; n < r.daily_capacity; n++) await transact(ctx, (tx, events) => takePickupCapacity(ctx, tx, events, r.id, []));
  }
}, 120_000);

afterAll(() => t?.close());

/** Every point with capacity left today (or every point, includeFull) within the radius, nearest first, ties by code: straight from the table. */
async function bruteForce(near: LatLng, radiusKm: number, opts: { includeFull?: boolean } = {}) {
  const rows = await t.app.database.rows<{ code: string; carrier: string | null; lat: number; lng: number; free: number }>(sql`
    select p.code, c.code as carrier, p.lat, p.lng, p.daily_capacity - coalesce(u.used, 0) as free
    from pickup_points p left join carriers c on c.id = p.carrier_id
    left join pickup_point_usage u on u.pickup_point_id = p.id and u.day = ${ctx.clock.now().toISOString().slice(0, 10)}`);
  return rows
    .filter((r) => opts.includeFull || r.free > 0)
    .map((r) => ({ ...r, d: haversineKm(near, r) }))
    .filter((r) => r.d <= radiusKm)
    .sort((a, b) => a.d - b.d || (a.code < b.code ? -1 : 1));
}

describe('pickup point search', () => {
  it('returns exactly the brute-force answer: within the radius, with capacity left, nearest first, ties by code', async () => {
    for (const [near, radius, limit] of [
      [center, 10, 100],
      [center, 30, 100],
      [center, 30, 7],
      [{ lat: 55.9, lng: 37.3 }, 12, 100],
      [{ lat: 40, lng: 10 }, 50, 100],
    ] as [LatLng, number, number][]) {
      const expected = (await bruteForce(near, radius)).slice(0, limit);
      const got = await pickupPointsNear(ctx, near, radius, limit);
      expect(got.map((p) => p.code)).toEqual(expected.map((p) => p.code));
      for (const [i, p] of got.entries()) expect(p.distanceKm).toBeCloseTo(expected[i]!.d, 9);
    }
    // From the same place again, full and zero-capacity points included (not the candidates remembered above).
    const everything = (await bruteForce(center, 30, { includeFull: true })).slice(0, 100);
    expect(everything.length).toBeGreaterThan((await bruteForce(center, 30)).length);
    expect((await pickupPointsNear(ctx, center, 30, 100, { includeFull: true })).map((p) => p.code)).toEqual(everything.map((p) => p.code));
  });

  it('with a per-carrier quota, each carrier gets its first points of the full answer, reading only a few rows', async () => {
    const all = await bruteForce(center, 30);
    expect(all.length).toBeGreaterThan(40);
    const ids = (await t.app.database.rows<{ id: string; code: string }>(sql`select id, code from carriers`)).filter((c) => ['PA', 'PB'].includes(c.code));
    const carrierOf = new Map(ids.map((c) => [c.id, c.code]));
    for (const count of [1, 3, 5]) {
      const got = await pickupPointsNear(ctx, center, 30, 200, { carrierIds: [null, ...ids.map((c) => c.id)], quota: { carrierIds: ids.map((c) => c.id), count } });
      for (const code of ['PA', 'PB']) {
        const mine = got.filter((p) => p.carrierId === null || carrierOf.get(p.carrierId) === code).slice(0, count);
        const expected = all.filter((p) => p.carrier === null || p.carrier === code).slice(0, count);
        expect(mine.map((p) => p.code)).toEqual(expected.map((p) => p.code));
      }
      // PC's points are not asked for.
      expect(got.every((p) => p.carrierId === null || carrierOf.has(p.carrierId))).toBe(true);
      expect(got.length).toBeLessThan(all.length);
    }
  });

  it('a point created on this instance is found at once', async () => {
    await createPickupPoint(ctx, { code: 'PT-NEW', name: 'New', carrierCode: 'PA', dailyCapacity: 5, address: { line1: 'ул. Новая', city: 'Москва', postalCode: '101000', countryCode: 'RU', location: { lat: 10.0001, lng: 10.0001 } } });
    expect((await pickupPointsNear(ctx, { lat: 10, lng: 10 }, 1, 10)).map((p) => p.code)).toEqual(['PT-NEW']);
  });
});
