/**
 * ABC slotting, pure: classify SKUs by picks in a window (A: the SKUs making the top ~80% of
 * picks, B: the next ~15%, C: the rest), then recommend moves that bring A items not yet in
 * FAST_PICK into free FAST_PICK bins nearest to dispatch, freeing FAST_PICK bins held by C
 * items (moved to free BULK/PICK bins) when no free fast bin is left.
 */
import type { VelocityClass } from './putaway.js';

export interface SlotBin {
  id: string;
  zoneKind: string;
  distanceRank: number;
  pickSequence: number;
  capacityUnits: number | null;
}

export interface SlotStock {
  variantId: string;
  binId: string;
  quantity: number;
}

export interface SlotMove {
  variantId: string;
  velocityClass: VelocityClass;
  picksInWindow: number;
  fromBinId: string;
  toBinId: string;
  reason: string;
}

/** ABC classes by cumulative share of picks (ties broken by variant id for determinism). */
export function classify(picks: ReadonlyMap<string, number>): Map<string, VelocityClass> {
  const sorted = [...picks.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  const out = new Map<string, VelocityClass>();
  let before = 0;
  for (const [id, n] of sorted) {
    // A SKU belongs to the class in which its share starts: the top ~80% is A, the next ~15% B.
    const share = before / total;
    out.set(id, share < 0.8 ? 'A' : share < 0.95 ? 'B' : 'C');
    before += n;
  }
  for (const id of picks.keys()) if (!out.has(id)) out.set(id, 'C');
  return out;
}

const nearest = (a: SlotBin, b: SlotBin) => a.distanceRank - b.distanceRank || a.pickSequence - b.pickSequence;

export function recommendSlotting(picks: ReadonlyMap<string, number>, bins: readonly SlotBin[], stock: readonly SlotStock[]): SlotMove[] {
  const classes = classify(picks);
  const classOf = (v: string): VelocityClass => classes.get(v) ?? 'C';
  const binById = new Map(bins.map((b) => [b.id, b]));
  const occupied = new Set(stock.filter((s) => s.quantity > 0).map((s) => s.binId));
  const freeFast = bins.filter((b) => b.zoneKind === 'FAST_PICK' && !occupied.has(b.id)).sort(nearest);
  const freeSlow = bins.filter((b) => (b.zoneKind === 'BULK' || b.zoneKind === 'PICK') && !occupied.has(b.id)).sort(nearest);
  // C items sitting in fast bins; the nearest such bins are freed first.
  const evictable = stock
    .filter((s) => s.quantity > 0 && binById.get(s.binId)?.zoneKind === 'FAST_PICK' && classOf(s.variantId) === 'C')
    .sort((a, b) => nearest(binById.get(a.binId)!, binById.get(b.binId)!));
  const moves: SlotMove[] = [];
  const candidates = stock
    // Returned units in a RETURNS bin wait for inspection: they are not stock to re-slot.
    .filter((s) => s.quantity > 0 && classOf(s.variantId) === 'A' && !['FAST_PICK', 'RETURNS'].includes(binById.get(s.binId)?.zoneKind ?? ''))
    .filter((s) => !stock.some((o) => o.variantId === s.variantId && o.quantity > 0 && binById.get(o.binId)?.zoneKind === 'FAST_PICK'))
    .sort((a, b) => (picks.get(b.variantId) ?? 0) - (picks.get(a.variantId) ?? 0) || a.variantId.localeCompare(b.variantId));
  const seen = new Set<string>();
  for (const s of candidates) {
    if (seen.has(s.variantId)) continue;
    seen.add(s.variantId);
    let target = freeFast.shift();
    if (!target) {
      const victim = evictable.shift();
      const dest = victim && freeSlow.shift();
      if (!victim || !dest) break;
      moves.push({
        variantId: victim.variantId,
        velocityClass: 'C',
        picksInWindow: picks.get(victim.variantId) ?? 0,
        fromBinId: victim.binId,
        toBinId: dest.id,
        reason: `C item (${picks.get(victim.variantId) ?? 0} picks) frees fast-pick bin for a faster mover`,
      });
      target = binById.get(victim.binId)!;
    }
    const from = binById.get(s.binId)!;
    moves.push({
      variantId: s.variantId,
      velocityClass: 'A',
      picksInWindow: picks.get(s.variantId) ?? 0,
      fromBinId: s.binId,
      toBinId: target.id,
      reason: `A item (${picks.get(s.variantId) ?? 0} picks) in ${from.zoneKind}, distance rank ${from.distanceRank}; move to FAST_PICK rank ${target.distanceRank}`,
    });
  }
  return moves;
}
