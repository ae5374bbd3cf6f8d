/**
 * `npm run bench:kpis [-- --orders 1000000 --runs 15 --warmup 3 --regenerate --ledger --only year]`
 *
 * `kpis` on a year of orders on PostgreSQL. The store is generated straight into a database
 * `wb_bench_kpis_<orders>` by INSERT … SELECT (scripts/bench/kpis-data.ts: minutes) and KEPT
 * between runs, so re-timing after a code change takes seconds; --regenerate drops and writes it
 * again. The app opens it in this process (createApp: migrations run), and `kpis` is called
 * through the service function with a staff context (no HTTP: the figure is the query's) for:
 *
 *   year/MONTH     the 365 days, 12 buckets
 *   quarter/DAY    the last 92 days, 92 buckets
 *   day/HOUR       the last day, 24 buckets
 *   year/MONTH wh  the year narrowed to one warehouse
 *
 * `--ledger` adds the inventory ledger (generateKpiLedger: bins, supplier costs, weekly receipts, a
 * shipment movement per line shipped) to the generated store once: the stock figures' case.
 *
 * each `--warmup` times (discarded), then `--runs` times: p50 / p95 / max in ms. The first call
 * after a migration builds the read model (timed apart, "first call"). Before the cases the read
 * model's tables are vacuumed and analyzed, as autovacuum would have done (it is off on the shared
 * bench server): the percentiles read duration bins by index-only scans.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import pino from 'pino';
import postgres from 'postgres';
import { loadConfig } from '../../src/config.js';
import { getCostModel, updateCostModel } from '../../src/modules/metrics/cost-model.service.js';
import { kpis, type KpisInput } from '../../src/modules/metrics/kpi.service.js';
import { money } from '../../src/shared/money.js';
import { createApp } from '../../src/server/app.js';
import { SCRIPT_PRINCIPAL } from '../lib/script-app.js';
import { generateKpiData, generateKpiLedger } from './kpis-data.js';
import { baseUrl, describeMachine, loadavg, log, machineInfo, percentile } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    regenerate: { type: 'boolean', default: false },
    ledger: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const ORDERS = Number(flags.orders);
const RUNS = Number(flags.runs);
const WARMUP = Number(flags.warmup);
/** The generated year ends here (a fixed instant: the same data on every machine). */
const END = new Date('2026-12-01T00:00:00+03:00');
const DAY = 86_400_000;

async function ensureDatabase(): Promise<{ url: string; pgVersion: string; generated: boolean }> {
  const name = `wb_bench_kpis_${ORDERS}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ version }] = await admin<{ version: string }[]>`select current_setting('server_version') as version`;
    const exists = (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
    const u = new URL(baseUrl);
    u.pathname = `/${name}`;
    if (exists && !flags.regenerate) {
      const db = postgres(u.toString(), { max: 1, onnotice: () => {} });
      try {
        const [{ n }] = await db<{ n: number }[]>`select count(*)::int as n from orders`.catch(() => [{ n: -1 }]);
        if (n === ORDERS) {
          log(`reusing ${name} (${n} orders; --regenerate to write it again)`);
          return { url: u.toString(), pgVersion: version, generated: false };
        }
        log(`${name} holds ${n} orders, not ${ORDERS}: regenerating`);
      } finally {
        await db.end();
      }
    }
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    // Migrate (tables and indexes as the app has them), then write the data.
    const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: u.toString(), LOG_LEVEL: 'warn', DB_STATEMENT_TIMEOUT_MS: '0' });
    const app = await createApp(config, { log: pino({ level: 'warn' }, pino.destination(2)) });
    await app.close();
    const db = postgres(u.toString(), { max: 1, onnotice: () => {} });
    const t0 = performance.now();
    log(`generating ${ORDERS} orders into ${name}…`);
    try {
      await generateKpiData((text) => db.unsafe(text), { orders: ORDERS, end: END, bulk: true, log });
    } finally {
      await db.end();
    }
    log(`generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return { url: u.toString(), pgVersion: version, generated: true };
  } finally {
    await admin.end();
  }
}

interface Row {
  name: string;
  p50: number;
  p95: number;
  max: number;
  first: number;
  orders: number;
}

