/**
 * Warehouses (WMS layout): warehouses, zones and bin locations with a serpentine pick
 * sequence, warehouse visibility for restricted PARTNER keys, and barcode scans.
 */
import { and, asc, desc, eq, inArray, max, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { DEFAULT_PAGE_SIZE, finishPage, type Page, type PageArgs } from '../../db/pagination.js';
import { transact } from '../../events/outbox.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { isCountryCode } from '../../shared/country.js';
import { isValidGtin } from '../../shared/gs1.js';
import { hasScope, mayAccessWarehouse } from '../../shared/principal.js';
import { IANAZone } from 'luxon';
import { ExtensionKey } from '../../shared/extensions.js';
import { KeyedCaches, refreshingCache } from '../../shared/cache.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { isUniqueViolation, variantByGtin } from '../catalog/catalog.service.js';
import { binLocations, warehouses, ZONE_KINDS, zones, type AddressData, type ZoneKindValue } from './warehouse.table.js';

export type { AddressData, ZoneKindValue } from './warehouse.table.js';
export { ZONE_KINDS } from './warehouse.table.js';

export type WarehouseRow = typeof warehouses.$inferSelect;
export type ZoneRow = typeof zones.$inferSelect;
export type BinRow = typeof binLocations.$inferSelect;
/** A bin with what putaway and picking need to know about its zone. */
export type BinWithZone = BinRow & { zoneKind: ZoneKindValue; distanceRank: number };

export const WAREHOUSE_CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{1,15}$/;
export const ZONE_CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,15}$/;
export const AISLE_CODE_PATTERN = /^[A-Z0-9]{1,4}$/;
export const MAX_BINS_PER_CALL = 20_000;
const INSERT_BATCH = 2_000; // 11 parameters a row: well under PostgreSQL's 65,535 bind parameters
const CHECK_BATCH = 10_000;

type Path = (string | number)[];

// ---------------------------------------------------------------------------------------------
// Validation

/** Adds INVALID errors for a postal address under `path` (shared shape of Address inputs). */
export function validateAddress(e: ErrorList, a: AddressData, path: Path): void {
  const f = (k: string): Path => [...path, k];
  for (const k of ['line1', 'city', 'postalCode'] as const) {
    const v = a[k];
    if (typeof v !== 'string' || !v.trim() || v.length > 200) e.add('INVALID', `${k} must be 1 to 200 characters.`, f(k));
  }
  if (!isCountryCode(a.countryCode)) e.add('INVALID', 'countryCode is an assigned ISO 3166-1 alpha-2 code in capitals, e.g. RU.', f('countryCode'));
  for (const k of ['name', 'line2', 'region', 'phone'] as const) {
    const v = a[k];
    if (v != null && v.length > 200) e.add('INVALID', `${k} is longer than 200 characters.`, f(k));
  }
  if (a.location) {
    const { lat, lng } = a.location;
    if (!Number.isFinite(lat) || lat < -90 || lat > 90) e.add('INVALID', 'Latitude must be -90..90.', [...f('location'), 'lat']);
    if (!Number.isFinite(lng) || lng < -180 || lng > 180) e.add('INVALID', 'Longitude must be -180..180.', [...f('location'), 'lng']);
  }
}

function cleanAddress(a: AddressData): AddressData {
  const opt = (v: string | null | undefined) => (v == null || !v.trim() ? null : v.trim());
  return {
    name: opt(a.name),
    line1: a.line1.trim(),
    line2: opt(a.line2),
    city: a.city.trim(),
    region: opt(a.region),
    postalCode: a.postalCode.trim(),
    countryCode: a.countryCode,
    phone: opt(a.phone),
    location: a.location ? { lat: a.location.lat, lng: a.location.lng } : null,
  };
}

const validName = (s: string) => !!s.trim() && s.length <= 200;

// ---------------------------------------------------------------------------------------------
// Visibility

