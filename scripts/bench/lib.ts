/**
 * What every benchmark shares: logging, the machine report, a fresh bench database, Redis
 * discovery, child-process servers (build, start, wait, stop, their CPU time), an HTTP load run
 * with autocannon, and an in-process loop runner for service-level benchmarks.
 */
import autocannon from 'autocannon';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import postgres from 'postgres';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

/** The PostgreSQL server bench databases are created on: DATABASE_URL, or the local one. */
export const baseUrl = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : 'postgres://postgres@127.0.0.1:5432/test';

/** The machine a run is on, for its report. */
export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  memGiB: number;
  date: string;
}

export const machineInfo = (): Machine => ({
  cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  memGiB: Math.round(os.totalmem() / 2 ** 30),
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
});

/** "AMD EPYC, 2 cores, 24 GiB, Node v20, PostgreSQL 15.20": the report's machine line. */
export const describeMachine = (m: Machine, pgVersion: string): string => `${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}, PostgreSQL ${pgVersion}`;

export interface BenchDatabase {
  name: string;
  url: string;
  pgVersion: string;
  /** Drops the database (unless `keep`) and closes the admin connection. */
  close(opts?: { keep?: boolean }): Promise<void>;
}

/** A fresh database `<prefix>_<time>` on the bench server (baseUrl), for one run. */
export async function createBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  const [{ version: pgVersion }] = await admin<{ version: string }[]>`select current_setting('server_version') as version`;
  await admin.unsafe(`create database ${name}`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    pgVersion,
    async close({ keep = false } = {}) {
      if (keep) log(`kept database ${name}`);
      else await admin.unsafe(`drop database if exists ${name} with (force)`).catch((e: Error) => log(`drop failed: ${e.message}`));
      await admin.end();
    },
  };
}

export const loadavg = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

export const percentile = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

/** REDIS_URL (which must answer), else the local Redis if it answers, else undefined (in-process pub/sub). */
export async function redisUrl(): Promise<string | undefined> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
    return url;
  } catch {
    if (process.env.REDIS_URL) throw new Error(`REDIS_URL=${url} is not reachable`);
    return undefined;
  } finally {
    r.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The node arguments `npm start` runs the server with (V8 flags from package.json's `start` script,
 * then `dist/main.js`), so a benchmark starts it exactly that way. `dir`: another checkout.
 */
export function startArgs(dir = root): string[] {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const m = /\bnode((?:\s+--\S+)*)\s+dist\/main\.js\b/.exec(pkg.scripts.start);
  if (!m) throw new Error(`package.json start script does not run node … dist/main.js: ${pkg.scripts.start}`);
  return [...m[1]!.trim().split(/\s+/).filter(Boolean), 'dist/main.js'];
}

/** `tsc -p tsconfig.build.json` in a checkout of the API: benchmarks run the server as `npm start` does (`node dist/main.js`). */
export function buildApi(dir = root): void {
  log(`building ${path.relative(process.cwd(), dir) || '.'} (tsc -p tsconfig.build.json)`);
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`build failed in ${dir}`);
}

export async function waitReady(url: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

const CLOCK_TICKS = 100; // USER_HZ: 100 on every mainstream Linux

/** User + system CPU seconds so far of a process and its live child processes (WORKERS), from Linux /proc; null elsewhere. */
export function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    let total = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const c of children) total += cpuSeconds(Number(c)) ?? 0;
    return total;
  } catch {
    return null;
  }
}

export interface HttpRow {
  name: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  /** CPU time the server process spent per request (user + system), µs; robust to a busy machine. */
  cpuUs: number | null;
}

export interface HttpLoad {
  name: string;
  /** The server process (for its CPU time). */
  server: ChildProcess;
  url: string;
  body: (i: number) => string;
  headers?: Record<string, string>;
  connections: number;
  warmup: number;
  duration: number;
}

/** GraphQL POSTs with autocannon: a warm-up (discarded), then the measured run; every non-2xx or body error is counted. */
export async function httpLoad(o: HttpLoad): Promise<HttpRow> {
  const make = (seconds: number) => {
    let i = 0;
    return autocannon({
      url: o.url,
      connections: o.connections,
      duration: seconds,
      pipelining: 1,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...o.headers },
          setupRequest: (req) => ({ ...req, body: o.body(i++) }),
        },
      ],
    });
  };
  if (o.warmup > 0) await make(o.warmup);
  const cpu0 = cpuSeconds(o.server.pid);
  const r = await make(o.duration);
  const cpu1 = cpuSeconds(o.server.pid);
  const ok = r['2xx'];
  const cpuUs = cpu0 != null && cpu1 != null && ok ? Math.round(((cpu1 - cpu0) * 1e6) / r.requests.total) : null;
  const row = { name: o.name, rps: ok / r.duration, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts, cpuUs };
  log(`${o.name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p90 ${row.p90} ms, p99 ${row.p99} ms, ${cpuUs ?? '?'} µs CPU/request${row.errors ? `, ${row.errors} errors` : ''}`);
  return row;
}

export interface Rate {
  name: string;
  ops: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU used by this Node process (app + clients) during the measured run, % of one core. */
  nodeCpu: number;
}

/**
 * `workers` loops calling `op(i)` (i = 0, 1, 2, … over all loops) until the deadline, in this
 * process: a warm-up (discarded), then the measured run.
 */
export async function hammer(name: string, o: { workers: number; warmup: number; duration: number }, op: (i: number) => Promise<void>): Promise<Rate> {
  const run = async (seconds: number): Promise<Rate> => {
    const latencies: number[] = [];
    let errors = 0;
    let firstError: unknown;
    const until = performance.now() + seconds * 1000;
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: o.workers }, async (_, w) => {
        for (let i = w; performance.now() < until; i += o.workers) {
          const t0 = performance.now();
          try {
            await op(i);
            latencies.push(performance.now() - t0);
          } catch (err) {
            errors++;
            firstError ??= err;
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (firstError) log(`${name}: ${errors} errors, first: ${String(firstError)}`);
    latencies.sort((a, b) => a - b);
    return {
      name,
      ops: latencies.length,
      perSecond: latencies.length / elapsed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      errors,
      nodeCpu: (cpu.user + cpu.system) / 1e4 / elapsed,
    };
  };
  if (o.warmup > 0) await run(o.warmup);
  const r = await run(o.duration);
  log(
    `${name}: ${r.perSecond.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms${r.errors ? `, ${r.errors} errors` : ''}, Node CPU ${r.nodeCpu.toFixed(0)}% (load ${os.loadavg()[0]!.toFixed(1)})`,
  );
  return r;
}
