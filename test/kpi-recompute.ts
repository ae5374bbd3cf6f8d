/**
 * The warehouse figures of `kpis` recomputed by hand from rows read through the API
 * (warehouseScans, inventoryMovements), following the field descriptions in
 * src/modules/metrics/kpi.types.ts — not the service's SQL. Pure functions shared by
 * test/e2e/kpis-warehouse.test.ts (a small store) and test/seed.test.ts (the demo store).
 */
import { DateTime } from 'luxon';

/** Consecutive pick scans of one actor in one warehouse less than this apart continue a session. */
export const PICK_SESSION_GAP_MS = 15 * 60_000;

export interface ScanRow {
  kind: string;
  actor: string;
  quantity: number;
  matched: boolean;
  scannedAt: string;
  warehouse: { code: string };
}

export interface MovementRow {
  quantityDelta: number;
  reason: string;
  createdAt: string;
  bin?: { code: string } | null;
  variant: { sku: string };
  warehouse: { code: string };
}

const ms = (d: string | Date) => new Date(d).getTime();

/**
 * pickAccuracy (matched over all scans) and unitsPickedPerHour (units of accepted pick scans over
 * picker-hours: gaps under 15 minutes between consecutive pick scans of an actor in a warehouse)
 * of the scans for which `inKey(scannedAt)` holds. `scans` are all the scans that pass the period
 * and the filter (the previous scan of a gap may lie in another bucket); a gap counts where its
 * later scan does.
 */
export function scanFigures(scans: readonly ScanRow[], inKey: (at: number) => boolean = () => true): { accuracy: number | null; perHour: number | null } {
  const mine = scans.filter((s) => inKey(ms(s.scannedAt)));
  const accuracy = mine.length ? mine.filter((s) => s.matched).length / mine.length : null;
  const units = mine.filter((s) => s.kind === 'PICK' && s.matched).reduce((n, s) => n + s.quantity, 0);
  const byActor = new Map<string, number[]>();
  for (const s of scans) {
    if (s.kind !== 'PICK') continue;
    const k = `${s.actor}|${s.warehouse.code}`;
    const times = byActor.get(k) ?? [];
    times.push(ms(s.scannedAt));
    byActor.set(k, times);
  }
  let gapMs = 0;
  for (const times of byActor.values()) {
    times.sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! < PICK_SESSION_GAP_MS && inKey(times[i]!)) gapMs += times[i]! - times[i - 1]!;
  }
  return { accuracy, perHour: gapMs > 0 ? units / (gapMs / 3_600_000) : null };
}

/** One calendar day of the store's time zone overlapping [from, to): its start, the instant stock is read (min(day end, to)), its share inside the period. */
export interface DaySlice {
  start: number;
  /** max(start, from): shipments count from here. */
  from: number;
  /** min(day end, to): stock is read before this instant. */
  end: number;
  weight: number;
}

export function daySlices(from: Date, to: Date, zone: string): DaySlice[] {
  const out: DaySlice[] = [];
  for (let d = DateTime.fromJSDate(from, { zone }).startOf('day'); d.toMillis() < to.getTime(); d = d.plus({ days: 1 })) {
    const start = d.toMillis();
    const next = d.plus({ days: 1 }).toMillis();
    const s = Math.max(start, from.getTime());
    const end = Math.min(next, to.getTime());
    if (end > s) out.push({ start, from: s, end, weight: (end - s) / (next - start) });
  }
  return out;
}

/** Per slice: bins holding stock, on-hand units and their value at its end; units shipped and their cost inside it. */
export interface SliceStock {
  slice: DaySlice;
  bins: number;
  onHand: number;
  value: number;
  shipped: number;
  cogs: number;
}

/**
 * Reads the ledger (`movements`, all of them, any time) slice by slice: balances from the movements
 * before each slice's end, SHIPMENT movements in [slice.from, slice.end). `cost`: unit cost (minor)
 * per SKU; SKUs without one add nothing to value and COGS.
 */
