/**
 * Forecasting benchmark on the M4 weekly dev series: forecast 13 weeks from each train row with
 * every candidate method and with the per-series selection (rolling-origin backtest on the train
 * row only), score against the test rows as M4 does (sMAPE, MASE with m = 1, OWA vs Naive2).
 *
 *   npm run bench:forecast [-- --data DIR] [--origins n] [--json file]
 *
 * DIR holds Weekly-train-dev.csv and Weekly-test-dev.csv: --data, else FORECAST_DATA, else
 * shared/data/forecast/m4-weekly in the `shared` folder beside the checkout. One thread, series one
 * after another.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseWideCsv } from '../../src/modules/planning/forecast/csv.js';
import { scoreM4, type ScoredCase } from '../../src/modules/planning/forecast/m4.js';
import { candidateForecasts, forecastSeries } from '../../src/modules/planning/forecast/select.js';

function usage(msg?: string): never {
  if (msg) console.error(msg);
  console.error('usage: npm run bench:forecast -- [--data DIR] [--origins n] [--json file]');
  process.exit(2);
}

let flags;
try {
  flags = parseArgs({
    options: { data: { type: 'string' }, origins: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }).values;
} catch (e) {
  usage((e as Error).message);
}
if (flags.help) usage();
const dir = flags.data ?? process.env.FORECAST_DATA ?? fileURLToPath(new URL('../../../shared/data/forecast/m4-weekly', import.meta.url));
const origins = flags.origins === undefined ? undefined : Number(flags.origins);
if (origins !== undefined && (!Number.isInteger(origins) || origins < 0)) usage('--origins must be a non-negative integer');
const jsonOut = flags.json;
for (const f of ['Weekly-train-dev.csv', 'Weekly-test-dev.csv']) {
  if (!existsSync(join(dir, f))) {
    console.error(`bench:forecast: no ${f} in ${dir}. Point --data DIR (or FORECAST_DATA) at a folder with the M4 weekly dev split (Weekly-train-dev.csv, Weekly-test-dev.csv).`);
    process.exit(2);
  }
}

const H = 13;
const train = parseWideCsv(readFileSync(join(dir, 'Weekly-train-dev.csv'), 'utf8'));
const test = new Map(parseWideCsv(readFileSync(join(dir, 'Weekly-test-dev.csv'), 'utf8')).map((s) => [s.id, s.values]));

const load = loadavg().map((l) => l.toFixed(2)).join(' ');
const started = performance.now();
const cases: ScoredCase[] = [];
const chosen: Record<string, number> = {};
let inside = 0;
let points = 0;
for (const s of train) {
  const actual = test.get(s.id);
  if (!actual || actual.length < H) throw new Error(`no test row of ${H} values for ${s.id}`);
  const sel = forecastSeries(s.values, { horizon: H, origins });
  const all = candidateForecasts(s.values, H);
  // the _SA variants exist only for seasonal series; elsewhere the method is its plain twin
  for (const base of ['SES', 'ETS_DAMPED', 'THETA', 'COMB']) all[`${base}_SA`] ??= all[base];
  chosen[sel.method] = (chosen[sel.method] ?? 0) + 1;
  for (let i = 0; i < H; i++) {
    points++;
    if (actual[i] >= sel.lower80[i] && actual[i] <= sel.upper80[i]) inside++;
  }
  cases.push({ insample: s.values, actual: actual.slice(0, H), forecasts: { ...all, SELECTED: sel.mean } });
}
const seconds = (performance.now() - started) / 1000;
const scores = scoreM4(cases, 1);

const rows = Object.entries(scores).sort((a, b) => a[1].owa - b[1].owa);
console.log(`M4 weekly dev: ${cases.length} series, horizon ${H}, ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
console.log('method            sMAPE    MASE     OWA');
for (const [name, s] of rows) console.log(`${name.padEnd(16)} ${s.smape.toFixed(3).padStart(7)} ${s.mase.toFixed(3).padStart(7)} ${s.owa.toFixed(3).padStart(7)}`);
console.log(`chosen: ${Object.entries(chosen).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`80% interval coverage of the selection: ${((100 * inside) / points).toFixed(1)}% of ${points} test points`);
console.log(`wall time ${seconds.toFixed(1)} s (single thread; load average at start ${load})`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ series: cases.length, horizon: H, seconds, scores, chosen, coverage80: inside / points }, null, 2));
