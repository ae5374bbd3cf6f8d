/**
 * `npm run bench:checkout [-- --duration 10 --connections 32 --warmup 3 --workers 2 --profile /tmp/prof --sql-count --json]`
 *
 * Checkout `deliveryOptions` on PostgreSQL (+ Redis when reachable), with `productVariant(sku)` (the
 * same operation as bench:api's (a)) measured in the same run as a reference:
 *
 *   data set  200 demo products (seedCatalog); the 3 demo warehouses (MSK1, SPB1, KZN1) with zones,
 *             bins and about 70% of the first 120 products' SKUs each (seedWarehouses, no pick
 *             history); 5 carriers x 3 services (COURIER, PICKUP_POINT, PARTNER mix), each with a
 *             rate card of 7 weight brackets for the country, 10 regions and 16 postal prefixes
 *             (189 rows a service, 2,835 in all); 2,000 pickup points around 6 cities (normal
 *             spread, sd 8 km; a few hundred within the 15 km option radius of every destination),
 *             ~10% open to every carrier, the rest one carrier's.
 *   (1) deliveryOptions for a 3-line cart (3 distinct SKUs of the stocked range, 1 unit, 20% 2 units;
 *       carts that would bill over 25 kg as one parcel are drawn again),
 *       destinations rotating over 8 addresses in 5 cities, all with coordinates (so pickup points
 *       are searched), currency RUB; the STAFF API key (the anonymous budget would throttle).
 *   (2) productVariant(sku) { sku title price }, same key, SKUs rotating (bench:api's (a)).
 *
 * Both with `--connections` autocannon clients for `--duration` s after a `--warmup` (discarded).
 * The API runs as `npm start` runs it: built (`tsc -p tsconfig.build.json`), then `node <start's V8 flags> dist/main.js`
 * in a child process (NODE_ENV=production, LOG_LEVEL=warn, default DB_POOL_SIZE); `--workers n` runs it
 * with WORKERS=n (needs Redis; server CPU then sums the primary and its workers). `--profile <dir>`
 * adds `--cpu-prof` to it (BENCH_NODE_ARGS adds any other node arguments, e.g. `--trace-gc`); `--sql-count` starts it with EXPOSE_SQL_COUNT=true and prints the
 * `x-sql-statements` of one request of each kind (off by default, as in bench:api).
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names the server: a fresh database
 * wb_bench_co_<ts> is created for the run and dropped after it.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import postgres from 'postgres';
import { loadConfig } from '../../src/config.js';
import { createApiKey } from '../../src/modules/auth/auth.service.js';
import { createCarrier, type CarrierServiceInput } from '../../src/modules/carriers/carrier.service.js';
import { chargeableWeightGrams, estimateParcel } from '../../src/modules/carriers/parcel.js';
import { createPickupPoint } from '../../src/modules/carriers/pickup.service.js';
import type { DeliveryTypeValue } from '../../src/shared/delivery-type.js';
import { createApp } from '../../src/server/app.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import { DEMO_PRODUCT_COUNT, demoProduct, seedCatalog, seedWarehouses } from '../seed.js';
import { prng } from '../lib/prng.js';
import { SCRIPT_PRINCIPAL } from '../lib/script-app.js';
import { buildApi, createBenchDatabase, startArgs, describeMachine, freePort, httpLoad, type HttpRow, loadavg, log, machineInfo, redisUrl, root, stop, waitReady } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    /** Writes a V8 CPU profile of the API process (node --cpu-prof) into this directory. */
    profile: { type: 'string' },
    /** EXPOSE_SQL_COUNT=true on the API and print the statements of one request of each kind. */
    'sql-count': { type: 'boolean', default: false },
    /** Server processes (WORKERS); 1 = one Node process, as bench:api measures. */
    workers: { type: 'string', default: '1' },
    /** Only deliveryOptions (skip the productVariant reference). */
    'options-only': { type: 'boolean', default: false },
    /** Run the existing dist/ without building first (it must be current). */
    'skip-build': { type: 'boolean', default: false },
    /** Keep the database (and print its URL and the API key) for poking at it afterwards. */
    'keep-db': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const duration = Number(flags.duration);
const connections = Number(flags.connections);
const warmup = Number(flags.warmup);
const workers = Number(flags.workers);
const PRODUCTS = 200;
const P99_TARGET_MS = 50;

