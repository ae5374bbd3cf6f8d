/**
 * Carriers, their services and rate cards. The whole catalogue (a few carriers, a few services
 * each, rate rows) is read together and cached per database for a few seconds, because every
 * checkout prices against all of it; a change on this instance clears the cache at once, other
 * instances see it within CATALOG_TTL_MS.
 */
import { asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { transact } from '../../events/outbox.js';
import { AccessError, BusinessError, ErrorList } from '../../shared/errors.js';
import { isCurrency, isMinorAmount } from '../../shared/money.js';
import { hasScope, mayAccessCarrier } from '../../shared/principal.js';
import { refreshingCache } from '../../shared/cache.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { DELIVERY_TYPES, type DeliveryTypeValue } from '../../shared/delivery-type.js';
import { isUniqueViolation } from '../catalog/catalog.service.js';
import { validateRateCard, type RateRow } from './rates.js';
import { carrierRates, carriers, carrierServices } from './carrier.table.js';

export type CarrierRow = typeof carriers.$inferSelect;
export type CarrierServiceRow = typeof carrierServices.$inferSelect;

export interface CatalogService extends CarrierServiceRow {
  carrier: CarrierRow;
  rates: RateRow[];
}

export interface CarrierCatalog {
  carriers: CarrierRow[];
  services: CatalogService[];
  serviceByCode: Map<string, CatalogService>;
  serviceById: Map<string, CatalogService>;
}

const CATALOG_TTL_MS = 5_000;
// Carriers, services and rates are only ever inserted, together, by carrierCreate: the number of
// carriers tells whether the catalogue changed.
const catalogCache = refreshingCache<Database, CarrierCatalog>(CATALOG_TTL_MS, loadCatalog, {
  unchanged: async (database, old) => (await database.db.$count(carriers)) === old.carriers.length,
});

/** Every carrier, service and rate row; cached briefly (see the module comment). */
export const carrierCatalog = (ctx: Pick<ServiceContext, 'database'>): Promise<CarrierCatalog> => catalogCache.get(ctx.database);

/**
 * The catalogue for a caller inside a transaction: the cached one if there is one (stale or not:
 * carriers change rarely), else read through `tx` without caching it. Reading it through
 * `carrierCatalog` there could wait forever on embedded PGlite, whose one connection the open
 * transaction holds.
 */
export async function carrierCatalogIn(ctx: Pick<ServiceContext, 'database'>, tx: Executor): Promise<CarrierCatalog> {
  return catalogCache.peek(ctx.database) ?? loadCatalogFrom(tx);
}

function loadCatalog(database: Database): Promise<CarrierCatalog> {
  return loadCatalogFrom(database.db);
}

async function loadCatalogFrom(db: Executor): Promise<CarrierCatalog> {
  const [cs, ss, rs] = await Promise.all([
    db.select().from(carriers).orderBy(asc(carriers.code)),
    db.select().from(carrierServices).orderBy(asc(carrierServices.carrierId), asc(carrierServices.position)),
    db.select().from(carrierRates),
  ]);
  const byCarrier = new Map(cs.map((c) => [c.id, c]));
  const rates = new Map<string, RateRow[]>();
  for (const r of rs) rates.set(r.serviceId, [...(rates.get(r.serviceId) ?? []), r]);
  const services = ss.map((s) => ({ ...s, carrier: byCarrier.get(s.carrierId)!, rates: rates.get(s.id) ?? [] }));
  return {
    carriers: cs,
    services,
    serviceByCode: new Map(services.map((s) => [s.code, s])),
    serviceById: new Map(services.map((s) => [s.id, s])),
  };
}

export const clearCarrierCatalog = (database: Database): void => catalogCache.clear(database);

export interface CarrierServiceInput {
  code: string;
  name: string;
  deliveryType: DeliveryTypeValue;
  transitDaysMin: number;
  transitDaysMax: number;
  volumetricDivisor?: number | null;
  maxWeightGrams: number;
  rates: { countryCode: string; region?: string | null; postalCodePrefix?: string | null; maxWeightGrams: number; price: { amountMinor: number; currency: string } }[];
}

export interface CarrierCreateInput {
  code: string;
  name: string;
  services: CarrierServiceInput[];
}

const CODE = /^[A-Z0-9][A-Z0-9_-]{1,39}$/;

export function requireShipping(ctx: ServiceContext, scope: 'read_shipping' | 'write_shipping'): void {
  if (ctx.principal.kind === 'ANONYMOUS') throw new AccessError('UNAUTHENTICATED', 'Authentication required.');
  if (!hasScope(ctx.principal, scope)) throw new AccessError('FORBIDDEN', `Forbidden: requires scope ${scope}.`);
}

/**
 * Creates a carrier with its services and rate cards, all or nothing.
 * Errors: INVALID (with the field path), DUPLICATE (carrier or service code taken), INVALID_CURRENCY.
 */
export async function createCarrier(ctx: ServiceContext, input: CarrierCreateInput): Promise<CarrierRow> {
  requireShipping(ctx, 'write_shipping');
  if (ctx.principal.carrierCodes) throw new AccessError('FORBIDDEN', 'Forbidden: a key restricted to carriers cannot create carriers.');
  const e = new ErrorList();
  const code = input.code.trim().toUpperCase();
  if (!CODE.test(code)) e.add('INVALID', 'Carrier code is 2 to 40 upper-case letters, digits, "_" or "-".', ['input', 'code']);
  if (!input.name.trim() || input.name.length > 200) e.add('INVALID', 'Name is 1 to 200 characters.', ['input', 'name']);
  if (!input.services.length) e.add('INVALID', 'A carrier needs at least one service.', ['input', 'services']);
  if (input.services.length > 50) e.add('INVALID', 'At most 50 services.', ['input', 'services']);
  const seen = new Set<string>();
  input.services.forEach((s, i) => {
    const p = (...f: (string | number)[]) => ['input', 'services', i, ...f];
    const sc = s.code.trim().toUpperCase();
    if (!CODE.test(sc)) e.add('INVALID', 'Service code is 2 to 40 upper-case letters, digits, "_" or "-".', p('code'));
    if (seen.has(sc)) e.add('DUPLICATE', `Service code ${sc} appears twice.`, p('code'));
    seen.add(sc);
    if (!s.name.trim() || s.name.length > 200) e.add('INVALID', 'Name is 1 to 200 characters.', p('name'));
    if (!DELIVERY_TYPES.includes(s.deliveryType)) e.add('INVALID', 'Unknown delivery type.', p('deliveryType'));
    if (!Number.isInteger(s.transitDaysMin) || s.transitDaysMin < 0 || s.transitDaysMin > 90) e.add('INVALID', 'transitDaysMin is 0 to 90.', p('transitDaysMin'));
    if (!Number.isInteger(s.transitDaysMax) || s.transitDaysMax < s.transitDaysMin || s.transitDaysMax > 90) e.add('INVALID', 'transitDaysMax is transitDaysMin to 90.', p('transitDaysMax'));
    const div = s.volumetricDivisor ?? 5000;
    if (!Number.isInteger(div) || div < 100 || div > 100_000) e.add('INVALID', 'volumetricDivisor is 100 to 100,000.', p('volumetricDivisor'));
    if (!Number.isInteger(s.maxWeightGrams) || s.maxWeightGrams < 1 || s.maxWeightGrams > 2_000_000) e.add('INVALID', 'maxWeightGrams is 1 to 2,000,000.', p('maxWeightGrams'));
    if (!s.rates.length) e.add('INVALID', 'A service needs a rate card (at least one row).', p('rates'));
    if (s.rates.length > 5000) e.add('INVALID', 'At most 5,000 rate rows per service.', p('rates'));
    s.rates.forEach((r, j) => {
      if (!isCurrency(r.price.currency)) e.add('INVALID_CURRENCY', `Unknown ISO 4217 currency "${r.price.currency}".`, p('rates', j, 'price', 'currency'));
      if (!isMinorAmount(r.price.amountMinor) || r.price.amountMinor < 0) e.add('INVALID', 'Price is a non-negative amount in minor units.', p('rates', j, 'price', 'amountMinor'));
    });
    for (const problem of validateRateCard(rateRows(s))) e.add('INVALID', problem.message, p('rates', problem.index, problem.field));
  });
  e.throwIfAny();
  const existing = await ctx.database.db
    .select({ code: carrierServices.code })
    .from(carrierServices)
    .where(inArray(carrierServices.code, [...seen]));
  const [taken] = await ctx.database.db.select({ id: carriers.id }).from(carriers).where(eq(carriers.code, code));
  if (taken) e.add('DUPLICATE', `Carrier ${code} exists.`, ['input', 'code']);
  for (const x of existing) e.add('DUPLICATE', `Service code ${x.code} is taken.`, ['input', 'services', input.services.findIndex((s) => s.code.trim().toUpperCase() === x.code), 'code']);
  e.throwIfAny();
  const carrier = await transact(ctx, async (tx, events) => {
    const [c] = await tx.insert(carriers).values({ code, name: input.name.trim() }).returning();
    for (const [i, s] of input.services.entries()) {
      const [svc] = await tx
        .insert(carrierServices)
        .values({
          carrierId: c!.id,
          code: s.code.trim().toUpperCase(),
          name: s.name.trim(),
          deliveryType: s.deliveryType,
          transitDaysMin: s.transitDaysMin,
          transitDaysMax: s.transitDaysMax,
          volumetricDivisor: s.volumetricDivisor ?? 5000,
          maxWeightGrams: s.maxWeightGrams,
          position: i,
        })
        .returning();
      const rows = rateRows(s).map((r) => ({ ...r, serviceId: svc!.id }));
      for (let k = 0; k < rows.length; k += 1000) await tx.insert(carrierRates).values(rows.slice(k, k + 1000));
    }
    await events.emit({ topic: 'carrier.created', payload: { carrierId: c!.id, code } });
    return c!;
  }).catch((err) => {
    // A concurrent create of the same code loses on the unique constraint.
    if (isUniqueViolation(err)) {
      throw BusinessError.of('DUPLICATE', 'A carrier or service with this code was just created.', ['input', 'code']);
    }
    throw err;
  });
  clearCarrierCatalog(ctx.database);
  return carrier;
}

function rateRows(s: CarrierServiceInput): RateRow[] {
  return s.rates.map((r) => ({
    countryCode: r.countryCode.trim().toUpperCase(),
    region: r.region?.trim() || null,
    postalCodePrefix: r.postalCodePrefix?.replace(/\s+/g, '').toUpperCase() || null,
    maxWeightGrams: r.maxWeightGrams,
    priceMinor: r.price.amountMinor,
    currency: r.price.currency,
  }));
}

/** Carriers the caller may see (a PARTNER restricted to carriers sees only those). */
export async function listCarriers(ctx: ServiceContext): Promise<CarrierRow[]> {
  requireShipping(ctx, 'read_shipping');
  return (await carrierCatalog(ctx)).carriers.filter((c) => mayAccessCarrier(ctx.principal, c.code));
}

export async function carriersByIds(ctx: ServiceContext, ids: readonly string[]): Promise<CarrierRow[]> {
  const cat = await carrierCatalog(ctx);
  const want = new Set(ids);
  const found = cat.carriers.filter((c) => want.has(c.id));
  if (found.length === want.size) return found;
  // Created on another instance within the cache window: read through.
  return ctx.database.db.select().from(carriers).where(inArray(carriers.id, [...ids]));
}

export async function servicesByCarrierIds(ctx: ServiceContext, ids: readonly string[]): Promise<CarrierServiceRow[]> {
  const cat = await carrierCatalog(ctx);
  const want = new Set(ids);
  const found = cat.services.filter((s) => want.has(s.carrierId));
  if (new Set(found.map((s) => s.carrierId)).size === want.size) return found;
  return ctx.database.db.select().from(carrierServices).where(inArray(carrierServices.carrierId, [...ids])).orderBy(asc(carrierServices.position));
}

export async function servicesByIds(ctx: ServiceContext, ids: readonly string[]): Promise<CarrierServiceRow[]> {
  const cat = await carrierCatalog(ctx);
  const found = ids.map((id) => cat.serviceById.get(id)).filter((s): s is CatalogService => !!s);
  if (found.length === new Set(ids).size) return found;
  return ctx.database.db.select().from(carrierServices).where(inArray(carrierServices.id, [...ids]));
}

/**
 * Ids of the services with this delivery type, read now (not from the cached catalogue, so a
 * service created a moment ago counts): the port other modules use instead of joining
 * carrier_services (shipments' courier stops).
 */
export async function serviceIdsOfType(ctx: Pick<ServiceContext, 'database'>, type: DeliveryTypeValue): Promise<string[]> {
  const rows = await ctx.database.db.select({ id: carrierServices.id }).from(carrierServices).where(eq(carrierServices.deliveryType, type));
  return rows.map((r) => r.id);
}

/** Port for analytics composed into one statement: a subquery of `id, code` of every carrier. */
export function carrierCodesQuery(): SQL {
  return sql`select ${carriers.id} as id, ${carriers.code} as code from ${carriers}`;
}
