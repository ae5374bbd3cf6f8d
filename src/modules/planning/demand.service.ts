/**
 * Demand history and forecasts (contract 07): weekly units shipped per variant and warehouse,
 * from the stock ledger (inventory's weeklyShippedUnits) with imported history
 * (demandHistoryImport) filling the weeks the ledger has no shipment in, and the forecast of
 * ./forecast/select.ts over that series.
 *
 * Weeks are ISO weeks starting Monday 00:00 in the warehouse's time zone (luxon here, PostgreSQL's
 * date_trunc('week', … at time zone …) in the ledger query: both the ISO Monday). The current,
 * incomplete week is never history.
 *
 * History is capped at MAX_HISTORY_WEEKS = 156 (three years): enough for the yearly seasonality
 * the forecaster looks for (seasonal naive needs 52 weeks, its seasonal adjustment's lag-52 test
 * three years), while older sales say little about today's demand and would only make the ledger
 * scan and the backtest (every candidate at every origin) slower.
 *
 * Caching: a forecast is a pure function of (history, horizon), and the history is read on every
 * call (two indexed queries for any number of keys). The forecast is kept per database and
 * (variant, warehouse, horizon) together with the history it was made from, and recomputed only
 * when that history differs: a new shipment or import (on any instance) changes it, and so does the
 * week rolling over. That is an exact validity stamp, where "count + max(created_at)" would miss a
 * re-import at the same instant with other units; it reads the same index entries as such a stamp.
 *
 * Snapshots: every forecast computed afresh (a cache miss: its history changed) keeps its first
 * week's mean in forecast_snapshots (see keepSnapshots), so that the forecast of a past week can be
 * compared with what shipped (kpis.forecastMape).
 */
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Database } from '../../db/client.js';
import { transact } from '../../events/outbox.js';
import { lruCache, perObject } from '../../shared/cache.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { isPlausibleDate } from '../../shared/plausible-date.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsBySkus } from '../catalog/catalog.service.js';
import { weeklyShippedUnits, type DemandSeriesKey } from '../inventory/demand-history.service.js';
import { requireWarehouseAccess, warehousesByIds } from '../warehouse/warehouse.service.js';
import { forecastSeries, type ForecastResult } from './forecast/select.js';

/** Weeks of history a forecast uses at most (see the module doc). */
export const MAX_HISTORY_WEEKS = 156;
/** Lines per demandHistoryImport call (contract). */
export const MAX_IMPORT_LINES = 10_000;
/** horizonWeeks of Query.demandForecast: 1 to this. */
export const MAX_FORECAST_HORIZON = 52;

export interface DemandOutlook {
  variantId: string;
  warehouseId: string;
  /** Complete weeks, oldest first (zero weeks included). */
  history: number[];
  /** Monday (UTC instant of Monday 00:00 in the warehouse's zone) of each forecast week, first = the week after the current one. */
  weekStarts: Date[];
  /**
   * The forecast of forecastSeries (./forecast/select.ts) for exactly the weeks of weekStarts
   * (horizon = weekStarts.length): mean[i], lower80[i], upper80[i] are for weekStarts[i]. The
   * history ends with the last complete week, so the current week is step 1 after it and
   * weekStarts[0] step 2 (firstStep): forecastSeries runs with horizon + 1 and the current week's
   * point is dropped, so that a seasonal peak lands on its own week. Half-widths are z·σ·√step,
   * i.e. z·σ·√(i + firstStep). Shared with the cache: do not mutate.
   */
  forecast: ForecastResult;
  /** Steps after the last history week of forecast.mean[0]: always 2 (the current week is step 1). */
  firstStep: number;
  /** Monday (YYYY-MM-DD, in timeZone) of the current, incomplete week: history ends with the week before. */
  currentWeek: string;
  /** The warehouse's time zone. */
  timeZone: string;
}

/** The Monday (UTC instant of 00:00 in the warehouse's zone) of each history week of `o`, oldest first. */
export function historyWeekStarts(o: Pick<DemandOutlook, 'history' | 'currentWeek' | 'timeZone'>): Date[] {
  return o.history.map((_, i) => mondayInstant(addWeeks(o.currentWeek, i - o.history.length), o.timeZone));
}

/** See DemandOutlook.firstStep. */
export const FIRST_STEP = 2;

type Key = { variantId: string; warehouseId: string };
const keyOf = (k: Key): string => `${k.variantId}|${k.warehouseId}`;

