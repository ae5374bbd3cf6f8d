import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { croston, drift, fitSesAlpha, holtForecast, naive, sba, seasonalNaive, ses, theta, tsb } from './methods.js';
import { goldenSection, nelderMead } from './optimise.js';

describe('forecasting methods against hand-computed values', () => {
  it('naive, seasonal naive and drift', () => {
    expect(naive([1, 2, 7], 2)).toEqual([7, 7]);
    expect(seasonalNaive([1, 2, 3, 4, 5], 5, 3)).toEqual([3, 4, 5, 3, 4]);
    expect(seasonalNaive([1, 2], 2, 3)).toEqual([2, 2]);
    expect(drift([1, 3, 2, 7], 2)).toEqual([9, 11]);
  });

  it('SES with alpha 0.5 from level y0: 3 -> 4 -> 6.5', () => {
    expect(ses([3, 5, 9], 2, 0.5)).toEqual([6.5, 6.5]);
  });

  it('SES fits alpha near 1 for a random walk and near 0 for noise around a constant', () => {
    const walk = [10, 12, 15, 14, 18, 21, 20, 25, 27, 26, 30, 33];
    expect(fitSesAlpha(walk)).toBeGreaterThan(0.9);
    const noise = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 10];
    expect(fitSesAlpha(noise)).toBeLessThan(0.2);
  });

  it('Holt undamped continues an exact line; damped (phi 0.5) matches the recursion by hand', () => {
    expect(holtForecast([1, 3, 5], 2, { alpha: 0.5, beta: 0.5, phi: 1 })).toEqual([7, 9]);
    // l=1 b=2; t1: f=2 e=1 l=2.5 b=1.25; t2: f=3.125 e=1.875 l=4.0625 b=1.09375
    const f = holtForecast([1, 3, 5], 2, { alpha: 0.5, beta: 0.5, phi: 0.5 });
    expect(f[0]).toBeCloseTo(4.0625 + 0.5 * 1.09375, 12);
    expect(f[1]).toBeCloseTo(4.0625 + 0.75 * 1.09375, 12);
  });

  it('Theta: the forecast rises by half the regression slope per step (0.9 / 2 for 1,2,4,3,5)', () => {
    const f = theta([1, 2, 4, 3, 5], 3);
    expect(f[1] - f[0]).toBeCloseTo(0.45, 12);
    expect(f[2] - f[1]).toBeCloseTo(0.45, 12);
  });

  it('Croston, SBA and TSB (alpha = beta = 0.1) by hand', () => {
    // first demand 3 after an interval of 3; next demand 6 after 3 weeks: size 3.3, interval 3
    expect(croston([0, 0, 3, 0, 0, 6], 1)[0]).toBeCloseTo(1.1, 12);
    expect(sba([0, 0, 3, 0, 0, 6], 1)[0]).toBeCloseTo(1.1 * 0.95, 12);
    // prob 1/3 -> 0.3 (no demand) -> 0.37 (demand); size 3 -> 2.9
    expect(tsb([0, 0, 3, 0, 2], 1)[0]).toBeCloseTo(0.37 * 2.9, 12);
    expect(croston([0, 0, 0], 2)).toEqual([0, 0]);
    expect(tsb([0, 0], 1)).toEqual([0]);
  });
});

describe('forecasting method properties', () => {
  const demand = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 500 })), { minLength: 1, maxLength: 120 });

  it('intermittent methods forecast non-negative demand no larger than the largest demand', () => {
    fc.assert(
      fc.property(demand, fc.integer({ min: 1, max: 20 }), (y, h) => {
        const max = Math.max(...y);
        for (const f of [croston(y, h), sba(y, h), tsb(y, h)]) {
          expect(f).toHaveLength(h);
          for (const v of f) expect(v >= 0 && v <= max + 1e-9).toBe(true);
        }
      }),
    );
  });

  it('SES forecasts lie within the range of the history', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 80 }), (y) => {
        const [v] = ses(y, 1);
        expect(v).toBeGreaterThanOrEqual(Math.min(...y) - 1e-6);
        expect(v).toBeLessThanOrEqual(Math.max(...y) + 1e-6);
      }),
    );
  });
});

describe('optimisers', () => {
  it('golden section finds the minimum of a parabola', () => {
    expect(goldenSection((x) => (x - 0.3) ** 2, 0, 1, 1e-6)).toBeCloseTo(0.3, 5);
  });

  it('Nelder–Mead finds an interior minimum and respects the box', () => {
    const inner = nelderMead((x) => (x[0] - 0.2) ** 2 + (x[1] - 0.7) ** 2, [0.5, 0.5], [0, 0], [1, 1], { maxEvals: 500 });
    expect(inner[0]).toBeCloseTo(0.2, 3);
    expect(inner[1]).toBeCloseTo(0.7, 3);
    const edge = nelderMead((x) => (x[0] - 2) ** 2, [0.5], [0], [1], { maxEvals: 200 });
    expect(edge[0]).toBeCloseTo(1, 6);
  });
});
