import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../../shared/money.js';
import { forecastSeries } from './forecast/select.js';
import {
  chooseMethod,
  demandFromForecast,
  eoq,
  reorderPolicy,
  roundToPack,
  safetyStock,
  suggestedOrderQuantity,
  validateReorderInput,
  zQuantile,
  type ReorderPolicyInput,
} from './reorder.js';

const fast = (over: Partial<ReorderPolicyInput> = {}): ReorderPolicyInput => ({
  demand: { meanWeekly: 100, sdWeekly: 20 },
  leadTime: { meanWeeks: 2, sdWeeks: 0.5 },
  reviewWeeks: 1,
  serviceLevel: 0.95,
  ...over,
});

describe('zQuantile (from @stdlib/stats-base-dists-normal-quantile)', () => {
  it('gives the textbook z values', () => {
    expect(zQuantile(0.5)).toBe(0);
    expect(zQuantile(0.95)).toBeCloseTo(1.644854, 6);
    expect(zQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(zQuantile(0.99)).toBeCloseTo(2.326348, 6);
  });
});

describe('reorder policy, worked examples (by hand)', () => {
  it('fast mover with lead-time variance: d=100, σd=20, L=2±0.5, R=1, p=0.95 → SS 101, ROP 301, S 401', () => {
    // V = (2+1)·20² + 100²·0.5² = 1200 + 2500 = 3700; √V = 60.828; z·√V = 1.644854·60.828 = 100.05 → 101.
    // ROP = 100·2 + 101 = 301; orderUpTo = 100·3 + 101 = 401.
    const p = reorderPolicy(fast());
    expect(p).toEqual({ safetyStock: 101, reorderPoint: 301, orderUpTo: 401, economicOrderQuantity: null, method: 'NORMAL' });
  });

  it('fast mover with a fixed lead time: d=50, σd=10, L=1, R=1, p=0.975 → SS 28, ROP 78, S 128', () => {
    // V = 2·100 = 200; √V = 14.142; 1.959964·14.142 = 27.72 → 28. ROP = 50 + 28; S = 100 + 28.
    const p = reorderPolicy(fast({ demand: { meanWeekly: 50, sdWeekly: 10 }, leadTime: { meanWeeks: 1, sdWeeks: 0 }, serviceLevel: 0.975 }));
    expect([p.safetyStock, p.reorderPoint, p.orderUpTo, p.method]).toEqual([28, 78, 128, 'NORMAL']);
  });

  it('slow mover without over-dispersion uses the Poisson: μ=2 over L+R, p=0.95 → quantile 5, SS 3, ROP 4, S 5', () => {
    // d=1, σd=0.5, L=1, R=1: μ = 2, V = 2·0.25 = 0.5 ≤ μ → Poisson(2).
    // CDF: 0.1353, 0.4060, 0.6767, 0.8571, 0.9473, 0.9834 → the 0.95 quantile is 5; SS = 5 − 2 = 3.
    const p = reorderPolicy(fast({ demand: { meanWeekly: 1, sdWeekly: 0.5 }, leadTime: { meanWeeks: 1, sdWeeks: 0 } }));
    expect([p.safetyStock, p.reorderPoint, p.orderUpTo, p.method]).toEqual([3, 4, 5, 'POISSON']);
  });

  it('over-dispersed slow mover uses the negative binomial: μ=2, V=8, p=0.9 → quantile 6, SS 4 (Poisson would give 2)', () => {
    // d=1, σd=2, L=1, R=1: μ = 2, V = 2·4 = 8. Moment fit p = μ/V = 0.25, r = μ²/(V−μ) = 2/3.
    // P(0) = 0.25^(2/3) = 0.3969, P(k+1) = P(k)·(k+r)/(k+1)·0.75: CDF 0.3969, 0.5953, 0.7193, 0.8020,
    // 0.8588, 0.8986, 0.9268 → the 0.9 quantile is 6; SS = 6 − 2 = 4. Poisson(2): quantile 4, SS 2.
    const input = fast({ demand: { meanWeekly: 1, sdWeekly: 2 }, leadTime: { meanWeeks: 1, sdWeeks: 0 }, serviceLevel: 0.9 });
    const ss = safetyStock(input);
    expect([ss.units, ss.method, ss.protectionMean, ss.protectionVariance]).toEqual([4, 'NEGATIVE_BINOMIAL', 2, 8]);
    expect(safetyStock(input, 'POISSON').units).toBe(2);
  });

  it('switches to the intermittent branch on the share of zero weeks even when the mean is large', () => {
    expect(chooseMethod({ meanWeekly: 20, sdWeekly: 30, zeroWeekShare: 0.5 }, 60, 2700)).toBe('NEGATIVE_BINOMIAL');
    expect(chooseMethod({ meanWeekly: 20, sdWeekly: 30, zeroWeekShare: 0.1 }, 60, 2700)).toBe('NORMAL');
    expect(chooseMethod({ meanWeekly: 3, sdWeekly: 1 }, 9, 3)).toBe('POISSON');
  });

  it('gives zero everywhere for an item with no demand (no history, zero forecast)', () => {
    const p = reorderPolicy(fast({ demand: { meanWeekly: 0, sdWeekly: 0 } }));
    expect([p.safetyStock, p.reorderPoint, p.orderUpTo]).toEqual([0, 0, 0]);
  });

  it('EOQ: D=1000/yr, S=100.00, unit cost 20.00 at 25%/yr (H=5.00) → √(2·1000·100/5) = 200', () => {
    expect(eoq(1000, money(10000, 'EUR'), money(2000, 'EUR'), 0.25)).toBe(200);
    expect(eoq(0, money(10000, 'EUR'), money(2000, 'EUR'), 0.25)).toBe(0);
    // Through the policy: d = 1000/52 per week is D = 1000 per year.
    const p = reorderPolicy(fast({ demand: { meanWeekly: 1000 / 52, sdWeekly: 5 }, orderingCost: money(10000, 'EUR'), unitCost: money(2000, 'EUR'), holdingCostRate: 0.25 }));
    expect(p.economicOrderQuantity).toBe(200);
  });

  it('rounds to the pack size and the MOQ: 23 in packs of 12 with MOQ 30 → 36; 50 in packs of 12 → 60; 0 → 0', () => {
    expect(roundToPack(23, 12, 30)).toBe(36);
    expect(roundToPack(50, 12, 1)).toBe(60);
    expect(roundToPack(48, 12, 1)).toBe(48);
    expect(roundToPack(0, 12, 30)).toBe(0);
  });

  it('suggests an order only at or below the reorder point: position 250 vs ROP 301, S 401, packs of 12, MOQ 24 → 156', () => {
    const policy = { reorderPoint: 301, orderUpTo: 401, economicOrderQuantity: null };
    expect(suggestedOrderQuantity({ position: 250, policy, packSize: 12, minOrderQuantity: 24 })).toBe(156); // 151 → 13 packs
    expect(suggestedOrderQuantity({ position: 302, policy, packSize: 12, minOrderQuantity: 24 })).toBe(0);
    // An EOQ larger than the gap sets the lot: 240 in packs of 12.
    expect(suggestedOrderQuantity({ position: 300, policy: { ...policy, economicOrderQuantity: 240 }, packSize: 12, minOrderQuantity: 24 })).toBe(240);
  });

  it("reads weekly demand from a forecast: mean of the means, σ = first week's upper 80% half-width / 1.2816", () => {
    // select.ts widens the interval as z·σ·√h: σ = 2 gives half-widths 2z, 2z·√2.
    const z = zQuantile(0.9);
    const d = demandFromForecast({ mean: [10, 20], upper80: [10 + 2 * z, 20 + 2 * z * Math.SQRT2] }, [0, 3, 0, 5]);
    expect(d.meanWeekly).toBe(15);
    expect(d.sdWeekly).toBeCloseTo(2, 12);
    expect(d.zeroWeekShare).toBe(0.5);
  });

  it('reads a real select.ts forecast back into the σ that made its interval', () => {
    const history = Array.from({ length: 60 }, (_, i) => 40 + ((i * 7) % 11) - 5);
    const f = forecastSeries(history, { horizon: 13 });
    const d = demandFromForecast(f, history);
    const sigma = (f.upper80[0] - f.mean[0]) / zQuantile(0.9);
    expect(d.sdWeekly).toBeCloseTo(sigma, 12);
    expect((f.upper80[12] - f.mean[12]) / zQuantile(0.9)).toBeCloseTo(sigma * Math.sqrt(13), 9);
    expect(d.zeroWeekShare).toBe(0);
  });
});

describe('validateReorderInput', () => {
  it('accepts a usable input', () => {
    expect(validateReorderInput({ serviceLevel: 0.95, leadTimeWeeks: 2, leadTimeSdWeeks: 0.3, reviewWeeks: 1, packSize: 6, minOrderQuantity: 12, orderingCost: money(500, 'EUR'), unitCost: money(200, 'EUR'), holdingCostRate: 0.2 })).toEqual([]);
  });

  it('returns one structured error per bad field', () => {
    const errors = validateReorderInput({
      serviceLevel: 0.5,
      leadTimeWeeks: -1,
      leadTimeSdWeeks: -0.1,
      holdingCostRate: -0.2,
      orderingCost: money(-1, 'EUR'),
      unitCost: money(200, 'USD'),
      packSize: 0,
      minOrderQuantity: 1.5,
    });
    expect(errors.map((e) => [e.field?.join('.'), e.code])).toEqual([
      ['input.serviceLevel', 'SERVICE_LEVEL_OUT_OF_RANGE'],
      ['input.leadTimeWeeks', 'NEGATIVE_VALUE'],
      ['input.leadTimeSdWeeks', 'NEGATIVE_VALUE'],
      ['input.holdingCostRate', 'NEGATIVE_VALUE'],
      ['input.orderingCost', 'NEGATIVE_COST'],
      ['input.orderingCost', 'CURRENCY_MISMATCH'],
      ['input.packSize', 'INVALID_QUANTITY'],
      ['input.minOrderQuantity', 'INVALID_QUANTITY'],
    ]);
  });

  it('rejects service levels at and beyond the open bounds (0.5, 0.999) and NaN', () => {
    for (const p of [0.5, 0.999, 1, 0.2, Number.NaN]) expect(validateReorderInput({ serviceLevel: p }).map((e) => e.code)).toEqual(['SERVICE_LEVEL_OUT_OF_RANGE']);
    expect(validateReorderInput({ serviceLevel: 0.9989 })).toEqual([]);
  });
});

const serviceLevel = fc.double({ min: 0.501, max: 0.998, noNaN: true });
const nonNeg = (max: number) => fc.double({ min: 0, max, noNaN: true });
const policyInput = fc.record({
  demand: fc.record({ meanWeekly: nonNeg(500), sdWeekly: nonNeg(200), zeroWeekShare: fc.option(nonNeg(1), { nil: undefined }) }),
  leadTime: fc.record({ meanWeeks: nonNeg(12), sdWeeks: nonNeg(4) }),
  reviewWeeks: nonNeg(4),
  serviceLevel,
});

describe('reorder policy properties (fast-check)', () => {
  it('a higher service level never lowers safety stock (either branch)', () => {
    fc.assert(
      fc.property(policyInput, serviceLevel, (input, other) => {
        const [lo, hi] = input.serviceLevel <= other ? [input.serviceLevel, other] : [other, input.serviceLevel];
        const a = safetyStock({ ...input, serviceLevel: lo });
        const b = safetyStock({ ...input, serviceLevel: hi });
        expect(a.method).toBe(b.method);
        expect(b.units).toBeGreaterThanOrEqual(a.units);
      }),
    );
  });

  it('zero demand variance and zero lead-time variance give zero safety stock, whichever branch (or forced method) applies', () => {
    fc.assert(
      fc.property(
        nonNeg(1000),
        nonNeg(12),
        nonNeg(4),
        serviceLevel,
        fc.option(nonNeg(1), { nil: undefined }),
        fc.constantFrom(undefined, 'NORMAL' as const, 'POISSON' as const, 'NEGATIVE_BINOMIAL' as const),
        (d, l, r, p, zeroWeekShare, method) => {
          const input = { demand: { meanWeekly: d, sdWeekly: 0, zeroWeekShare }, leadTime: { meanWeeks: l, sdWeeks: 0 }, reviewWeeks: r, serviceLevel: p };
          expect(safetyStock(input, method).units).toBe(0);
          // and through the policy the service uses: reorderPoint is just the expected demand over L
          const policy = reorderPolicy(input);
          expect(policy.safetyStock).toBe(0);
          expect(policy.reorderPoint).toBe(Math.max(0, Math.ceil(d * l - 1e-9)));
        },
      ),
    );
  });

  it('a slow mover with zero variance (2 a week, every week) gets no safety stock, where the Poisson alone would add 4', () => {
    // d = 2, σd = 0, L = 1, R = 1: μ = 4 < 10 → the count branch; V = 0. Poisson(4)'s 0.95 quantile is 8 → SS 4 if V were ignored.
    const input = fast({ demand: { meanWeekly: 2, sdWeekly: 0 }, leadTime: { meanWeeks: 1, sdWeeks: 0 } });
    expect(chooseMethod(input.demand, 4, 0)).toBe('POISSON');
    expect(reorderPolicy(input)).toMatchObject({ safetyStock: 0, reorderPoint: 2, orderUpTo: 4 });
    // Any variance at all brings the Poisson back: σd = 0.1 → V = 0.02 ≤ μ → SS 8 − 4 = 4.
    expect(reorderPolicy(fast({ demand: { meanWeekly: 2, sdWeekly: 0.1 }, leadTime: { meanWeeks: 1, sdWeeks: 0 } })).safetyStock).toBe(4);
  });

  it('orderUpTo ≥ reorderPoint ≥ safetyStock ≥ 0, all whole units', () => {
    fc.assert(
      fc.property(policyInput, (input) => {
        const p = reorderPolicy(input);
        for (const v of [p.safetyStock, p.reorderPoint, p.orderUpTo]) expect(Number.isInteger(v)).toBe(true);
        expect(p.safetyStock).toBeGreaterThanOrEqual(0);
        expect(p.reorderPoint).toBeGreaterThanOrEqual(p.safetyStock);
        expect(p.orderUpTo).toBeGreaterThanOrEqual(p.reorderPoint);
      }),
    );
  });

  it('the intermittent branch never returns negative stock', () => {
    fc.assert(
      fc.property(policyInput, fc.constantFrom('POISSON' as const, 'NEGATIVE_BINOMIAL' as const), (input, method) => {
        const ss = safetyStock(input, method);
        expect(ss.units).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(ss.units)).toBe(true);
      }),
    );
  });

  it('rounded quantities are multiples of the pack size and at least the MOQ', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 144 }), fc.integer({ min: 1, max: 1000 }), (q, pack, moq) => {
        const r = roundToPack(q, pack, moq);
        expect(r % pack).toBe(0);
        expect(r).toBeGreaterThanOrEqual(moq);
        expect(r).toBeGreaterThanOrEqual(q);
        expect(r - Math.max(q, moq)).toBeLessThan(pack);
      }),
    );
  });

  it('suggested orders raise the position to at least orderUpTo and respect pack and MOQ', () => {
    fc.assert(
      fc.property(policyInput, fc.integer({ min: -50, max: 5000 }), fc.integer({ min: 1, max: 48 }), fc.integer({ min: 1, max: 200 }), (input, position, pack, moq) => {
        const policy = reorderPolicy(input);
        const q = suggestedOrderQuantity({ position, policy, packSize: pack, minOrderQuantity: moq });
        if (position > policy.reorderPoint) expect(q).toBe(0);
        else {
          expect(q % pack).toBe(0);
          expect(q).toBeGreaterThanOrEqual(moq);
          expect(position + q).toBeGreaterThanOrEqual(policy.orderUpTo);
        }
      }),
    );
  });
});
