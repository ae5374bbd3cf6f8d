/**
 * Per-series method selection by rolling-origin backtest, and the forecast with its 80% interval.
 *
 * Candidates: naive, seasonal naive (52 weeks), drift, SES, Holt, damped Holt (ETS_DAMPED), Theta,
 * COMB (mean of SES, damped Holt and Theta); when M4's autocorrelation test finds yearly
 * seasonality (lag 52, at least three years of history) also SES, damped Holt, Theta and COMB on
 * the seasonally adjusted series (suffix _SA); when the series has zero weeks, Croston, SBA and TSB.
 * The backtest forecasts from `origins` earlier ends of the history, `stride` weeks apart, each
 * `horizon` weeks ahead (at most a third of the history), scores MASE (scale: the in-sample naive
 * error up to that origin) and picks the lowest mean; ties go to the simpler method (naive first).
 *
 * Intermittent series (average inter-demand interval ADI ≥ 1.32 weeks, the cut-off of Syntetos,
 * Boylan & Croston 2005) choose only among Croston, SBA, TSB and SES, the methods that categorisation
 * recommends for them. The others are still backtested (NAIVE gives naiveMase) but not chosen: an
 * absolute error is minimised by the median, which is 0 for such a series, so by MASE a forecast of
 * zeros (naive after a zero week, seasonal naive, a trend run into the floor) often "wins" — and a
 * zero forecast would tell stock planning the SKU needs no stock at all.
 *
 * The 80% interval: the backtest errors of the chosen method give σ with σ_h = σ·√h (the random-
 * walk growth of the error; fitted by least squares over all origins and steps), ±1.2816·σ_h.
 * Without backtest errors (short history), σ is the in-sample one-step naive error's RMS.
 * A history without negative values (demand) gets means and lower bounds clamped at 0.
 */
import { maseScale, seasonalAdjust } from './m4.js';
import { croston, dampedHolt, drift, holt, naive, sba, seasonalNaive, ses, theta, tsb } from './methods.js';

export const YEAR_WEEKS = 52;
/** Average inter-demand interval (weeks per week with demand) at or above which a series is intermittent. */
export const INTERMITTENT_ADI = 1.32;
/** The methods an intermittent series chooses from. */
export const INTERMITTENT_METHODS: readonly string[] = ['CROSTON', 'CROSTON_SBA', 'TSB', 'SES'];

/** Whether a non-negative series is intermittent: ADI = weeks / weeks with demand ≥ INTERMITTENT_ADI (any demand at all). */
export function isIntermittent(y: readonly number[]): boolean {
  if (!y.every((v) => v >= 0)) return false;
  const nonZero = y.filter((v) => v > 0).length;
  return nonZero > 0 && y.length / nonZero >= INTERMITTENT_ADI;
}
const Z80 = 1.2815515655446004;

export interface ForecastOptions {
  horizon: number;
  /** Backtest origins (default 4). */
  origins?: number;
  /** Weeks between origins (default: the horizon). */
  stride?: number;
  /** Seasonal period for seasonal naive and the seasonal adjustment (default 52). */
  period?: number;
}

export interface ForecastResult {
  /** The chosen candidate's name; NONE for an empty history (zeros). */
  method: string;
  historyWeeks: number;
  mean: number[];
  lower80: number[];
  upper80: number[];
  backtest: { mase: number; naiveMase: number; origins: number } | null;
  /** Mean backtest MASE of every candidate, for reports. */
  candidates: Record<string, number>;
}

/** Forecasts of every candidate for one history (base fits shared by the combinations). */
export function candidateForecasts(y: readonly number[], h: number, period = YEAR_WEEKS): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  out.NAIVE = naive(y, h);
  if (y.length < 4) return out;
  out.SEASONAL_NAIVE = seasonalNaive(y, h, period);
  out.DRIFT = drift(y, h);
  const smooth = (x: readonly number[], suffix: string, factor: (i: number) => number): void => {
    const s = ses(x, h);
    const d = dampedHolt(x, h);
    const t = theta(x, h);
    const f = (v: number[]): number[] => v.map((u, i) => u * factor(i + 1));
    out[`SES${suffix}`] = f(s);
    out[`ETS_DAMPED${suffix}`] = f(d);
    out[`THETA${suffix}`] = f(t);
    out[`COMB${suffix}`] = f(s.map((_, i) => (s[i] + d[i] + t[i]) / 3));
  };
  smooth(y, '', () => 1);
  out.HOLT = holt(y, h);
  const adj = seasonalAdjust(y, period);
  if (adj.seasonal) smooth(adj.adjusted, '_SA', adj.outFactor);
  if (y.some((v) => v === 0) && y.every((v) => v >= 0)) {
    out.CROSTON = croston(y, h);
    out.CROSTON_SBA = sba(y, h);
    out.TSB = tsb(y, h);
  }
  return out;
}

