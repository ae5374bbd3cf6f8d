import { describe, expect, it } from 'vitest';
import { acf, mase, maseScale, multiplicativeIndices, naive2, owa, scoreM4, seasonalityTest, smape } from './m4.js';

describe('M4 measures', () => {
  it('sMAPE is the mean of 200|y-f|/(|y|+|f|)', () => {
    expect(smape([100, 200], [110, 180])).toBeCloseTo((2000 / 210 + 4000 / 380) / 2, 10);
    expect(smape([0], [0])).toBe(0);
  });

  it('MASE scales the mean absolute error by the in-sample naive error (m = 1 for weekly)', () => {
    expect(maseScale([1, 3, 2, 4])).toBeCloseTo(5 / 3, 12);
    expect(mase([1, 3, 2, 4], [5, 6], [4, 4])).toBeCloseTo(1.5 / (5 / 3), 12);
    expect(maseScale([1, 2, 3, 10, 11, 12], 3)).toBe(9);
  });

  it('OWA averages the two ratios to Naive2', () => {
    expect(owa(5, 1, 10, 4)).toBeCloseTo(0.5 * (0.5 + 0.25), 12);
  });

  it('scores a small synthetic case as computed by hand (the bench scoring path)', () => {
    // Series A: Naive2 = 13; X errs by 0 and 1. Series B: Naive2 = 95; X errs by 2 and 2.
    const scores = scoreM4([
      { insample: [10, 12, 11, 13], actual: [14, 15], forecasts: { X: [14, 14] } },
      { insample: [100, 90, 95], actual: [90, 100], forecasts: { X: [92, 98] } },
    ]);
    const naiveSmape = ((200 / 27 + 400 / 28) / 2 + (1000 / 185 + 1000 / 195) / 2) / 2;
    const naiveMase = (1.5 / (5 / 3) + 5 / 7.5) / 2;
    const xSmape = ((0 + 200 / 29) / 2 + (400 / 182 + 400 / 198) / 2) / 2;
    const xMase = (0.5 / (5 / 3) + 2 / 7.5) / 2;
    expect(scores.NAIVE2.smape).toBeCloseTo(naiveSmape, 10);
    expect(scores.NAIVE2.mase).toBeCloseTo(naiveMase, 10);
    expect(scores.NAIVE2.owa).toBeCloseTo(1, 12);
    expect(scores.X.smape).toBeCloseTo(xSmape, 10);
    expect(scores.X.mase).toBeCloseTo(xMase, 10);
    expect(scores.X.owa).toBeCloseTo(0.5 * (xSmape / naiveSmape + xMase / naiveMase), 10);
    expect(scores.X.owa).toBeCloseTo(0.353295, 5);
  });

  it('leaves out a method that some series lack', () => {
    const scores = scoreM4([
      { insample: [1, 2], actual: [3], forecasts: { X: [3], Y: [3] } },
      { insample: [1, 2], actual: [3], forecasts: { X: [3] } },
    ]);
    expect(Object.keys(scores).sort()).toEqual(['NAIVE2', 'X']);
  });
});

describe('M4 seasonality test and Naive2', () => {
  const pattern = [10, 20, 30, 20];
  const seasonal = Array.from({ length: 16 }, (_, t) => pattern[t % 4]);

  it('acf is computed as R does (denominator n)', () => {
    // x = 1,2,3: mean 2; c0 = 1 + 0 + 1 = 2; c1 = (2-2)(1-2) + (3-2)(2-2) = 0; c2 = (3-2)(1-2) = -1
    expect(acf([1, 2, 3], 2)).toEqual([0, -0.5]);
  });

  it('flags a repeating pattern at its period and never tests with m = 1 or fewer than 3m points', () => {
    expect(seasonalityTest(seasonal, 4)).toBe(true);
    expect(seasonalityTest(seasonal, 1)).toBe(false);
    expect(seasonalityTest(seasonal.slice(0, 11), 4)).toBe(false);
  });

  it('classical multiplicative indices recover the pattern over its mean', () => {
    const idx = multiplicativeIndices(seasonal, 4);
    [0.5, 1, 1.5, 1].forEach((v, i) => expect(idx[i]).toBeCloseTo(v, 12));
  });

  it('Naive2 re-seasonalises the last adjusted value; with m = 1 (weekly in M4) it is naive', () => {
    naive2(seasonal, 5, 4).forEach((v, i) => expect(v).toBeCloseTo([10, 20, 30, 20, 10][i], 10));
    expect(naive2([1, 5, 3], 3)).toEqual([3, 3, 3]);
  });
});