const poolSize = loadConfig({ DB_POOL_SIZE: process.env.DB_POOL_SIZE }).DB_POOL_SIZE;

// --- data set -------------------------------------------------------------------------------

interface City {
  name: string;
  region: string;
  postal: string;
  lat: number;
  lng: number;
  points: number;
}
const CITIES: readonly City[] = [
  { name: 'Москва', region: 'Москва', postal: '101000', lat: 55.7558, lng: 37.6173, points: 700 },
  { name: 'Санкт-Петербург', region: 'Санкт-Петербург', postal: '190000', lat: 59.9343, lng: 30.3351, points: 450 },
  { name: 'Казань', region: 'Республика Татарстан', postal: '420000', lat: 55.7963, lng: 49.1088, points: 300 },
  { name: 'Екатеринбург', region: 'Свердловская область', postal: '620000', lat: 56.8389, lng: 60.6057, points: 250 },
  { name: 'Нижний Новгород', region: 'Нижегородская область', postal: '603000', lat: 56.2965, lng: 43.9361, points: 150 },
  { name: 'Новосибирск', region: 'Новосибирская область', postal: '630000', lat: 55.0084, lng: 82.9357, points: 150 },
];
const REGIONS = [...CITIES.map((c) => c.region), 'Московская область', 'Ленинградская область', 'Краснодарский край', 'Ростовская область'];
const PREFIXES = ['101', '105', '109', '115', '119', '123', '125', '129', '190', '194', '197', '420', '603', '620', '630', '350'];
const BRACKETS = [500, 1000, 2000, 5000, 10_000, 20_000, 30_000];

/** Checkout destinations (the benchmark rotates over them); offsets from the city centre in degrees. */
const DESTINATIONS = [
  { city: 0, dLat: 0.01, dLng: 0.02, postal: '125009', line1: 'Тверская ул., 7' },
  { city: 0, dLat: -0.05, dLng: -0.04, postal: '119021', line1: 'Комсомольский пр-т, 14' },
  { city: 0, dLat: 0.04, dLng: 0.08, postal: '105005', line1: 'Бауманская ул., 40' },
  { city: 1, dLat: 0.0, dLng: 0.01, postal: '191186', line1: 'Невский пр-т, 28' },
  { city: 1, dLat: 0.06, dLng: -0.03, postal: '197101', line1: 'Каменноостровский пр-т, 10' },
  { city: 2, dLat: 0.01, dLng: 0.0, postal: '420111', line1: 'ул. Баумана, 20' },
  { city: 3, dLat: -0.02, dLng: 0.01, postal: '620014', line1: 'ул. Малышева, 30' },
  { city: 4, dLat: 0.01, dLng: 0.02, postal: '603005', line1: 'Большая Покровская ул., 15' },
].map((d) => {
  const c = CITIES[d.city]!;
  return { line1: d.line1, city: c.name, region: c.region, postalCode: d.postal, countryCode: 'RU', location: { lat: c.lat + d.dLat, lng: c.lng + d.dLng } };
});

const CARRIERS: readonly { code: string; name: string; third: { suffix: string; type: DeliveryTypeValue } }[] = [
  { code: 'CDEK', name: 'СДЭК', third: { suffix: 'PARTNER', type: 'PARTNER' } },
  { code: 'BOXBERRY', name: 'Boxberry', third: { suffix: 'LOCKER', type: 'PICKUP_POINT' } },
  { code: 'POCHTA', name: 'Почта России', third: { suffix: 'EMS', type: 'COURIER' } },
  { code: 'DPD', name: 'DPD', third: { suffix: 'PARTNER', type: 'PARTNER' } },
  { code: 'YANDEX', name: 'Яндекс Доставка', third: { suffix: 'EXPRESS', type: 'COURIER' } },
];

/** A rate card: 7 weight brackets for the country, each region and each postal prefix (189 rows). */
function rateCard(r: ReturnType<typeof prng>, base: number): CarrierServiceInput['rates'] {
  const price = (i: number, factor: number) => ({ amountMinor: Math.round((base * factor * (1 + i * 0.35)) / 10) * 1000, currency: 'RUB' });
  const rows: CarrierServiceInput['rates'] = [];
  BRACKETS.forEach((maxWeightGrams, i) => rows.push({ countryCode: 'RU', maxWeightGrams, price: price(i, 1.2) }));
  for (const region of REGIONS) {
    const f = 0.8 + r.next() * 0.4;
    BRACKETS.forEach((maxWeightGrams, i) => rows.push({ countryCode: 'RU', region, maxWeightGrams, price: price(i, f) }));
  }
  for (const postalCodePrefix of PREFIXES) {
    const f = 0.7 + r.next() * 0.3;
    BRACKETS.forEach((maxWeightGrams, i) => rows.push({ countryCode: 'RU', postalCodePrefix, maxWeightGrams, price: price(i, f) }));
  }
  return rows;
}