function meanAbs(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

export interface Backtest {
  /** Mean MASE per candidate over the origins where it was a candidate. */
  mase: Record<string, number>;
  /** Backtest errors (actual − forecast) per candidate, per origin, per step. */
  errors: Record<string, number[][]>;
  origins: number;
}

/** Rolling-origin backtest of every candidate on the history alone. */
export function backtest(y: readonly number[], opts: ForecastOptions): Backtest {
  // A short history (a store's first months) is still backtested, over a shorter horizon: at most
  // a third of the history, so that origins with 8+ weeks of training data exist.
  const h = Math.max(1, Math.min(opts.horizon, Math.floor(y.length / 3)));
  const stride = opts.stride ?? h;
  const maxOrigins = opts.origins ?? 4;
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const errors: Record<string, number[][]> = {};
  let origins = 0;
  for (let k = 0; k < maxOrigins; k++) {
    const end = y.length - h - k * stride;
    if (end < 8) break;
    const train = y.slice(0, end);
    const actual = y.slice(end, end + h);
    const scale = maseScale(train, 1);
    if (!(scale > 0)) continue;
    origins++;
    for (const [name, f] of Object.entries(candidateForecasts(train, actual.length, opts.period))) {
      sums[name] = (sums[name] ?? 0) + meanAbs(actual, f) / scale;
      counts[name] = (counts[name] ?? 0) + 1;
      (errors[name] ??= []).push(actual.map((a, i) => a - f[i]));
    }
  }
  const mase: Record<string, number> = {};
  // only candidates scored at every origin compete, so a method is not chosen on fewer, easier origins
  for (const name of Object.keys(sums)) if (counts[name] === origins) mase[name] = sums[name] / counts[name];
  return { mase, errors, origins };
}

/** σ of σ_h = σ·√h fitted to backtest errors: σ² = mean of e²/h. */
function sigmaFromErrors(errs: number[][]): number {
  let s = 0;
  let n = 0;
  for (const row of errs)
    row.forEach((e, i) => {
      s += (e * e) / (i + 1);
      n++;
    });
  return n ? Math.sqrt(s / n) : NaN;
}

/** Choose a method for the series by backtest and forecast `horizon` steps with an 80% interval. */
export function forecastSeries(y: readonly number[], opts: ForecastOptions): ForecastResult {
  const h = opts.horizon;
  const nonNegative = y.every((v) => v >= 0);
  if (y.length === 0) {
    const z = new Array<number>(h).fill(0);
    return { method: 'NONE', historyWeeks: 0, mean: z, lower80: z, upper80: z, backtest: null, candidates: {} };
  }
  const bt = backtest(y, opts);
  const intermittent = isIntermittent(y);
  const ranked = Object.entries(bt.mase)
    .filter(([name]) => !intermittent || INTERMITTENT_METHODS.includes(name))
    .sort((a, b) => a[1] - b[1]);
  const all = candidateForecasts(y, h, opts.period);
  // Without a backtest (too short a history): naive, or SBA for an intermittent series (see the module doc).
  const method = ranked.length ? ranked[0][0] : intermittent && all.CROSTON_SBA ? 'CROSTON_SBA' : 'NAIVE';
  let mean = all[method] ?? all.NAIVE;
  if (nonNegative) mean = mean.map((v) => Math.max(0, v));
  let sigma = bt.errors[method] ? sigmaFromErrors(bt.errors[method]) : NaN;
  if (!Number.isFinite(sigma)) {
    let s = 0;
    for (let t = 1; t < y.length; t++) s += (y[t] - y[t - 1]) ** 2;
    sigma = y.length > 1 ? Math.sqrt(s / (y.length - 1)) : 0;
  }
  const half = mean.map((_, i) => Z80 * sigma * Math.sqrt(i + 1));
  const lower80 = mean.map((m, i) => (nonNegative ? Math.max(0, m - half[i]) : m - half[i]));
  const upper80 = mean.map((m, i) => m + half[i]);
  return {
    method,
    historyWeeks: y.length,
    mean,
    lower80,
    upper80,
    backtest: ranked.length ? { mase: bt.mase[method], naiveMase: bt.mase.NAIVE, origins: bt.origins } : null,
    candidates: bt.mase,
  };
}
