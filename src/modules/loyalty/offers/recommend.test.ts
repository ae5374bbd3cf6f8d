/** The offers recommender and its offline evaluation (pure): hand-computed values and properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hitRates, tuneWeights, weightGrid } from './evaluate.js';
import { buildModel, mostPopular, recommend, type BasketLine, type ItemInfo } from './recommend.js';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const line = (orderId: string, variantId: string, at: Date, customerId: string | null = null): BasketLine => ({ orderId, customerId, variantId, at });

// Four baskets a day old: {A,B} twice, {A,C}, {D}.
const lines = [line('o1', 'A', ago(1)), line('o1', 'B', ago(1)), line('o2', 'A', ago(1)), line('o2', 'B', ago(1)), line('o3', 'A', ago(1)), line('o3', 'C', ago(1)), line('o4', 'D', ago(1))];
const items = new Map<string, ItemInfo>([
  ['A', { category: 'x', title: 'Alpha' }],
  ['B', { category: 'x', title: 'Beta' }],
  ['C', { category: 'y', title: 'Gamma' }],
  ['D', { category: 'y', title: 'Delta' }],
]);
const W = { coPurchase: 0.5, category: 0.3, popularity: 0.2 };

describe('buildModel', () => {
  it('counts baskets and gives the shrunk cosine: sim(A,B) = 2/√(3·2) · 2/(2+2), sim(A,C) = 1/√(3·1) · 1/(1+2)', () => {
    const m = buildModel(lines, NOW);
    expect(m.baskets).toBe(4);
    expect(Object.fromEntries(m.count)).toEqual({ A: 3, B: 2, C: 1, D: 1 });
    expect(m.similar.get('A')!.get('B')).toBeCloseTo((2 / Math.sqrt(6)) * 0.5, 12);
    expect(m.similar.get('B')!.get('A')).toBeCloseTo(0.408248290463863, 12);
    expect(m.similar.get('A')!.get('C')).toBeCloseTo((1 / Math.sqrt(3)) * (1 / 3), 12);
    expect(m.similar.get('D')).toBeUndefined();
    // Same age: popularity is the basket count over the largest.
    const pop = Object.fromEntries(m.popularity);
    expect(Object.keys(pop)).toEqual(['A', 'B', 'C', 'D']);
    [1, 2 / 3, 1 / 3, 1 / 3].forEach((x, i) => expect(Object.values(pop)[i]).toBeCloseTo(x, 12));
  });

  it('weights popularity by recency: a basket 30 days old counts half', () => {
    const m = buildModel([line('o1', 'A', NOW), line('o2', 'B', ago(30)), line('o3', 'B', ago(30))], NOW);
    expect(m.popularity.get('A')).toBe(1);
    expect(m.popularity.get('B')).toBeCloseTo(1, 12); // 2 × ½
  });
});

describe('recommend', () => {
  const model = buildModel(lines, NOW);

  it('blends co-purchase, category affinity and popularity (hand-computed) and names the largest part', () => {
    // Bought A 40 days ago. Popularity 1, 2/3, 1/3, 1/3 (sum 7/3; category x 5/3, y 2/3); co-purchase mass
    // B: sim(A,B) = 0.4082483, C: sim(A,C) = 0.1924501 (sum 0.6006984); affinity x = 1, y = 0.
    const offers = recommend({ model, items, history: [{ variantId: 'A', at: ago(40) }], now: NOW, first: 10, weights: W });
    expect(offers.map((o) => o.variantId)).toEqual(['B', 'A', 'C', 'D']);
    const sAB = 0.408248290463863;
    const sAC = 0.19245008972987526;
    expect(offers[0]!.score).toBeCloseTo(0.5 * (sAB / (sAB + sAC)) + 0.3 * (2 / 3 / (5 / 3)) + 0.2 * (2 / 3 / (7 / 3)), 10); // 0.5170
    expect(offers[0]!.score).toBeCloseTo(0.51695, 4);
    expect(offers[1]!.score).toBeCloseTo(0.3 * (1 / (5 / 3)) + 0.2 * (1 / (7 / 3)), 10); // A: 0.2657, not bought in the last 30 days
    expect(offers[2]!.score).toBeCloseTo(0.5 * (sAC / (sAB + sAC)) + 0.2 * (1 / 3 / (7 / 3)), 10); // 0.1888
    expect(offers[3]!.score).toBeCloseTo(0.2 / 7, 10);
    expect(offers.map((o) => o.reason)).toEqual(['Often bought with Alpha', 'You like x', 'Often bought with Alpha', 'Popular now']);
  });

  it('never offers what was bought in the last 30 days, nor what is out of stock', () => {
    const offers = recommend({ model, items, history: [{ variantId: 'A', at: ago(10) }], now: NOW, first: 10, weights: W, isAvailable: (v) => v !== 'C' });
    expect(offers.map((o) => o.variantId)).toEqual(['B', 'D']);
  });

  it('gives a customer with no history the popular ones, and cuts at `first`', () => {
    const offers = recommend({ model, items, history: [], now: NOW, first: 2, weights: W });
    expect(offers.map((o) => [o.variantId, o.reason])).toEqual([['A', 'Popular now'], ['B', 'Popular now']]);
    expect(offers[0]!.score).toBeCloseTo(0.2 * (3 / 7), 12);
    expect(offers[1]!.score).toBeCloseTo(0.2 * (2 / 7), 12);
  });

  it('mostPopular: by basket count, ties by id, minus the last 30 days', () => {
    expect(mostPopular(model, [], NOW, 10).map((o) => o.variantId)).toEqual(['A', 'B', 'C', 'D']);
    expect(mostPopular(model, [{ variantId: 'A', at: ago(10) }], NOW, 2).map((o) => o.variantId)).toEqual(['B', 'C']);
  });

  const arbitraryCase = fc.record({
    baskets: fc.array(fc.record({ items: fc.uniqueArray(fc.integer({ min: 0, max: 19 }), { minLength: 1, maxLength: 4 }), age: fc.integer({ min: 0, max: 120 }) }), { minLength: 1, maxLength: 60 }),
    history: fc.array(fc.record({ item: fc.integer({ min: 0, max: 19 }), age: fc.integer({ min: 0, max: 120 }) }), { maxLength: 10 }),
    outOfStock: fc.uniqueArray(fc.integer({ min: 0, max: 19 }), { maxLength: 8 }),
    first: fc.integer({ min: 1, max: 25 }),
  });
  const catalog = new Map<string, ItemInfo>(Array.from({ length: 20 }, (_, i) => [`v${i}`, { category: `c${i % 4}`, title: `T${i}` }]));
  type Case = { baskets: { items: number[]; age: number }[]; history: { item: number; age: number }[]; outOfStock: number[]; first: number };
  const inputOf = (c: Case) => {
    const ls = c.baskets.flatMap((b, i) => b.items.map((x) => line(`o${i}`, `v${x}`, ago(b.age))));
    const out = new Set(c.outOfStock.map((x) => `v${x}`));
    return {
      model: buildModel(ls, NOW),
      items: catalog,
      history: c.history.map((h) => ({ variantId: `v${h.item}`, at: ago(h.age) })),
      isAvailable: (v: string) => !out.has(v),
      now: NOW,
      first: c.first,
    };
  };

  it('property: never offers an excluded variant; scores descend; at most `first`', () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        const input = inputOf(c);
        const offers = recommend(input);
        const recent = new Set(c.history.filter((h) => h.age <= 30).map((h) => `v${h.item}`));
        for (const o of offers) {
          expect(recent.has(o.variantId)).toBe(false);
          expect(input.isAvailable(o.variantId)).toBe(true);
          expect(Number.isFinite(o.score)).toBe(true);
          expect(o.reason).toMatch(/^(Often bought with T\d+|You like c\d|Popular now)$/);
        }
        expect(offers.length).toBeLessThanOrEqual(c.first);
        for (let i = 1; i < offers.length; i++) expect(offers[i - 1]!.score).toBeGreaterThanOrEqual(offers[i]!.score);
        expect(new Set(offers.map((o) => o.variantId)).size).toBe(offers.length);
      }),
      { numRuns: 300 },
    );
  });

  it('property: deterministic (the same input gives the same offers, whatever the order of the history)', () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        const a = recommend(inputOf(c));
        expect(recommend(inputOf(c))).toEqual(a);
        const reversed = { ...inputOf(c) };
        reversed.history = [...reversed.history].reverse();
        expect(recommend(reversed).map((o) => o.variantId)).toEqual(a.map((o) => o.variantId));
      }),
      { numRuns: 200 },
    );
  });
});

describe('offline evaluation', () => {
  // X bought A 40 days before the split and B after it; A and B are bought together; D is as popular as A.
  const split = NOW;
  const hist = [
    line('o1', 'A', ago(50), 'c1'), line('o1', 'B', ago(50), 'c1'),
    line('o2', 'A', ago(45), 'c2'), line('o2', 'B', ago(45), 'c2'),
    line('o3', 'D', ago(20), 'c3'), line('o4', 'D', ago(20), 'c4'), line('o5', 'D', ago(20), 'c5'),
    line('o6', 'A', ago(40), 'X'),
    line('o7', 'B', new Date(split.getTime() + DAY), 'X'),
  ];

  it('hit-rate@1: co-purchase finds B for X, the most-popular baseline offers A (ties by id) and misses', () => {
    expect(hitRates(hist, items, split, new Date(split.getTime() + 15 * DAY), { k: 1, weights: { coPurchase: 1, category: 0, popularity: 0 } })).toEqual({ customers: 1, method: 1, baseline: 0, onlyMethod: 1, onlyBaseline: 0 });
    expect(hitRates(hist, items, split, new Date(split.getTime() + 15 * DAY), { k: 1, weights: { coPurchase: 0, category: 0, popularity: 1 } }).method).toBe(0);
  });

  it('tunes on the train part only: lines at or after trainEnd change nothing', () => {
    const end = ago(5);
    const a = tuneWeights(hist, items, end, { validationDays: 30, k: 1 });
    const b = tuneWeights([...hist, line('o9', 'C', ago(1), 'X'), line('o9', 'D', ago(1), 'X')], items, end, { validationDays: 30, k: 1 });
    expect(b).toEqual(a);
  });

  it('searches every blend of a 0.1 grid that sums to 1', () => {
    const g = weightGrid(0.1);
    expect(g).toHaveLength(66);
    for (const w of g) expect(w.coPurchase + w.category + w.popularity).toBeCloseTo(1, 12);
  });
});
