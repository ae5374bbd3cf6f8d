/**
 * `npm run bench:export [-- --db pglite|postgres --customers 100000 --bound-mb 64 --json]`
 *
 * The CRM export (GET /export/customers.ndjson) over HTTP on 100,000 customers, with a memory
 * bound. The app runs in this process (createApp, listening on a random port, EXPORT_PAGE_SIZE
 * default 1000) on in-memory PGlite (default) or on a fresh PostgreSQL database next to
 * DATABASE_URL (`--db postgres`, dropped afterwards).
 *
 * Data, written directly because the services have no batch API (a customer per transaction with
 * its outbox event would take minutes; see scripts/lib/bulk-customers.ts): `--customers`
 * customers in multi-row INSERTs, a loyalty account for every third one (balance, tier, rolling
 * spend) and 1–3 orders for every fifth one (minimal DELIVERED rows: the export only counts them
 * and reads the latest date). Bench-only paths: the app never writes these rows this way.
 *
 * Measured: the whole export read by fetch in this process (lines counted as they arrive, nothing
 * kept), total time, lines/s, MB/s; memory sampled during the stream (a 20 ms timer and, at most
 * every 20 ms, as chunks arrive): peak RSS and peak V8 heapUsed above the baseline taken after a
 * full GC just before the request. heapUsed counts garbage V8 has not collected yet, which grows
 * with the export's length (V8 defers full GCs), so a second pass forces a full GC every 250 ms
 * before sampling: its peak is the live heap, what the stream really retains. The server and the
 * client share the process, so the figures bound both together. Exits 1 when the live heap growth
 * reaches `--bound-mb` (64 MB: the body is ~40 MB of UTF-8 and more as a JS string with its
 * Cyrillic names, so an export built in memory fails it: checked once by hand, see
 * docs/benchmarks.md), when the line count is not the customer count, or when resuming from the
 * middle line's cursor does not give exactly the rest. Needs --expose-gc (the npm script passes it).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { newId } from '../../src/db/columns.js';
import { loyaltyAccounts } from '../../src/modules/loyalty/loyalty.table.js';
import { orders } from '../../src/modules/orders/order.table.js';
import { createApp } from '../../src/server/app.js';
import { insertCustomersBulk } from '../lib/bulk-customers.js';
import { createBenchDatabase, describeMachine, loadavg, log, machineInfo, type BenchDatabase } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string', default: 'pglite' },
    customers: { type: 'string', default: '100000' },
    'bound-mb': { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = Number(flags.customers);
const BOUND_MB = Number(flags['bound-mb']);
if (flags.db !== 'pglite' && flags.db !== 'postgres') throw new Error('--db must be pglite or postgres');

const MB = 2 ** 20;
const gc = (globalThis as { gc?: () => void }).gc;
const address = { line1: 'ул. Бенчмарковая, д. 1', city: 'Москва', postalCode: '101000', countryCode: 'RU' };

/** Reads an export to its end, counting lines; returns the count, the bytes and the last line. */
async function readExport(url: string, key: string, onChunk: () => void = () => {}): Promise<{ lines: number; bytes: number; last: string }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  const decoder = new TextDecoder();
  let lines = 0;
  let bytes = 0;
  let tail = '';
  let last = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    onChunk();
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) lines++;
    // Only the last (partial) line is kept, never the body.
    const text = tail + decoder.decode(chunk, { stream: true });
    const cut = text.lastIndexOf('\n');
    if (cut >= 0) {
      const complete = text.slice(0, cut);
      last = complete.slice(complete.lastIndexOf('\n') + 1);
      tail = text.slice(cut + 1);
    } else tail = text;
  }
  return { lines, bytes, last };
}

