/**
 * The demo store's planning data, loaded through the services: four suppliers with terms for every
 * demo SKU (cost, pack size, minimum order), three years of weekly demand per warehouse imported as
 * pre-Waybill sales history before the weeks the ledger already holds, continuing each SKU's recent
 * rate (a November peak around Black Friday, a New Year peak, a January and summer lull, a little
 * growth, and slow SKUs that sell in odd weeks only), a few explicit reorder
 * policies, and one replenishment run per warehouse — so forecasts, suggestions and drafted
 * purchase orders are there on first start. On the first run, the forecasts of the last
 * FORECAST_BACKFILL_WEEKS weeks for each warehouse's FORECAST_BACKFILL_SKUS best sellers are made
 * as they would have been: the clock set to the Sunday evening before each week, the forecaster run
 * on the history known then, its one-week-ahead forecast kept in forecast_snapshots (what
 * kpis.forecastMape compares with what shipped). Deterministic (seeded) and idempotent: suppliers that
 * exist are kept, imported weeks are replaced by the same values, and a second run drafts nothing
 * while the first run's orders are open.
 */
import poissonQuantile from '@stdlib/stats-base-dists-poisson-quantile';
import { variantsBySkus } from '../src/modules/catalog/catalog.service.js';
import { levelsOfWarehouse } from '../src/modules/inventory/availability.service.js';
import { weeklyShippedUnits } from '../src/modules/inventory/demand-history.service.js';
import { DateTime } from 'luxon';
import { demandHistoryImport, demandOutlooks, weekOf } from '../src/modules/planning/demand.service.js';
import { ManualClock } from '../src/shared/clock.js';
import { setReorderPolicy } from '../src/modules/planning/reorder-policy.service.js';
import { runReplenishment } from '../src/modules/planning/replenishment.service.js';
import { createSupplier, setSupplierProduct, supplierByCode } from '../src/modules/planning/supplier.service.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { warehouseByCode } from '../src/modules/warehouse/warehouse.service.js';
import { prng } from './lib/prng.js';

export interface DemoSupplier {
  code: string;
  name: string;
  leadTimeDays: number;
  /** Demo category codes (the SKU's second part, WB-<code>-…) it supplies, with their pack size. */
  packs: Readonly<Record<string, number>>;
}

export const DEMO_SUPPLIERS: readonly DemoSupplier[] = [
  { code: 'IVTEX', name: 'Ивановский текстиль', leadTimeDays: 14, packs: { SHO: 1, OUT: 5 } },
  { code: 'SZ-BRIGHT', name: 'Shenzhen Bright Electronics', leadTimeDays: 35, packs: { AUD: 10, KIT: 6 } },
  { code: 'SPORTOPT', name: 'СпортОпт', leadTimeDays: 10, packs: { SPO: 4, BEA: 12 } },
  { code: 'KNIGOMIR', name: 'Книгомир', leadTimeDays: 7, packs: { TOY: 6, BOO: 10 } },
];

/**
 * Weeks of imported history per SKU and warehouse: three years (demand.service's MAX_HISTORY_WEEKS).
 * With two, the backtest horizon is capped at a third of the history (35 weeks), so the choice
 * between a seasonal and a flat method for a best seller rested on the few ledger weeks of the
 * order and pick history (flat picks over the November weeks made SES win and the peaks vanish);
 * with three it forecasts a whole year ahead from an earlier origin, peaks included.
 */
export const DEMO_HISTORY_WEEKS = 156;
const SEED = 0x91a77e5;
const WEEK_MS = 7 * 86_400_000;
const IMPORT_BATCH = 10_000;

/**
 * Seasonal factor of an ISO-like week of the year (1..53): the Black Friday week and the weeks to
 * New Year peak, January and high summer are quiet.
 */
export function seasonality(weekOfYear: number): number {
  if (weekOfYear === 47 || weekOfYear === 48) return 2.4; // Black Friday, Cyber Monday
  if (weekOfYear >= 45 && weekOfYear <= 46) return 1.5;
  if (weekOfYear >= 49 && weekOfYear <= 50) return 1.7;
  if (weekOfYear >= 51) return 2.2; // New Year gifts
  if (weekOfYear <= 2) return 0.6;
  if (weekOfYear >= 28 && weekOfYear <= 33) return 0.8;
  return 1;
}

/** ISO week number of a UTC date. */
export function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

export interface PlanningSeedResult {
  suppliers: { created: string[]; skipped: string[] };
  supplierProducts: number;
  historyWeeks: number;
  policies: number;
  purchaseOrders: string[];
  transfers: string[];
  /** Past one-week-ahead forecasts made (see the module doc). */
  forecastSnapshots: number;
}

