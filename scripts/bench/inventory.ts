/**
 * `npm run bench:inventory [-- --duration 10 --warmup 2 --workers 16 --runs 3 --only a,b,c --json]`
 *
 * Inventory on PostgreSQL:
 *   (a) reservations per second under contention: `--workers` concurrent loops reserving 1 unit of
 *       one of 10 hot SKUs for `--duration` seconds, the way order intake reserves (`reserveAll` in
 *       a `transact` transaction that also writes the level-changed outbox event), next to ceilings
 *       measured in the same run with postgres.js (pool of the same size): the bare conditional
 *       UPDATE, the UPDATE plus the outbox insert in one transaction (what the service has to do),
 *       and the same two writes in other shapes.
 *   (b) bulk writes through GraphQL over HTTP (admin key, EXPOSE_SQL_COUNT): `inventoryReceive`
 *       of 1,000 lines into a named bin without a capacity limit and with server-chosen putaway,
 *       and `binLocationsCreate` of 5,000 bins; median of `--runs` runs, each on fresh data.
 *   (c) one-line ledger writes through the services, `--workers` loops for `--duration` seconds:
 *       `receiveInventory` of 1 unit into a named bin (a receiving scan) and `recordPicks` of 1 unit
 *       out of a bin, each of 200 SKUs in its own bin; reported as Node CPU µs per write.
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names the server: a fresh
 * database wb_bench_inv_<ts> is created for the run and dropped after it. The app runs in this
 * process with DB_POOL_SIZE=16 (or --workers), in-memory pub/sub, the outbox relay running.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { parseArgs } from 'node:util';
import pino from 'pino';
import postgres from 'postgres';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../../src/config.js';
import { statementCounter } from '../../src/db/client.js';
import { createProduct } from '../../src/modules/catalog/catalog.service.js';
import { transact } from '../../src/events/outbox.js';
import { LEVEL_CHANGED, levelChangedEvents } from '../../src/modules/inventory/inventory.events.js';
import { receiveInventory } from '../../src/modules/inventory/inbound.service.js';
import { recordPicks } from '../../src/modules/inventory/ledger.service.js';
import { reserveAll } from '../../src/modules/inventory/reservation.service.js';
import { binBarcode, createBinGrid, createWarehouse, createZone, type WarehouseRow, type ZoneKindValue } from '../../src/modules/warehouse/warehouse.service.js';
import { createApp, type App } from '../../src/server/app.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import { SCRIPT_PRINCIPAL } from '../lib/script-app.js';
import { createBenchDatabase, describeMachine, hammer as runLoops, log, machineInfo, type Rate, loadavg } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    workers: { type: 'string', default: '16' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const duration = Number(flags.duration);
const warmup = Number(flags.warmup);
const workers = Number(flags.workers);
const runs = Number(flags.runs);
const want = (k: string) => !flags.only || flags.only.split(',').includes(k);

const HOT_SKUS = 10;
const HOT_STOCK = 1_000_000;
const RECEIVE_LINES = 1_000;
const SMALL_SKUS = 200;

const hammer = (name: string, op: (i: number) => Promise<void>) => runLoops(name, { workers: workers, warmup, duration }, op);

const address = { line1: 'ул. Бенчмарковая, д. 1', city: 'Москва', postalCode: '101000', countryCode: 'RU', location: { lat: 55.75, lng: 37.62 } };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function warehouseWith(ctx: ServiceContext, code: string, grids: { zone: string; kind: ZoneKindValue; rank: number; aisles: string[]; racks: number; levels: number; positions: number; capacity: number | null }[]) {
  const wh = await createWarehouse(ctx, { code, name: `Bench ${code}`, address });
  for (const g of grids) {
    if (!g.aisles.length) continue;
    await createZone(ctx, { warehouseCode: code, code: g.zone, name: g.zone, kind: g.kind, distanceRank: g.rank });
    await createBinGrid(ctx, { warehouseCode: code, zoneCode: g.zone, aisles: g.aisles, racks: g.racks, levels: g.levels, positions: g.positions, capacityUnits: g.capacity });
  }
  return wh;
}

async function contention(app: App, ctx: ServiceContext, dbUrl: string): Promise<Rate[]> {
  const wh: WarehouseRow = await warehouseWith(ctx, 'HOT1', [{ zone: 'B', kind: 'BULK', rank: 2, aisles: ['A'], racks: 1, levels: 1, positions: HOT_SKUS, capacity: null }]);
  const skus = Array.from({ length: HOT_SKUS }, (_, i) => `HOT-${String(i + 1).padStart(2, '0')}`);
  const product = await createProduct(ctx, {
    title: 'Hot seller',
    variants: skus.map((sku) => ({ sku, title: sku, price: { amountMinor: 99_000, currency: 'RUB' }, weightGrams: 300 })),
  });
  void product;
  const movements = await receiveInventory(ctx, { warehouseCode: 'HOT1', binBarcode: binBarcode('HOT1', 'A-01-01-01'), lines: skus.map((sku) => ({ sku, quantity: HOT_STOCK })) });
  const variantIds = movements.map((m) => m.variantId);
  const pick = () => variantIds[Math.floor(Math.random() * variantIds.length)]!;

  // What order intake runs for its stock: reserveAll in its transaction, with the level-changed event.
  const reserve = (c: ServiceContext, variantId: string) =>
    transact(c, async (tx, events) => {
      if (!(await reserveAll(c, tx, [{ variantId, warehouseId: wh.id, quantity: 1 }]))) throw new Error('out of stock');
      await events.emit(...levelChangedEvents(wh, [variantId]));
    });
  const rows: Rate[] = [];
  rows.push(await hammer('service: reserveAll + event in a transaction (as order intake)', () => reserve(ctx, pick())));
  await app.relay.drain();
  // Diagnostic: the same service path without kicking the relay after each commit (it still
  // polls every OUTBOX_POLL_MS), to show what publishing per commit costs under this load.
  const quiet: ServiceContext = { ...ctx, relay: { committed() {} } };
  rows.push(await hammer('service, relay not kicked (diagnostic)', () => reserve(quiet, pick())));
  await app.relay.drain();

  const pg = postgres(dbUrl, { max: workers, onnotice: () => {} });
  try {
    rows.push(
      await hammer('ceiling: bare conditional UPDATE (postgres.js)', async () => {
        const r = await pg`update inventory_levels set allocated = allocated + 1, updated_at = now()
          where variant_id = ${pick()} and warehouse_id = ${wh.id} and on_hand - allocated >= 1 returning allocated`;
        if (!r.length) throw new Error('out of stock');
      }),
    );
    rows.push(
      await hammer('ceiling: tx UPDATE + outbox insert (postgres.js)', async () => {
        const variantId = pick();
        await pg.begin(async (tx) => {
          const r = await tx`update inventory_levels set allocated = allocated + 1, updated_at = now()
            where variant_id = ${variantId} and warehouse_id = ${wh.id} and on_hand - allocated >= 1 returning allocated`;
          if (!r.length) throw new Error('out of stock');
          await tx`insert into outbox (id, topic, payload) values (${uuidv7()}, ${LEVEL_CHANGED}, ${tx.json({ variantId, warehouseId: wh.id, warehouseCode: wh.code })})`;
        });
      }),
    );
    // The same transaction with the outbox insert first: the hot row is locked by the last
    // statement, so the lock is held only until COMMIT (one round trip less under the lock).
    rows.push(
      await hammer('ceiling: tx outbox insert, then UPDATE (postgres.js)', async () => {
        const variantId = pick();
        await pg.begin(async (tx) => {
          await tx`insert into outbox (id, topic, payload) values (${uuidv7()}, ${LEVEL_CHANGED}, ${tx.json({ variantId, warehouseId: wh.id, warehouseCode: wh.code })})`;
          const r = await tx`update inventory_levels set allocated = allocated + 1, updated_at = now()
            where variant_id = ${variantId} and warehouse_id = ${wh.id} and on_hand - allocated >= 1 returning allocated`;
          if (!r.length) throw new Error('out of stock');
        });
      }),
    );
    // What a single-statement reserve could reach: UPDATE and outbox insert in one CTE, so the
    // row lock is held for one round trip only (autocommit; one statement is atomic).
    rows.push(
      await hammer('ceiling: one statement, UPDATE + outbox in a CTE (postgres.js)', async () => {
        const variantId = pick();
        const r = await pg`with u as (
            update inventory_levels set allocated = allocated + 1, updated_at = now()
            where variant_id = ${variantId} and warehouse_id = ${wh.id} and on_hand - allocated >= 1 returning allocated)
          insert into outbox (id, topic, payload)
          select ${uuidv7()}, ${LEVEL_CHANGED}, ${pg.json({ variantId, warehouseId: wh.id, warehouseCode: wh.code })} from u returning id`;
        if (!r.length) throw new Error('out of stock');
      }),
    );
  } finally {
    await pg.end();
  }
  // Nothing was oversold: the check constraint would have failed a statement, but say so anyway.
  const [over] = await app.database.rows<{ n: number }>(sql`select count(*)::int as n from inventory_levels where allocated > on_hand`);
  if (Number(over?.n) !== 0) throw new Error('oversold');
  return rows;
}

/** (c) one-line ledger writes, each SKU in its own bin (no row contention between workers). */
async function smallWrites(app: App, ctx: ServiceContext): Promise<Rate[]> {
  const n = SMALL_SKUS;
  await warehouseWith(ctx, 'SML1', [{ zone: 'B', kind: 'BULK', rank: 2, aisles: ['A', 'B'], racks: 10, levels: 1, positions: n / 20, capacity: null }]);
  const skus = Array.from({ length: n }, (_, i) => `SML-${String(i + 1).padStart(3, '0')}`);
  await createProduct(ctx, { title: 'Small writes', variants: skus.map((sku) => ({ sku, title: sku, price: { amountMinor: 10_000, currency: 'RUB' }, weightGrams: 300 })) });
  const barcodes = Array.from({ length: n }, (_, i) => binBarcode('SML1', `${i < n / 2 ? 'A' : 'B'}-${String(1 + (Math.floor(i / (n / 20)) % 10)).padStart(2, '0')}-01-${String(1 + (i % (n / 20))).padStart(2, '0')}`));
  const stocked: { variantId: string; binId: string }[] = [];
  for (let i = 0; i < n; i++) {
    const [m] = await receiveInventory(ctx, { warehouseCode: 'SML1', binBarcode: barcodes[i]!, lines: [{ sku: skus[i]!, quantity: HOT_STOCK }] });
    stocked.push({ variantId: m!.variantId, binId: m!.binId! });
  }
  const rows: (Rate & { statements?: number })[] = [];
  // SQL statements of one write (BEGIN/COMMIT included), counted like bench (b)'s x-sql-statements.
  const statements = async (op: () => Promise<unknown>) => {
    const counter = { count: 0 };
    await statementCounter.run(counter, op);
    return counter.count;
  };
  const receiveStatements = await statements(() => receiveInventory(ctx, { warehouseCode: 'SML1', binBarcode: barcodes[0]!, lines: [{ sku: skus[0]!, quantity: 1 }] }));
  const pickStatements = await statements(() => recordPicks(ctx, { warehouseCode: 'SML1', picks: [{ ...stocked[0]!, quantity: 1, reference: 'P-count', at: new Date(Date.now() - 1000) }] }));
  rows.push(await hammer('receiveInventory, 1 line of 1 unit into a named bin', (i) => receiveInventory(ctx, { warehouseCode: 'SML1', binBarcode: barcodes[i % n]!, lines: [{ sku: skus[i % n]!, quantity: 1 }] }).then(() => {})));
  await app.relay.drain();
  rows.push(
    await hammer('recordPicks, 1 pick of 1 unit', (i) =>
      recordPicks(ctx, { warehouseCode: 'SML1', picks: [{ ...stocked[i % n]!, quantity: 1, reference: `P-${i}`, at: new Date(Date.now() - 1000) }] }).then(() => {}),
    ),
  );
  await app.relay.drain();
  rows[0]!.statements = receiveStatements;
  rows[1]!.statements = pickStatements;
  return rows;
}

