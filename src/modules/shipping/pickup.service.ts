/**
 * Pickup points: where they are, how many parcels they take per day. Capacity is taken with one
 * conditional upsert per order, so two checkouts racing for the last slot cannot both get it.
 * A capacity day is the UTC calendar date of the order.
 */
import { and, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { transact } from '../../events/outbox.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { haversineKm, isValidLatLng, type LatLng } from '../../shared/geo.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { validateAddress, type AddressData } from '../warehouse/warehouse.service.js';
import { carrierCatalog, requireShipping } from './carrier.service.js';
import { pickupPoints, pickupPointUsage } from './shipping.table.js';

export type PickupPointRow = typeof pickupPoints.$inferSelect;
export interface PickupPointView extends PickupPointRow {
  used: number;
  distanceKm?: number | null;
}

export const capacityDay = (now: Date): string => now.toISOString().slice(0, 10);

export interface PickupPointCreateInput {
  code: string;
  name: string;
  carrierCode?: string | null;
  address: AddressData;
  dailyCapacity: number;
  openingHours?: string | null;
}

/** Errors: INVALID, NOT_FOUND (carrier), DUPLICATE (code). The address needs coordinates. */
export async function createPickupPoint(ctx: ServiceContext, input: PickupPointCreateInput): Promise<PickupPointRow> {
  requireShipping(ctx, 'write_shipping');
  const e = new ErrorList();
  const code = input.code.trim().toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9_-]{1,39}$/.test(code)) e.add('INVALID', 'Code is 2 to 40 upper-case letters, digits, "_" or "-".', ['input', 'code']);
  if (!input.name.trim() || input.name.length > 200) e.add('INVALID', 'Name is 1 to 200 characters.', ['input', 'name']);
  validateAddress(e, input.address, ['input', 'address']);
  if (!input.address.location) e.add('INVALID', 'A pickup point needs coordinates (address.location).', ['input', 'address', 'location']);
  if (!Number.isInteger(input.dailyCapacity) || input.dailyCapacity < 0 || input.dailyCapacity > 100_000) e.add('INVALID', 'dailyCapacity is 0 to 100,000.', ['input', 'dailyCapacity']);
  if (input.openingHours && input.openingHours.length > 500) e.add('INVALID', 'openingHours is at most 500 characters.', ['input', 'openingHours']);
  let carrierId: string | null = null;
  if (input.carrierCode) {
    const c = (await carrierCatalog(ctx)).carriers.find((x) => x.code === input.carrierCode!.trim().toUpperCase());
    if (!c) e.add('NOT_FOUND', `No carrier ${input.carrierCode}.`, ['input', 'carrierCode']);
    else carrierId = c.id;
  }
  if (ctx.principal.carrierCodes && (!input.carrierCode || !ctx.principal.carrierCodes.includes(input.carrierCode.trim().toUpperCase()))) {
    e.add('FORBIDDEN_CARRIER', 'This key may only create pickup points of its own carriers.', ['input', 'carrierCode']);
  }
  e.throwIfAny();
  const [dup] = await ctx.database.db.select({ id: pickupPoints.id }).from(pickupPoints).where(eq(pickupPoints.code, code));
  if (dup) throw BusinessError.of('DUPLICATE', `Pickup point ${code} exists.`, ['input', 'code']);
  return transact(ctx, async (tx, events) => {
    const loc = input.address.location!;
    const [row] = await tx
      .insert(pickupPoints)
      .values({ code, name: input.name.trim(), carrierId, address: input.address, lat: loc.lat, lng: loc.lng, dailyCapacity: input.dailyCapacity, openingHours: input.openingHours ?? null })
      .onConflictDoNothing({ target: pickupPoints.code })
      .returning();
    if (!row) throw BusinessError.of('DUPLICATE', `Pickup point ${code} exists.`, ['input', 'code']);
    await events.emit({ topic: 'pickup_point.created', payload: { pickupPointId: row.id, code } });
    return row;
  });
}

/**
 * Points with capacity left today within `radiusKm` of `near`, nearest first: a bounding box on
 * the (lat, lng) index, then exact great-circle distance.
 *
 * With `enough`, the search first looks within a third of the radius, and returns that (shorter)
 * list when `enough` accepts it. That list is exactly the first part of the full answer (every
 * point in the small circle is nearer than every point outside it, and the small circle lies well
 * inside both bounding boxes), so a caller that only takes the first few points per carrier, and
 * says through `enough` when the short list already holds them, gets the same points while the
 * database reads a fraction of the rows in a dense city. Otherwise the full radius is searched.
 */