export interface PlanningSeedOptions {
  /** Weeks of history (default DEMO_HISTORY_WEEKS). */
  weeks?: number;
  /** Warehouses to plan (default: those given that exist). */
  warehouseCodes: readonly string[];
  /** The demo SKUs. */
  skus: readonly string[];
  /** Skip the replenishment run (tests that want to run it themselves). */
  run?: boolean;
  /** Weeks of past forecasts to make on the first run (default FORECAST_BACKFILL_WEEKS; 0: none). */
  forecastWeeks?: number;
}

/** Past weeks whose forecasts the first run makes (see the module doc). */
export const FORECAST_BACKFILL_WEEKS = 8;
/** Best sellers (by on hand) per warehouse whose past forecasts are made. */
export const FORECAST_BACKFILL_SKUS = 12;

/** Suppliers, terms, demand history, policies and a replenishment run for the demo store (see the module doc). */
export async function seedPlanning(ctx: ServiceContext, opts: PlanningSeedOptions): Promise<PlanningSeedResult> {
  const out: PlanningSeedResult = { suppliers: { created: [], skipped: [] }, supplierProducts: 0, historyWeeks: 0, policies: 0, purchaseOrders: [], transfers: [], forecastSnapshots: 0 };
  for (const s of DEMO_SUPPLIERS) {
    if (await supplierByCode(ctx, s.code)) {
      out.suppliers.skipped.push(s.code);
      continue;
    }
    await createSupplier(ctx, { code: s.code, name: s.name, currency: 'RUB', leadTimeDays: s.leadTimeDays });
    out.suppliers.created.push(s.code);
  }
  const variants = new Map<string, Awaited<ReturnType<typeof variantsBySkus>>[number]>();
  for (let i = 0; i < opts.skus.length; i += 500) for (const v of await variantsBySkus(ctx, opts.skus.slice(i, i + 500))) variants.set(v.sku, v);
  const supplierOf = (sku: string) => {
    const cat = sku.split('-')[1] ?? '';
    return DEMO_SUPPLIERS.find((s) => cat in s.packs) ?? null;
  };
  // Terms: cost 45% of the shelf price, the category's pack, a minimum order of two packs.
  for (const v of variants.values()) {
    const s = supplierOf(v.sku);
    if (!s) continue;
    const pack = s.packs[v.sku.split('-')[1]!]!;
    await setSupplierProduct(ctx, {
      supplierCode: s.code,
      sku: v.sku,
      unitCost: { amountMinor: Math.round(v.priceMinor * 0.45), currency: 'RUB' },
      packSize: pack,
      minOrderQuantity: pack * 2,
      preferred: true,
    });
    out.supplierProducts++;
  }

  const now = ctx.clock.now();
  const weeks = opts.weeks ?? DEMO_HISTORY_WEEKS;
  for (const [w, code] of opts.warehouseCodes.entries()) {
    const warehouse = await warehouseByCode(ctx, code);
    if (!warehouse) continue;
    const byId = new Map([...variants.values()].map((v) => [v.id, v]));
    const stocked = (await levelsOfWarehouse(ctx, warehouse.id))
      .filter((l) => byId.has(l.variantId))
      .sort((a, b) => b.onHand - a.onHand || (a.variantId < b.variantId ? -1 : 1));
    // What the ledger already holds (the order and pick history of the last weeks): each SKU's
    // imported weeks stop where its own ledger weeks start (the warehouse's first ledger week for a
    // SKU the ledger has not shipped), and its imported level continues its recent rate over those
    // weeks (deseasonalised), so the series has no break where Waybill took over: no run of zero
    // weeks between the import and a SKU whose first shipment came weeks after the warehouse's.
    const shipped = await weeklyShippedUnits(
      ctx,
      stocked.map((l) => ({ variantId: l.variantId, warehouseId: warehouse.id, timeZone: warehouse.timezone })),
      { since: new Date(now.getTime() - (weeks + 1) * WEEK_MS), until: now },
    );
    const currentWeek = weekOf(now, warehouse.timezone);
    const ledgerWeeks = [...new Set(shipped.map((x) => x.weekStart))].filter((x) => x < currentWeek).sort();
    const firstLedgerWeek = ledgerWeeks[0] ?? currentWeek;
    const seasonOf = (monday: string) => seasonality(isoWeek(new Date(`${monday}T12:00:00Z`)));
    const ledgerSeason = ledgerWeeks.length ? ledgerWeeks.reduce((acc, x) => acc + seasonOf(x), 0) / ledgerWeeks.length : 1;
    const recent = new Map<string, number>();
    const firstWeekOf = new Map<string, string>();
    for (const x of shipped) {
      if (x.weekStart >= currentWeek) continue;
      recent.set(x.variantId, (recent.get(x.variantId) ?? 0) + x.units);
      if (x.units > 0 && x.weekStart < (firstWeekOf.get(x.variantId) ?? currentWeek)) firstWeekOf.set(x.variantId, x.weekStart);
    }
    const r = prng(SEED ^ Math.imul(w + 1, 0x2545f491));
    const lines: { sku: string; weekStart: Date; units: number }[] = [];
    stocked.forEach((l, rank) => {
      const sku = byId.get(l.variantId)!.sku;
      const first = firstWeekOf.get(l.variantId) ?? firstLedgerWeek;
      const own = ledgerWeeks.filter((x) => x >= first);
      const season = own.length ? own.reduce((acc, x) => acc + seasonOf(x), 0) / own.length : ledgerSeason;
      const rate = own.length ? (recent.get(l.variantId) ?? 0) / own.length / season : 0;
      // SKUs the ledger barely knows sell now and then (intermittent demand); a few slow ones too.
      const intermittent = rate < 0.5 || (rank >= 25 && rank % 7 === 0);
      const base = intermittent ? 0.2 + r.next() * 0.35 : rate;
      for (let k = weeks; k >= 1; k--) {
        const at = new Date(now.getTime() - k * WEEK_MS);
        if (weekOf(at, warehouse.timezone) >= first) continue;
        // 10% a year of growth up to the present: the past was smaller.
        const trend = 1 / (1 + (0.1 * k) / 52);
        lines.push({ sku, weekStart: at, units: poissonQuantile(r.next(), base * seasonality(isoWeek(at)) * trend) });
      }
    });
    for (let i = 0; i < lines.length; i += IMPORT_BATCH) {
      out.historyWeeks += (await demandHistoryImport(ctx, { warehouseCode: code, lines: lines.slice(i, i + IMPORT_BATCH) })).imported;
    }
    // The three best sellers get a tighter policy with ordering and holding costs (an EOQ).
    for (const l of stocked.slice(0, 3)) {
      await setReorderPolicy(ctx, {
        sku: byId.get(l.variantId)!.sku,
        warehouseCode: code,
        serviceLevel: 0.98,
        reviewPeriodDays: 7,
        orderingCost: { amountMinor: 150_000, currency: 'RUB' },
        holdingCostRate: 0.25,
      });
      out.policies++;
    }
  }
  const backfill = opts.forecastWeeks ?? FORECAST_BACKFILL_WEEKS;
  if (out.suppliers.created.length && backfill > 0 && ctx.clock instanceof ManualClock) {
    out.forecastSnapshots = await backfillForecasts(ctx, ctx.clock, opts.warehouseCodes, byIdOf(variants), backfill);
  }
  if (opts.run !== false) {
    for (const code of opts.warehouseCodes) {
      if (!(await warehouseByCode(ctx, code))) continue;
      const run = await runReplenishment(ctx, { warehouseCode: code });
      out.purchaseOrders.push(...run.purchaseOrders.map((p) => p.number));
      out.transfers.push(...run.transferOrders.map((t) => t.number));
    }
  }
  return out;
}