interface Timed {
  name: string;
  ms: number[];
  statements: number | null;
}

async function bulk(app: App, ctx: ServiceContext, url: string, adminKey: string): Promise<Timed[]> {
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const t0 = performance.now();
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const j = (await r.json()) as { data?: Record<string, { userErrors: unknown[] }>; errors?: unknown };
    const ms = performance.now() - t0;
    const payload = j.data ? Object.values(j.data)[0] : undefined;
    if (!r.ok || j.errors || !payload || payload.userErrors.length) throw new Error(`request failed: ${r.status} ${JSON.stringify(j).slice(0, 400)}`);
    const statements = r.headers.get('x-sql-statements');
    return { ms, statements: statements == null ? null : Number(statements), payload };
  };

  // 1,000 distinct SKUs (10 products of 100 variants), created once through the service.
  const skus: string[] = [];
  for (let p = 0; p < RECEIVE_LINES / 100; p++) {
    const variants = Array.from({ length: 100 }, (_, v) => {
      const sku = `BULK-${String(p).padStart(2, '0')}-${String(v).padStart(3, '0')}`;
      skus.push(sku);
      return { sku, title: sku, price: { amountMinor: 10_000, currency: 'RUB' }, weightGrams: 500, dimensions: { lengthMm: 200, widthMm: 100, heightMm: 50 } };
    });
    await createProduct(ctx, { title: `Bulk product ${p}`, variants });
  }
  const lines = skus.map((sku, i) => ({ sku, quantity: 1 + (i % 20) }));
  const RECEIVE = 'mutation R($input: InventoryReceiveInput!) { inventoryReceive(input: $input) { movements { id } userErrors { code message field } } }';
  const BINS = 'mutation B($input: BinLocationsCreateInput!) { binLocationsCreate(input: $input) { bins { id code } userErrors { code message field } } }';
  const storage = (cap: number) => [
    { zone: 'F', kind: 'FAST_PICK' as const, rank: 0, aisles: ['A', 'B'], racks: 10, levels: 3, positions: 4, capacity: 50 },
    { zone: 'P', kind: 'PICK' as const, rank: 1, aisles: ['C', 'D', 'E', 'F'], racks: 10, levels: 4, positions: 4, capacity: 100 },
    { zone: 'B', kind: 'BULK' as const, rank: 2, aisles: ['G', 'H', 'J'], racks: 20, levels: 5, positions: 4, capacity: cap },
  ];

  // Warm-up: the first requests compile the operations and JIT the paths; not measured.
  await warehouseWith(ctx, 'WARM', [...storage(1000), { zone: 'S', kind: 'RECEIVING', rank: 5, aisles: ['S'], racks: 1, levels: 1, positions: 1, capacity: null }]);
  await gql(RECEIVE, { input: { warehouseCode: 'WARM', binBarcode: binBarcode('WARM', 'S-01-01-01'), lines: lines.slice(0, 100) } });
  await gql(RECEIVE, { input: { warehouseCode: 'WARM', lines: lines.slice(100, 200) } });
  await createZone(ctx, { warehouseCode: 'WARM', code: 'X', name: 'X', kind: 'PICK', distanceRank: 9 });
  await gql(BINS, { input: { warehouseCode: 'WARM', zoneCode: 'X', aisles: ['X'], racks: 10, levels: 10, positions: 10, capacityUnits: 100 } });

  const out: Timed[] = [
    { name: `inventoryReceive, ${RECEIVE_LINES} lines, named bin (no capacity limit)`, ms: [], statements: null },
    { name: `inventoryReceive, ${RECEIVE_LINES} lines, server-chosen putaway (2,080 bins)`, ms: [], statements: null },
    { name: 'binLocationsCreate, 5,000 bins (10 aisles x 25 racks x 5 levels x 4 positions)', ms: [], statements: null },
  ];
  for (let i = 0; i < runs; i++) {
    // Each run on a fresh warehouse: empty bins, no stock, no earlier pick sequence.
    await warehouseWith(ctx, `RN${i}`, [{ zone: 'S', kind: 'RECEIVING', rank: 5, aisles: ['S'], racks: 1, levels: 1, positions: 1, capacity: null }]);
    const named = await gql(RECEIVE, { input: { warehouseCode: `RN${i}`, binBarcode: binBarcode(`RN${i}`, 'S-01-01-01'), reference: `ASN-${i}`, lines } });
    out[0]!.ms.push(named.ms);
    out[0]!.statements = named.statements;

    await warehouseWith(ctx, `RP${i}`, storage(1000));
    const put = await gql(RECEIVE, { input: { warehouseCode: `RP${i}`, reference: `ASN-P${i}`, lines } });
    out[1]!.ms.push(put.ms);
    out[1]!.statements = put.statements;

    await warehouseWith(ctx, `BN${i}`, []);
    await createZone(ctx, { warehouseCode: `BN${i}`, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 1 });
    const bins = await gql(BINS, {
      input: { warehouseCode: `BN${i}`, zoneCode: 'P', aisles: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K'], racks: 25, levels: 5, positions: 4, capacityUnits: 100 },
    });
    if ((bins.payload as unknown as { bins: unknown[] }).bins.length !== 5000) throw new Error('binLocationsCreate made the wrong number of bins');
    out[2]!.ms.push(bins.ms);
    out[2]!.statements = bins.statements;
    log(`run ${i + 1}: receive named ${named.ms.toFixed(0)} ms, putaway ${put.ms.toFixed(0)} ms, bins ${bins.ms.toFixed(0)} ms (load ${os.loadavg()[0]!.toFixed(1)})`);
    await app.relay.drain();
  }
  return out;
}