/** True when the caller may read this warehouse: read_inventory, and a restricted PARTNER only its own. */
export function mayViewWarehouse(ctx: Pick<ServiceContext, 'principal'>, code: string): boolean {
  return hasScope(ctx.principal, 'read_inventory') && mayAccessWarehouse(ctx.principal, code);
}

/**
 * Never reveal existence: a warehouse outside the caller's PARTNER restriction answers exactly as
 * a code that does not exist (userError NOT_FOUND, same message and field), for reads and writes.
 */
export function assertMayChangeWarehouse(ctx: Pick<ServiceContext, 'principal'>, code: string, field: string[] = ['input', 'warehouseCode']): void {
  if (!mayAccessWarehouse(ctx.principal, code)) throw notFound(code, field);
}

const notFound = (code: string, field: string[]) => BusinessError.of('NOT_FOUND', `No warehouse with code ${code}.`, field);

/**
 * The warehouse with this code, checked against the caller's warehouse restriction: NOT_FOUND
 * (BusinessError) when it does not exist or a restricted PARTNER may not touch it, for reads and
 * writes alike, so a restricted key cannot tell another warehouse from a code that does not exist.
 */
export async function requireWarehouseAccess(
  ctx: ServiceContext,
  code: string,
  _mode: 'read' | 'write',
  field: string[] = ['input', 'warehouseCode'],
  executor: Executor = ctx.database.db,
): Promise<WarehouseRow> {
  if (!mayAccessWarehouse(ctx.principal, code)) throw notFound(code, field);
  const [row] = await executor.select().from(warehouses).where(eq(warehouses.code, code)).limit(1);
  if (!row) throw notFound(code, field);
  return row;
}

/**
 * The one check for objects that belong to a warehouse (fulfillment orders, pick lists, shipments,
 * bins, route plans): true when the object's warehouse exists and the caller's PARTNER restriction
 * allows it. Callers answer `false` exactly as they answer an id that does not exist.
 */
export async function mayTouchWarehouseId(ctx: ServiceContext, warehouseId: string | null | undefined): Promise<boolean> {
  if (!warehouseId) return false;
  if (!ctx.principal.warehouseCodes) return true;
  const [row] = await warehousesByIds(ctx, [warehouseId]);
  return !!row && mayAccessWarehouse(ctx.principal, row.code);
}

/** The warehouse an object belongs to, or `notFound()` thrown when it is hidden from the caller (see mayTouchWarehouseId). */
export async function requireObjectWarehouse(ctx: ServiceContext, warehouseId: string, notFoundError: () => Error): Promise<WarehouseRow> {
  const [row] = await warehousesByIds(ctx, [warehouseId]);
  if (!row || !mayAccessWarehouse(ctx.principal, row.code)) throw notFoundError();
  return row;
}

// ---------------------------------------------------------------------------------------------
// Writes

export interface WarehouseCreateInput {
  code: string;
  name: string;
  address: AddressData;
  cutoffTime?: string | null;
  timezone?: string | null;
}

/** Creates a warehouse. Errors: INVALID (code, name, address fields), CODE_TAKEN. */
export async function createWarehouse(ctx: ServiceContext, input: WarehouseCreateInput): Promise<WarehouseRow> {
  const e = new ErrorList();
  if (!WAREHOUSE_CODE_PATTERN.test(input.code)) {
    e.add('INVALID', 'Code is 2 to 16 capital letters, digits, "_" or "-", starting with a letter or digit, e.g. MSK1.', ['input', 'code']);
  }
  if (!validName(input.name)) e.add('INVALID', 'Name must be 1 to 200 characters.', ['input', 'name']);
  validateAddress(e, input.address, ['input', 'address']);
  if (input.cutoffTime != null && !/^([01]\d|2[0-3]):[0-5]\d$/.test(input.cutoffTime)) e.add('INVALID', 'cutoffTime is HH:MM, 00:00 to 23:59.', ['input', 'cutoffTime']);
  if (input.timezone != null && !IANAZone.isValidZone(input.timezone)) e.add('INVALID', `Unknown time zone "${input.timezone}" (IANA name expected, e.g. Europe/Moscow).`, ['input', 'timezone']);
  e.throwIfAny();
  const address = cleanAddress(input.address);
  return transact(ctx, async (tx, events) => {
    const [row] = await tx
      .insert(warehouses)
      .values({
        code: input.code,
        name: input.name.trim(),
        address,
        lat: address.location?.lat ?? null,
        lng: address.location?.lng ?? null,
        ...(input.cutoffTime ? { cutoffTime: input.cutoffTime } : {}),
        ...(input.timezone ? { timezone: input.timezone } : {}),
      })
      .onConflictDoNothing({ target: warehouses.code })
      .returning();
    if (!row) throw BusinessError.of('CODE_TAKEN', `A warehouse with code ${input.code} already exists.`, ['input', 'code']);
    await events.emit({ topic: 'warehouse.created', payload: { warehouseId: row.id, code: row.code } });
    return row;
  }).finally(() => warehouseCache.clear(ctx.database));
}

