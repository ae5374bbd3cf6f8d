/**
 * Offline evaluation of personalised offers on the demo store's order history: seeds it on a fresh
 * embedded database (about 1–2 minutes; or reads an existing seeded one), splits the orders in time
 * (the first 75 of the 90 days train, the last 15 test), picks the blend weights on the train part
 * only (fit on days 0–60, validate on days 60–75), fits on all 75 train days and, for every customer
 * who bought in the test days, scores hit-rate@10 of the offers made at the split against the
 * most-popular baseline (most baskets in train, minus what the customer bought in the last 30 days
 * of train). Stock is not considered (both methods alike).
 *
 *   npm run bench:offers [-- --orders N] [--database-url URL] [--dump FILE] [--from FILE] [--k 10]
 *
 * --database-url reads an existing seeded database (no seeding); --dump saves the lines read, --from
 * evaluates saved lines (no database).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DEMO_PRODUCT_COUNT, seedDemoStore } from '../seed.js';
import { withScriptApp } from '../lib/script-app.js';
import { variantCategories } from '../../src/modules/catalog/catalog.categories.js';
import { basketLinesSince } from '../../src/modules/orders/order.baskets.js';
import { hitRates, tuneWeights } from '../../src/modules/loyalty/offers/evaluate.js';
import { DEFAULT_WEIGHTS, type BasketLine, type ItemInfo } from '../../src/modules/loyalty/offers/recommend.js';
import { ManualClock } from '../../src/shared/clock.js';
import { log, machineInfo } from './lib.js';

const DAY = 86_400_000;

function usage(msg?: string): never {
  if (msg) console.error(msg);
  console.error('usage: npm run bench:offers -- [--orders N] [--database-url URL] [--dump FILE] [--from FILE] [--k 10]');
  process.exit(2);
}

const args = process.argv.slice(2);
let orders = 400;
let databaseUrl: string | undefined;
let dump: string | undefined;
let from: string | undefined;
let k = 10;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const val = (): string => args[++i] ?? usage(`missing value for ${a}`);
  if (a === '--orders') orders = Number(val());
  else if (a === '--database-url') databaseUrl = val();
  else if (a === '--dump') dump = val();
  else if (a === '--from') from = val();
  else if (a === '--k') k = Number(val());
  else usage(a === '--help' || a === '-h' ? undefined : `unknown argument ${a}`);
}

interface Data {
  lines: BasketLine[];
  items: Map<string, ItemInfo>;
  source: string;
}

async function read(): Promise<Data> {
  if (from) {
    const raw = JSON.parse(readFileSync(from, 'utf8')) as { lines: { orderId: string; customerId: string | null; variantId: string; at: string }[]; items: [string, ItemInfo][]; source: string };
    return { lines: raw.lines.map((l) => ({ ...l, at: new Date(l.at) })), items: new Map(raw.items), source: raw.source };
  }
  const started = performance.now();
  const clock = new ManualClock();
  return withScriptApp(
    async (ctx, app) => {
      if (!databaseUrl) {
        log(`seeding the demo store with ${orders} orders on an embedded database (1–2 minutes)…`);
        await seedDemoStore(ctx, { warehouses: { picksPerWarehouse: 600 }, orders: { count: orders, clock }, returns: false, planning: false });
        log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
      const lines = await basketLinesSince(ctx, new Date(0));
      const items = new Map((await variantCategories(ctx, [...new Set(lines.map((l) => l.variantId))])).map((r) => [r.variantId, { category: r.category, title: r.title }]));
      return { lines, items, source: databaseUrl ? `existing database (${app.database.kind})` : `demo seed, ${orders} orders over 90 days, ${DEMO_PRODUCT_COUNT} products, fresh ${app.database.kind} database` };
    },
    { clock, env: { SMTP_URL: undefined, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: 'memory://' }) } },
  );
}

const data = await read();
if (dump) writeFileSync(dump, JSON.stringify({ lines: data.lines, items: [...data.items], source: data.source }));
if (!data.lines.length) usage('no orders to evaluate on (seed the database first, or leave out --database-url)');

// The 90 days that end with the newest order: train the first 75, test the last 15.
const end = new Date(Math.max(...data.lines.map((l) => l.at.getTime())) + 1);
const start = new Date(end.getTime() - 90 * DAY);
const split = new Date(start.getTime() + 75 * DAY);
const lines = data.lines.filter((l) => l.at >= start);
const orderCount = (ls: BasketLine[]) => new Set(ls.map((l) => l.orderId)).size;

const tuned = tuneWeights(lines, data.items, split, { validationDays: 15, k });
const rates = hitRates(lines, data.items, split, end, { k, weights: tuned.weights });
const withDefaults = hitRates(lines, data.items, split, end, { k, weights: DEFAULT_WEIGHTS });
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const w = (x: typeof DEFAULT_WEIGHTS) => `co-purchase ${x.coPurchase.toFixed(1)}, category ${x.category.toFixed(1)}, popularity ${x.popularity.toFixed(1)}`;
const m = machineInfo();
console.log(
  [
    `bench:offers — ${data.source}`,
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}; ${m.date}`,
    `orders: ${orderCount(lines.filter((l) => l.at < split))} train (days 0–75), ${orderCount(lines.filter((l) => l.at >= split))} test (days 75–90)`,
    `weights chosen on train only (fit days 0–60, validate 60–75, ${tuned.rates.customers} customers): ${w(tuned.weights)}; validation hit-rate@${k} ${pct(tuned.rates.method)} vs most-popular ${pct(tuned.rates.baseline)}`,
    `test: ${rates.customers} customers bought in the last 15 days`,
    `  hit-rate@${k}  method      ${pct(rates.method)}`,
    `  hit-rate@${k}  most-popular ${pct(rates.baseline)}`,
    `  lift         ${rates.baseline > 0 ? `${(rates.method / rates.baseline).toFixed(2)}×` : 'n/a'} (${rates.method > rates.baseline ? 'beats' : 'does NOT beat'} the baseline)`,
    `  per customer: only the method hit for ${rates.onlyMethod}, only the baseline for ${rates.onlyBaseline}`,
    `  with the service's DEFAULT_WEIGHTS (${w(DEFAULT_WEIGHTS)}): ${pct(withDefaults.method)}`,
  ].join('\n'),
);
if (rates.method <= rates.baseline) process.exitCode = 1;
