/**
 * `npm run bench:api [-- --duration 10 --connections 32 --warmup 3 --products 200]`
 *
 * Throughput and latency of the GraphQL API on PostgreSQL (+ Redis when reachable), against two
 * baselines that bound what the API could reach on this machine:
 *   (a) productVariant(sku) { sku title price }  with a STAFF API key, SKUs rotating
 *   (b) products(first: 20) { nodes { id title variants { sku title price } } }  same key
 *   (c) a bare Node http server answering a fixed JSON body
 *   (d) a bare Node http handler running the SQL of (a) (prepared, postgres.js pool of DB_POOL_SIZE)
 *   (e) with `--only e`: `{ __typename }` with the key, the cost of the GraphQL stack without SQL
 * The API runs as `npm start` runs it: built first (`tsc -p tsconfig.build.json`, i.e. `npm run build`),
 * then `node dist/main.js`, no tsx; the baselines run under tsx. Every server runs in its own child
 * process; the load generator (autocannon, chosen because it
 * is the standard Node HTTP load tool with a programmatic API and HdrHistogram latencies) runs here.
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names the server: a fresh
 * database wb_bench_<ts> is created for the run and dropped after it.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pino from 'pino';
import postgres from 'postgres';
import { loadConfig } from '../../src/config.js';
import { createApiKey } from '../../src/modules/auth/auth.service.js';
import { createApp } from '../../src/server/app.js';
import { demoProduct, seedCatalog } from '../seed.js';
import { SCRIPT_PRINCIPAL } from '../lib/script-app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    products: { type: 'string', default: '200' },
    only: { type: 'string' },
    /** Writes V8 CPU profiles of the server processes (node --cpu-prof) into this directory. */
    profile: { type: 'string' },
    json: { type: 'boolean', default: false },
    /** Run the API from another checkout (A/B comparisons); default: this one. */
    'api-dir': { type: 'string' },

  },
});
const duration = Number(flags.duration);
const connections = Number(flags.connections);
const warmup = Number(flags.warmup);
const productCount = Number(flags.products);
const only = flags.only?.split(',');

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const baseUrl = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : 'postgres://postgres@127.0.0.1:5432/test';
const poolSize = loadConfig({ DB_POOL_SIZE: process.env.DB_POOL_SIZE }).DB_POOL_SIZE;

