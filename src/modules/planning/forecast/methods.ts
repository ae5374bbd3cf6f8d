/**
 * Point forecasting methods for one series, as pure functions `(history, horizon) -> means`.
 * Smoothing parameters are fitted by minimising the in-sample one-step squared error (the
 * least-squares estimate of the additive-error ETS models in Hyndman & Athanasopoulos, FPP3 §8),
 * with the first observation as the initial level; the intermittent methods use the fixed
 * smoothing constants usual in the literature (0.1), because a handful of non-zero demands
 * cannot support an estimate.
 */
import { goldenSection, nelderMead } from './optimise.js';

export type Forecast = number[];

const repeat = (v: number, h: number): Forecast => new Array<number>(h).fill(v);

export function naive(y: readonly number[], h: number): Forecast {
  return repeat(y[y.length - 1], h);
}

/** The value of the same week one period (default 52 weeks) earlier; plain naive if the history is shorter. */
export function seasonalNaive(y: readonly number[], h: number, m = 52): Forecast {
  const n = y.length;
  if (n < m) return naive(y, h);
  return Array.from({ length: h }, (_, i) => y[n - m + (i % m)]);
}

/** Random walk with drift: the line through the first and the last observation, extended. */
export function drift(y: readonly number[], h: number): Forecast {
  const n = y.length;
  const slope = n > 1 ? (y[n - 1] - y[0]) / (n - 1) : 0;
  return Array.from({ length: h }, (_, i) => y[n - 1] + slope * (i + 1));
}

/** Level after simple exponential smoothing with `alpha` from the initial level y[0], and the SSE of the one-step errors. */
export function sesFilter(y: readonly number[], alpha: number): { level: number; sse: number } {
  let level = y[0];
  let sse = 0;
  for (let t = 1; t < y.length; t++) {
    const e = y[t] - level;
    sse += e * e;
    level += alpha * e;
  }
  return { level, sse };
}

export function fitSesAlpha(y: readonly number[]): number {
  if (y.length < 3) return 0.5;
  return goldenSection((a) => sesFilter(y, a).sse, 0.0001, 0.9999, 1e-4);
}

/** Simple exponential smoothing (ETS(A,N,N)): a flat forecast at the last smoothed level. */
export function ses(y: readonly number[], h: number, alpha = fitSesAlpha(y)): Forecast {
  return repeat(sesFilter(y, alpha).level, h);
}

export interface HoltParams {
  alpha: number;
  beta: number;
  phi: number;
}

/** Holt's linear method with damping phi (phi = 1: undamped); returns final level, trend and SSE. */
export function holtFilter(y: readonly number[], p: HoltParams): { level: number; trend: number; sse: number } {
  let level = y[0];
  let trend = y.length > 1 ? y[1] - y[0] : 0;
  let sse = 0;
  for (let t = 1; t < y.length; t++) {
    const f = level + p.phi * trend;
    const e = y[t] - f;
    sse += e * e;
    const newLevel = f + p.alpha * e;
    trend = p.phi * trend + p.alpha * p.beta * e;
    level = newLevel;
  }
  return { level, trend, sse };
}

/**
 * Fit Holt (damped when `damped`): beta is searched as a share of alpha (so beta <= alpha, the
 * usual admissible region) and phi in [0.8, 0.98] as in FPP3 and R's forecast::holt.
 */
export function fitHolt(y: readonly number[], damped: boolean): HoltParams {
  if (y.length < 4) return { alpha: 0.5, beta: 0.1, phi: damped ? 0.9 : 1 };
  const toParams = (x: number[]): HoltParams => ({ alpha: x[0], beta: x[1], phi: damped ? x[2] : 1 });
  const lo = damped ? [0.0001, 0.0001, 0.8] : [0.0001, 0.0001];
  const hi = damped ? [0.9999, 0.9999, 0.98] : [0.9999, 0.9999];
  const x0 = damped ? [0.5, 0.1, 0.9] : [0.5, 0.1];
  const best = nelderMead((x) => holtFilter(y, toParams(x)).sse, x0, lo, hi, { maxEvals: 200 });
  return toParams(best);
}

export function holtForecast(y: readonly number[], h: number, p: HoltParams): Forecast {
  const { level, trend } = holtFilter(y, p);
  const out: Forecast = [];
  let damp = 0;
  let phiK = 1;
  for (let i = 1; i <= h; i++) {
    phiK *= p.phi;
    damp += phiK;
    out.push(level + damp * trend);
  }
  return out;
}

/** Holt's linear trend method (undamped). */
export function holt(y: readonly number[], h: number): Forecast {
  return holtForecast(y, h, fitHolt(y, false));
}

/** Additive damped trend (ETS(A,Ad,N)). */
export function dampedHolt(y: readonly number[], h: number): Forecast {
  return holtForecast(y, h, fitHolt(y, true));
}

/**
 * The standard Theta method of the M4 benchmarks (Assimakopoulos & Nikolopoulos 2000, the code
 * "Theta.classic"): the least-squares line (theta = 0) extrapolated, averaged with equal weights
 * with the SES forecast of the theta = 2 line 2·y − line. Equivalent to SES with drift of half
 * the regression slope (Hyndman & Billah 2003).
 */
export function theta(y: readonly number[], h: number): Forecast {
  const n = y.length;
  if (n < 3) return naive(y, h);
  // least squares on t = 1..n
  const tMean = (n + 1) / 2;
  const yMean = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let t = 1; t <= n; t++) {
    sxy += (t - tMean) * (y[t - 1] - yMean);
    sxx += (t - tMean) ** 2;
  }
  const b = sxy / sxx;
  const a = yMean - b * tMean;
  const line2 = y.map((v, i) => 2 * v - (a + b * (i + 1)));
  const sesOut = ses(line2, h);
  return sesOut.map((s, i) => 0.5 * s + 0.5 * (a + b * (n + i + 1)));
}

function firstDemand(y: readonly number[]): number {
  return y.findIndex((v) => v > 0);
}

/**
 * Croston's method: SES (alpha) separately on the non-zero demand sizes and on the intervals
 * between them, updated only in periods with demand; forecast size / interval. `bias` = 1 − alpha/2
 * gives the Syntetos–Boylan approximation (SBA).
 */
export function croston(y: readonly number[], h: number, alpha = 0.1, bias = 1): Forecast {
  const first = firstDemand(y);
  if (first < 0) return repeat(0, h);
  let size = y[first];
  let interval = first + 1;
  let q = 1;
  for (let t = first + 1; t < y.length; t++) {
    if (y[t] > 0) {
      size += alpha * (y[t] - size);
      interval += alpha * (q - interval);
      q = 1;
    } else q++;
  }
  return repeat((bias * size) / interval, h);
}

export function sba(y: readonly number[], h: number, alpha = 0.1): Forecast {
  return croston(y, h, alpha, 1 - alpha / 2);
}

/**
 * Teunter–Syntetos–Babai: the demand probability is smoothed every period (beta), the size only
 * when there is demand (alpha); forecast probability × size. Unlike Croston it decays towards zero
 * while a product stops selling.
 */
export function tsb(y: readonly number[], h: number, alpha = 0.1, beta = 0.1): Forecast {
  const first = firstDemand(y);
  if (first < 0) return repeat(0, h);
  let size = y[first];
  let prob = 1 / (first + 1);
  for (let t = first + 1; t < y.length; t++) {
    const d = y[t] > 0 ? 1 : 0;
    prob += beta * (d - prob);
    if (d) size += alpha * (y[t] - size);
  }
  return repeat(prob * size, h);
}