async function seedShipping(ctx: ServiceContext): Promise<{ services: number; rates: number; points: number }> {
  const r = prng(0xc0ffee);
  let services = 0;
  let rates = 0;
  for (const c of CARRIERS) {
    const svc = (suffix: string, deliveryType: DeliveryTypeValue, base: number, min: number, max: number): CarrierServiceInput => {
      const card = rateCard(r, base);
      rates += card.length;
      services++;
      return { code: `${c.code}_${suffix}`, name: `${c.name} ${suffix}`, deliveryType, transitDaysMin: min, transitDaysMax: max, maxWeightGrams: 30_000, rates: card };
    };
    await createCarrier(ctx, {
      code: c.code,
      name: c.name,
      services: [
        svc('COURIER', 'COURIER', r.int(300, 500), 1, 3),
        svc('PVZ', 'PICKUP_POINT', r.int(150, 300), 2, 5),
        svc(c.third.suffix, c.third.type, r.int(200, 700), c.third.type === 'COURIER' ? 0 : 2, c.third.type === 'COURIER' ? 2 : 6),
      ],
    });
  }
  const specs: Parameters<typeof createPickupPoint>[1][] = [];
  for (const city of CITIES) {
    for (let i = 0; i < city.points; i++) {
      const n = specs.length;
      // sd 8 km: about 83% within 15 km of the centre.
      const lat = city.lat + (r.normal() * 8) / 111.2;
      const lng = city.lng + (r.normal() * 8) / (111.32 * Math.cos((city.lat * Math.PI) / 180));
      const carrier = r.next() < 0.1 ? null : CARRIERS[n % CARRIERS.length]!.code;
      specs.push({
        code: `PP-${String(n + 1).padStart(5, '0')}`,
        name: `Пункт выдачи ${n + 1}`,
        carrierCode: carrier,
        dailyCapacity: r.int(20, 200),
        openingHours: 'Mo-Su 09:00-21:00',
        address: { line1: `ул. Пунктовая, ${i + 1}`, city: city.name, region: city.region, postalCode: city.postal, countryCode: 'RU', location: { lat, lng } },
      });
    }
  }
  // Through the service, 8 at a time.
  for (let i = 0; i < specs.length; i += 8) await Promise.all(specs.slice(i, i + 8).map((s) => createPickupPoint(ctx, s)));
  return { services, rates, points: specs.length };
}

// --- processes and load ---------------------------------------------------------------------

type Row = HttpRow;
const load = (name: string, server: ChildProcess, url: string, body: (i: number) => string, headers: Record<string, string>) =>
  httpLoad({ name, server, url, body, headers, connections, warmup, duration });

const Q_OPTIONS = `query DeliveryOptions($input: DeliveryOptionsInput!) {
  deliveryOptions(input: $input) {
    id type carrier { code name } service { code transitDaysMin transitDaysMax } price { amountMinor currency }
    estimatedDeliveryFrom estimatedDeliveryTo pickupPoint { code distanceKm availableCapacity } shipsFrom { code }
  }
}`;
const Q_VARIANT = 'query V($sku: String!) { productVariant(sku: $sku) { sku title price { amountMinor currency } } }';