async function main() {
  const loadStart = loadavg();
  const machine = machineInfo();
  const bench = await createBenchDatabase('wb_bench_inv');
  const { name: dbName, url: dbUrl, pgVersion } = bench;
  const adminKey = `wb_live_${randomBytes(24).toString('base64url')}`;
  log(`database ${dbName} on PostgreSQL ${pgVersion}; pool ${workers}; load average ${loadStart}`);

  let rates: Rate[] = [];
  let timed: Timed[] = [];
  let small: (Rate & { statements?: number })[] = [];
  try {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      LOG_LEVEL: 'warn',
      DB_POOL_SIZE: String(workers),
      ADMIN_API_KEY: adminKey,
      EXPOSE_SQL_COUNT: 'true',
    });
    const app = await createApp(config, { log: pino({ level: 'warn' }, pino.destination(2)) });
    try {
      const ctx = app.context(SCRIPT_PRINCIPAL).services;
      if (want('a')) rates = await contention(app, ctx, dbUrl);
      if (want('c')) small = await smallWrites(app, ctx);
      if (want('b')) {
        const url = await app.listen(0, '127.0.0.1');
        timed = await bulk(app, ctx, url, adminKey);
      }
      await app.relay.drain();
    } finally {
      await app.close();
    }
  } finally {
    await bench.close();
  }

  const loadEnd = loadavg();
  const lines = [
    `Inventory benchmark: ${workers} workers, pool ${workers}, ${duration} s after ${warmup} s warm-up; bulk: median of ${runs} runs`,
    `Machine: ${describeMachine(machine, pgVersion)}, ${machine.date}; load average (1/5/15 min) ${loadStart} at start, ${loadEnd} at end`,
  ];
  if (rates.length) {
    const svc = rates.find((r) => r.name.startsWith('service: '));
    const bare = rates.find((r) => r.name.startsWith('ceiling: bare'));
    const fair = rates.find((r) => r.name.startsWith('ceiling: tx'));
    const pct = (r: Rate, base?: Rate) => (base ? `${((100 * r.perSecond) / base.perSecond).toFixed(0)}%` : '–');
    lines.push(
      '',
      `(a) reserve 1 unit of one of ${HOT_SKUS} hot SKUs`,
      '',
      '| scenario | reservations/s | p50 ms | p99 ms | errors | vs bare UPDATE | vs UPDATE + outbox |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...rates.map((r) => `| ${r.name} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${pct(r, bare)} | ${pct(r, fair)} |`),
    );
    if (svc && bare) {
      const ratio = svc.perSecond / bare.perSecond;
      lines.push('', `Target: service >= 60% of the bare UPDATE ceiling -> ${(100 * ratio).toFixed(0)}% ${ratio >= 0.6 ? 'met' : 'MISSED'}${fair ? `; vs UPDATE + outbox ${pct(svc, fair)}` : ''}`);
    }
  }
  if (timed.length) {
    lines.push(
      '',
      `(b) bulk writes through GraphQL over HTTP (admin key), fresh warehouse each run`,
      '',
      '| operation | median ms | runs ms | SQL statements | target < 1 s |',
      '|---|---:|---|---:|---|',
      ...timed.map((t) => `| ${t.name} | ${median(t.ms).toFixed(0)} | ${t.ms.map((m) => m.toFixed(0)).join(', ')} | ${t.statements ?? '–'} | ${median(t.ms) < 1000 ? 'met' : 'MISSED'} |`),
    );
  }
  if (small.length) {
    lines.push(
      '',
      '(c) one-line ledger writes through the services (in-process), 200 SKUs each in its own bin',
      '',
      '| operation | writes/s | p50 ms | p99 ms | errors | Node CPU (% of a core) | Node CPU µs/write | SQL statements |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...small.map((r) => `| ${r.name} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.nodeCpu.toFixed(0)} | ${((r.nodeCpu / 100 / r.perSecond) * 1e6).toFixed(0)} | ${r.statements ?? '–'} |`),
    );
  }
  console.log(lines.join('\n'));
  if (flags.json) console.log(JSON.stringify({ machine, pgVersion, loadStart, loadEnd, workers, duration, warmup, runs, rates, timed, small }));
}

await main();