export interface ZoneCreateInput {
  warehouseCode: string;
  code: string;
  name: string;
  kind: ZoneKindValue;
  distanceRank: number;
}

/** Creates a zone in a warehouse. Errors: NOT_FOUND (warehouse), INVALID, CODE_TAKEN; a warehouse hidden from a restricted PARTNER is NOT_FOUND. */
export async function createZone(ctx: ServiceContext, input: ZoneCreateInput): Promise<ZoneRow> {
  const e = new ErrorList();
  if (!ZONE_CODE_PATTERN.test(input.code)) e.add('INVALID', 'Zone code is 1 to 16 capital letters, digits, "_" or "-".', ['input', 'code']);
  if (!validName(input.name)) e.add('INVALID', 'Name must be 1 to 200 characters.', ['input', 'name']);
  if (!(ZONE_KINDS as readonly string[]).includes(input.kind)) e.add('INVALID', `Kind is one of ${ZONE_KINDS.join(', ')}.`, ['input', 'kind']);
  if (!Number.isInteger(input.distanceRank) || input.distanceRank < 0 || input.distanceRank > 1_000_000) {
    e.add('INVALID', 'distanceRank is an integer from 0 (next to dispatch) to 1,000,000.', ['input', 'distanceRank']);
  }
  e.throwIfAny();
  return transact(ctx, async (tx, events) => {
    const wh = await requireWarehouseAccess(ctx, input.warehouseCode, 'write', undefined, tx);
    const [row] = await tx
      .insert(zones)
      .values({ warehouseId: wh.id, code: input.code, name: input.name.trim(), kind: input.kind, distanceRank: input.distanceRank })
      .onConflictDoNothing({ target: [zones.warehouseId, zones.code] })
      .returning();
    if (!row) throw BusinessError.of('CODE_TAKEN', `Warehouse ${wh.code} already has a zone ${input.code}.`, ['input', 'code']);
    await events.emit({ topic: 'warehouse.zone_created', payload: { zoneId: row.id, warehouseId: wh.id } });
    return row;
  });
}

