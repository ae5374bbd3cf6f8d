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
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createApiKey } from '../../src/modules/auth/auth.service.js';
import { createApp } from '../../src/server/app.js';
import { demoProduct, seedCatalog } from '../seed.js';
import { SCRIPT_PRINCIPAL } from '../lib/script-app.js';
import { buildApi, createBenchDatabase, describeMachine, freePort, httpLoad, type HttpRow, loadavg, log, machineInfo, redisUrl, root, startArgs, stop, waitReady } from './lib.js';

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

const poolSize = loadConfig({ DB_POOL_SIZE: process.env.DB_POOL_SIZE }).DB_POOL_SIZE;

/** `--profile <dir>`: each server writes its V8 CPU profile under <dir>/<script>[-<mode>]/. */
const profileFlags = (args: string[]) =>
  flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags.profile, args.filter((a) => !a.startsWith('--')).map((a) => path.basename(a).replace(/\.[jt]s$/, '')).join('-'))}`] : [];

const children: ChildProcess[] = [];
/** Runs a TypeScript script (the baselines) under tsx, or compiled JavaScript (`dist/main.js`, after npm start's V8 flags) with plain node. */
function startChild(args: string[], env: Record<string, string | undefined>, cwd = root): ChildProcess {
  const compiled = args.find((a) => !a.startsWith('--'))!.endsWith('.js');
  const child = spawn(process.execPath, [...profileFlags(args), ...(compiled ? [] : ['--import', 'tsx']), ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
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


type Row = HttpRow;
const load = (name: string, server: ChildProcess, url: string, body: (i: number) => string, headers: Record<string, string> = {}) =>
  httpLoad({ name, server, url, body, headers, connections, warmup, duration });

const Q_VARIANT = 'query V($sku: String!) { productVariant(sku: $sku) { sku title price { amountMinor currency } } }';
const Q_PRODUCTS = 'query P { products(first: 20) { nodes { id title variants { sku title price { amountMinor currency } } } } }';

async function main() {
  const machine = machineInfo();
  // The machine may be shared: the load average before and after the run says how much.
  const loadBefore = loadavg();
  const bench = await createBenchDatabase('wb_bench');
  const { name: dbName, url: dbUrl, pgVersion } = bench;
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
    const api = startChild(startArgs(apiDir), {
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
    await bench.close();
  }

  const find = (p: string) => rows.find((r) => r.name.startsWith(p));
  const c = find('(c)');
  const d = find('(d)');
  const pct = (x: Row, base: Row | undefined) => (base ? `${((100 * x.rps) / base.rps).toFixed(0)}%` : '–');
  const lines = [
    `API benchmark: ${connections} connections, ${duration} s after ${warmup} s warm-up, ${productCount} products`,
    `Machine: ${describeMachine(machine, pgVersion)}, ${redis ? 'Redis' : 'no Redis'}, ${machine.date}`,
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