async function main() {
  const machine = machineInfo();
  const { url, pgVersion } = await ensureDatabase();
  if (flags.ledger) {
    const db = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [{ n }] = await db<{ n: number }[]>`select count(*)::int as n from inventory_movements`;
      if (n === 0) {
        log('writing the inventory ledger…');
        await generateKpiLedger((text) => db.unsafe(text), { end: END, log });
      } else log(`the ledger is there (${n} movements)`);
    } finally {
      await db.end();
    }
  }
  // No background catch-up: each timed call drains the (empty) dirty logs itself.
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, LOG_LEVEL: 'warn', DB_STATEMENT_TIMEOUT_MS: '0', DB_POOL_SIZE: '4', KPI_REFRESH_INTERVAL_SECONDS: '0' });
  const app = await createApp(config, { log: pino({ level: 'warn' }, pino.destination(2)) });
  const rows: Row[] = [];
  try {
    const ctx = app.context(SCRIPT_PRINCIPAL).services;
    // A cost model, so warehousingCostPerOrder (handled orders, picked units) is computed.
    if (!(await getCostModel(ctx)).storagePerBinDay) await updateCostModel(ctx, { perOrderHandled: money(5000, 'RUB'), perUnitPicked: money(1500, 'RUB'), storagePerBinDay: money(300, 'RUB') });
    const [wh] = await app.database.rows<{ code: string }>(
      (await import('drizzle-orm')).sql`select code from warehouses order by code limit 1`,
    );
    const cases: { name: string; input: KpisInput }[] = [
      { name: 'year/MONTH', input: { from: new Date(END.getTime() - 365 * DAY), to: END, granularity: 'MONTH' as const } },
      { name: 'quarter/DAY', input: { from: new Date(END.getTime() - 92 * DAY), to: END, granularity: 'DAY' as const } },
      { name: 'day/HOUR', input: { from: new Date(END.getTime() - DAY), to: END, granularity: 'HOUR' as const } },
      { name: `year/MONTH ${wh!.code}`, input: { from: new Date(END.getTime() - 365 * DAY), to: END, granularity: 'MONTH' as const, filter: { warehouseCodes: [wh!.code] } } },
    ].filter((c) => !flags.only || flags.only.split(',').some((o) => c.name.startsWith(o)));
    // The read model as autovacuum leaves it (the percentiles read duration bins by index-only scans,
    // which need the visibility map): the shared bench server runs with autovacuum off.
    const t0 = performance.now();
    for (const t of ['kpi_order_facts', 'kpi_shipment_facts', 'kpi_pick_facts', 'kpi_daily_orders', 'kpi_daily_shipments', 'kpi_daily_picks', 'kpi_daily_durations', 'kpi_scan_days',
      'kpi_stock_days', 'kpi_stock_pairs', 'kpi_stockout_spans', 'kpi_bin_days', 'kpi_stock_warehouse_days', 'kpi_stock_value_days']) {
      await app.database.db.execute((await import('drizzle-orm')).sql.raw(`vacuum analyze ${t}`));
    }
    log(`vacuum analyze of the read model: ${(performance.now() - t0).toFixed(0)} ms`);
    log(`load average ${loadavg()}`);
    for (const c of cases) {
      const t0 = performance.now();
      const first = await kpis(ctx, c.input);
      const firstMs = performance.now() - t0;
      for (let i = 0; i < WARMUP; i++) await kpis(ctx, c.input);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await kpis(ctx, c.input);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const row = { name: c.name, p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1)!, first: firstMs, orders: first.totals.orders };
      rows.push(row);
      const t = first.totals;
      log(
        `${c.name}: p50 ${row.p50.toFixed(0)} ms, p95 ${row.p95.toFixed(0)} ms, max ${row.max.toFixed(0)} ms (first call ${firstMs.toFixed(0)} ms); ` +
          `${t.orders} orders, ${t.units} units, revenue ${t.revenue.amountMinor}, ship p50/p90/p99 ${t.orderToShip.p50?.toFixed(3)}/${t.orderToShip.p90?.toFixed(3)}/${t.orderToShip.p99?.toFixed(3)} h, ` +
          `deliver p50 ${t.orderToDelivery.p50?.toFixed(3)} h (${t.orderToDelivery.count}), on time ${t.onTimeDeliveryRate?.toFixed(4)}, fill ${t.fillRate?.toFixed(4)}, backorder ${t.backorderRate?.toFixed(4)}, return ${t.returnRate?.toFixed(4)}, shipping ${t.shippingCost.amountMinor}, ` +
          `pick accuracy ${t.pickAccuracy?.toFixed(4)}, units/picker-hour ${t.unitsPickedPerHour?.toFixed(2)}, warehousing/order ${t.warehousingCostPerOrder?.amountMinor}, ` +
          `stockout ${t.stockoutRate?.toFixed(4)}, turnover ${t.inventoryTurnover?.toFixed(3)}, days of supply ${t.daysOfSupply?.toFixed(2)}`,
      );
    }
  } finally {
    await app.close();
  }
  console.log(`kpis on ${ORDERS} orders; ${describeMachine(machine, pgVersion)}; load average at end ${loadavg()}`);
  console.log('case              p50 ms   p95 ms   max ms   first ms   orders');
  for (const r of rows) console.log(`${r.name.padEnd(17)} ${r.p50.toFixed(0).padStart(6)} ${r.p95.toFixed(0).padStart(8)} ${r.max.toFixed(0).padStart(8)} ${r.first.toFixed(0).padStart(10)} ${String(r.orders).padStart(8)}`);
}

await main();