async function main() {
  const loadBefore = loadavg();
  const machine = machineInfo();
  const bench = await createBenchDatabase('wb_bench_co');
  const { name: dbName, url: dbUrl, pgVersion } = bench;
  const redis = await redisUrl();
  log(`database ${dbName} on PostgreSQL ${pgVersion}; redis: ${redis ?? 'none'}; pool ${poolSize}; load average ${loadBefore}`);

  const children: ChildProcess[] = [];
  const rows: Row[] = [];
  const sqlCounts: Record<string, string | null> = {};
  let dataSet = '';
  let optionsPerRequest = 0;
  try {
    const config = loadConfig({ DATABASE_URL: dbUrl, REDIS_URL: redis, LOG_LEVEL: 'warn', DB_POOL_SIZE: String(poolSize) });
    const seeder = await createApp(config, { log: pino({ level: 'warn' }, pino.destination(2)) });
    let secret: string;
    let stocked: string[];
    const t0 = Date.now();
    try {
      const ctx = seeder.context(SCRIPT_PRINCIPAL).services;
      const cat = await seedCatalog(ctx, { products: PRODUCTS });
      const wh = await seedWarehouses(ctx, { picksPerWarehouse: 0 });
      const ship = await seedShipping(ctx);
      ({ secret } = await createApiKey(ctx, { name: 'bench', kind: 'STAFF', scopes: ['read_catalog'] }));
      await seeder.relay.drain();
      // Carts draw from the SKUs seedWarehouses stocks (~70% of them in each warehouse).
      stocked = Array.from({ length: DEMO_PRODUCT_COUNT }, (_, i) => demoProduct(i).variants.map((v) => v.sku)).flat();
      dataSet = `${cat.created} products (${cat.variants} SKUs); warehouses ${wh.created.join(', ')} with ${wh.bins} bins and ${wh.receivedUnits} units; 5 carriers, ${ship.services} services, ${ship.rates} rate rows; ${ship.points} pickup points`;
      log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${dataSet}`);
    } finally {
      await seeder.close();
    }
    // Pickup points within the option radius of each destination (as the data set promises).
    const pg = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const within: number[] = [];
    for (const d of DESTINATIONS) {
      const [row] = await pg<{ n: string }[]>`
        select count(*) as n from pickup_points
        where 6371.0088 * 2 * asin(sqrt(power(sin(radians(lat - ${d.location.lat}) / 2), 2)
          + cos(radians(${d.location.lat})) * cos(radians(lat)) * power(sin(radians(lng - ${d.location.lng}) / 2), 2))) <= ${config.PICKUP_OPTIONS_RADIUS_KM}`;
      within.push(Number(row!.n));
    }
    await pg.end();
    dataSet += `; pickup points within ${config.PICKUP_OPTIONS_RADIUS_KM} km of the ${DESTINATIONS.length} destinations: ${within.join(', ')}`;
    log(`within radius: ${within.join(', ')}`);

    const r = prng(0xca27);
    const CARTS = 512;
    // 3 distinct SKUs, mostly 1 unit each; carts whose parcel (as one) would bill over 25 kg are
    // drawn again, so every cart gets options (the services carry up to 30 kg).
    const dims = new Map(
      Array.from({ length: DEMO_PRODUCT_COUNT }, (_, i) => demoProduct(i).variants)
        .flat()
        .map((v) => [v.sku, { weightGrams: v.weightGrams ?? 0, lengthMm: v.dimensions?.lengthMm ?? null, widthMm: v.dimensions?.widthMm ?? null, heightMm: v.dimensions?.heightMm ?? null }]),
    );
    const carts: { sku: string; quantity: number }[][] = [];
    while (carts.length < CARTS) {
      const picked = new Set<string>();
      while (picked.size < 3) picked.add(stocked[r.int(0, stocked.length - 1)]!);
      const cart = [...picked].map((sku) => ({ sku, quantity: r.next() < 0.8 ? 1 : 2 }));
      const parcel = estimateParcel(cart.map((l) => ({ ...dims.get(l.sku)!, quantity: l.quantity })));
      if (chargeableWeightGrams(parcel, 5000) <= 25_000) carts.push(cart);
    }
    const optionsBody = (i: number) =>
      JSON.stringify({ query: Q_OPTIONS, variables: { input: { destination: DESTINATIONS[i % DESTINATIONS.length], lines: carts[i % CARTS], currency: 'RUB' } } });
    const allSkus = Array.from({ length: PRODUCTS }, (_, i) => demoProduct(i).variants.map((v) => v.sku)).flat();
    const variantBody = (i: number) => JSON.stringify({ query: Q_VARIANT, variables: { sku: allSkus[i % allSkus.length] } });

    if (!flags['skip-build']) buildApi();
    const port = await freePort();
    const api = spawn(
      process.execPath,
      [...(flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags.profile)}`] : []), ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...startArgs()],
      {
        cwd: root,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          DATABASE_URL: dbUrl,
          REDIS_URL: redis,
          DB_POOL_SIZE: String(poolSize),
          LOG_LEVEL: 'warn',
          PORT: String(port),
          HOST: '127.0.0.1',
          ADMIN_API_KEY: `wb_live_${randomBytes(24).toString('base64url')}`,
          EXPOSE_SQL_COUNT: flags['sql-count'] ? 'true' : 'false',
          WORKERS: String(workers),
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    children.push(api);
    const apiUrl = `http://127.0.0.1:${port}/graphql`;
    await waitReady(`http://127.0.0.1:${port}/readyz`);
    const auth = { authorization: `Bearer ${secret}` };
    if (flags['keep-db']) log(`API key ${secret}; sample body ${optionsBody(0)}`);
    // Every destination and a few carts must answer options (pickup points included), not errors.
    let pickupOptions = 0;
    for (let i = 0; i < DESTINATIONS.length * 2; i++) {
      const res = await fetch(apiUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: optionsBody(i) });
      const j = (await res.json()) as { data?: { deliveryOptions: { pickupPoint: unknown }[] }; errors?: unknown };
      if (!res.ok || j.errors || !j.data?.deliveryOptions.length) throw new Error(`sanity check failed: ${res.status} ${JSON.stringify(j).slice(0, 400)}`);
      optionsPerRequest += j.data.deliveryOptions.length;
      pickupOptions += j.data.deliveryOptions.filter((o) => o.pickupPoint).length;
      if (i === 0) sqlCounts.deliveryOptions = res.headers.get('x-sql-statements');
    }
    if (!pickupOptions) throw new Error('sanity check failed: no pickup-point options');
    optionsPerRequest /= DESTINATIONS.length * 2;
    {
      const res = await fetch(apiUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: variantBody(0) });
      const j = (await res.json()) as { data?: unknown; errors?: unknown };
      if (!res.ok || j.errors || !j.data) throw new Error(`sanity check failed: ${res.status} ${JSON.stringify(j).slice(0, 300)}`);
      sqlCounts.productVariant = res.headers.get('x-sql-statements');
    }
    if (flags['sql-count']) log(`SQL statements per request: deliveryOptions ${sqlCounts.deliveryOptions}, productVariant ${sqlCounts.productVariant}`);
    log(`about ${optionsPerRequest.toFixed(1)} options per deliveryOptions answer`);

    rows.push(await load('deliveryOptions, 3-line cart, 8 destinations', api, apiUrl, optionsBody, auth));
    if (!flags['options-only']) rows.push(await load('productVariant(sku) (bench:api (a))', api, apiUrl, variantBody, auth));
    await stop(api);
  } finally {
    await Promise.allSettled(children.map(stop));
    await bench.close({ keep: flags['keep-db'] });
  }

  const lines = [
    `Checkout benchmark: ${connections} connections, ${duration} s after ${warmup} s warm-up; API ${workers > 1 ? `WORKERS=${workers} (primary + ${workers} worker processes; CPU summed)` : 'one Node process'}`,
    `Machine: ${describeMachine(machine, pgVersion)}, ${redis ? 'Redis' : 'no Redis'}, ${machine.date}`,
    `Load average (1, 5, 15 min): ${loadBefore} at the start, ${loadavg()} at the end`,
    `Data set: ${dataSet}`,
    `Options per deliveryOptions answer: ${optionsPerRequest.toFixed(1)}${flags['sql-count'] ? `; SQL statements per request: deliveryOptions ${sqlCounts.deliveryOptions}, productVariant ${sqlCounts.productVariant}` : ''}`,
    '',
    '| scenario | req/s | p50 ms | p90 ms | p99 ms | errors | server CPU µs/req |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((x) => `| ${x.name} | ${x.rps.toFixed(0)} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.errors} | ${x.cpuUs ?? '–'} |`),
  ];
  const opt = rows[0];
  if (opt) lines.push('', `Target: deliveryOptions p99 < ${P99_TARGET_MS} ms at ${connections} clients -> ${opt.p99} ms ${opt.p99 < P99_TARGET_MS && !opt.errors ? 'met' : 'MISSED'}`);
  console.log(lines.join('\n'));
  if (flags.json) console.log(JSON.stringify({ machine, loadBefore, loadAfter: loadavg(), pgVersion, redis: !!redis, connections, duration, warmup, workers, dataSet, sqlCounts, rows }));
}

await main();