const byIdOf = (variants: Map<string, { id: string; sku: string }>) => new Map([...variants.values()].map((v) => [v.id, v]));

/**
 * For each of the last `weeks` complete weeks, oldest first: the clock at Sunday 20:00 before it
 * (warehouse time), the forecast of each warehouse's best sellers made on the history known then
 * (demandOutlooks keeps its first week in forecast_snapshots). The clock ends where it started.
 */
async function backfillForecasts(ctx: ServiceContext, clock: ManualClock, codes: readonly string[], variants: Map<string, { id: string }>, weeks: number): Promise<number> {
  const end = clock.now();
  let made = 0;
  try {
    for (const code of codes) {
      const warehouse = await warehouseByCode(ctx, code);
      if (!warehouse) continue;
      const best = (await levelsOfWarehouse(ctx, warehouse.id))
        .filter((l) => variants.has(l.variantId))
        .sort((a, b) => b.onHand - a.onHand || (a.variantId < b.variantId ? -1 : 1))
        .slice(0, FORECAST_BACKFILL_SKUS)
        .map((l) => ({ variantId: l.variantId, warehouseId: warehouse.id }));
      const current = DateTime.fromJSDate(end, { zone: warehouse.timezone }).startOf('week');
      for (let k = weeks; k >= 1; k--) {
        clock.set(current.minus({ weeks: k }).minus({ hours: 4 }).toJSDate());
        made += (await demandOutlooks(ctx, best, 1)).size;
      }
    }
  } finally {
    clock.set(end);
  }
  return made;
}
