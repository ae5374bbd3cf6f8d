import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choosePutawayBin, isOversize, PutawayPlanner, type PutawayBin } from './putaway.js';
import { classify, recommendSlotting, type SlotBin } from './slotting.js';

const bin = (id: string, zoneKind: string, distanceRank: number, pickSequence: number, used = 0, holdsSku = 0, capacityUnits: number | null = 10): PutawayBin => ({
  id,
  zoneKind,
  distanceRank,
  pickSequence,
  capacityUnits,
  used,
  holdsSku,
});

describe('putaway', () => {
  const bins = [bin('f2', 'FAST_PICK', 0, 2), bin('f1', 'FAST_PICK', 0, 1), bin('p1', 'PICK', 1, 3), bin('b1', 'BULK', 2, 4), bin('o1', 'OVERSIZE', 3, 5), bin('r1', 'RECEIVING', 0, 0)];
  it('sends A to FAST_PICK, B to PICK, C to BULK, nearest first', () => {
    expect(choosePutawayBin({ velocity: 'A', oversize: false, quantity: 1 }, bins)!.id).toBe('f1');
    expect(choosePutawayBin({ velocity: 'B', oversize: false, quantity: 1 }, bins)!.id).toBe('p1');
    expect(choosePutawayBin({ velocity: 'C', oversize: false, quantity: 1 }, bins)!.id).toBe('b1');
    expect(choosePutawayBin({ velocity: 'C', oversize: true, quantity: 1 }, bins)!.id).toBe('o1');
  });
  it('prefers a bin already holding the SKU, within capacity, and never a receiving bin', () => {
    const withSku = [...bins, bin('b9', 'BULK', 2, 9, 3, 3)];
    expect(choosePutawayBin({ velocity: 'A', oversize: false, quantity: 5 }, withSku)!.id).toBe('b9');
    expect(choosePutawayBin({ velocity: 'A', oversize: false, quantity: 8 }, withSku)!.id).toBe('f1');
    expect(choosePutawayBin({ velocity: 'C', oversize: false, quantity: 11 }, bins)).toBeNull();
    expect(choosePutawayBin({ velocity: 'C', oversize: false, quantity: 1 }, [bin('r1', 'RECEIVING', 0, 0)])).toBeNull();
  });
  it('falls back to other storage zones when the class zone is full', () => {
    const full = [bin('f1', 'FAST_PICK', 0, 1, 10), bin('b1', 'BULK', 2, 4)];
    expect(choosePutawayBin({ velocity: 'A', oversize: false, quantity: 1 }, full)!.id).toBe('b1');
  });
  it('flags heavy or long items as oversize', () => {
    expect(isOversize({ weightGrams: 25_000, lengthMm: 10, widthMm: 10, heightMm: 10 })).toBe(true);
    expect(isOversize({ weightGrams: 100, lengthMm: 1200, widthMm: 10, heightMm: 10 })).toBe(true);
    expect(isOversize({ weightGrams: 100, lengthMm: null, widthMm: null, heightMm: null })).toBe(false);
  });
});

describe('PutawayPlanner', () => {
  it('places a sequence of lines exactly as choosePutawayBin would, line by line (property)', () => {
    const zones = ['FAST_PICK', 'PICK', 'BULK', 'OVERSIZE', 'RECEIVING'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ zone: fc.constantFrom(...zones), rank: fc.nat(4), cap: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }) }), { minLength: 1, maxLength: 25 }),
        fc.array(fc.record({ sku: fc.constantFrom('a', 'b', 'c', 'd'), qty: fc.integer({ min: 1, max: 12 }), velocity: fc.constantFrom('A', 'B', 'C') as fc.Arbitrary<'A' | 'B' | 'C'>, oversize: fc.boolean() }), { maxLength: 30 }),
        (binSpecs, lines) => {
          const bins = binSpecs.map((b, i) => bin(`b${i}`, b.zone, b.rank, i, 0, 0, b.cap));
          const planner = new PutawayPlanner(bins, []);
          const held = new Map<string, Map<string, number>>();
          const used = new Map<string, number>();
          for (const l of lines) {
            const view = bins.map((b) => ({ ...b, used: used.get(b.id) ?? 0, holdsSku: held.get(b.id)?.get(l.sku) ?? 0 }));
            const expected = choosePutawayBin({ velocity: l.velocity, oversize: l.oversize, quantity: l.qty }, view);
            const got = planner.place(l.sku, { velocity: l.velocity, oversize: l.oversize, quantity: l.qty });
            expect(got?.id ?? null).toBe(expected?.id ?? null);
            if (expected) {
              used.set(expected.id, (used.get(expected.id) ?? 0) + l.qty);
              const m = held.get(expected.id) ?? new Map<string, number>();
              m.set(l.sku, (m.get(l.sku) ?? 0) + l.qty);
              held.set(expected.id, m);
            }
          }
        },
      ),
    );
  });
});

