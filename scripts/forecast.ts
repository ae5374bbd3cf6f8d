/**
 * Forecast every series of a wide CSV (M4 layout: header row, then id, values...).
 *
 *   npm run forecast -- --train FILE [--horizon 13] [--origins n] [--period 52] [--json]
 *
 * Prints per series the chosen method, its backtest MASE against naive's, and the mean forecast
 * with its 80% interval. With --json it prints one JSON object per line per series instead.
 * --period is the seasonal cycle in observations (52 for weekly data, 12 for monthly).
 */
import { readFileSync } from 'node:fs';
import { parseWideCsv } from '../src/modules/planning/forecast/csv.js';
import { forecastSeries } from '../src/modules/planning/forecast/select.js';

function usage(msg?: string): never {
  if (msg) console.error(msg);
  console.error('usage: npm run forecast -- --train FILE [--horizon 13] [--origins n] [--period 52] [--json]');
  process.exit(2);
}

const args = process.argv.slice(2);
let file: string | undefined;
let horizon = 13;
let origins: number | undefined;
let period: number | undefined;
let json = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const val = (): string => {
    const v = args[++i];
    if (v === undefined) usage(`missing value for ${a}`);
    return v;
  };
  if (a === '--train') file = val();
  else if (a === '--horizon') horizon = Number(val());
  else if (a === '--origins') origins = Number(val());
  else if (a === '--period') period = Number(val());
  else if (a === '--json') json = true;
  else usage(a === '--help' || a === '-h' ? undefined : `unknown argument ${a}`);
}
if (!file) usage('missing --train FILE');
if (!Number.isInteger(horizon) || horizon < 1) usage('--horizon must be a positive integer');
if (origins !== undefined && (!Number.isInteger(origins) || origins < 0)) usage('--origins must be a non-negative integer');
if (period !== undefined && (!Number.isInteger(period) || period < 1)) usage('--period must be a positive integer (52 for weekly data)');

// `npm run forecast -- ... | head` closes the pipe early: stop quietly instead of an EPIPE trace
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const round = (v: number): number => Math.round(v * 1e4) / 1e4;
for (const s of parseWideCsv(readFileSync(file, 'utf8'))) {
  const f = forecastSeries(s.values, { horizon, origins, period });
  if (json) {
    console.log(
      JSON.stringify({
        id: s.id,
        method: f.method,
        historyWeeks: f.historyWeeks,
        backtest: f.backtest,
        mean: f.mean.map(round),
        lower80: f.lower80.map(round),
        upper80: f.upper80.map(round),
      }),
    );
  } else {
    const bt = f.backtest ? `backtest MASE ${f.backtest.mase.toFixed(3)} (naive ${f.backtest.naiveMase.toFixed(3)}, ${f.backtest.origins} origins)` : 'no backtest';
    console.log(`${s.id}  ${f.method}  ${f.historyWeeks} weeks  ${bt}`);
    console.log(`  ${f.mean.map((m, i) => `${m.toFixed(2)} [${f.lower80[i].toFixed(2)}, ${f.upper80[i].toFixed(2)}]`).join('  ')}`);
  }
}