async function main() {
  const machine = machineInfo();
  const load = loadavg();
  let bench: BenchDatabase | null = null;
  let dbUrl = 'memory://';
  let dbLabel = 'PGlite (in memory)';
  if (flags.db === 'postgres') {
    bench = await createBenchDatabase('wb_bench_exp');
    dbUrl = bench.url;
    dbLabel = `PostgreSQL ${bench.pgVersion}`;
  }
  log(`${dbLabel}; ${COUNT.toLocaleString('en')} customers; load average ${load}; gc ${gc ? 'exposed' : 'NOT exposed (run with --expose-gc)'}`);
  const adminKey = `wb_live_${randomBytes(24).toString('base64url')}`;
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: dbUrl, LOG_LEVEL: 'warn', ADMIN_API_KEY: adminKey, DB_STATEMENT_TIMEOUT_MS: '0' });
  const app = await createApp(config, { log: pino({ level: 'warn' }, pino.destination(2)) });
  let failed = false;
  try {
    const db = app.database.db;
    let t0 = performance.now();
    const ids = await insertCustomersBulk(db, COUNT, { prefix: 'bench' });
    const accounts = [];
    for (let i = 0; i < ids.length; i += 3) {
      const spend = (i * 7919) % 15_000_000;
      accounts.push({ customerId: ids[i]!, balance: i % 5000, lifetimePoints: (i % 5000) + 100, rollingSpendMinor: spend, tierCode: spend >= 10_000_000 ? 'GOLD' : spend >= 3_000_000 ? 'SILVER' : 'BRONZE' });
    }
    for (let i = 0; i < accounts.length; i += 2000) await db.insert(loyaltyAccounts).values(accounts.slice(i, i + 2000));
    const orderRows = [];
    let n = 0;
    for (let i = 0; i < ids.length; i += 5) {
      for (let k = 0; k <= i % 3; k++) {
        orderRows.push({
          id: newId(),
          number: `BENCH-${++n}`,
          channel: 'bench',
          status: 'DELIVERED' as const,
          customerId: ids[i]!,
          shippingAddress: address,
          deliveryType: 'COURIER' as const,
          currency: 'RUB',
          subtotalMinor: 100_000,
          totalMinor: 100_000,
          createdAt: new Date(Date.now() - (k + 1) * 86_400_000),
        });
      }
    }
    for (let i = 0; i < orderRows.length; i += 1000) await db.insert(orders).values(orderRows.slice(i, i + 1000));
    const seedMs = performance.now() - t0;
    log(`seeded ${COUNT} customers, ${accounts.length} accounts, ${orderRows.length} orders in ${(seedMs / 1000).toFixed(1)} s`);
    orderRows.length = 0;
    accounts.length = 0;

    const url = await app.listen(0, '127.0.0.1');
    const exportUrl = `${new URL(url).origin}/export/customers.ndjson`;
    /**
     * One pass over the whole export with memory sampled every 20 ms; `forceGcMs` > 0 also runs a
     * full GC that often, so heapUsed is the live heap (what the stream retains), not the garbage V8
     * has not collected yet.
     */
    const pass = async (forceGcMs: number) => {
      gc?.();
      gc?.();
      const base = process.memoryUsage();
      let peakHeap = base.heapUsed;
      let peakRss = base.rss;
      let samples = 0;
      let lastGc = 0;
      let lastSample = 0;
      const sample = () => {
        const now = performance.now();
        if (now - lastSample < 20) return;
        lastSample = now;
        if (forceGcMs && gc && now - lastGc >= forceGcMs) {
          gc();
          lastGc = performance.now();
        }
        const m = process.memoryUsage();
        samples++;
        if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
        if (m.rss > peakRss) peakRss = m.rss;
      };
      // Timers alone see little (PGlite's queries keep the event loop busy): the reader samples too, as chunks arrive.
      const sampler = setInterval(sample, 20);
      const started = performance.now();
      const result = await readExport(exportUrl, adminKey, sample);
      const ms = performance.now() - started;
      clearInterval(sampler);
      return { result, ms, base, samples, heapGrowthMb: (peakHeap - base.heapUsed) / MB, rssGrowthMb: (peakRss - base.rss) / MB, peakRss };
    };
    const plain = await pass(0);
    const live = gc ? await pass(250) : null;
    const { result, ms, base, samples, peakRss } = plain;
    const heapGrowthMb = plain.heapGrowthMb;
    const rssGrowthMb = plain.rssGrowthMb;
    const liveGrowthMb = live?.heapGrowthMb ?? heapGrowthMb;

    // Resume from the middle line: exactly the rest.
    const middle = Math.floor(COUNT / 2);
    const probe = await fetch(`${exportUrl}`, { headers: { authorization: `Bearer ${adminKey}` } });
    const reader = probe.body!.getReader();
    let seen = 0;
    let buf = '';
    let middleCursor = '';
    const dec = new TextDecoder();
    while (!middleCursor) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl: number;
      while (!middleCursor && (nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (++seen === middle) middleCursor = (JSON.parse(line) as { cursor: string }).cursor;
      }
    }
    await reader.cancel();
    const rest = await readExport(`${exportUrl}?after=${encodeURIComponent(middleCursor)}`, adminKey);

    const figures = {
      database: dbLabel,
      machine: describeMachine(machine, bench?.pgVersion ?? 'not used'),
      loadAverage: load,
      customers: COUNT,
      lines: result.lines,
      bodyMB: +(result.bytes / MB).toFixed(1),
      seconds: +(ms / 1000).toFixed(2),
      linesPerSecond: Math.round(result.lines / (ms / 1000)),
      mbPerSecond: +(result.bytes / MB / (ms / 1000)).toFixed(1),
      baselineRssMB: Math.round(base.rss / MB),
      peakRssMB: Math.round(peakRss / MB),
      rssGrowthMB: +rssGrowthMb.toFixed(1),
      baselineHeapMB: Math.round(base.heapUsed / MB),
      heapGrowthMB: +heapGrowthMb.toFixed(1),
      liveHeapGrowthMB: live ? +live.heapGrowthMb.toFixed(1) : null,
      liveSamples: live?.samples ?? null,
      liveSeconds: live ? +(live.ms / 1000).toFixed(2) : null,
      boundMB: BOUND_MB,
      samples,
      resumedAfterLine: middle,
      resumedLines: rest.lines,
    };
    if (flags.json) process.stdout.write(JSON.stringify(figures) + '\n');
    else {
      process.stdout.write(
        [
          `export on ${dbLabel}: ${result.lines.toLocaleString('en')} lines, ${figures.bodyMB} MB in ${figures.seconds} s: ${figures.linesPerSecond.toLocaleString('en')} lines/s, ${figures.mbPerSecond} MB/s`,
          `memory during the stream (${samples} samples): RSS ${figures.baselineRssMB} → peak ${figures.peakRssMB} MB (+${figures.rssGrowthMB} MB); V8 heapUsed peak +${figures.heapGrowthMB} MB over ${figures.baselineHeapMB} MB (garbage included)`,
          live
            ? `live heap (second pass, full GC every 250 ms, ${live.samples} samples, ${figures.liveSeconds} s): peak +${figures.liveHeapGrowthMB} MB (bound ${BOUND_MB} MB)`
            : `live heap not measured (no --expose-gc): the bound applies to heapUsed with garbage`,
          `resume after line ${middle.toLocaleString('en')}: ${rest.lines.toLocaleString('en')} lines`,
          `machine: ${figures.machine}; load average ${load}`,
        ].join('\n') + '\n',
      );
    }
    const problems: string[] = [];
    if (result.lines !== COUNT) problems.push(`expected ${COUNT} lines, got ${result.lines}`);
    if (rest.lines !== COUNT - middle) problems.push(`resume after line ${middle}: expected ${COUNT - middle} lines, got ${rest.lines}`);
    if (JSON.parse(result.last).email !== `bench.${COUNT - 1}@example.com`) problems.push(`last line is not the last customer: ${result.last.slice(0, 200)}`);
    if (live && live.result.lines !== COUNT) problems.push(`second pass: expected ${COUNT} lines, got ${live.result.lines}`);
    if (liveGrowthMb >= BOUND_MB) problems.push(`live heap grew ${liveGrowthMb.toFixed(1)} MB during the stream, bound ${BOUND_MB} MB`);
    if (problems.length) {
      failed = true;
      for (const p of problems) log(`FAIL: ${p}`);
    }
  } finally {
    await app.close();
    await bench?.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  log(String((err as Error).stack ?? err));
  process.exit(1);
});