// --- weeks ---------------------------------------------------------------------------------------

/** Monday (YYYY-MM-DD) of the ISO week holding `instant` in zone `tz`. */
export function weekOf(instant: Date, tz: string): string {
  return DateTime.fromJSDate(instant, { zone: tz }).startOf('week').toISODate()!;
}
const addWeeks = (monday: string, n: number): string => DateTime.fromISO(monday, { zone: 'utc' }).plus({ weeks: n }).toISODate()!;
/** The UTC instant of 00:00 of `monday` in zone `tz`. */
const mondayInstant = (monday: string, tz: string): Date => DateTime.fromISO(monday, { zone: tz }).toJSDate();

// --- the series ----------------------------------------------------------------------------------

interface Series {
  history: number[];
  /** Monday of the current (incomplete) week. */
  currentWeek: string;
  timeZone: string;
}

/**
 * The weekly series of every key: complete weeks from the first with any data (ledger or import,
 * within MAX_HISTORY_WEEKS) to the last complete one; a week is the ledger's units when the ledger
 * shipped some then, else the imported units, else 0. One ledger query and one import query.
 */
async function loadSeries(ctx: ServiceContext, keys: readonly DemandSeriesKey[]): Promise<Map<string, Series>> {
  const out = new Map<string, Series>();
  if (!keys.length) return out;
  const now = ctx.clock.now();
  const windows = keys.map((k) => {
    const currentWeek = weekOf(now, k.timeZone);
    return { key: k, currentWeek, first: addWeeks(currentWeek, -MAX_HISTORY_WEEKS) };
  });
  const since = new Date(Math.min(...windows.map((w) => mondayInstant(w.first, w.key.timeZone).getTime())));
  const until = new Date(Math.max(...windows.map((w) => mondayInstant(w.currentWeek, w.key.timeZone).getTime())));
  const firstDate = windows.reduce((m, w) => (w.first < m ? w.first : m), windows[0]!.first);
  const lastDate = windows.reduce((m, w) => (w.currentWeek > m ? w.currentWeek : m), windows[0]!.currentWeek);
  const json = JSON.stringify(keys.map((k) => ({ variant_id: k.variantId, warehouse_id: k.warehouseId })));
  // One after the other: inside a caller's transaction (withExecutor) both run on its one connection.
  const ledger = await weeklyShippedUnits(ctx, keys, { since, until });
  const imported = await ctx.database.rows<{ variant_id: string; warehouse_id: string; week: string; units: number | string }>(
      // Per key through the primary key (a lateral subquery behind `offset 0`, like the ledger query:
      // the planner's guess of 100 keys would otherwise pick a sequential scan).
      sql`select h.variant_id, h.warehouse_id, to_char(h.week_start, 'YYYY-MM-DD') as week, h.units
          from jsonb_to_recordset(${json}::jsonb) as k(variant_id uuid, warehouse_id uuid)
          cross join lateral (
            select d.variant_id, d.warehouse_id, d.week_start, d.units from demand_history d
            where d.variant_id = k.variant_id and d.warehouse_id = k.warehouse_id
              and d.week_start >= ${firstDate}::date and d.week_start < ${lastDate}::date
            offset 0
          ) h`,
  );
  const weeks = new Map<string, Map<string, number>>();
  const at = (k: string) => weeks.get(k) ?? weeks.set(k, new Map()).get(k)!;
  for (const r of ledger) at(keyOf(r)).set(r.weekStart, r.units);
  for (const r of imported) {
    const m = at(`${r.variant_id}|${r.warehouse_id}`);
    if (!m.has(r.week)) m.set(r.week, Number(r.units)); // the ledger's week wins
  }
  for (const w of windows) {
    const k = keyOf(w.key);
    const data = [...(weeks.get(k) ?? new Map<string, number>()).entries()].filter(([week]) => week >= w.first && week < w.currentWeek);
    const history: number[] = [];
    if (data.length) {
      const byWeek = new Map(data);
      let week = data.reduce((m, [d]) => (d < m ? d : m), data[0]![0]);
      for (; week < w.currentWeek; week = addWeeks(week, 1)) history.push(byWeek.get(week) ?? 0);
    }
    out.set(k, { history, currentWeek: w.currentWeek, timeZone: w.key.timeZone });
  }
  return out;
}

