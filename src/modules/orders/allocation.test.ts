import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haversineKm } from '../../shared/geo.js';
import { planAllocation, type WarehouseStock } from './allocation.js';

const MSK = { lat: 55.7558, lng: 37.6173 };
const SPB = { lat: 59.9343, lng: 30.3351 };
const KZN = { lat: 55.7963, lng: 49.1088 };
const wh = (id: string, location: typeof MSK | null, stock: Record<string, number>, region?: string): WarehouseStock => ({
  warehouseId: id,
  location,
  region,
  countryCode: 'RU',
  available: new Map(Object.entries(stock)),
});

describe('haversine', () => {
  it('gives the known Moscow–Saint Petersburg distance (~634 km)', () => {
    expect(haversineKm(MSK, SPB)).toBeGreaterThan(630);
    expect(haversineKm(MSK, SPB)).toBeLessThan(640);
    expect(haversineKm(MSK, MSK)).toBe(0);
  });
});

describe('planAllocation', () => {
  const stock = [wh('msk', MSK, { a: 5, b: 5 }), wh('spb', SPB, { a: 5, b: 5 }), wh('kzn', KZN, { a: 1, c: 9 })];

  it('ships from the single nearest warehouse that has every line', () => {
    const toTver = { location: { lat: 56.86, lng: 35.9 }, countryCode: 'RU' };
    expect(planAllocation([{ variantId: 'a', quantity: 2 }, { variantId: 'b', quantity: 1 }], stock, toTver).parts).toEqual([
      { warehouseId: 'msk', lines: [{ variantId: 'a', quantity: 2 }, { variantId: 'b', quantity: 1 }] },
    ]);
    const toVyborg = { location: { lat: 60.71, lng: 28.75 }, countryCode: 'RU' };
    expect(planAllocation([{ variantId: 'a', quantity: 2 }], stock, toVyborg).parts[0]!.warehouseId).toBe('spb');
  });

  it('prefers a complete warehouse over a nearer partial one', () => {
    const toKazan = { location: KZN, countryCode: 'RU' };
    const plan = planAllocation([{ variantId: 'a', quantity: 2 }], stock, toKazan);
    expect(plan.parts.map((p) => p.warehouseId)).toEqual(['msk']);
  });

  it('splits into the fewest warehouses, nearest first, when none has everything', () => {
    const toKazan = { location: KZN, countryCode: 'RU' };
    const plan = planAllocation([{ variantId: 'a', quantity: 2 }, { variantId: 'c', quantity: 3 }], stock, toKazan);
    expect(plan.short).toEqual([]);
    expect(plan.parts).toEqual([
      { warehouseId: 'kzn', lines: [{ variantId: 'a', quantity: 1 }, { variantId: 'c', quantity: 3 }] },
      { warehouseId: 'msk', lines: [{ variantId: 'a', quantity: 1 }] },
    ]);
  });

  it('falls back to region and country when coordinates are unknown', () => {
    const noCoords = [wh('far', null, { a: 5 }, 'Moscow'), wh('near', null, { a: 5 }, 'Tatarstan')];
    expect(planAllocation([{ variantId: 'a', quantity: 1 }], noCoords, { region: 'tatarstan', countryCode: 'RU' }).parts[0]!.warehouseId).toBe('near');
  });

  it('reports what nobody can supply as short', () => {
    const plan = planAllocation([{ variantId: 'a', quantity: 20 }, { variantId: 'z', quantity: 1 }], stock, { countryCode: 'RU' });
    expect(plan.short).toEqual([
      { variantId: 'a', quantity: 9 },
      { variantId: 'z', quantity: 1 },
    ]);
  });

  it('never allocates more than available and conserves units (property)', () => {
    const arbStock = fc.array(fc.record({ a: fc.nat(6), b: fc.nat(6), c: fc.nat(6) }), { minLength: 1, maxLength: 10 });
    const arbLines = fc.array(fc.record({ variantId: fc.constantFrom('a', 'b', 'c'), quantity: fc.integer({ min: 1, max: 8 }) }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(arbStock, arbLines, (rows, lines) => {
        const ws = rows.map((r, i) => wh(`w${i}`, { lat: 50 + i, lng: 30 + i }, r));
        const plan = planAllocation(lines, ws, { location: { lat: 50, lng: 30 }, countryCode: 'RU' });
        const want = new Map<string, number>();
        for (const l of lines) want.set(l.variantId, (want.get(l.variantId) ?? 0) + l.quantity);
        for (const [v, q] of want) {
          const got = plan.parts.flatMap((p) => p.lines).filter((l) => l.variantId === v).reduce((s, l) => s + l.quantity, 0);
          const short = plan.short.find((s) => s.variantId === v)?.quantity ?? 0;
          expect(got + short).toBe(q);
        }
        for (const p of plan.parts) {
          const w = ws.find((x) => x.warehouseId === p.warehouseId)!;
          for (const l of p.lines) expect(l.quantity).toBeLessThanOrEqual(w.available.get(l.variantId) ?? 0);
        }
        // When one warehouse has everything, exactly one part.
        if (ws.some((w) => [...want].every(([v, q]) => (w.available.get(v) ?? 0) >= q))) expect(plan.parts.length).toBe(1);
      }),
    );
  });
});