export interface BinGridInput {
  warehouseCode: string;
  zoneCode: string;
  aisles: string[];
  racks: number;
  levels: number;
  positions: number;
  capacityUnits?: number | null;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Human bin code: aisle-rack-level-position, numbers two-digit zero padded (A-01-02-03). */
export const binCode = (aisle: string, rack: number, level: number, position: number): string =>
  `${aisle}-${pad2(rack)}-${pad2(level)}-${pad2(position)}`;

/**
 * Label barcode of a bin: `<warehouse code>-<bin code>`. Bin codes have exactly three dashes and
 * aisles none, so the warehouse prefix is unambiguous and barcodes are unique across warehouses.
 * A barcode must contain a letter so it is never read as a GTIN; the rare all-digit case
 * (numeric warehouse code and aisle) gets a "B-" prefix.
 */
export function binBarcode(warehouseCode: string, code: string): string {
  const b = `${warehouseCode}-${code}`;
  return /[A-Z]/.test(b) ? b : `B-${b}`;
}

/**
 * The cells of a grid in pick order (serpentine): aisles in the given order; racks ascending in
 * even aisles (0-based) and descending in odd ones, so the picker turns at the aisle end instead
 * of walking back; within a rack, level by level from the floor up, positions ascending on each level.
 */
export function serpentine(aisles: readonly string[], racks: number, levels: number, positions: number) {
  const cells: { aisle: string; rack: number; level: number; position: number }[] = [];
  aisles.forEach((aisle, i) => {
    for (let r = 0; r < racks; r++) {
      const rack = i % 2 === 0 ? r + 1 : racks - r;
      for (let level = 1; level <= levels; level++) {
        for (let position = 1; position <= positions; position++) cells.push({ aisle, rack, level, position });
      }
    }
  });
  return cells;
}

function validateGrid(input: BinGridInput): ErrorList {
  const e = new ErrorList();
  const f = (k: string, ...rest: Path): Path => ['input', k, ...rest];
  if (!input.aisles.length || input.aisles.length > 100) e.add('INVALID', 'Give 1 to 100 aisles.', f('aisles'));
  const seen = new Set<string>();
  input.aisles.forEach((a, i) => {
    if (!AISLE_CODE_PATTERN.test(a)) e.add('INVALID', 'An aisle code is 1 to 4 capital letters or digits.', f('aisles', i));
    else if (seen.has(a)) e.add('INVALID', `Aisle ${a} appears twice.`, f('aisles', i));
    seen.add(a);
  });
  for (const k of ['racks', 'levels', 'positions'] as const) {
    const v = input[k];
    if (!Number.isInteger(v) || v < 1 || v > 99) e.add('INVALID', `${k} must be 1 to 99.`, f(k));
  }
  if (e.empty) {
    const total = input.aisles.length * input.racks * input.levels * input.positions;
    if (total > MAX_BINS_PER_CALL) e.add('INVALID', `At most ${MAX_BINS_PER_CALL} bins per call (this grid has ${total}).`, f('aisles'));
  }
  if (input.capacityUnits != null && (!Number.isInteger(input.capacityUnits) || input.capacityUnits <= 0)) {
    e.add('INVALID', 'capacityUnits must be a positive integer.', f('capacityUnits'));
  }
  return e;
}

/**
 * Creates every bin aisle × rack × level × position of a zone, numbered in serpentine pick order
 * after the warehouse's last pick sequence; returns them in pick order. Inserts in multi-row
 * statements (2,000 rows each) under a lock on the warehouse row, so concurrent grids of one
 * warehouse number one after the other.
 * Errors: INVALID, NOT_FOUND (warehouse or zone), BIN_EXISTS; a warehouse hidden from a restricted PARTNER is NOT_FOUND.
 */
export async function createBinGrid(ctx: ServiceContext, input: BinGridInput): Promise<BinRow[]> {
  const errors = validateGrid(input);
  errors.throwIfAny();
  return transact(ctx, async (tx, events) => {
    const [wh] = await tx.select().from(warehouses).where(eq(warehouses.code, input.warehouseCode)).for('update').limit(1);
    if (!wh || !mayAccessWarehouse(ctx.principal, wh.code)) throw notFound(input.warehouseCode, ['input', 'warehouseCode']);
    const [zone] = await tx
      .select()
      .from(zones)
      .where(and(eq(zones.warehouseId, wh.id), eq(zones.code, input.zoneCode)))
      .limit(1);
    if (!zone) throw BusinessError.of('NOT_FOUND', `Warehouse ${wh.code} has no zone ${input.zoneCode}.`, ['input', 'zoneCode']);

    const cells = serpentine(input.aisles, input.racks, input.levels, input.positions);
    const codes = cells.map((c) => binCode(c.aisle, c.rack, c.level, c.position));
    const taken: string[] = [];
    for (let i = 0; i < codes.length && taken.length === 0; i += CHECK_BATCH) {
      const rows = await tx
        .select({ code: binLocations.code })
        .from(binLocations)
        .where(and(eq(binLocations.warehouseId, wh.id), inArray(binLocations.code, codes.slice(i, i + CHECK_BATCH))))
        .limit(5);
      taken.push(...rows.map((r) => r.code));
    }
    if (taken.length) {
      throw BusinessError.of('BIN_EXISTS', `Warehouse ${wh.code} already has bins ${taken.sort().join(', ')}${taken.length >= 5 ? ', …' : ''}.`, ['input', 'aisles']);
    }

    const [{ last } = { last: null }] = await tx
      .select({ last: max(binLocations.pickSequence) })
      .from(binLocations)
      .where(eq(binLocations.warehouseId, wh.id));
    const start = (last ?? 0) + 1;
    const values = cells.map((c, i) => ({
      warehouseId: wh.id,
      zoneId: zone.id,
      code: codes[i]!,
      barcode: binBarcode(wh.code, codes[i]!),
      aisle: c.aisle,
      rack: c.rack,
      level: c.level,
      position: c.position,
      pickSequence: start + i,
      capacityUnits: input.capacityUnits ?? null,
    }));
    const created: BinRow[] = [];
    try {
      for (let i = 0; i < values.length; i += INSERT_BATCH) {
        created.push(...(await tx.insert(binLocations).values(values.slice(i, i + INSERT_BATCH)).returning()));
      }
    } catch (err) {
      // Another warehouse's label took one of these barcodes, or a concurrent call won the race.
      if (isUniqueViolation(err)) throw BusinessError.of('BIN_EXISTS', 'A bin code or barcode of this grid already exists.', ['input', 'aisles']);
      throw err;
    }
    created.sort((a, b) => a.pickSequence - b.pickSequence);
    await events.emit({
      topic: 'warehouse.bins_created',
      payload: { warehouseId: wh.id, zoneId: zone.id, count: created.length, firstPickSequence: start, lastPickSequence: start + created.length - 1 },
    });
    return created;
  });
}

// ---------------------------------------------------------------------------------------------
// Reads

/** The warehouse with this code, or null when it does not exist or the caller's PARTNER restriction hides it. */
export async function warehouseByCode(ctx: ServiceContext, code: string): Promise<WarehouseRow | null> {
  if (!mayAccessWarehouse(ctx.principal, code)) return null;
  const [row] = await ctx.database.db.select().from(warehouses).where(eq(warehouses.code, code)).limit(1);
  return row ?? null;
}

/** Warehouses by code; a PARTNER restricted to warehouses sees only those. */
export async function listWarehouses(ctx: ServiceContext): Promise<WarehouseRow[]> {
  const only = ctx.principal.warehouseCodes;
  if (only && !only.length) return [];
  return ctx.database.db
    .select()
    .from(warehouses)
    .where(only ? inArray(warehouses.code, [...only]) : undefined)
    .orderBy(asc(warehouses.code));
}

/** Every warehouse, without visibility filtering: for allocation, which ships from any warehouse. */
export async function listAllWarehouses(ctx: Pick<ServiceContext, 'database'>): Promise<WarehouseRow[]> {
  return ctx.database.db.select().from(warehouses).orderBy(asc(warehouses.code));
}

const WAREHOUSES_TTL_MS = 5_000;
const warehouseCache = refreshingCache<Database, WarehouseRow[]>(WAREHOUSES_TTL_MS, (database) => listAllWarehouses({ database }));

/**
 * listAllWarehouses for read-only hot paths (checkout delivery options), cached per database for
 * a few seconds like the carrier catalog (shared/cache.ts): a handful of rows that every checkout
 * reads. A warehouse created on this instance clears it at once; other instances see it within
 * WAREHOUSES_TTL_MS plus one load. Writers (orders, cancellations) keep reading listAllWarehouses.
 */
export const listAllWarehousesCached = (ctx: Pick<ServiceContext, 'database'>): Promise<WarehouseRow[]> => warehouseCache.get(ctx.database);

/** By id, without visibility filtering (loaders; callers check `mayViewWarehouse`). */
/** Unfiltered by the principal; `executor`: the caller's transaction (a read inside it on embedded PGlite must use it). */
export async function warehousesByIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[], executor: Executor = ctx.database.db): Promise<WarehouseRow[]> {
  return executor.select().from(warehouses).where(inArray(warehouses.id, [...ids]));
}