export function sliceStock(movements: readonly MovementRow[], slices: readonly DaySlice[], cost: ReadonlyMap<string, number>): SliceStock[] {
  const sorted = [...movements].sort((a, b) => ms(a.createdAt) - ms(b.createdAt));
  const bins = new Map<string, number>();
  let holding = 0;
  let onHand = 0;
  let value = 0;
  let i = 0;
  return slices.map((slice) => {
    for (; i < sorted.length && ms(sorted[i]!.createdAt) < slice.end; i++) {
      const m = sorted[i]!;
      onHand += m.quantityDelta;
      value += m.quantityDelta * (cost.get(m.variant.sku) ?? 0);
      if (m.bin) {
        const k = `${m.warehouse.code}|${m.bin.code}`;
        const before = bins.get(k) ?? 0;
        const after = before + m.quantityDelta;
        bins.set(k, after);
        holding += (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
      }
    }
    const shipments = movements.filter((m) => m.reason === 'SHIPMENT' && ms(m.createdAt) >= slice.from && ms(m.createdAt) < slice.end);
    return {
      slice,
      bins: holding,
      onHand,
      value,
      shipped: shipments.reduce((n, m) => n - m.quantityDelta, 0),
      cogs: shipments.reduce((n, m) => n - m.quantityDelta * (cost.get(m.variant.sku) ?? 0), 0),
    };
  });
}

/** Bin-days, inventoryTurnover and daysOfSupply of a run of slices (a bucket, or the whole period). */
export function stockFigures(slices: readonly SliceStock[]): { binDays: number; inventoryTurnover: number | null; daysOfSupply: number | null } {
  const days = slices.reduce((n, s) => n + s.slice.weight, 0);
  const binDays = slices.reduce((n, s) => n + s.bins * s.slice.weight, 0);
  const avgValue = days > 0 ? slices.reduce((n, s) => n + s.value * s.slice.weight, 0) / days : 0;
  const shipped = slices.reduce((n, s) => n + s.shipped, 0);
  const cogs = slices.reduce((n, s) => n + s.cogs, 0);
  const onHandEnd = slices.length ? slices[slices.length - 1]!.onHand : 0;
  return {
    binDays,
    inventoryTurnover: avgValue > 0 ? ((cogs / avgValue) * 365) / days : null,
    daysOfSupply: shipped > 0 && days > 0 ? onHandEnd / (shipped / days) : null,
  };
}

/**
 * stockoutRate of [start, end): (variant, warehouse) pairs whose on-hand (movements with the same
 * createdAt applied together) was above 0 at some instant before `end`, and of those the ones
 * whose on-hand was 0 or below at some instant of [start, end) after they were first above 0.
 * Movements at or after `to` (the report's end) are not in the ledger the report reads.
 */
export function stockoutRate(movements: readonly MovementRow[], start: number, end: number, to: number): number | null {
  const pairs = new Map<string, Map<number, number>>();
  for (const m of movements) {
    const t = ms(m.createdAt);
    if (t >= to) continue;
    const k = `${m.warehouse.code}|${m.variant.sku}`;
    const byInstant = pairs.get(k) ?? new Map<number, number>();
    byInstant.set(t, (byInstant.get(t) ?? 0) + m.quantityDelta);
    pairs.set(k, byInstant);
  }
  let stocked = 0;
  let hit = 0;
  for (const byInstant of pairs.values()) {
    const steps = [...byInstant].sort((x, y) => x[0] - y[0]);
    let q = 0;
    let first: number | null = null;
    let zero = false;
    for (const [k, [at, d]] of steps.entries()) {
      q += d;
      const next = steps[k + 1]?.[0] ?? to;
      if (first != null && q <= 0 && at < end && next > start) zero = true;
      if (q > 0 && first == null) first = at;
    }
    if (first != null && first < end) {
      stocked++;
      if (zero) hit++;
    }
  }
  return stocked > 0 ? hit / stocked : null;
}

/** The cost model's rates (minor units, 0 when not configured) when usable in `currency`, else null. */
export function usableRates(
  model: { perOrderHandled?: { amountMinor: number; currency: string } | null; perUnitPicked?: { amountMinor: number; currency: string } | null; storagePerBinDay?: { amountMinor: number; currency: string } | null },
  currency: string,
): { perOrder: number; perUnit: number; perBinDay: number } | null {
  const rates = [model.perOrderHandled, model.perUnitPicked, model.storagePerBinDay].filter((m): m is { amountMinor: number; currency: string } => !!m);
  if (!rates.length || rates.some((m) => m.currency !== currency)) return null;
  return { perOrder: model.perOrderHandled?.amountMinor ?? 0, perUnit: model.perUnitPicked?.amountMinor ?? 0, perBinDay: model.storagePerBinDay?.amountMinor ?? 0 };
}

/** warehousingCostPerOrder: (rates × orders, units picked, bin-days) / orders, half up to the minor unit; null without rates or orders. */
export function warehousingCostPerOrder(
  rates: ReturnType<typeof usableRates>,
  orders: number,
  picked: number,
  binDays: number,
  currency: string,
): { amountMinor: number; currency: string } | null {
  if (!rates || orders <= 0) return null;
  const total = rates.perOrder * orders + rates.perUnit * picked + rates.perBinDay * binDays;
  const amountMinor = Number.isInteger(total) ? Math.floor((2 * total + orders) / (2 * orders)) : Math.round(total / orders);
  return { amountMinor, currency };
}
