/**
 * Solve one VRP instance from the command line.
 *
 *   npm run vrp -- <instance path> [--time-limit ms] [--seed n]
 *                  [--objective hierarchical|distance] [--iterations n] [--json]
 *
 * Solomon (.txt) and CVRPLIB (.vrp) files are detected by content. With
 * --json the last line printed is exactly one JSON object with routes given
 * as the customer numbers of the file (depot excluded).
 */
import { loadConfig } from '../src/config.js';
import { readInstanceFile } from '../src/modules/routing/solver/instance.js';
import { solve, type Objective } from '../src/modules/routing/solver/solver.js';
import { verifySolution } from '../src/modules/routing/solver/verify.js';

function usage(msg?: string): never {
  if (msg) console.error(msg);
  console.error(
    'usage: npm run vrp -- <instance> [--time-limit ms] [--seed n] [--objective hierarchical|distance] [--iterations n] [--json]',
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let file: string | undefined;
let timeLimitMs: number | undefined;
let maxIterations: number | undefined;
let seed = 1;
let objective: Objective | undefined;
let json = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const val = (): string => {
    const v = args[++i];
    if (v === undefined) usage(`missing value for ${a}`);
    return v;
  };
  if (a === '--time-limit') timeLimitMs = Number(val());
  else if (a === '--seed') seed = Number(val());
  else if (a === '--iterations') maxIterations = Number(val());
  else if (a === '--objective') {
    const o = val();
    if (o !== 'hierarchical' && o !== 'distance') usage(`bad objective ${o}`);
    objective = o;
  } else if (a === '--json') json = true;
  else if (a === '--help' || a === '-h') usage();
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else file = a;
}
if (!file) usage('missing instance path');

const inst = readInstanceFile(file);
// CVRPLIB reference values are distance-only; Solomon's usual table is hierarchical.
const obj: Objective = objective ?? (inst.format === 'cvrplib' ? 'distance' : 'hierarchical');
const trace = loadConfig({ VRP_TRACE: process.env.VRP_TRACE }).VRP_TRACE;
const res = solve(inst, { objective: obj, timeLimitMs, maxIterations, seed, trace });
const check = verifySolution(inst, res.routes, res.vehicleOfRoute);
const labelled = res.routes.map((r) => r.map((c) => inst.labels[c]));

console.log(`instance   ${inst.name} (${inst.customers.length} customers, objective ${obj})`);
console.log(`vehicles   ${res.vehicles}`);
console.log(`distance   ${res.distance.toFixed(2)}`);
console.log(`iterations ${res.iterations} in ${res.elapsedMs.toFixed(0)} ms`);
console.log(`verified   ${check.ok ? 'ok' : 'FAILED'} (recomputed distance ${check.distance.toFixed(2)})`);
for (const e of check.errors.slice(0, 20)) console.log(`  error: ${e}`);
if (res.unassigned.length > 0) console.log(`unassigned ${res.unassigned.map((c) => inst.labels[c]).join(' ')}`);
if (!json) labelled.forEach((r, i) => console.log(`route ${i + 1}: ${r.join(' ')}`));
if (json) {
  console.log(JSON.stringify({ vehicles: res.vehicles, distance: check.distance, routes: labelled }));
}
if (!check.ok) process.exitCode = 1;
