/**
 * Pickup points: where they are, how many parcels they take per day. Capacity is taken with one
 * conditional upsert per order, so two checkouts racing for the last slot cannot both get it.
 * A capacity day is the UTC calendar date of the order.
 */
import { around } from 'geokdbush';
import KDBush from 'kdbush';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { preparedQueries } from '../../db/prepared.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import type { EventWatching } from '../../events/relay.js';
import { KeyedCaches, lruCache, perObject, refreshingCache } from '../../shared/cache.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { haversineKm, isValidLatLng, type LatLng } from '../../shared/geo.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { validateAddress, type AddressData } from '../warehouse/warehouse.service.js';
import { carrierCatalog, requireShipping } from './carrier.service.js';
import { pickupPoints, pickupPointUsage } from './carrier.table.js';

export type PickupPointRow = typeof pickupPoints.$inferSelect;
export interface PickupPointView extends PickupPointRow {
  used: number;
  distanceKm?: number | null;
}

/** The view of a row, built field by field (an object spread of the row cost about 6% of a checkout answer's CPU). */
const viewOf = (p: PickupPointRow, used: number, distanceKm: number | null = null): PickupPointView => ({
  id: p.id,
  code: p.code,
  name: p.name,
  carrierId: p.carrierId,
  address: p.address,
  lat: p.lat,
  lng: p.lng,
  dailyCapacity: p.dailyCapacity,
  openingHours: p.openingHours,
  createdAt: p.createdAt,
  used,
  distanceKm,
});

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
  const created = await transact(ctx, async (tx, events) => {
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
  directoryCache.clear(ctx.database);
  return created;
}

/**
 * The directory of pickup points: every point's row (where it is, whose it is, its daily capacity,
 * name, address, hours: nothing that changes per order), in a geographic k-d tree (kdbush +
 * geokdbush: nearest first by great-circle distance, antimeridian and poles included). Cached per
 * database like the carrier catalogue: pickupPointCreate on this instance clears it, other
 * instances see a new point within DIRECTORY_TTL_MS plus one load. Today's usage is read for the
 * few points an answer shows, through usageToday's event-invalidated cache.
 */
interface PickupDirectory {
  points: PickupPointRow[];
  index: KDBush | null;
}

/** Candidates nearest first (see pickupPointsNear): `settled` of them are certain, `all` when none lie beyond. */
interface Nearest {
  list: { point: PickupPointRow; distanceKm: number }[];
  settled: number;
  all: boolean;
}

/**
 * The candidates for a place, per directory (so a new point, which makes a new directory, drops
 * them): the geometry of a checkout's destination does not change while its customer edits the
 * cart and asks again, and only usage (read per answer) does.
 */
const nearestMemo = perObject((_dir: PickupDirectory) => lruCache<string, Nearest>({ max: 4096 }));

const DIRECTORY_TTL_MS = 5_000;
// Pickup points are only ever inserted (pickupPointCreate): their number tells whether the directory changed.
const directoryCache = refreshingCache<Database, PickupDirectory>(DIRECTORY_TTL_MS, loadDirectory, {
  unchanged: async (database, old) => (await database.db.$count(pickupPoints)) === old.points.length,
});

async function loadDirectory(database: Database): Promise<PickupDirectory> {
  const points: PickupPointRow[] = await database.db.select().from(pickupPoints);
  if (!points.length) return { points, index: null };
  // Leaves of 16 points: a checkout asks for the nearest few dozen, and smaller leaves test fewer points.
  const index = new KDBush(points.length, 16);
  for (const p of points) index.add(p.lng, p.lat);
  index.finish();
  return { points, index };
}

/** What the caller needs from the nearest points: per carrier, this many points open to it (its own or any carrier's). */
export interface PerCarrierQuota {
  carrierIds: readonly string[];
  count: number;
}

/**
 * Points with capacity left today (unless `includeFull`) within `radiusKm` of `near`, nearest
 * first (ties by code), at most `limit`; with `carrierIds`, only points of those carriers (null:
 * open to every carrier).
 *
 * Candidates come from the in-memory directory nearest first, a few dozen at a time; today's
 * usage of each such group is read in one statement. With `quota`, the answer only needs to hold,
 * for every carrier of the quota, its first `count` points: a candidate none of those carriers
 * still needs is skipped, and the search stops once every carrier has its points. Each carrier's
 * first `count` points are then exactly those of the full answer.
 */
export async function pickupPointsNear(
  ctx: ServiceContext,
  near: LatLng,
  radiusKm: number,
  limit: number,
  opts: { carrierIds?: readonly (string | null)[]; includeFull?: boolean; quota?: PerCarrierQuota } = {},
): Promise<PickupPointView[]> {
  const dir = await directoryCache.get(ctx.database);
  if (!dir.index) return [];
  const allowed = opts.carrierIds ? new Set(opts.carrierIds) : null;
  const { points } = dir;
  const keep = (i: number) => {
    const p = points[i]!;
    return (!allowed || allowed.has(p.carrierId)) && (opts.includeFull || p.dailyCapacity > 0);
  };
  // The nearest `want` candidates, nearest first, ties by code (remembered per place and filter).
  // geokdbush measures on a sphere of 6371 km, a hair under ours, so its circle holds ours; the
  // exact filter follows. When the search stopped at `want`, candidates as far as the last one may
  // have equally far company it did not return, so only the nearer ones count as settled until a
  // wider search.
  const memo = nearestMemo(dir);
  const place = `${near.lat},${near.lng},${radiusKm},${opts.includeFull ? 1 : 0},${opts.carrierIds?.join() ?? '*'}`;
  const nearest = (want: number): Nearest => {
    const key = `${place},${want}`;
    const known = memo.get(key);
    if (known) return known;
    const ids = around(dir.index!, near.lng, near.lat, want, radiusKm, keep);
    const list = ids
      .map((i) => ({ point: points[i]!, distanceKm: haversineKm(near, points[i]!) }))
      .filter((c) => c.distanceKm <= radiusKm)
      .sort((a, b) => a.distanceKm - b.distanceKm || (a.point.code < b.point.code ? -1 : a.point.code > b.point.code ? 1 : 0));
    let settled = list.length;
    const all = ids.length < want;
    if (!all) {
      const last = list[list.length - 1]?.distanceKm;
      while (settled > 0 && list[settled - 1]!.distanceKm === last) settled--;
    }
    const found = { list, settled, all };
    memo.set(key, found);
    return found;
  };
  let want = Math.max(16, 2 * (opts.quota ? opts.quota.count * opts.quota.carrierIds.length : Math.min(limit, 200)));
  let search = nearest(want);

  // With a quota: points counted per quota carrier, and how many carriers are still short of it.
  const quota = opts.quota;
  const counted = new Map(quota?.carrierIds.map((c) => [c, 0]));
  let short = quota?.count ? quota.carrierIds.length : 0;
  const carriersOf = (p: PickupPointRow) => (p.carrierId === null ? (quota?.carrierIds ?? []) : [p.carrierId]);
  const wanted = (p: PickupPointRow) => !quota || carriersOf(p).some((c) => (counted.get(c) ?? quota.count) < quota.count);

  const found: PickupPointView[] = [];
  const usage = new Map<string, number>();
  let read = 0; // today's usage is known for search.list[0, read)
  let next = 0;
  while (found.length < limit && !(quota && short === 0)) {
    if (next >= search.settled) {
      if (search.all) break;
      search = nearest((want *= 4)); // its settled part up to `next` is the one already walked
      continue;
    }
    if (next >= read) {
      for (const [id, used] of await usageToday(ctx, search.list.slice(read, search.settled).map((c) => c.point.id))) usage.set(id, used);
      read = search.settled;
    }
    const { point, distanceKm } = search.list[next++]!;
    if (!wanted(point)) continue;
    const used = usage.get(point.id) ?? 0;
    if (!opts.includeFull && used >= point.dailyCapacity) continue;
    found.push(viewOf(point, used, distanceKm));
    for (const c of carriersOf(point)) {
      const k = counted.get(c);
      if (k === undefined) continue;
      counted.set(c, k + 1);
      if (k + 1 === quota!.count) short--;
    }
  }
  return found;
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

const preparedById = preparedQueries((db) =>
  db
    .select({ p: pickupPoints, used: sql<number>`coalesce(${pickupPointUsage.used}, 0)`.mapWith(Number) })
    .from(pickupPoints)
    .leftJoin(pickupPointUsage, and(eq(pickupPointUsage.pickupPointId, pickupPoints.id), sql`${pickupPointUsage.day} = ${sql.placeholder('day')}`))
    .where(sql`${pickupPoints.id} = any(${sql.placeholder('ids')})`)
    .prepare('shipping_pickup_points_by_ids'),
);

const preparedUsage = preparedQueries((db) =>
  db
    .select({ id: pickupPointUsage.pickupPointId, used: pickupPointUsage.used })
    .from(pickupPointUsage)
    .where(and(sql`${pickupPointUsage.day} = ${sql.placeholder('day')}`, sql`${pickupPointUsage.pickupPointId} = any(${sql.placeholder('ids')})`))
    .prepare('shipping_pickup_usage_today'),
);

/** Parcels promised per point, kept per database for one capacity day (the cache's epoch; see usageToday). */
const usageCaches = new KeyedCaches<Database, string, number>(100_000);

/**
 * Parcels promised today per point (points without a row: none), from this instance's cache: every
 * committed change of a point's usage drops it at once (watchPickupUsage), no entry is served once
 * CHECKOUT_CACHE_TTL_MS old, and nothing is cached while the pub/sub is down. Taking capacity (takePickupCapacity) never relies on it.
 */
async function usageToday(ctx: ServiceContext, ids: readonly string[]): Promise<Map<string, number>> {
  const day = capacityDay(ctx.clock.now());
  const read = async (pointIds: string[]) =>
    new Map((await preparedUsage(ctx.database.db).execute({ ids: pointIds, day })).map((r) => [r.id, r.used]));
  const cache = usageCaches.of(ctx.database, ctx.config.CHECKOUT_CACHE_TTL_MS, day);
  if (!cache) return read([...ids]);
  return cache.getMany(ids, async (missing) => {
    const used = await read(missing);
    return new Map(missing.map((id) => [id, used.get(id) ?? 0]));
  });
}

export const PICKUP_USAGE_CHANGED = 'pickup_point.usage_changed';

/**
 * Keeps usageToday true on this instance: a committed change of a point's usage (from any instance)
 * drops it; while other instances' changes may go unheard (pub/sub down) nothing is cached.
 */
export function watchPickupUsage(relay: EventWatching, database: Database): void {
  relay.watch(PICKUP_USAGE_CHANGED, (e) => usageCaches.invalidate(database, [String(e.pickupPointId)], String(e.day)));
  usageCaches.followReliability(database, relay);
}

/** The points with today's usage. */
export async function pickupPointsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<PickupPointView[]> {
  if (!ids.length) return [];
  const rows = await preparedById(ctx.database.db).execute({ ids: [...ids], day: capacityDay(ctx.clock.now()) });
  return rows.map((r) => viewOf(r.p, r.used));
}

/**
 * Takes one parcel of the point's capacity for the day, in the caller's transaction: an upsert
 * that only increments below the capacity, and its PICKUP_USAGE_CHANGED event. Errors: PICKUP_POINT_FULL, NOT_FOUND.
 */
export async function takePickupCapacity(ctx: ServiceContext, tx: Executor, events: EventWriter, pickupPointId: string, path: (string | number)[]): Promise<void> {
  const day = capacityDay(ctx.clock.now());
  // The event rides along in the same statement (the order's stock rows are locked meanwhile); when
  // the point is full the caller's transaction rolls back, event row included.
  const rows = await ctx.database.rows<{ used: number }>(
    sql`with taken as (
          insert into pickup_point_usage (pickup_point_id, day, used)
          select id, ${day}, 1 from pickup_points where id = ${pickupPointId} and daily_capacity >= 1
          on conflict (pickup_point_id, day) do update set used = pickup_point_usage.used + 1
          where pickup_point_usage.used < (select daily_capacity from pickup_points where id = ${pickupPointId})
          returning used
        ), event as (${events.insertOf({ topic: PICKUP_USAGE_CHANGED, payload: { pickupPointId, day } }).getSQL()})
        select used from taken`,
    tx,
  );
  if (!rows.length) throw BusinessError.of('PICKUP_POINT_FULL', 'The pickup point takes no more parcels today; choose another delivery option.', path.map(String));
}

/** Which of these pickup point codes exist (for idempotent imports such as the demo seed). */
export async function existingPickupPointCodes(ctx: ServiceContext, codes: readonly string[]): Promise<Set<string>> {
  if (!codes.length) return new Set();
  const rows = await ctx.database.db.select({ code: pickupPoints.code }).from(pickupPoints).where(inArray(pickupPoints.code, [...codes]));
  return new Set(rows.map((r) => r.code));
}