export async function pickupPointsNear(
  ctx: ServiceContext,
  near: LatLng,
  radiusKm: number,
  limit: number,
  opts: { carrierIds?: (string | null)[]; includeFull?: boolean; enough?: (nearest: PickupPointView[]) => boolean } = {},
): Promise<PickupPointView[]> {
  // Away from the poles only, where the box of a small circle is a safe over-estimate.
  if (opts.enough && Math.abs(near.lat) < 80) {
    const inner = radiusKm / 3;
    // The box is drawn for `inner`, the circle kept 10% smaller: the box's longitude span is
    // computed with 111.32 km per degree, a hair under the true extent of a circle on the sphere.
    const nearest = await searchNear(ctx, near, inner, inner * 0.9, limit, opts);
    if (opts.enough(nearest)) return nearest;
  }
  return searchNear(ctx, near, radiusKm, radiusKm, limit, opts);
}

async function searchNear(
  ctx: ServiceContext,
  near: LatLng,
  boxKm: number,
  radiusKm: number,
  limit: number,
  opts: { carrierIds?: (string | null)[]; includeFull?: boolean },
): Promise<PickupPointView[]> {
  const dLat = boxKm / 111.2;
  const dLng = boxKm / (111.32 * Math.max(0.01, Math.cos((near.lat * Math.PI) / 180)));
  const day = capacityDay(ctx.clock.now());
  const rows = await ctx.database.db
    .select({ p: pickupPoints, used: sql<number>`coalesce(${pickupPointUsage.used}, 0)`.mapWith(Number) })
    .from(pickupPoints)
    .leftJoin(pickupPointUsage, and(eq(pickupPointUsage.pickupPointId, pickupPoints.id), eq(pickupPointUsage.day, day)))
    .where(
      and(
        gte(pickupPoints.lat, near.lat - dLat),
        lte(pickupPoints.lat, near.lat + dLat),
        gte(pickupPoints.lng, near.lng - dLng),
        lte(pickupPoints.lng, near.lng + dLng),
        opts.includeFull ? undefined : sql`${pickupPoints.dailyCapacity} > coalesce(${pickupPointUsage.used}, 0)`,
      ),
    );
  const carriers = opts.carrierIds ? new Set(opts.carrierIds) : null;
  return rows
    .filter((r) => !carriers || carriers.has(r.p.carrierId))
    .map((r) => ({ ...r.p, used: r.used, distanceKm: haversineKm(near, { lat: r.p.lat, lng: r.p.lng }) }))
    .filter((r) => r.distanceKm <= radiusKm)
    .sort((a, b) => a.distanceKm - b.distanceKm || a.code.localeCompare(b.code))
    .slice(0, limit);
}

/** Public `pickupPoints(near, radiusKm, first)`. Errors (BAD_USER_INPUT): INVALID. */
export async function findPickupPoints(ctx: ServiceContext, near: LatLng, radiusKm: number, first: number): Promise<PickupPointView[]> {
  const e = new ErrorList();
  if (!isValidLatLng(near)) e.add('INVALID', 'Coordinates out of range.', ['near']);
  if (!(radiusKm > 0 && radiusKm <= 200)) e.add('INVALID', 'radiusKm is more than 0 and at most 200.', ['radiusKm']);
  if (!Number.isInteger(first) || first < 1 || first > 100) e.add('INVALID', 'first is 1 to 100.', ['first']);
  e.throwIfAny();
  return pickupPointsNear(ctx, near, radiusKm, first);
}

export async function pickupPointsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<PickupPointView[]> {
  const day = capacityDay(ctx.clock.now());
  const rows = await ctx.database.db
    .select({ p: pickupPoints, used: sql<number>`coalesce(${pickupPointUsage.used}, 0)`.mapWith(Number) })
    .from(pickupPoints)
    .leftJoin(pickupPointUsage, and(eq(pickupPointUsage.pickupPointId, pickupPoints.id), eq(pickupPointUsage.day, day)))
    .where(inArray(pickupPoints.id, [...ids]));
  return rows.map((r) => ({ ...r.p, used: r.used }));
}

/**
 * Takes one parcel of the point's capacity for the day, in the caller's transaction: an upsert
 * that only increments below the capacity. Errors: PICKUP_POINT_FULL, NOT_FOUND.
 */
export async function takePickupCapacity(ctx: ServiceContext, tx: Executor, pickupPointId: string, path: (string | number)[]): Promise<void> {
  const day = capacityDay(ctx.clock.now());
  const rows = await ctx.database.rows<{ used: number }>(
    sql`insert into pickup_point_usage (pickup_point_id, day, used)
        select id, ${day}, 1 from pickup_points where id = ${pickupPointId} and daily_capacity >= 1
        on conflict (pickup_point_id, day) do update set used = pickup_point_usage.used + 1
        where pickup_point_usage.used < (select daily_capacity from pickup_points where id = ${pickupPointId})
        returning used`,
    tx,
  );
  if (!rows.length) throw BusinessError.of('PICKUP_POINT_FULL', 'The pickup point takes no more parcels today; choose another delivery option.', path.map(String));
}
