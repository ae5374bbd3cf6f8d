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
