/**
 * Putaway: where received units go when the caller names no bin. Pure, so it is unit-tested
 * apart from the database: the bin already holding the SKU (with room) first; else an empty
 * bin in the zone of the item's velocity class (A -> FAST_PICK, B -> PICK, C -> BULK; oversize
 * items -> OVERSIZE), nearest to dispatch first; always within capacity.
 */

export type VelocityClass = 'A' | 'B' | 'C';

export interface PutawayBin {
  id: string;
  zoneKind: string;
  distanceRank: number;
  pickSequence: number;
  capacityUnits: number | null;
  /** Units of any SKU in the bin now. */
  used: number;
  /** Units of this SKU in the bin now. */
  holdsSku: number;
}

export interface PutawayItem {
  velocity: VelocityClass;
  oversize: boolean;
  quantity: number;
}

const STORAGE_FALLBACK = ['PICK', 'BULK', 'FAST_PICK'];

export function targetZones(item: Pick<PutawayItem, 'velocity' | 'oversize'>): string[] {
  if (item.oversize) return ['OVERSIZE', 'BULK'];
  const first = item.velocity === 'A' ? 'FAST_PICK' : item.velocity === 'B' ? 'PICK' : 'BULK';
  return [first, ...STORAGE_FALLBACK.filter((z) => z !== first)];
}

const fits = (b: PutawayBin, qty: number) => b.capacityUnits == null || b.used + qty <= b.capacityUnits;
const nearest = (a: PutawayBin, b: PutawayBin) => a.distanceRank - b.distanceRank || a.pickSequence - b.pickSequence;

/** The chosen bin, or null when no bin can take the quantity. */
export function choosePutawayBin(item: PutawayItem, bins: readonly PutawayBin[]): PutawayBin | null {
  const zones = targetZones(item);
  const storage = bins.filter((b) => zones.includes(b.zoneKind));
  const holding = storage.filter((b) => b.holdsSku > 0 && fits(b, item.quantity)).sort(nearest);
  if (holding.length) return holding[0]!;
  for (const zone of zones) {
    const empty = storage.filter((b) => b.zoneKind === zone && b.used === 0 && fits(b, item.quantity)).sort(nearest);
    if (empty.length) return empty[0]!;
  }
  return null;
}

/** Items heavier or longer than this go to OVERSIZE. */
export const OVERSIZE_WEIGHT_GRAMS = 20_000;
export const OVERSIZE_SIDE_MM = 800;

export function isOversize(v: { weightGrams: number; lengthMm: number | null; widthMm: number | null; heightMm: number | null }): boolean {
  return v.weightGrams > OVERSIZE_WEIGHT_GRAMS || [v.lengthMm, v.widthMm, v.heightMm].some((d) => d != null && d > OVERSIZE_SIDE_MM);
}

/**
 * The same rule as `choosePutawayBin`, for many lines at once: bins are sorted once, empty bins
 * are walked per zone with a cursor, and the bins holding each SKU are indexed, so a receipt of
 * thousands of lines costs O(lines + bins) instead of O(lines x bins).
 */
export class PutawayPlanner {
  private readonly bins = new Map<string, { bin: PutawayBin; skus: Map<string, number> }>();
  private readonly emptyByZone = new Map<string, PutawayBin[]>();
  private readonly cursor = new Map<string, number>();
  private readonly holding = new Map<string, Set<string>>();

  constructor(bins: readonly PutawayBin[], stock: readonly { binId: string; variantId: string; quantity: number }[]) {
    for (const b of bins) this.bins.set(b.id, { bin: { ...b, used: 0, holdsSku: 0 }, skus: new Map() });
    for (const s of stock) {
      const e = this.bins.get(s.binId);
      if (!e || s.quantity <= 0) continue;
      e.bin.used += s.quantity;
      e.skus.set(s.variantId, (e.skus.get(s.variantId) ?? 0) + s.quantity);
      (this.holding.get(s.variantId) ?? this.holding.set(s.variantId, new Set()).get(s.variantId)!).add(s.binId);
    }
    for (const { bin } of [...this.bins.values()].sort((a, b) => nearest(a.bin, b.bin))) {
      if (bin.used === 0) (this.emptyByZone.get(bin.zoneKind) ?? this.emptyByZone.set(bin.zoneKind, []).get(bin.zoneKind)!).push(bin);
    }
  }

  /** Chooses a bin for the line and books the units into it; null when none fits. */
  place(variantId: string, item: PutawayItem): PutawayBin | null {
    const zones = targetZones(item);
    let chosen: PutawayBin | null = null;
    for (const id of this.holding.get(variantId) ?? []) {
      const b = this.bins.get(id)!.bin;
      if (zones.includes(b.zoneKind) && fits(b, item.quantity) && (!chosen || nearest(b, chosen) < 0)) chosen = b;
    }
    for (const zone of zones) {
      if (chosen) break;
      const list = this.emptyByZone.get(zone) ?? [];
      let i = this.cursor.get(zone) ?? 0;
      while (i < list.length && list[i]!.used > 0) i++;
      this.cursor.set(zone, i);
      for (let j = i; j < list.length; j++) {
        const b = list[j]!;
        if (b.used === 0 && fits(b, item.quantity)) {
          chosen = b;
          break;
        }
      }
    }
    if (!chosen) return null;
    const e = this.bins.get(chosen.id)!;
    e.bin.used += item.quantity;
    e.skus.set(variantId, (e.skus.get(variantId) ?? 0) + item.quantity);
    (this.holding.get(variantId) ?? this.holding.set(variantId, new Set()).get(variantId)!).add(chosen.id);
    return chosen;
  }
}
