import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backtest, candidateForecasts, forecastSeries, INTERMITTENT_METHODS, isIntermittent } from './select.js';

describe('per-series selection by rolling-origin backtest', () => {
  it('a SKU with no history gets zeros, historyWeeks 0 and no backtest', () => {
    const f = forecastSeries([], { horizon: 3 });
    expect(f).toMatchObject({ historyWeeks: 0, mean: [0, 0, 0], lower80: [0, 0, 0], upper80: [0, 0, 0], backtest: null });
  });

  it('offers Croston, SBA and TSB only for series with zero weeks', () => {
    expect(Object.keys(candidateForecasts([0, 2, 0, 0, 1, 0, 3, 0], 2))).toEqual(expect.arrayContaining(['CROSTON', 'CROSTON_SBA', 'TSB']));
    expect(Object.keys(candidateForecasts([1, 2, 3, 4, 5, 6], 2))).not.toContain('CROSTON');
  });

  it('backtests from earlier origins only: the last origin ends one horizon before the end', () => {
    const y = Array.from({ length: 60 }, (_, t) => t + (t % 3));
    const bt = backtest(y, { horizon: 5, origins: 3 });
    expect(bt.origins).toBe(3);
    expect(bt.errors.NAIVE).toHaveLength(3);
    expect(bt.errors.NAIVE[0]).toHaveLength(5);
    // naive from origin 55 (last seen y[54] = 54 + 0) against y[55..59] = 56, 58, 57, 59, 61
    expect(bt.errors.NAIVE[0]).toEqual([2, 4, 3, 5, 7]);
  });

  it('picks a seasonal method for four years of a strong yearly pattern and beats naive in the backtest', () => {
    const y = Array.from({ length: 4 * 52 }, (_, t) => 100 + 40 * Math.sin((2 * Math.PI * t) / 52) + ((t * 7) % 5));
    const f = forecastSeries(y, { horizon: 13 });
    expect(f.method).toMatch(/SEASONAL_NAIVE|_SA$/);
    expect(f.backtest!.mase).toBeLessThan(f.backtest!.naiveMase);
    expect(f.backtest!.origins).toBe(4);
  });

  it('backtests a short history over a shorter horizon instead of falling back to naive', () => {
    const y = [3, 0, 0, 4, 0, 2, 0, 0, 5, 0, 1, 0, 0, 3, 0, 0, 2, 0, 4, 0, 0];
    const f = forecastSeries(y, { horizon: 8 });
    expect(f.backtest).not.toBeNull();
    expect(f.backtest!.origins).toBeGreaterThan(0);
    expect(Object.keys(f.candidates)).toEqual(expect.arrayContaining(['CROSTON', 'CROSTON_SBA', 'TSB']));
  });

  it('forecasts two years of intermittent demand near its mean rate (about 1 a week), not with naive', () => {
    // a sale of 4 to 6 units every fourth to sixth week, two years
    const y = Array.from({ length: 104 }, (_, t) => (t % 5 === 0 ? 4 + (t % 3) : 0));
    const f = forecastSeries(y, { horizon: 8 });
    expect(f.method).toMatch(/CROSTON|TSB|SES|COMB|THETA|ETS_DAMPED/);
    expect(f.method).not.toBe('NAIVE');
    for (const m of f.mean) expect(m).toBeGreaterThan(0.5);
    for (const m of f.mean) expect(m).toBeLessThan(2);
  });

  it('an intermittent series (ADI ≥ 1.32) chooses among Croston, SBA, TSB and SES even where naive scores a lower MASE with zeros', () => {
    // 3 to 5 units every fourth week: naive after a zero week forecasts 0 and wins on absolute error
    // (MASE ≈ 0.46 against ≈ 0.78 for TSB), which would tell stock planning the SKU needs nothing.
    const y = Array.from({ length: 40 }, (_, t) => (t % 4 === 0 ? 3 + (t % 3) : 0));
    expect(isIntermittent(y)).toBe(true);
    const f = forecastSeries(y, { horizon: 13 });
    expect(f.candidates.NAIVE).toBeLessThan(Math.min(f.candidates.CROSTON!, f.candidates.CROSTON_SBA!, f.candidates.TSB!, f.candidates.SES!));
    expect(INTERMITTENT_METHODS).toContain(f.method);
    expect(f.backtest!.mase).toBe(Math.min(...INTERMITTENT_METHODS.map((m) => f.candidates[m]!)));
    expect(f.backtest!.naiveMase).toBe(f.candidates.NAIVE);
    // 40 units over 40 weeks: about 1 a week.
    for (const m of f.mean) expect(m > 0.6 && m < 1.6).toBe(true);
  });

  it('too short an intermittent history for a backtest gets SBA, not a naive zero', () => {
    const f = forecastSeries([2, 0, 3, 0], { horizon: 3 });
    expect(f.backtest).toBeNull();
    expect(f.method).toBe('CROSTON_SBA');
    for (const m of f.mean) expect(m).toBeGreaterThan(0);
  });

  it('isIntermittent: ADI = weeks / weeks with demand ≥ 1.32; no demand or negative values are not', () => {
    expect(isIntermittent([1, 1, 1, 0])).toBe(true); // 4/3 = 1.333
    expect(isIntermittent([1, 1, 1, 1, 1, 1, 1, 0])).toBe(false); // 8/7 = 1.14
    expect(isIntermittent([0, 0, 0])).toBe(false);
    expect(isIntermittent([-1, 0, 0, 2])).toBe(false);
  });

  it('picks a trend method for a noisy line', () => {
    const y = Array.from({ length: 120 }, (_, t) => 50 + 2 * t + ((t * 13) % 7) - 3);
    expect(forecastSeries(y, { horizon: 13 }).method).toMatch(/DRIFT|HOLT|ETS_DAMPED|THETA|COMB/);
  });

  it('forecasts a constant series as that constant, with every candidate', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 1e5, noNaN: true }), fc.integer({ min: 1, max: 200 }), (c, n) => {
        const y = new Array<number>(n).fill(c);
        for (const f of Object.values(candidateForecasts(y, 4))) for (const v of f) expect(v).toBeCloseTo(c, 6);
        const r = forecastSeries(y, { horizon: 4 });
        for (const v of r.mean) expect(v).toBeCloseTo(c, 6);
      }),
      { numRuns: 40 },
    );
  });

  it('lower80 <= mean <= upper80 everywhere, and lower80 >= 0 for non-negative demand', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 0, maxLength: 150 }), fc.integer({ min: 1, max: 20 }), (y, h) => {
        const r = forecastSeries(y, { horizon: h });
        expect(r.mean).toHaveLength(h);
        r.mean.forEach((m, i) => {
          expect(Number.isFinite(m)).toBe(true);
          expect(r.lower80[i]).toBeLessThanOrEqual(m);
          expect(m).toBeLessThanOrEqual(r.upper80[i]);
          expect(r.lower80[i]).toBeGreaterThanOrEqual(0);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('intervals widen with the horizon', () => {
    const y = Array.from({ length: 80 }, (_, t) => 100 + ((t * 37) % 11));
    const r = forecastSeries(y, { horizon: 6 });
    for (let i = 1; i < 6; i++) expect(r.upper80[i] - r.lower80[i]).toBeGreaterThanOrEqual(r.upper80[i - 1] - r.lower80[i - 1]);
  });
});