async function redisUrl(): Promise<string | undefined> {
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `--profile <dir>`: each server writes its V8 CPU profile under <dir>/<script>[-<mode>]/. */
const profileFlags = (args: string[]) =>
  flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags.profile, args.map((a) => path.basename(a).replace(/\.[jt]s$/, '')).join('-'))}`] : [];

const children: ChildProcess[] = [];
/** Runs a TypeScript script (the baselines) under tsx, or compiled JavaScript (`dist/main.js`) with plain node. */
function startChild(args: string[], env: Record<string, string | undefined>, cwd = root): ChildProcess {
  const compiled = args[0]!.endsWith('.js');
  const child = spawn(process.execPath, [...profileFlags(args), ...(compiled ? [] : ['--import', 'tsx']), ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}

/** `npm run build` in the API's checkout: the bench measures the server as `npm start` runs it (`node dist/main.js`). */
function buildApi(dir: string): void {
  log(`building ${path.relative(process.cwd(), dir) || '.'} (tsc -p tsconfig.build.json)`);
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`build failed in ${dir}`);
}

/** Starts a baseline and resolves with its port (it prints `PORT <n>`). */
function startBaseline(mode: 'json' | 'sql', env: Record<string, string>): Promise<{ port: number; child: ChildProcess }> {
  const child = startChild(['scripts/bench/api-baseline.ts', mode], env);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.once('exit', (code) => reject(new Error(`baseline ${mode} exited with ${code}`)));
  });
}

async function waitReady(url: string, timeoutMs = 60_000): Promise<void> {
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time the server process spent per request (user + system), µs; robust to a busy machine. */
  cpuUs: number | null;
}

/** User + system CPU seconds of a process so far (Linux /proc), or null elsewhere. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = 100; // USER_HZ: 100 on every mainstream Linux

/** Warm-up (discarded), then the measured run; every non-2xx or body error is counted. */
async function load(name: string, server: ChildProcess, url: string, body: (i: number) => string, headers: Record<string, string> = {}): Promise<Row> {
  const make = (seconds: number) => {
    let i = 0;
    return autocannon({
      url,
      connections,
      duration: seconds,
      pipelining: 1,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
          setupRequest: (req) => ({ ...req, body: body(i++) }),
        },
      ],
    });
  };
  if (warmup > 0) await make(warmup);
  const cpu0 = cpuSeconds(server.pid);
  const r = await make(duration);
  const cpu1 = cpuSeconds(server.pid);
  const ok = r['2xx'];
  const cpuUs = cpu0 != null && cpu1 != null && ok ? Math.round(((cpu1 - cpu0) * 1e6) / r.requests.total) : null;
  const row = { name, rps: ok / r.duration, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts, cpuUs };
  log(`${name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${cpuUs ?? '?'} µs CPU/request${row.errors ? `, ${row.errors} errors` : ''}`);
  return row;
}

const Q_VARIANT = 'query V($sku: String!) { productVariant(sku: $sku) { sku title price { amountMinor currency } } }';
const Q_PRODUCTS = 'query P { products(first: 20) { nodes { id title variants { sku title price { amountMinor currency } } } } }';

async function main() {
  const machine = {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  };
  // The machine may be shared: the load average before and after the run says how much.
  const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');
  const loadBefore = loadavg();
  const dbName = `wb_bench_${Date.now().toString(36)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  const [{ version: pgVersion }] = await admin<{ version: string }[]>`select current_setting('server_version') as version`;
  await admin.unsafe(`create database ${dbName}`);
  const u = new URL(baseUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  const redis = await redisUrl();
  log(`database ${dbName} on PostgreSQL ${pgVersion}; redis: ${redis ?? 'none (in-memory pub/sub and limits)'}; pool ${poolSize}`);

  const rows: Row[] = [];
  try {
    // Seed and issue the key through the services, then close: the measured server is a child.
    const config = loadConfig({ DATABASE_URL: dbUrl, REDIS_URL: redis, LOG_LEVEL: 'warn', DB_POOL_SIZE: String(poolSize) });
    const seeder = await createApp(config, { log: pino({ level: 'warn' }, pino.destination(2)) });
    let secret: string;
    try {
      const ctx = seeder.context(SCRIPT_PRINCIPAL).services;
      const seeded = await seedCatalog(ctx, { products: productCount });
      log(`seeded ${seeded.created} products, ${seeded.variants} SKUs`);
      ({ secret } = await createApiKey(ctx, { name: 'bench', kind: 'STAFF', scopes: ['read_catalog'] }));
      await seeder.relay.drain();
    } finally {
      await seeder.close();
    }
    const skus = Array.from({ length: productCount }, (_, i) => demoProduct(i).variants.map((v) => v.sku)).flat();
    const variantBody = (i: number) => JSON.stringify({ query: Q_VARIANT, variables: { sku: skus[i % skus.length] } });
    const productsBody = JSON.stringify({ query: Q_PRODUCTS });
    const want = (k: string) => !only || only.includes(k);

    const apiDir = flags['api-dir'] ? path.resolve(flags['api-dir']) : root;
    buildApi(apiDir);
    const port = await freePort();
    const api = startChild(['dist/main.js'], {
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      REDIS_URL: redis,
      DB_POOL_SIZE: String(poolSize),
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_API_KEY: `wb_live_${randomBytes(24).toString('base64url')}`,
      EXPOSE_SQL_COUNT: 'false',
    }, apiDir);
    api.stdout!.pipe(process.stderr);
    const apiUrl = `http://127.0.0.1:${port}/graphql`;
    await waitReady(`http://127.0.0.1:${port}/readyz`);
    // Check the measured operations answer data, not errors, before timing them.
    for (const body of [variantBody(0), productsBody]) {
      const r = await fetch(apiUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body });
      const j = (await r.json()) as { data?: unknown; errors?: unknown };
      if (!r.ok || j.errors || !j.data) throw new Error(`sanity check failed: ${r.status} ${JSON.stringify(j).slice(0, 300)}`);
    }
    const auth = { authorization: `Bearer ${secret}` };
    if (want('a')) rows.push(await load('(a) productVariant(sku), API key', api, apiUrl, variantBody, auth));
    // (e): the GraphQL stack alone (HTTP, auth, Apollo, execution), no resolver work or SQL; off by default.
    if (only?.includes('e')) rows.push(await load('(e) { __typename }, API key', api, apiUrl, () => '{"query":"{ __typename }"}', auth));
    if (want('b')) rows.push(await load('(b) products(first: 20) + variants', api, apiUrl, () => productsBody, auth));
    await stop(api);

    if (want('c')) {
      const json = await startBaseline('json', {});
      rows.push(await load('(c) bare node:http, fixed JSON', json.child, `http://127.0.0.1:${json.port}/`, variantBody));
      await stop(json.child);
    }
    if (want('d')) {
      const sqlBase = await startBaseline('sql', { DATABASE_URL: dbUrl, DB_POOL_SIZE: String(poolSize) });
      rows.push(await load('(d) bare node:http + postgres.js, same SQL', sqlBase.child, `http://127.0.0.1:${sqlBase.port}/`, variantBody));
      await stop(sqlBase.child);
    }
  } finally {
    await Promise.allSettled(children.map(stop));
    await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch((e) => log(`drop failed: ${e.message}`));
    await admin.end();
  }

  const find = (p: string) => rows.find((r) => r.name.startsWith(p));
  const c = find('(c)');
  const d = find('(d)');
  const pct = (x: Row, base: Row | undefined) => (base ? `${((100 * x.rps) / base.rps).toFixed(0)}%` : '–');
  const lines = [
    `API benchmark: ${connections} connections, ${duration} s after ${warmup} s warm-up, ${productCount} products`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, Node ${machine.node}, PostgreSQL ${pgVersion}, ${redis ? 'Redis' : 'no Redis'}, ${machine.date}`,
    `Load average (1, 5, 15 min): ${loadBefore} at the start, ${loadavg()} at the end`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | errors | server CPU µs/req | req/s vs (d) | req/s vs (c) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.cpuUs ?? '–'} | ${pct(r, d)} | ${pct(r, c)} |`),
  ];
  const a = find('(a)');
  if (a && d) {
    const okRps = a.rps >= 0.6 * d.rps;
    const okP99 = a.p99 < 25;
    lines.push('', `Target for (a): >= 60% of (d) req/s -> ${pct(a, d)} ${okRps ? 'met' : 'MISSED'}; p99 < 25 ms -> ${a.p99} ms ${okP99 ? 'met' : 'MISSED'}`);
  }
  console.log(lines.join('\n'));
  if (flags.json) console.log(JSON.stringify({ machine, loadBefore, loadAfter: loadavg(), pgVersion, redis: !!redis, connections, duration, warmup, rows }));
}

await main();