// --- forecasts -----------------------------------------------------------------------------------

/** Forecasts per database by `${variant}|${warehouse}|${horizon}`, with the history they were made from. */
const forecastCache = perObject((_db: Database) => lruCache<string, { history: string; forecast: ForecastResult }>({ max: 20_000 }));

/** A forecast computed afresh (not from the cache): its first week goes to forecast_snapshots. */
interface FreshForecast {
  variantId: string;
  warehouseId: string;
  weekStart: string;
  units: number;
}

function forecastOf(ctx: ServiceContext, key: Key, history: number[], horizon: number, fresh?: () => void): ForecastResult {
  const cache = forecastCache(ctx.database);
  const ck = `${keyOf(key)}|${horizon}`;
  const sig = history.join(',');
  const held = cache.get(ck);
  if (held && held.history === sig) return held.forecast;
  fresh?.();
  // Step 1 is the current, incomplete week: forecast one more and drop it (see DemandOutlook.forecast).
  const f = forecastSeries(history, { horizon: horizon + 1 });
  const forecast: ForecastResult = { ...f, mean: f.mean.slice(1), lower80: f.lower80.slice(1), upper80: f.upper80.slice(1) };
  cache.set(ck, { history: sig, forecast });
  return forecast;
}

function outlookOf(ctx: ServiceContext, key: Key, s: Series, horizon: number, snapshots: FreshForecast[]): DemandOutlook {
  const weekStarts = Array.from({ length: horizon }, (_, i) => mondayInstant(addWeeks(s.currentWeek, i + 1), s.timeZone));
  let fresh = false;
  const forecast = forecastOf(ctx, key, s.history, horizon, () => (fresh = true));
  if (fresh && forecast.mean.length && s.history.length) {
    snapshots.push({ variantId: key.variantId, warehouseId: key.warehouseId, weekStart: addWeeks(s.currentWeek, 1), units: forecast.mean[0]! });
  }
  return { variantId: key.variantId, warehouseId: key.warehouseId, history: s.history, weekStarts, forecast, firstStep: FIRST_STEP, currentWeek: s.currentWeek, timeZone: s.timeZone };
}

/**
 * Keeps the first week of fresh forecasts in forecast_snapshots (the metrics module's forecastMape):
 * per (variant, warehouse, week) the latest forecast made before that week started. A forecast made
 * in week W is for week W + 1 (firstStep), so every forecast of a week is made before it starts and
 * the latest one (by madeAt) wins. One statement for all keys.
 */
async function keepSnapshots(ctx: ServiceContext, snapshots: readonly FreshForecast[]): Promise<void> {
  if (!snapshots.length) return;
  const madeAt = ctx.clock.now().toISOString();
  const rows = JSON.stringify(snapshots.map((x) => ({ variant_id: x.variantId, warehouse_id: x.warehouseId, week_start: x.weekStart, units: x.units })));
  await ctx.database.rows(
    sql`insert into forecast_snapshots (variant_id, warehouse_id, week_start, units, made_at)
        select r.variant_id, r.warehouse_id, r.week_start, r.units, ${madeAt}::timestamptz
        from jsonb_to_recordset(${rows}::jsonb) as r(variant_id uuid, warehouse_id uuid, week_start date, units float8)
        on conflict (variant_id, warehouse_id, week_start) do update set units = excluded.units, made_at = excluded.made_at
        where forecast_snapshots.made_at <= excluded.made_at`,
  );
}

function checkHorizon(horizonWeeks: number): void {
  if (!Number.isInteger(horizonWeeks) || horizonWeeks < 0 || horizonWeeks > 520) throw new RangeError(`horizonWeeks must be a whole number of weeks (0 to 520), got ${horizonWeeks}`);
}

/**
 * Outlooks of many (variant, warehouse) keys: one ledger query and one import query for all of
 * them, forecasts from the cache unless their history changed. Keys of warehouses that do not
 * exist are left out. No visibility checks: callers (reorder policies, replenishment) check the
 * caller's warehouse access first.
 */
export async function demandOutlooks(ctx: ServiceContext, keys: readonly { variantId: string; warehouseId: string }[], horizonWeeks: number): Promise<Map<string, DemandOutlook>> {
  const got = await demandOutlooksByHorizon(
    ctx,
    keys.map((k) => ({ variantId: k.variantId, warehouseId: k.warehouseId, horizonWeeks })),
  );
  return new Map([...got.values()].map((o) => [keyOf(o), o]));
}

