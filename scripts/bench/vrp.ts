/**
 * VRP benchmark: all Solomon instances (hierarchical and/or distance-only)
 * and the CVRPLIB A set, each solution checked by the independent verifier
 * and compared with the best-known solution of the same objective.
 *
 *   npm run bench:vrp [-- --time-limit ms] [--objective hierarchical|distance|both]
 *                     [--only C1,R2,CVRP-A,R101] [--seed n] [--json file] [--set t0=0.3]
 *                     [--iterations n]   (iteration limit instead of time: load-independent)
 *                     [--data DIR]
 *
 * DIR holds bks.csv, solomon/*.txt and cvrp/A/*.vrp: --data, else VRP_DATA, else shared/data/vrp
 * in the `shared` folder beside the checkout. Instances run one at a time on a single thread.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.js';
import { readInstanceFile } from '../../src/modules/routing/solver/instance.js';
import { solve, type Objective } from '../../src/modules/routing/solver/solver.js';
import { verifySolution } from '../../src/modules/routing/solver/verify.js';

const trace = loadConfig({ VRP_TRACE: process.env.VRP_TRACE }).VRP_TRACE;

interface Bks {
  vehicles: number;
  distance: number;
}

interface Row {
  instance: string;
  cls: string;
  objective: Objective;
  vehicles: number;
  distance: number;
  bks: Bks | undefined;
  gap: number;
  ms: number;
  iterations: number;
  ok: boolean;
  errors: string[];
}

interface Args {
  data: string;
  timeLimit: number;
  /** Iteration limit instead of a time limit (load-independent A/B comparisons). */
  iterations?: number;
  objectives: Objective[];
  only: string[];
  seed: number;
  json?: string;
  /** Extra numeric solver options (tuning), e.g. --set t0=0.5. */
  extra: Record<string, number>;
}

function readArgs(): Args {
  const { values: v } = parseArgs({
    options: {
      data: { type: 'string' },
      'time-limit': { type: 'string', default: '1000' },
      iterations: { type: 'string' },
      seed: { type: 'string', default: '1' },
      json: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      objective: { type: 'string', default: 'both' },
      only: { type: 'string', default: '' },
    },
  });
  const objectives: Objective[] = v.objective === 'both' ? ['hierarchical', 'distance'] : [v.objective as Objective];
  if (!objectives.every((x) => x === 'hierarchical' || x === 'distance')) throw new Error(`bad objective ${v.objective}`);
  const extra: Record<string, number> = {};
  for (const s of v.set) {
    const [k, n] = s.split('=');
    extra[k!] = Number(n);
  }
  return {
    data: v.data ?? process.env.VRP_DATA ?? fileURLToPath(new URL('../../../shared/data/vrp', import.meta.url)),
    timeLimit: Number(v['time-limit']),
    iterations: v.iterations === undefined ? undefined : Number(v.iterations),
    objectives,
    only: v.only ? v.only.split(',').map((s) => s.trim().toUpperCase()) : [],
    seed: Number(v.seed),
    json: v.json,
    extra,
  };
}

/** Reads bks.csv (simple CSV with one quoted field at most). */
function readBks(data: string): Map<string, Bks> {
  const map = new Map<string, Bks>();
  const lines = readFileSync(join(data, 'bks.csv'), 'utf8').split(/\r?\n/).slice(1);
  for (const line of lines) {
    if (!line.trim()) continue;
    const cells: string[] = [];
    let cur = '';
    let q = false;
    for (const ch of line) {
      if (ch === '"') q = !q;
      else if (ch === ',' && !q) {
        cells.push(cur);
        cur = '';
      } else cur += ch;
    }
    cells.push(cur);
    const [instance, vehicles, distance, , objective] = cells;
    const kind = objective === 'hierarchical' ? 'hierarchical' : 'distance';
    map.set(`${instance}|${kind}`, { vehicles: Number(vehicles), distance: Number(distance) });
  }
  return map;
}

function classOf(name: string): string {
  if (name.startsWith('A-')) return 'CVRP-A';
  const m = /^(RC|R|C)(\d)/.exec(name);
  return m ? `${m[1]}${m[2]}` : 'other';
}

function selected(name: string, only: string[]): boolean {
  if (only.length === 0) return true;
  const cls = classOf(name);
  return only.some((o) => o === cls || o === name.toUpperCase());
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);