describe('ABC slotting', () => {
  // 10 SKUs: v0 has 500 picks, v1 300, v2 100, v3 50, v4..v9 a few each.
  const picks = new Map<string, number>([['v0', 500], ['v1', 300], ['v2', 100], ['v3', 50], ['v4', 10], ['v5', 8], ['v6', 6], ['v7', 4], ['v8', 2], ['v9', 0]]);
  it('classifies the top ~80% of picks as A, the next ~15% as B, the rest C', () => {
    const c = classify(picks);
    expect(['v0', 'v1'].map((v) => c.get(v))).toEqual(['A', 'A']); // 500+300 = 816 of 980 picks
    // A SKU takes the class in which its picks start: v2 starts at 82%, v3 at 92% -> B; v4 at 97% -> C.
    expect(c.get('v2')).toBe('B');
    expect(c.get('v3')).toBe('B');
    expect(c.get('v4')).toBe('C');
    expect(c.get('v9')).toBe('C');
  });
  it('moves A items into free FAST_PICK bins nearest to dispatch, evicting C items when none is free', () => {
    const bins: SlotBin[] = [
      { id: 'F1', zoneKind: 'FAST_PICK', distanceRank: 0, pickSequence: 1, capacityUnits: null },
      { id: 'F2', zoneKind: 'FAST_PICK', distanceRank: 0, pickSequence: 2, capacityUnits: null },
      { id: 'B1', zoneKind: 'BULK', distanceRank: 3, pickSequence: 10, capacityUnits: null },
      { id: 'B2', zoneKind: 'BULK', distanceRank: 3, pickSequence: 11, capacityUnits: null },
      { id: 'B3', zoneKind: 'BULK', distanceRank: 3, pickSequence: 12, capacityUnits: null },
    ];
    const stock = [
      { variantId: 'v0', binId: 'B1', quantity: 50 },
      { variantId: 'v1', binId: 'B2', quantity: 50 },
      { variantId: 'v8', binId: 'F1', quantity: 5 },
    ];
    const moves = recommendSlotting(picks, bins, stock);
    expect(moves.map((m) => [m.variantId, m.velocityClass, m.fromBinId, m.toBinId])).toEqual([
      ['v0', 'A', 'B1', 'F2'],
      ['v8', 'C', 'F1', 'B3'],
      ['v1', 'A', 'B2', 'F1'],
    ]);
    expect(moves.every((m) => m.reason.length > 10)).toBe(true);
  });
  it('never recommends moving returned units out of a RETURNS bin (they wait for inspection)', () => {
    const bins: SlotBin[] = [
      { id: 'F1', zoneKind: 'FAST_PICK', distanceRank: 0, pickSequence: 1, capacityUnits: null },
      { id: 'R1', zoneKind: 'RETURNS', distanceRank: 4, pickSequence: 9, capacityUnits: null },
    ];
    expect(recommendSlotting(picks, bins, [{ variantId: 'v0', binId: 'R1', quantity: 3 }])).toEqual([]);
  });
  it('recommends nothing when A items are already fast', () => {
    const bins: SlotBin[] = [{ id: 'F1', zoneKind: 'FAST_PICK', distanceRank: 0, pickSequence: 1, capacityUnits: null }];
    expect(recommendSlotting(picks, bins, [{ variantId: 'v0', binId: 'F1', quantity: 1 }])).toEqual([]);
  });
});