/**
 * Like demandOutlooks, each key with its own horizon, keyed by `${variantId}|${warehouseId}|${horizonWeeks}`:
 * the history of every key is still read in one ledger query and one import query, whatever the
 * number of distinct horizons (reorder policies ask each key for its own protection window).
 */
export async function demandOutlooksByHorizon(
  ctx: ServiceContext,
  requests: readonly { variantId: string; warehouseId: string; horizonWeeks: number }[],
): Promise<Map<string, DemandOutlook>> {
  for (const r of requests) checkHorizon(r.horizonWeeks);
  const out = new Map<string, DemandOutlook>();
  if (!requests.length) return out;
  const zones = new Map((await warehousesByIds(ctx, [...new Set(requests.map((k) => k.warehouseId))])).map((w) => [w.id, w.timezone]));
  const unique = new Map<string, DemandSeriesKey>();
  for (const k of requests) {
    const tz = zones.get(k.warehouseId);
    if (tz) unique.set(keyOf(k), { variantId: k.variantId, warehouseId: k.warehouseId, timeZone: tz });
  }
  const series = await loadSeries(ctx, [...unique.values()]);
  const snapshots: FreshForecast[] = [];
  for (const r of requests) {
    const k = keyOf(r);
    const key = unique.get(k);
    if (key) out.set(`${k}|${r.horizonWeeks}`, outlookOf(ctx, key, series.get(k)!, r.horizonWeeks, snapshots));
  }
  await keepSnapshots(ctx, snapshots);
  return out;
}

/** The outlook of one key (demandOutlooks of one); an empty history is method NONE with zero means. Throws when the warehouse does not exist. */
export async function demandOutlook(ctx: ServiceContext, key: { variantId: string; warehouseId: string }, horizonWeeks: number): Promise<DemandOutlook> {
  const got = (await demandOutlooks(ctx, [key], horizonWeeks)).get(keyOf(key));
  if (!got) throw new Error(`demandOutlook: no warehouse ${key.warehouseId}`);
  return got;
}

/**
 * Query.demandForecast: the outlook of a SKU in a warehouse the caller may see. Errors
 * (BusinessError → BAD_USER_INPUT on a query, nothing returned): INVALID when horizonWeeks is not
 * 1 to 52; NOT_FOUND when the SKU or the warehouse does not exist or a restricted PARTNER key may
 * not see the warehouse (answered exactly as an unknown one). A SKU without history is no error:
 * method NONE, historyWeeks 0, zero means.
 */
export async function demandForecast(ctx: ServiceContext, args: { sku: string; warehouseCode: string; horizonWeeks: number }): Promise<DemandOutlook> {
  if (!Number.isInteger(args.horizonWeeks) || args.horizonWeeks < 1 || args.horizonWeeks > MAX_FORECAST_HORIZON) {
    throw BusinessError.of('INVALID', `horizonWeeks must be 1 to ${MAX_FORECAST_HORIZON}.`, ['horizonWeeks']);
  }
  // An unknown (or, for a restricted PARTNER, hidden) warehouse or SKU is bad input: BAD_USER_INPUT on the query.
  const [warehouse, [variant]] = await Promise.all([requireWarehouseAccess(ctx, args.warehouseCode, 'read', ['warehouseCode']), variantsBySkus(ctx, [args.sku])]);
  if (!variant) throw BusinessError.of('NOT_FOUND', `Unknown SKU ${args.sku}.`, ['sku']);
  return demandOutlook(ctx, { variantId: variant.id, warehouseId: warehouse.id }, args.horizonWeeks);
}

// --- import --------------------------------------------------------------------------------------

export interface DemandHistoryImportInput {
  warehouseCode: string;
  lines: readonly { sku: string; weekStart: Date; units: number }[];
}

/**
 * Stores weekly sales from before the store used Waybill: each line's instant becomes its week's
 * Monday in the warehouse's time zone; a week imported again is replaced. Every line is checked
 * first and all errors come back at once; nothing is written if there is one. Errors: NOT_FOUND
 * (warehouse, SKU), INVALID (more than 10,000 lines, negative units, the current or a future week,
 * an implausible date, the same SKU and week twice). Returns the weeks stored.
 */