export async function zonesByIds(ctx: ServiceContext, ids: readonly string[]): Promise<ZoneRow[]> {
  return ctx.database.db.select().from(zones).where(inArray(zones.id, [...ids]));
}

/** Zones of these warehouses, nearest to dispatch first. */
export async function zonesByWarehouseIds(ctx: ServiceContext, warehouseIds: readonly string[]): Promise<ZoneRow[]> {
  return ctx.database.db
    .select()
    .from(zones)
    .where(inArray(zones.warehouseId, [...warehouseIds]))
    .orderBy(asc(zones.distanceRank), asc(zones.code));
}

export async function binsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<BinRow[]> {
  return ctx.database.db.select().from(binLocations).where(inArray(binLocations.id, [...ids]));
}

/**
 * Bins of a warehouse in pick order, a Relay page. Keyset on (pick_sequence, id); the cursor is
 * the bin id, whose position is looked up in the same statement.
 */
export async function binsByWarehouse(ctx: ServiceContext, warehouseId: string, args: PageArgs): Promise<Page<BinRow>> {
  const backward = args.last != null && args.first == null;
  const size = (backward ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  const key = sql`(${binLocations.pickSequence}, ${binLocations.id})`;
  const at = (id: string) => sql`(select b.pick_sequence, b.id from ${binLocations} b where b.id = ${id})`;
  const filter = eq(binLocations.warehouseId, warehouseId);
  const conds: SQL[] = [filter];
  if (args.afterId) conds.push(sql`${key} > ${at(args.afterId)}`);
  if (args.beforeId) conds.push(sql`${key} < ${at(args.beforeId)}`);
  const order = backward ? [desc(binLocations.pickSequence), desc(binLocations.id)] : [asc(binLocations.pickSequence), asc(binLocations.id)];
  const db = ctx.database.db;
  const rows = await db
    .select()
    .from(binLocations)
    .where(and(...conds))
    .orderBy(...order)
    .limit(size + 1);
  const plan = { where: undefined, orderBy: sql``, limit: size + 1, backward, size };
  return finishPage(rows, plan, args, async () => db.$count(binLocations, filter));
}

/** The bin with this label barcode in this warehouse, with its zone's kind and distance rank; null if none. */
export async function binByBarcode(ctx: ServiceContext, warehouseId: string, barcode: string): Promise<BinWithZone | null> {
  const [row] = await ctx.database.db
    .select({ bin: binLocations, zoneKind: zones.kind, distanceRank: zones.distanceRank })
    .from(binLocations)
    .innerJoin(zones, eq(zones.id, binLocations.zoneId))
    .where(and(eq(binLocations.warehouseId, warehouseId), eq(binLocations.barcode, barcode)))
    .limit(1);
  return row ? { ...row.bin, zoneKind: row.zoneKind, distanceRank: row.distanceRank } : null;
}

/** Slot facts of every bin of a warehouse (zone kind, distance, pick order, capacity): input of putaway and slotting. */
export interface BinSlot {
  id: string;
  zoneKind: ZoneKindValue;
  distanceRank: number;
  pickSequence: number;
  capacityUnits: number | null;
}

export async function binSlots(ctx: Pick<ServiceContext, 'database'>, warehouseId: string, executor: Executor = ctx.database.db): Promise<BinSlot[]> {
  return executor
    .select({ id: binLocations.id, zoneKind: zones.kind, distanceRank: zones.distanceRank, pickSequence: binLocations.pickSequence, capacityUnits: binLocations.capacityUnits })
    .from(binLocations)
    .innerJoin(zones, eq(zones.id, binLocations.zoneId))
    .where(eq(binLocations.warehouseId, warehouseId));
}

/**
 * A bin's zone is fixed when the bin is created and a zone's kind when the zone is (neither is ever
 * updated or deleted), so a bin's zone kind read once can be kept: the ledger asks for it on every
 * stock write. Kept per database, without expiry; only bins that exist are kept. If bins ever move
 * between zones, or zones change kind, that write must clear this cache.
 */
const keptZoneKinds = new KeyedCaches<Database, string, ZoneKindValue>(100_000);

/**
 * The zone kind of each of these bins (any warehouse), by bin id; those not kept yet are read through
 * `executor` (the caller's transaction, which may have just created them).
 */
export async function zoneKindsOfBins(ctx: Pick<ServiceContext, 'database'>, binIds: readonly string[], executor: Executor = ctx.database.db): Promise<Map<string, ZoneKindValue>> {
  if (!binIds.length) return new Map();
  return keptZoneKinds.of(ctx.database, Infinity)!.getMany(binIds, async (missing) => {
    const rows = await executor
      .select({ id: binLocations.id, kind: zones.kind })
      .from(binLocations)
      .innerJoin(zones, eq(zones.id, binLocations.zoneId))
      .where(inArray(binLocations.id, missing));
    return new Map(rows.map((r) => [r.id, r.kind]));
  });
}

export type ScanKindValue = 'PRODUCT' | 'BIN' | 'SHIPMENT' | 'UNKNOWN';
export interface ScanOutcome {
  kind: ScanKindValue;
  variantId?: string;
  binId?: string;
  shipmentId?: string;
}

/** Recognisers of codes this module does not know (a shipping module: tracking numbers); the first non-null answer wins. */
export const SCAN_IDENTIFIERS = new ExtensionKey<((ctx: ServiceContext, code: string) => Promise<ScanOutcome | null>)[]>('warehouse.scanIdentifiers');

async function identifyElsewhere(ctx: ServiceContext, code: string): Promise<ScanOutcome> {
  for (const identify of ctx.extensions.list(SCAN_IDENTIFIERS)) {
    const found = await identify(ctx, code);
    if (found) return found;
  }
  return { kind: 'UNKNOWN' };
}

const GTIN_LENGTHS = new Set([8, 12, 13, 14]);

/**
 * Identifies a raw scan in a warehouse: a GTIN with a valid check digit of a known variant is
 * PRODUCT, a bin label of this warehouse is BIN, anything else (including a GTIN with a bad check
 * digit, an unknown or hidden warehouse) is UNKNOWN. Never fails: mutations reject bad barcodes.
 * A tracking number of one of our shipments is SHIPMENT (recognised by the shipping module through SCAN_IDENTIFIERS).
 */
export async function scanBarcode(ctx: ServiceContext, warehouseCode: string, barcode: string): Promise<ScanOutcome> {
  const raw = barcode.trim();
  if (!raw || raw.length > 128) return { kind: 'UNKNOWN' };
  if (/^\d+$/.test(raw)) {
    if (GTIN_LENGTHS.has(raw.length) && isValidGtin(raw)) {
      const variant = await variantByGtin(ctx, raw);
      if (variant) return { kind: 'PRODUCT', variantId: variant.id };
    }
    return { kind: 'UNKNOWN' };
  }
  const wh = await warehouseByCode(ctx, warehouseCode);
  if (!wh) return { kind: 'UNKNOWN' };
  const bin = await binByBarcode(ctx, wh.id, raw.toUpperCase());
  return bin ? { kind: 'BIN', binId: bin.id } : identifyElsewhere(ctx, raw.toUpperCase());
}

/** Port for analytics composed into one statement: a subquery of `id, code` of every warehouse. */
export function warehouseCodesQuery(): SQL {
  return sql`select ${warehouses.id} as id, ${warehouses.code} as code from ${warehouses}`;
}