function main(): void {
  const opts = readArgs();
  const DATA = opts.data;
  for (const p of ['bks.csv', 'solomon', join('cvrp', 'A')]) {
    if (!existsSync(join(DATA, p))) {
      console.error(`bench:vrp: no ${p} in ${DATA}. Point --data DIR (or VRP_DATA) at a folder with bks.csv, solomon/*.txt and cvrp/A/*.vrp.`);
      process.exit(2);
    }
  }
  const bks = readBks(DATA);
  const solomon = readdirSync(join(DATA, 'solomon'))
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => join(DATA, 'solomon', f));
  const cvrp = readdirSync(join(DATA, 'cvrp', 'A'))
    .filter((f) => f.endsWith('.vrp'))
    .sort()
    .map((f) => join(DATA, 'cvrp', 'A', f));
  const rows: Row[] = [];
  console.log(`${opts.iterations ? `${opts.iterations} iterations` : `time limit ${opts.timeLimit} ms`} per instance, seed ${opts.seed}${Object.keys(opts.extra).length ? `, options ${JSON.stringify(opts.extra)}` : ''}`);
  for (const objective of opts.objectives) {
    // CVRP BKS are distance-only, so the A set runs with the distance objective only.
    const files = objective === 'distance' ? [...solomon, ...cvrp] : solomon;
    console.log(`\n== objective ${objective} ==`);
    console.log(`${'instance'.padEnd(10)} ${pad('veh', 4)} ${pad('distance', 10)} ${pad('bksVeh', 6)} ${pad('bksDist', 9)} ${pad('gap%', 7)} ${pad('ms', 6)} ${pad('iters', 8)}  check`);
    for (const file of files) {
      const inst = readInstanceFile(file);
      if (!selected(inst.name, opts.only)) continue;
      const res = solve(inst, {
        ...opts.extra,
        objective,
        trace,
        seed: opts.seed,
        ...(opts.iterations ? { maxIterations: opts.iterations } : { timeLimitMs: opts.timeLimit }),
      });
      const v = verifySolution(inst, res.routes, res.vehicleOfRoute);
      const ref = bks.get(`${inst.name}|${objective === 'hierarchical' ? 'hierarchical' : 'distance'}`);
      const gap = ref ? (100 * (v.distance - ref.distance)) / ref.distance : NaN;
      const row: Row = {
        instance: inst.name,
        cls: classOf(inst.name),
        objective,
        vehicles: v.vehicles,
        distance: v.distance,
        bks: ref,
        gap,
        ms: res.elapsedMs,
        iterations: res.iterations,
        ok: v.ok,
        errors: v.errors,
      };
      rows.push(row);
      console.log(
        `${inst.name.padEnd(10)} ${pad(row.vehicles, 4)} ${pad(row.distance.toFixed(2), 10)} ${pad(ref?.vehicles ?? '-', 6)} ${pad(ref?.distance ?? '-', 9)} ${pad(gap.toFixed(2), 7)} ${pad(row.ms.toFixed(0), 6)} ${pad(res.iterations, 8)}  ${v.ok ? 'ok' : 'INVALID: ' + v.errors.slice(0, 3).join('; ')}`,
      );
    }
    summarise(rows.filter((r) => r.objective === objective), objective);
  }
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ timeLimit: opts.timeLimit, seed: opts.seed, rows }, null, 1));
  if (rows.some((r) => !r.ok)) process.exitCode = 1;
}

function summarise(rows: Row[], objective: Objective): void {
  if (rows.length === 0) return;
  const classes = [...new Set(rows.map((r) => r.cls))];
  console.log(`\n-- summary (${objective}) --`);
  console.log(`${'class'.padEnd(7)} ${pad('n', 3)} ${pad('veh', 6)} ${pad('bksVeh', 6)} ${pad('=bksVeh', 7)} ${pad('distance', 10)} ${pad('meanGap%', 9)} ${pad('ms', 6)} invalid`);
  const line = (name: string, rs: Row[]): void => {
    const sum = (f: (r: Row) => number): number => rs.reduce((s, r) => s + f(r), 0);
    const veh = sum((r) => r.vehicles);
    const bv = sum((r) => r.bks?.vehicles ?? 0);
    const eq = rs.filter((r) => r.bks && r.vehicles === r.bks.vehicles).length;
    const withGap = rs.filter((r) => Number.isFinite(r.gap));
    const mg = withGap.reduce((s, r) => s + r.gap, 0) / Math.max(1, withGap.length);
    console.log(
      `${name.padEnd(7)} ${pad(rs.length, 3)} ${pad(veh, 6)} ${pad(bv, 6)} ${pad(eq, 7)} ${pad(sum((r) => r.distance).toFixed(1), 10)} ${pad(mg.toFixed(2), 9)} ${pad((sum((r) => r.ms) / rs.length).toFixed(0), 6)} ${rs.filter((r) => !r.ok).length}`,
    );
  };
  for (const c of classes) line(c, rows.filter((r) => r.cls === c));
  const sol = rows.filter((r) => r.cls !== 'CVRP-A');
  if (sol.length > 0 && sol.length !== rows.length) line('Solomon', sol);
  line('all', rows);
  if (objective === 'hierarchical') {
    const eq = sol.filter((r) => r.bks && r.vehicles === r.bks.vehicles).length;
    const fewer = sol.filter((r) => r.bks && r.vehicles < r.bks.vehicles).length;
    console.log(`vehicles equal to BKS on ${eq}/${sol.length} Solomon instances${fewer ? ` (${fewer} below BKS?!)` : ''}`);
    // Distance gaps are only comparable where the vehicle count matches the BKS.
    const same = sol.filter((r) => r.bks && r.vehicles === r.bks.vehicles);
    if (same.length > 0) {
      const mg = same.reduce((s, r) => s + r.gap, 0) / same.length;
      console.log(`mean distance gap on those ${same.length}: ${mg.toFixed(2)}%`);
    }
  }
}

main();
