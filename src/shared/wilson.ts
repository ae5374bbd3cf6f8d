/**
 * The Wilson score interval of a binomial proportion (Wilson 1927; Brown, Cai & DasGupta 2001):
 * for `successes` out of `trials`, the proportions p whose score test at level z does not reject,
 *
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half-width = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n).
 *
 * Unlike p̂ ± z·√(p̂(1−p̂)/n) it stays inside [0, 1] and is wide for a handful of trials, which is
 * what makes "2 returns out of 3" not look like a 67% problem.
 *
 * Hand-written on purpose: the npm packages for it are an abandoned one that gives only the
 * lower bound (wilson-score) and one with z fixed at 1.96 (wilson-score-interval), neither typed;
 * the general statistics libraries (simple-statistics, jstat, @stdlib/stats-binomial-test) offer
 * other intervals (Clopper-Pearson) but not this one. Checked against scipy's
 * `binomtest(k, n).proportion_ci(method='wilson')` in the tests.
 */

/** z of a two-sided 95% interval: the 0.975 quantile of the standard normal. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** The Wilson score interval; [0, 0] when there were no trials. */
export function wilsonInterval(successes: number, trials: number, z: number = Z_95): Interval {
  if (!(trials > 0)) return { low: 0, high: 0 };
  if (successes < 0 || successes > trials) throw new RangeError(`wilsonInterval: ${successes} successes out of ${trials} trials`);
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At p̂ = 0 or 1 one bound is exactly 0 or 1; floating point would leave ±1e-17.
  return { low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === trials ? 1 : Math.min(1, centre + half) };
}
