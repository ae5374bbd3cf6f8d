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
import { parseArgs } from 'node:util';
import { parseWideCsv } from '../src/modules/planning/forecast/csv.js';
import { forecastSeries } from '../src/modules/planning/forecast/select.js';

function usage(msg?: string): never {
  if (msg) console.error(msg);
  console.error('usage: npm run forecast -- --train FILE [--horizon 13] [--origins n] [--period 52] [--json]');
  process.exit(2);
}

let flags;
try {
  flags = parseArgs({
    options: {
      train: { type: 'string' },
      horizon: { type: 'string', default: '13' },
      origins: { type: 'string' },
      period: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (e) {
  usage((e as Error).message);
}
if (flags.help) usage();
const file = flags.train;
const horizon = Number(flags.horizon);
const origins = flags.origins === undefined ? undefined : Number(flags.origins);
const period = flags.period === undefined ? undefined : Number(flags.period);
const json = flags.json;
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
