/**
 * The M4 competition's accuracy measures and its Naive2 benchmark, as its published R code
 * ("Benchmarks and Evaluation.R") computes them:
 *
 * - sMAPE = mean of 200·|y − f| / (|y| + |f|);
 * - MASE  = mean |y − f| over the in-sample mean |x_t − x_{t−m}|, m the series' frequency;
 * - OWA   = ½ (sMAPE / sMAPE(Naive2) + MASE / MASE(Naive2)), each averaged over all series first;
 * - Naive2 = the naive forecast of the seasonally adjusted series, re-seasonalised, where the
 *   adjustment is classical multiplicative decomposition applied only when the 90% autocorrelation
 *   test at lag m says the series is seasonal (and m > 1, and the series has 3·m points).
 *
 * M4 gives weekly series frequency 1 (its M4-info table), so for weekly data m = 1 in MASE and
 * Naive2 is the plain naive forecast. The test and the decomposition are written for any m because
 * the engine also uses them at m = 52 to deseasonalise candidate methods.
 */

export function smape(actual: readonly number[], forecast: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]) + Math.abs(forecast[i]);
    s += d === 0 ? 0 : (200 * Math.abs(actual[i] - forecast[i])) / d;
  }
  return s / actual.length;
}

/** In-sample mean absolute m-step difference: the MASE scale. */
export function maseScale(insample: readonly number[], m = 1): number {
  let s = 0;
  let n = 0;
  for (let t = m; t < insample.length; t++) {
    s += Math.abs(insample[t] - insample[t - m]);
    n++;
  }
  return n === 0 ? NaN : s / n;
}

export function mase(insample: readonly number[], actual: readonly number[], forecast: readonly number[], m = 1): number {
  const scale = maseScale(insample, m);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - forecast[i]);
  return s / actual.length / scale;
}

/** Overall weighted average of the mean sMAPE and mean MASE relative to Naive2's. */
export function owa(meanSmape: number, meanMase: number, naive2Smape: number, naive2Mase: number): number {
  return 0.5 * (meanSmape / naive2Smape + meanMase / naive2Mase);
}

/** Sample autocorrelations at lags 1..maxLag, as R's acf (denominator n, mean removed). */
export function acf(x: readonly number[], maxLag: number): number[] {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  let c0 = 0;
  for (const v of x) c0 += (v - mean) ** 2;
  const out: number[] = [];
  for (let k = 1; k <= maxLag; k++) {
    let ck = 0;
    for (let t = k; t < n; t++) ck += (x[t] - mean) * (x[t - k] - mean);
    out.push(c0 === 0 ? 0 : ck / c0);
  }
  return out;
}

/**
 * M4's SeasonalityTest: |r_m| > 1.645 · sqrt((1 + 2 Σ_{k<m} r_k²) / n), and false when the series
 * is shorter than 3·m. The autocorrelations are computed up to lag m itself (R's acf stops at
 * 10·log10(n) by default, which M4's own frequencies, at most 24, never exceed for series of 3·m).
 */
export function seasonalityTest(x: readonly number[], m: number): boolean {
  if (m <= 1 || x.length < 3 * m) return false;
  const r = acf(x, m);
  let s = 1;
  for (let k = 0; k < m - 1; k++) s += 2 * r[k] ** 2;
  return Math.abs(r[m - 1]) > (1.645 / Math.sqrt(x.length)) * Math.sqrt(s);
}

/**
 * Seasonal indices of R's decompose(type = "multiplicative"): centred moving average trend
 * (2×m for even m), ratios averaged per position in the cycle, normalised to mean 1. Index i
 * belongs to observation t with t mod m = i (t from 0).
 */
export function multiplicativeIndices(x: readonly number[], m: number): number[] {
  const n = x.length;
  const half = Math.floor(m / 2);
  const sums = new Array<number>(m).fill(0);
  const counts = new Array<number>(m).fill(0);
  for (let t = half; t < n - half; t++) {
    let tr: number;
    if (m % 2 === 0) {
      let s = 0.5 * x[t - half] + 0.5 * x[t + half];
      for (let k = t - half + 1; k < t + half; k++) s += x[k];
      tr = s / m;
    } else {
      let s = 0;
      for (let k = t - half; k <= t + half; k++) s += x[k];
      tr = s / m;
    }
    if (tr === 0 || !Number.isFinite(x[t] / tr)) continue;
    sums[t % m] += x[t] / tr;
    counts[t % m]++;
  }
  const fig = sums.map((s, i) => (counts[i] ? s / counts[i] : 1));
  const mean = fig.reduce((a, b) => a + b, 0) / m;
  return fig.map((f) => f / mean);
}

export interface SeasonalAdjustment {
  adjusted: number[];
  /** Factor to multiply the forecast at step h (1-based) by. */
  outFactor: (h: number) => number;
  seasonal: boolean;
}

/** M4's preprocessing: test at lag m, divide by the multiplicative indices when seasonal. */
export function seasonalAdjust(x: readonly number[], m: number): SeasonalAdjustment {
  if (!seasonalityTest(x, m) || x.some((v) => v <= 0)) return { adjusted: x.slice(), outFactor: () => 1, seasonal: false };
  const idx = multiplicativeIndices(x, m);
  const n = x.length;
  return {
    adjusted: x.map((v, t) => v / idx[t % m]),
    outFactor: (h) => idx[(n + h - 1) % m],
    seasonal: true,
  };
}

/** Naive2 as M4 computes it for a series of frequency m (m = 1 for weekly: plain naive). */
export function naive2(x: readonly number[], h: number, m = 1): number[] {
  const adj = seasonalAdjust(x, m);
  const last = adj.adjusted[adj.adjusted.length - 1];
  return Array.from({ length: h }, (_, i) => last * adj.outFactor(i + 1));
}

export interface ScoredCase {
  insample: readonly number[];
  actual: readonly number[];
  /** Forecasts per method name; Naive2 is computed here, not taken from this record. */
  forecasts: Record<string, readonly number[]>;
}

export interface MethodScore {
  smape: number;
  mase: number;
  owa: number;
}

/**
 * M4 scoring of several methods over many series: mean sMAPE and mean MASE per method over the
 * series, and OWA against Naive2 (frequency m, 1 for weekly). A method is scored only if every
 * series has a forecast for it. NAIVE2 is included in the result (its OWA is 1 by definition).
 */
export function scoreM4(cases: readonly ScoredCase[], m = 1): Record<string, MethodScore> {
  const names = new Set<string>(['NAIVE2']);
  for (const c of cases) for (const k of Object.keys(c.forecasts)) names.add(k);
  const sums: Record<string, { s: number; m: number; n: number }> = {};
  for (const c of cases) {
    const all: Record<string, readonly number[]> = { ...c.forecasts, NAIVE2: naive2(c.insample, c.actual.length, m) };
    for (const name of names) {
      const f = all[name];
      if (!f) continue;
      const acc = (sums[name] ??= { s: 0, m: 0, n: 0 });
      acc.s += smape(c.actual, f);
      acc.m += mase(c.insample, c.actual, f, m);
      acc.n++;
    }
  }
  const base = sums.NAIVE2;
  const out: Record<string, MethodScore> = {};
  for (const [name, acc] of Object.entries(sums)) {
    if (acc.n !== cases.length) continue;
    const s = acc.s / acc.n;
    const ma = acc.m / acc.n;
    out[name] = { smape: s, mase: ma, owa: owa(s, ma, base.s / base.n, base.m / base.n) };
  }
  return out;
}