export async function demandHistoryImport(ctx: ServiceContext, input: DemandHistoryImportInput): Promise<{ imported: number }> {
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  if (input.lines.length > MAX_IMPORT_LINES) {
    throw BusinessError.of('INVALID', `At most ${MAX_IMPORT_LINES} lines per call (got ${input.lines.length}).`, ['input', 'lines']);
  }
  if (!input.lines.length) return { imported: 0 };
  const tz = warehouse.timezone;
  const currentWeek = weekOf(ctx.clock.now(), tz);
  const variants = new Map((await variantsBySkus(ctx, [...new Set(input.lines.map((l) => l.sku))])).map((v) => [v.sku, v.id]));
  const errors = new ErrorList();
  const seen = new Map<string, number>();
  const rows: { variant_id: string; week_start: string; units: number }[] = [];
  input.lines.forEach((l, i) => {
    const at = (f: string) => ['input', 'lines', i, f];
    const variantId = variants.get(l.sku);
    if (!variantId) errors.add('NOT_FOUND', `No variant with SKU ${l.sku}.`, at('sku'));
    if (!Number.isInteger(l.units) || l.units < 0) errors.add('INVALID', 'Units must be a whole number, 0 or more.', at('units'));
    let week: string | null = null;
    if (!(l.weekStart instanceof Date) || !isPlausibleDate(l.weekStart)) errors.add('INVALID', 'weekStart must be a date between 2000 and 2100.', at('weekStart'));
    else {
      week = weekOf(l.weekStart, tz);
      if (week >= currentWeek) errors.add('INVALID', `The week of ${week} is not complete yet: only past weeks are history.`, at('weekStart'));
      else {
        const dup = seen.get(`${l.sku}|${week}`);
        if (dup !== undefined) errors.add('INVALID', `Line ${dup} already gives ${l.sku} in the week of ${week}.`, at('weekStart'));
        else seen.set(`${l.sku}|${week}`, i);
      }
    }
    if (variantId && week) rows.push({ variant_id: variantId, week_start: week, units: l.units });
  });
  errors.throwIfAny();
  const importedAt = ctx.clock.now().toISOString();
  await transact(ctx, (tx) =>
    ctx.database.rows(
      sql`insert into demand_history (variant_id, warehouse_id, week_start, units, imported_at)
          select r.variant_id, ${warehouse.id}::uuid, r.week_start, r.units, ${importedAt}::timestamptz
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(variant_id uuid, week_start date, units int)
          on conflict (variant_id, warehouse_id, week_start) do update set units = excluded.units, imported_at = excluded.imported_at`,
      tx,
    ),
  );
  return { imported: rows.length };
}

// --- forecast snapshots --------------------------------------------------------------------------

export interface ForecastSnapshotRow {
  variantId: string;
  sku: string;
  warehouseId: string;
  /** UTC instant of the week's Monday 00:00 in the warehouse's zone. */
  weekStart: Date;
  units: number;
  madeAt: Date;
}

/**
 * Query.forecastSnapshots: the kept one-week-ahead forecasts of a warehouse the caller may see whose
 * week's Monday is in [from, to), by week then SKU. BAD_USER_INPUT for an unknown or hidden warehouse.
 */
export async function forecastSnapshots(ctx: ServiceContext, args: { warehouseCode: string; from: Date; to: Date }): Promise<ForecastSnapshotRow[]> {
  const warehouse = await requireWarehouseAccess(ctx, args.warehouseCode, 'read', ['warehouseCode']);
  const rows = await ctx.database.rows<{ variant_id: string; sku: string; week_start: string; units: number | string; made_at: Date | string }>(
    sql`select s.variant_id, v.sku, to_char(s.week_start, 'YYYY-MM-DD') as week_start, s.units, s.made_at
        from forecast_snapshots s join product_variants v on v.id = s.variant_id
        where s.warehouse_id = ${warehouse.id}
          and (s.week_start::timestamp at time zone ${warehouse.timezone}) >= ${args.from.toISOString()}::timestamptz
          and (s.week_start::timestamp at time zone ${warehouse.timezone}) < ${args.to.toISOString()}::timestamptz
        order by s.week_start, v.sku`,
  );
  return rows.map((r) => ({
    variantId: r.variant_id,
    sku: r.sku,
    warehouseId: warehouse.id,
    weekStart: mondayInstant(r.week_start, warehouse.timezone),
    units: Number(r.units),
    madeAt: new Date(r.made_at),
  }));
}
