/** The demo seed: a realistic store, loaded through the services, deterministic and idempotent. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER, demoProduct, seedDemoStore, type WarehouseSeedOptions } from '../scripts/seed.js';
import { deliveredDemoOrders, planDemoReturns } from '../scripts/seed-returns.js';
import { DEMO_ORDER_PREFIX } from '../scripts/seed-shipping.js';
import { DEMO_HISTORY_WEEKS, DEMO_SUPPLIERS, isoWeek } from '../scripts/seed-planning.js';
import { demandOutlook } from '../src/modules/planning/demand.service.js';
import { INTERMITTENT_METHODS, isIntermittent } from '../src/modules/planning/forecast/select.js';
import { replenishmentSuggestions } from '../src/modules/planning/replenishment.service.js';
import { SCRIPT_PRINCIPAL } from '../scripts/lib/script-app.js';
import { listProducts, variantsByProductIds, type ProductRow } from '../src/modules/catalog/catalog.service.js';
import { listCustomers, verifyCustomerCredentials, type CustomerRow } from '../src/modules/customers/customer.service.js';
import { slottingRecommendations } from '../src/modules/inventory/availability.service.js';
import { MIN_RETURNED_TO_FLAG, returnAnalytics } from '../src/modules/returns/returns.analytics.js';
import { carrierPerformance } from '../src/modules/tracking/tracking.service.js';
import { kpis } from '../src/modules/metrics/kpi.service.js';
import { ManualClock } from '../src/shared/clock.js';
import { isValidGtin } from '../src/shared/gs1.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { startApp, type TestApp } from './harness.js';
import {
  KpiRawCostsDocument,
  KpiRawDemandDocument,
  KpiRawForecastsDocument,
  KpiRawOrdersDocument,
  KpiRawPickListDocument,
  KpiRawTicketsDocument,
  KpisDocument,
  KwMovementsDocument,
  KwScansDocument,
  type KpiRawOrdersQuery,
  type KpiRawTicketsQuery,
  type KpisQuery,
} from './generated/graphql.js';
import { daySlices, scanFigures, sliceStock, stockFigures, stockoutRate, usableRates, warehousingCostPerOrder, type MovementRow, type ScanRow } from './kpi-recompute.js';
import { readmeBlocks, readReadme, walkReadme } from './readme-examples.js';

let t: TestApp;
let ctx: ServiceContext;
// The order history moves this clock through the past 90 days.
const clock = new ManualClock();
beforeAll(async () => {
  t = await startApp({ clock });
  ctx = t.app.context(SCRIPT_PRINCIPAL).services;
});
afterAll(async () => t?.close());

async function all<T extends { id: string }>(list: (afterId: string | null) => Promise<{ items: T[]; hasNextPage: boolean }>): Promise<T[]> {
  const out: T[] = [];
  for (let afterId: string | null = null; ; ) {
    const page = await list(afterId);
    out.push(...page.items);
    if (!page.hasNextPage) return out;
    afterId = page.items[page.items.length - 1]!.id;
  }
}
// Full grids and stock, a shorter pick history: enough for a skewed ABC, quick on PGlite.
const warehouses: WarehouseSeedOptions = { picksPerWarehouse: 600 };
// A shorter order history keeps CI quicker (`npm run seed` plays 400), yet enough parcels of the
// defective gadget for returnAnalytics to tell it from the noise of SKUs with a handful of units.
const orders = { count: 240 };

async function count(query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await t.app.database.rows<{ n: number | string }>(query);
  return Number(row?.n ?? 0);
}
const stockCounts = async () => ({
  bins: await count(sql`select count(*)::int as n from bin_locations`),
  movements: await count(sql`select count(*)::int as n from inventory_movements`),
  zones: await count(sql`select count(*)::int as n from zones`),
  warehouses: await count(sql`select count(*)::int as n from warehouses`),
});

/** The first seedDemoStore run's answer (the returns describe reads what it reported). */
let seeded: Awaited<ReturnType<typeof seedDemoStore>> | undefined;
const demoReturnCount = () => count(sql`select count(*)::int as n from return_requests r join orders o on o.id = r.order_id where o.external_id like 'DEMO-%'`);

const allProducts = () => all<ProductRow>((afterId) => listProducts(ctx, { first: 100, afterId }));
const allCustomers = () => all<CustomerRow>((afterId) => listCustomers(ctx, { first: 100, afterId }));

describe('seedDemoStore', () => {
  it('gives the same input for the same product index (deterministic)', () => {
    expect(demoProduct(17)).toEqual(demoProduct(17));
    expect(demoProduct(17)).not.toEqual(demoProduct(18));
  });

  it('loads a few hundred SKUs across categories with valid GTINs, RUB prices and sizes, and ru/en customers', async () => {
    const first = (seeded = await seedDemoStore(ctx, { warehouses, orders }));
    expect(first.catalog.created).toBeGreaterThanOrEqual(100);
    expect(first.catalog.skipped).toBe(0);

    const products = await allProducts();
    expect(products).toHaveLength(first.catalog.created);
    expect(new Set(products.map((p) => p.category)).size).toBeGreaterThanOrEqual(8);
    expect(products.some((p) => /[а-яё]/i.test(p.title))).toBe(true);
    expect(products.some((p) => /^[\x20-\x7e]+$/.test(p.title))).toBe(true);

    const variants = await variantsByProductIds(ctx, products.map((p) => p.id));
    expect(variants.length).toBe(first.catalog.variants);
    expect(variants.length).toBeGreaterThanOrEqual(200);
    expect(variants.length).toBeLessThanOrEqual(600);
    for (const v of variants) {
      expect(v.gtin && isValidGtin(v.gtin) && v.gtin.length === 13 && /^46[0-9]/.test(v.gtin), `GTIN of ${v.sku}: ${v.gtin}`).toBe(true);
      expect(v.currency).toBe('RUB');
      expect(v.priceMinor).toBeGreaterThan(0);
      expect(v.priceMinor % 100).toBe(0); // whole roubles in kopecks
      expect(v.weightGrams).toBeGreaterThan(0);
      expect(v.lengthMm && v.widthMm && v.heightMm).toBeTruthy();
    }

    const customers = await allCustomers();
    expect(customers.length).toBe(first.customers.created);
    expect(customers.length).toBeGreaterThanOrEqual(40);
    const locales = new Set(customers.map((c) => c.locale.slice(0, 2)));
    expect(locales).toEqual(new Set(['ru', 'en']));
    expect(await verifyCustomerCredentials(ctx, DEMO_CUSTOMER.email, DEMO_CUSTOMER.password)).toMatchObject({ email: DEMO_CUSTOMER.email });
  }, 600_000); // the order history prints a label PDF per shipment

  it('creates nothing on a second run', async () => {
    const productsBefore = (await allProducts()).length;
    const customersBefore = (await allCustomers()).length;
    const stockBefore = await stockCounts();
    const returnsBefore = await demoReturnCount();
    expect(returnsBefore).toBeGreaterThan(0);
    const second = await seedDemoStore(ctx, { warehouses, orders });
    expect(second.catalog).toMatchObject({ created: 0, variants: 0 });
    expect(second.catalog.skipped).toBe(productsBefore);
    expect(second.customers).toEqual({ created: 0, skipped: customersBefore });
    expect((await allProducts()).length).toBe(productsBefore);
    expect((await allCustomers()).length).toBe(customersBefore);
    expect(second.warehouses).toMatchObject({ created: [], skipped: ['MSK1', 'SPB1', 'KZN1'], bins: 0, pickLines: 0 });
    expect(await stockCounts()).toEqual(stockBefore);
    expect(second.carriers.created).toEqual([]);
    expect(second.pickupPoints.created).toBe(0);
    expect(second.orders).toMatchObject({ created: 0, shipments: 0, trackingEvents: 0 });
    expect(second.orders!.skipped).toBeGreaterThan(0);
    expect(second.returns).toMatchObject({ created: 0, skipped: true, failures: [] });
    expect(await demoReturnCount()).toBe(returnsBefore);
    expect(second.planning).toMatchObject({ suppliers: { created: [], skipped: DEMO_SUPPLIERS.map((x) => x.code) }, purchaseOrders: [], transfers: [] });
  }, 120_000);
});

describe('loyalty over the demo history (the order and returns seeds run through the loyalty hooks)', () => {
  it('earned points on delivered demo orders, took a share back on refunded returns, and every balance is its ledger', async () => {
    const kinds = new Map(
      (await t.app.database.rows<{ kind: string; n: number }>(sql`select kind, count(*)::int as n from loyalty_transactions group by kind`)).map((r) => [r.kind, Number(r.n)]),
    );
    expect(kinds.get('EARN')).toBe(await count(sql`select count(*)::int as n from orders where status = 'DELIVERED' and currency = 'RUB' and subtotal_minor - discount_minor >= 2000`));
    expect(kinds.get('REVERSAL') ?? 0).toBeGreaterThan(0);
    expect(await count(sql`select count(*)::int as n from loyalty_accounts a where a.balance <> (select coalesce(sum(points), 0) from loyalty_transactions x where x.customer_id = a.customer_id)`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from loyalty_accounts a where a.balance <> (select coalesce(sum(remaining), 0) from loyalty_transactions x where x.customer_id = a.customer_id)`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from loyalty_accounts where balance < 0 or tier_code is null`)).toBe(0);
  });
});

describe('seedPlanning (part of seedDemoStore, run above)', () => {
  it('gives every demo SKU a preferred supplier with pack sizes and minimum orders', async () => {
    expect(seeded!.planning!.suppliers.created).toEqual(DEMO_SUPPLIERS.map((x) => x.code));
    const variants = await count(sql`select count(*)::int as n from product_variants`);
    expect(await count(sql`select count(*)::int as n from supplier_products where preferred`)).toBe(variants);
    expect(await count(sql`select count(*)::int as n from supplier_products where min_order_quantity % pack_size <> 0 or unit_cost_minor <= 0`)).toBe(0);
  });

  it('imports three years of weekly demand whose forecasts show the November and New Year peaks', async () => {
    expect(seeded!.planning!.historyWeeks).toBeGreaterThan(10_000);
    // The best seller of MSK1, forecast a year ahead: the peak weeks clearly above the summer lull.
    const [top] = await t.app.database.rows<{ variant_id: string; warehouse_id: string }>(
      sql`select h.variant_id, h.warehouse_id from demand_history h join warehouses w on w.id = h.warehouse_id where w.code = 'MSK1'
          group by h.variant_id, h.warehouse_id order by sum(h.units) desc, h.variant_id limit 1`,
    );
    const o = await demandOutlook(ctx, { variantId: top!.variant_id, warehouseId: top!.warehouse_id }, 52);
    expect(o.history.length).toBeGreaterThanOrEqual(DEMO_HISTORY_WEEKS);
    // Mondays 00:00 in Moscow are Sunday evenings in UTC: a day later is safely inside the week.
    const weekOfYear = (d: Date) => isoWeek(new Date(d.getTime() + 86_400_000));
    const at = (weeks: number[]) => o.weekStarts.flatMap((d, i) => (weeks.includes(weekOfYear(d)) ? [o.forecast.mean[i]!] : []));
    const peak = Math.max(...at([47, 48, 51, 52]));
    const lull = Math.max(...at([29, 30, 31, 32]));
    expect(peak).toBeGreaterThan(1.5 * lull);
    o.forecast.mean.forEach((m, i) => {
      expect(o.forecast.lower80[i]!).toBeLessThanOrEqual(m);
      expect(o.forecast.upper80[i]!).toBeGreaterThanOrEqual(m);
    });
  });

  it('includes intermittent SKUs (demand in odd weeks only), forecast by an intermittent method at a positive rate', async () => {
    // Series of MSK1 whose imported weeks are mostly zero (ADI well above 1.32).
    const sparse = await t.app.database.rows<{ variant_id: string; warehouse_id: string; zero_share: number }>(
      sql`select h.variant_id, h.warehouse_id, avg(case when h.units = 0 then 1.0 else 0.0 end)::float8 as zero_share
          from demand_history h join warehouses w on w.id = h.warehouse_id where w.code = 'MSK1'
          group by h.variant_id, h.warehouse_id having avg(case when h.units = 0 then 1.0 else 0.0 end) >= 0.4 and sum(h.units) > 0
          order by h.variant_id`,
    );
    expect(sparse.length).toBeGreaterThanOrEqual(3);
    for (const s of sparse.slice(0, 3)) {
      const o = await demandOutlook(ctx, { variantId: s.variant_id, warehouseId: s.warehouse_id }, 13);
      expect(isIntermittent(o.history)).toBe(true);
      expect(INTERMITTENT_METHODS).toContain(o.forecast.method);
      expect(o.forecast.mean.every((m) => m > 0)).toBe(true);
      // The rate of a SKU that sells now and then: well under one a week on average, like its history.
      const rate = o.history.reduce((a, b) => a + b, 0) / o.history.length;
      expect(o.forecast.mean[0]!).toBeLessThan(Math.max(1.5, 3 * rate));
    }
  });

  it('drafts purchase orders in packs and transfers, and leaves nothing uncovered that has a source', async () => {
    const drafted = await t.app.database.rows<{ number: string; status: string; source: string }>(sql`select number, status, source from purchase_orders`);
    expect(drafted.length).toBe(seeded!.planning!.purchaseOrders.length);
    expect(drafted.every((p) => p.status === 'DRAFT' && p.source === 'REPLENISHMENT')).toBe(true);
    expect(
      await count(sql`select count(*)::int as n from purchase_order_lines l join purchase_orders p on p.id = l.purchase_order_id
        join supplier_products sp on sp.supplier_id = p.supplier_id and sp.variant_id = l.variant_id
        where l.quantity % sp.pack_size <> 0 or l.quantity < sp.min_order_quantity`),
    ).toBe(0);
    expect(seeded!.planning!.purchaseOrders.length + seeded!.planning!.transfers.length).toBeGreaterThan(0);
    for (const code of ['MSK1', 'SPB1', 'KZN1']) {
      const left = await replenishmentSuggestions(ctx, code, 500);
      expect(left.filter((x) => x.supplier || x.transferFrom), code).toEqual([]);
    }
  });
});

describe('seedWarehouses (part of seedDemoStore, run above)', () => {
  it('creates three warehouses with zones and a few thousand bins', async () => {
    const c = await stockCounts();
    expect(c.warehouses).toBe(3);
    expect(c.zones).toBe(18);
    expect(c.bins).toBeGreaterThanOrEqual(2000);
    const codes = await t.app.database.rows<{ code: string; city: string }>(sql`select code, address->>'city' as city from warehouses order by code`);
    expect(codes).toEqual([
      { code: 'KZN1', city: 'Казань' },
      { code: 'MSK1', city: 'Москва' },
      { code: 'SPB1', city: 'Санкт-Петербург' },
    ]);
  });

  it('stocks every warehouse and writes a pick history over the last 60 days', async () => {
    const stock = await t.app.database.rows<{ code: string; skus: number; units: number; picks: number }>(sql`
      select w.code,
        (select count(*)::int from inventory_levels l where l.warehouse_id = w.id and l.on_hand > 0) as skus,
        (select coalesce(sum(l.on_hand), 0)::int from inventory_levels l where l.warehouse_id = w.id) as units,
        (select count(*)::int from inventory_movements m where m.warehouse_id = w.id and m.reason = 'PICK') as picks
      from warehouses w order by w.code`);
    for (const s of stock) {
      expect(Number(s.skus), s.code).toBeGreaterThan(50);
      expect(Number(s.units), s.code).toBeGreaterThan(1000);
      expect(Number(s.picks), s.code).toBeGreaterThan(100);
    }
    const [span] = await t.app.database.rows<{ days: number | string }>(
      sql`select extract(epoch from max(created_at) - min(created_at)) / 86400 as days from inventory_movements where reason = 'PICK' and reference like 'DEMO-%'`,
    );
    expect(Number(span!.days)).toBeGreaterThan(30);
    expect(Number(span!.days)).toBeLessThanOrEqual(60);
  });

  it('keeps the ledger: movements sum to on hand per variant and warehouse and per bin, nothing negative', async () => {
    const bad = await t.app.database.rows(sql`
      select l.variant_id from inventory_levels l
      left join (select variant_id, warehouse_id, sum(quantity_delta)::int as s from inventory_movements group by 1, 2) m
        on m.variant_id = l.variant_id and m.warehouse_id = l.warehouse_id
      where coalesce(m.s, 0) <> l.on_hand or l.on_hand < 0`);
    const badBins = await t.app.database.rows(sql`
      select b.bin_id from bin_stock b
      left join (select bin_id, variant_id, sum(quantity_delta)::int as s from inventory_movements where bin_id is not null group by 1, 2) m
        on m.bin_id = b.bin_id and m.variant_id = b.variant_id
      where coalesce(m.s, 0) <> b.quantity or b.quantity < 0`);
    expect(bad).toEqual([]);
    expect(badBins).toEqual([]);
  });

  it('gives slotting something to do: fast movers start outside FAST_PICK', async () => {
    const moves = await slottingRecommendations(ctx, 'MSK1', 30);
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.some((m) => m.velocityClass === 'A')).toBe(true);
  });
});

describe('seedOrderHistory (part of seedDemoStore, run above)', () => {
  it('creates carriers with RU rate cards and a few hundred pickup points in the seeded cities', async () => {
    const carriers = await t.app.database.rows<{ code: string; services: number; rates: number }>(sql`
      select c.code, count(distinct s.id)::int as services, count(r.id)::int as rates
      from carriers c join carrier_services s on s.carrier_id = c.id join carrier_rates r on r.service_id = s.id group by c.code order by c.code`);
    expect(carriers.map((c) => c.code)).toEqual(['BOXBERRY', 'CDEK', 'OWN', 'RUSSIAN_POST']);
    for (const c of carriers) expect(Number(c.rates), c.code).toBeGreaterThan(10);
    const [own] = await t.app.database.rows<{ regions: string }>(sql`
      select string_agg(distinct coalesce(r.region, '*'), ',') as regions from carrier_rates r join carrier_services s on s.id = r.service_id join carriers c on c.id = s.carrier_id where c.code = 'OWN'`);
    expect(own!.regions).toBe('Москва');
    const points = await t.app.database.rows<{ city: string; n: number; open: number }>(sql`
      select address->>'city' as city, count(*)::int as n, count(*) filter (where carrier_id is null)::int as open from pickup_points group by 1 order by 2 desc`);
    expect(points.reduce((s, p) => s + Number(p.n), 0)).toBeGreaterThanOrEqual(200);
    expect(points[0]!.city).toBe('Москва');
    expect(points.some((p) => Number(p.open) > 0)).toBe(true);
  });

  it('leaves orders in several states, dated over the last 90 days', async () => {
    const rows = await t.app.database.rows<{ status: string; n: number }>(sql`select status, count(*)::int as n from orders where external_id like 'DEMO-%' group by status`);
    const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    expect(Object.values(by).reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    expect(by.DELIVERED).toBeGreaterThan(0);
    expect(Object.keys(by).length, JSON.stringify(by)).toBeGreaterThanOrEqual(4);
    const [span] = await t.app.database.rows<{ days: number | string }>(
      sql`select extract(epoch from now() - min(created_at)) / 86400 as days from orders where external_id like 'DEMO-%'`,
    );
    expect(Number(span!.days)).toBeGreaterThan(60);
    expect(Number(span!.days)).toBeLessThanOrEqual(91);
  });

  it('gives carrierPerformance per-service figures: delivered parcels and an on-time rate', async () => {
    const now = new Date();
    const perf = await carrierPerformance(ctx, new Date(now.getTime() - 91 * 86_400_000), now);
    const withDeliveries = perf.filter((p) => p.delivered > 0);
    expect(new Set(withDeliveries.map((p) => p.carrier.code)).size).toBeGreaterThanOrEqual(2);
    for (const p of withDeliveries) {
      expect(p.onTimeRate, p.service.code).toBeGreaterThanOrEqual(0);
      expect(p.onTimeRate, p.service.code).toBeLessThanOrEqual(1);
      expect(p.avgTransitHours, p.service.code).toBeGreaterThan(0);
      expect(p.currency).toBe('RUB');
    }
  });

  it('logs the pick and pack scans of its waves, so the warehouse KPIs of the seeded store have values', async () => {
    expect(await count(sql`select count(*)::int as n from warehouse_scans where kind = 'PICK'`)).toBeGreaterThan(0);
    expect(await count(sql`select count(*)::int as n from warehouse_scans where kind = 'PACK'`)).toBeGreaterThan(0);
    const to = new Date(ctx.clock.now().getTime() + 86_400_000);
    const report = await kpis(ctx, { from: new Date(to.getTime() - 92 * 86_400_000), to, granularity: 'WEEK' });
    const k = report.totals;
    const figures = { pickAccuracy: k.pickAccuracy, unitsPickedPerHour: k.unitsPickedPerHour, cost: k.warehousingCostPerOrder?.amountMinor, stockoutRate: k.stockoutRate, inventoryTurnover: k.inventoryTurnover, daysOfSupply: k.daysOfSupply };
    expect(k.pickAccuracy, JSON.stringify(figures)).toBe(1);
    expect(k.unitsPickedPerHour ?? 0, JSON.stringify(figures)).toBeGreaterThan(0);
    expect(k.warehousingCostPerOrder?.amountMinor ?? 0, JSON.stringify(figures)).toBeGreaterThan(0);
    expect(k.stockoutRate, JSON.stringify(figures)).not.toBeNull();
    // The initial stock is received (backdated) before the order history that ships from it.
    expect(k.inventoryTurnover ?? 0, JSON.stringify(figures)).toBeGreaterThan(0);
    expect(k.daysOfSupply ?? 0, JSON.stringify(figures)).toBeGreaterThan(0);
  });

  it('never oversells: nothing allocated beyond on hand, nothing negative, the ledger still sums to on hand', async () => {
    const bad = await t.app.database.rows(sql`select variant_id from inventory_levels where on_hand < 0 or allocated < 0 or on_hand - allocated < 0`);
    expect(bad).toEqual([]);
    const ledger = await t.app.database.rows(sql`
      select l.variant_id from inventory_levels l
      left join (select variant_id, warehouse_id, sum(quantity_delta)::int as s from inventory_movements group by 1, 2) m
        on m.variant_id = l.variant_id and m.warehouse_id = l.warehouse_id
      where coalesce(m.s, 0) <> l.on_hand`);
    expect(ledger).toEqual([]);
  });
});

describe('the returns plan over the seeded history', () => {
  it('finds the delivered demo orders with what a return needs, and plans returns in every status with one defective SKU', async () => {
    const delivered = await deliveredDemoOrders(ctx, DEMO_ORDER_PREFIX);
    expect(delivered.length).toBeGreaterThan(20);
    for (const o of delivered) {
      expect(o.externalId.startsWith(DEMO_ORDER_PREFIX)).toBe(true);
      expect(o.deliveredAt.getTime()).toBeLessThanOrEqual(Date.now());
      expect(o.lines.length).toBeGreaterThan(0);
      for (const l of o.lines) {
        expect(isValidGtin(l.gtin), l.sku).toBe(true);
        expect(l.category, l.sku).toMatch(/^[a-z]/);
        expect(['MSK1', 'SPB1', 'KZN1']).toContain(l.warehouseCode);
        expect(l.shippedQuantity).toBeGreaterThan(0);
      }
    }
    const plan = planDemoReturns(delivered, { end: new Date() });
    expect(new Set(plan.returns.map((p) => p.target))).toEqual(new Set(['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'INSPECTED', 'REFUNDED', 'CANCELLED']));
    expect(plan.defectiveSku).toMatch(/^WB-/);
    expect(plan.returns.some((p) => p.lines.some((l) => l.sku === plan.defectiveSku && l.reason === 'DEFECTIVE'))).toBe(true);
  });
});

describe('seedReturnHistory (part of seedDemoStore, run above)', () => {
  const SIZE = new Set(['SIZE_TOO_SMALL', 'SIZE_TOO_LARGE']);
  /** Every returned line of the demo orders with its product's category and its return's status. */
  const returnedLines = () =>
    t.app.database.rows<{ sku: string; category: string; reason: string; quantity: number; status: string }>(sql`
      select v.sku, p.category, rl.reason, rl.quantity, r.status
      from return_lines rl join return_requests r on r.id = rl.return_request_id join orders o on o.id = r.order_id
        join order_lines ol on ol.id = rl.order_line_id join product_variants v on v.id = ol.variant_id join products p on p.id = v.product_id
      where o.external_id like 'DEMO-%'`);

  it('plays every step through the return services: returns of demo orders in all seven statuses, none refused', async () => {
    const result = seeded!.returns!;
    expect(result.failures).toEqual([]);
    expect(result.skipped).toBe(false);
    const rows = await t.app.database.rows<{ status: string; n: number }>(sql`
      select r.status, count(*)::int as n from return_requests r join orders o on o.id = r.order_id where o.external_id like 'DEMO-%' group by r.status`);
    const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    expect(new Set(Object.keys(by))).toEqual(new Set(['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'INSPECTED', 'REFUNDED', 'CANCELLED']));
    // What the seed reported is what the database holds.
    expect(by).toEqual(result.byStatus);
    expect(Object.values(by).reduce((a, b) => a + b, 0)).toBe(result.created);
    // Each status is backed by its records: refunds with a reference, rejections with a reason, timelines that start at the request.
    const [facts] = await t.app.database.rows<{ refunded_without: number; rejected_without: number; misdated: number }>(sql`
      select
        (select count(*)::int from return_requests r where r.status = 'REFUNDED' and (r.refund_amount_minor is null or r.refund_external_reference is null)) as refunded_without,
        (select count(*)::int from return_requests r where r.status = 'REJECTED' and coalesce(r.rejection_reason, '') = '') as rejected_without,
        (select count(*)::int from return_requests r join return_events e on e.return_request_id = r.id and e.sequence = 1 where r.created_at <> e.occurred_at) as misdated`);
    expect(facts).toEqual({ refunded_without: 0, rejected_without: 0, misdated: 0 });
  });

  it('brings shoes and clothes back mostly for their size, fragile goods for damage, and sizes nothing else', async () => {
    const lines = (await returnedLines()).filter((l) => l.sku !== seeded!.returns!.defectiveSku);
    const apparel = lines.filter((l) => l.category.startsWith('apparel/'));
    const fragile = lines.filter((l) => l.category.startsWith('electronics/') || l.category === 'home/kitchen');
    expect(apparel.length).toBeGreaterThanOrEqual(8);
    expect(apparel.filter((l) => SIZE.has(l.reason)).length / apparel.length).toBeGreaterThan(0.5);
    expect(fragile.length).toBeGreaterThanOrEqual(2);
    expect(fragile.filter((l) => l.reason === 'DAMAGED' || l.reason === 'DEFECTIVE').length / fragile.length).toBeGreaterThan(0.3);
    expect(lines.filter((l) => !l.category.startsWith('apparel/') && SIZE.has(l.reason))).toEqual([]);
  });

  it('makes returnAnalytics flag the defective SKU, with the highest lower bound of all SKUs', async () => {
    const defective = seeded!.returns!.defectiveSku;
    expect(defective).toMatch(/^WB-/);
    const now = ctx.clock.now();
    const stats = await returnAnalytics(ctx, new Date(now.getTime() - 91 * 86_400_000), now, 'SKU');
    const [overall, ...skus] = stats;
    expect(overall!.key).toBe('ALL');
    expect(overall!.unitsReturned).toBeGreaterThan(0);
    const row = skus.find((s) => s.key === defective)!;
    expect(row, defective!).toBeDefined();
    const top3 = JSON.stringify([...skus].sort((a, b) => b.rateLow - a.rateLow).slice(0, 3).map((s) => [s.key, s.unitsReturned, s.unitsShipped, s.rateLow]));
    expect(row.flagged, `${JSON.stringify(row)} vs ALL ${overall!.returnRate}`).toBe(true);
    expect(row.unitsReturned).toBeGreaterThanOrEqual(MIN_RETURNED_TO_FLAG);
    expect(row.reasons[0]!.reason).toBe('DEFECTIVE');
    const top = [...skus].sort((a, b) => b.rateLow - a.rateLow)[0]!;
    expect(top.key, top3).toBe(defective);
  });

  it('keeps the ledger through receiving and inspection: movements sum to bin stock and on hand, RETURNS bins are the unsellable units', async () => {
    const [moved] = await t.app.database.rows<{ restock: number; write_off: number; in_returns: number }>(sql`
      select
        (select count(*)::int from inventory_movements where reason = 'RETURN_RESTOCK') as restock,
        (select count(*)::int from inventory_movements where reason = 'WRITE_OFF') as write_off,
        (select coalesce(sum(b.quantity), 0)::int from bin_stock b join bin_locations l on l.id = b.bin_id join zones z on z.id = l.zone_id where z.kind = 'RETURNS') as in_returns`);
    expect(Number(moved!.restock)).toBeGreaterThan(0);
    expect(Number(moved!.write_off)).toBeGreaterThan(0);
    expect(Number(moved!.in_returns)).toBeGreaterThan(0); // received but not yet inspected, refurbish, return to vendor
    const badBins = await t.app.database.rows(sql`
      select b.bin_id from bin_stock b
      left join (select bin_id, variant_id, sum(quantity_delta)::int as s from inventory_movements where bin_id is not null group by 1, 2) m
        on m.bin_id = b.bin_id and m.variant_id = b.variant_id
      where coalesce(m.s, 0) <> b.quantity or b.quantity < 0`);
    const badLevels = await t.app.database.rows(sql`
      select l.variant_id from inventory_levels l
      left join (select variant_id, warehouse_id, sum(quantity_delta)::int as s from inventory_movements group by 1, 2) m
        on m.variant_id = l.variant_id and m.warehouse_id = l.warehouse_id
      left join (select b.variant_id, z.warehouse_id, sum(b.quantity)::int as s from bin_stock b join bin_locations bl on bl.id = b.bin_id
                   join zones z on z.id = bl.zone_id where z.kind = 'RETURNS' group by 1, 2) u
        on u.variant_id = l.variant_id and u.warehouse_id = l.warehouse_id
      where coalesce(m.s, 0) <> l.on_hand or coalesce(u.s, 0) <> l.unsellable or l.on_hand - l.allocated - l.unsellable < 0`);
    expect(badBins).toEqual([]);
    expect(badLevels).toEqual([]);
  });
});

/**
 * Issue 18: every kpis figure recomputed by hand from rows fetched through the API (orders with
 * their lines, events, fulfillment orders, shipments, returns and CSAT; tickets; forecast snapshots
 * and the weekly demand they are compared with) on the seeded store, and compared with the report's
 * totals and weekly buckets: counts and money exactly, rates and hours to 1e-6; without a filter and
 * filtered by warehouse, by carrier and by channel. The rows are bucketed by the report's own bucket
 * starts (each row in the last bucket starting at or before it), so the test does not re-derive the
 * store's time zone rules, only the figures.
 */
describe('kpis over the demo store, recomputed by hand through the API', () => {
  type RawOrder = KpiRawOrdersQuery['orders']['nodes'][number];
  type RawTicket = KpiRawTicketsQuery['supportTickets']['nodes'][number];
  type Values = KpisQuery['kpis']['totals'];
  interface Filter {
    warehouseCodes?: string[];
    carrierCodes?: string[];
    channels?: string[];
  }
  const TOL = 1e-6;
  const ms = (d: string | Date) => new Date(d).getTime();
  const HOUR_MS = 3_600_000;

  async function pages<N>(fetch: (after: string | null) => Promise<{ pageInfo: { hasNextPage: boolean; endCursor?: string | null }; nodes: N[] }>): Promise<N[]> {
    const out: N[] = [];
    for (let after: string | null = null; ; ) {
      const page = await fetch(after);
      out.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) return out;
      after = page.pageInfo.endCursor ?? null;
    }
  }

  /** percentile_cont: linear interpolation between the two nearest ranks. */
  function percentileCont(sorted: readonly number[], p: number): number | null {
    if (!sorted.length) return null;
    const pos = p * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  }
  function durationStats(hours: number[]) {
    const xs = [...hours].sort((a, b) => a - b);
    return {
      p50: percentileCont(xs, 0.5),
      p90: percentileCont(xs, 0.9),
      p99: percentileCont(xs, 0.99),
      mean: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null,
      count: xs.length,
    };
  }
  const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);
  const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
  /** Half up, as the service's proportionOf (amounts here are never negative). */
  const perOrder = (amountMinor: number, orders: number) => Math.floor((2 * amountMinor + orders) / (2 * orders));

  let raw: {
    orders: RawOrder[];
    tickets: RawTicket[];
    /** Per warehouse code: snapshots with the units shipped in their week (null: the week is not in the demand history yet). */
    forecasts: Map<string, { weekStart: string; units: number; actual: number | null }[]>;
    now: number;
    currency: string;
    /** Pick and pack scans of [from, to), every warehouse; with the fulfillment orders they belong to (PACK: its own; PICK: its pick list's). */
    scans: (ScanRow & { fulfillmentOrderIds: string[] })[];
    /** The whole stock ledger, every warehouse. */
    movements: MovementRow[];
    /** Unit cost (minor) per SKU: the preferred supplier product of a supplier in the store currency. */
    cost: Map<string, number>;
    rates: ReturnType<typeof usableRates>;
  };
  const WAREHOUSES = ['MSK1', 'SPB1', 'KZN1'];
  let from: Date;
  let to: Date;

  beforeAll(async () => {
    const now = ctx.clock.now();
    to = now;
    from = new Date(now.getTime() - 63 * 86_400_000);
    const orders = await pages((after) => t.admin(KpiRawOrdersDocument, { first: 50, after }).then((d) => d.orders));
    const tickets = await pages((after) => t.admin(KpiRawTicketsDocument, { first: 100, after }).then((d) => d.supportTickets));
    const forecasts = new Map<string, { weekStart: string; units: number; actual: number | null }[]>();
    for (const code of ['MSK1', 'SPB1', 'KZN1']) {
      const snaps = (await t.admin(KpiRawForecastsDocument, { warehouseCode: code, from: from.toISOString(), to: to.toISOString() })).forecastSnapshots;
      const history = new Map<string, Map<number, number>>();
      for (const sku of new Set(snaps.map((x) => x.sku))) {
        const f = (await t.admin(KpiRawDemandDocument, { sku, warehouseCode: code })).demandForecast!;
        history.set(sku, new Map(f.history.map((w) => [ms(w.weekStart), w.units])));
      }
      forecasts.set(code, snaps.map((x) => ({ weekStart: x.weekStart, units: x.units, actual: history.get(x.sku)!.get(ms(x.weekStart)) ?? null })));
    }
    // The warehouse figures' rows: scans of the period, the whole ledger (100 a page, the most a
    // connection gives), the pick lists' fulfillment orders (one query per list), costs and rates.
    const scanRows: (ScanRow & { pickListId?: string | null; fulfillmentOrder?: { id: string } | null })[] = [];
    const movements: MovementRow[] = [];
    for (const code of WAREHOUSES) {
      scanRows.push(...(await pages((after) => t.admin(KwScansDocument, { warehouseCode: code, from: from.toISOString(), to: to.toISOString(), first: 100, after }).then((d) => d.warehouseScans))));
      movements.push(...(await pages((after) => t.admin(KwMovementsDocument, { warehouseCode: code, first: 100, after }).then((d) => d.inventoryMovements))));
    }
    const listFos = new Map<string, string[]>();
    for (const id of new Set(scanRows.map((x) => x.pickListId).filter((x): x is string => !!x))) {
      listFos.set(id, (await t.admin(KpiRawPickListDocument, { id })).pickList!.fulfillmentOrders.map((f) => f.id));
    }
    const scans = scanRows.map((x) => ({ ...x, fulfillmentOrderIds: x.fulfillmentOrder ? [x.fulfillmentOrder.id] : x.pickListId ? listFos.get(x.pickListId)! : [] }));
    const costs = await t.admin(KpiRawCostsDocument, {});
    const cost = new Map<string, number>();
    for (const su of costs.suppliers) {
      if (su.currency !== 'RUB') continue;
      for (const p of su.products) if (p.preferred && p.unitCost.currency === 'RUB') cost.set(p.variant.sku, p.unitCost.amountMinor);
    }
    raw = { orders, tickets, forecasts, now: now.getTime(), currency: 'RUB', scans, movements, cost, rates: usableRates(costs.costModel, 'RUB') };
  }, 300_000);

  /** Expected figures per bucket start (ms) and 'total'. Add a figure group here as one more block. */
  function recompute(filter: Filter, starts: number[]): Map<number | 'total', Partial<Values>> {
    const inPeriod = (at: string) => ms(at) >= from.getTime() && ms(at) < to.getTime();
    const bucketOf = (at: string) => {
      let b = starts[0]!;
      for (const s of starts) if (s <= ms(at)) b = s;
      return b;
    };
    const filtered = !!(filter.warehouseCodes || filter.carrierCodes || filter.channels);
    const orderMatches = (o: RawOrder) =>
      (!filter.channels || filter.channels.includes(o.channel)) &&
      (!filter.warehouseCodes || o.fulfillmentOrders.some((f) => filter.warehouseCodes!.includes(f.warehouse.code))) &&
      (!filter.carrierCodes || o.shipments.some((s) => s.direction === 'OUTBOUND' && filter.carrierCodes!.includes(s.carrier.code)));
    const orderById = new Map(raw.orders.map((o) => [o.id, o]));
    const keys: (number | 'total')[] = ['total', ...starts];
    const inKey = (key: number | 'total', at: string) => inPeriod(at) && (key === 'total' || bucketOf(at) === key);
    const out = new Map<number | 'total', Partial<Values>>();
    // --- the warehouse figures' rows under the filter ---------------------------------------------
    const stockScoped = !filter.channels && !filter.carrierCodes;
    const inWarehouses = (code: string) => !filter.warehouseCodes || filter.warehouseCodes.includes(code);
    const foOrder = new Map(raw.orders.flatMap((o) => o.fulfillmentOrders.map((f) => [f.id, o] as const)));
    const channelCarrier = (o: RawOrder) =>
      (!filter.channels || filter.channels.includes(o.channel)) && (!filter.carrierCodes || o.shipments.some((s) => s.direction === 'OUTBOUND' && filter.carrierCodes!.includes(s.carrier.code)));
    const scans = raw.scans.filter(
      (x) => inPeriod(x.scannedAt) && inWarehouses(x.warehouse.code) && (stockScoped || x.fulfillmentOrderIds.some((id) => foOrder.has(id) && channelCarrier(foOrder.get(id)!))),
    );
    const movements = raw.movements.filter((m) => inWarehouses(m.warehouse.code));
    const slices = stockScoped ? sliceStock(movements, daySlices(from, to, ctx.config.STORE_TIMEZONE), raw.cost) : [];
    const bucketEnd = (key: number) => Math.min(starts.find((x) => x > key) ?? Infinity, to.getTime());
    /** pickAccuracy, unitsPickedPerHour, warehousingCostPerOrder, stockoutRate, inventoryTurnover, daysOfSupply of one key. */
    const warehouseFigures = (key: number | 'total', cohort: RawOrder[]): Partial<Values> => {
      const inBucket = (at: number) => key === 'total' || bucketOf(new Date(at).toISOString()) === key;
      const sc = scanFigures(scans, inBucket);
      const picked = sum(cohort, (o) => sum(o.fulfillmentOrders.filter((f) => inWarehouses(f.warehouse.code)), (f) => sum(f.lines, (l) => l.pickedQuantity)));
      const mine = slices.filter((x) => inBucket(x.slice.start));
      const st = stockFigures(mine);
      const start = key === 'total' ? from.getTime() : Math.max(key, from.getTime());
      const end = key === 'total' ? to.getTime() : bucketEnd(key);
      return {
        pickAccuracy: sc.accuracy,
        unitsPickedPerHour: sc.perHour,
        warehousingCostPerOrder: warehousingCostPerOrder(raw.rates, cohort.length, picked, st.binDays, raw.currency),
        stockoutRate: stockScoped ? stockoutRate(movements, start, end, to.getTime()) : null,
        inventoryTurnover: stockScoped ? st.inventoryTurnover : null,
        daysOfSupply: stockScoped ? st.daysOfSupply : null,
      };
    };
    for (const key of keys) {
      // --- the order cohort ----------------------------------------------------------------------
      const cohort = raw.orders.filter((o) => o.status !== 'CANCELLED' && inKey(key, o.createdAt) && orderMatches(o));
      const lines = cohort.flatMap((o) => o.lines);
      const revenue = sum(cohort, (o) => (o.total.currency === raw.currency ? o.total.amountMinor : 0));
      const known = lines.filter((l) => l.allocatedAtCreation != null);
      const shipped = sum(lines, (l) => l.shippedQuantity);
      const outbound = (o: RawOrder) => o.shipments.filter((s) => s.direction === 'OUTBOUND');
      const toShip = cohort.filter((o) => outbound(o).length).map((o) => (Math.min(...outbound(o).map((s) => ms(s.createdAt))) - ms(o.createdAt)) / HOUR_MS);
      const toDeliver = cohort.filter((o) => o.deliveredAt).map((o) => (ms(o.deliveredAt!) - ms(o.createdAt)) / HOUR_MS);
      // --- their outbound shipments, narrowed by the filter's warehouses and carriers -----------
      const shipments = cohort.flatMap(outbound).filter(
        (s) => (!filter.carrierCodes || filter.carrierCodes.includes(s.carrier.code)) && (!filter.warehouseCodes || filter.warehouseCodes.includes(s.fulfillmentOrder.warehouse.code)),
      );
      const cost = sum(shipments, (s) => (s.cost.currency === raw.currency ? s.cost.amountMinor : 0));
      const delivered = shipments.filter((s) => s.deliveredAt && s.estimatedDeliveryTo);
      // --- CSAT: answers last given in the period, through their order (or their ticket's) -------
      const answers = [
        ...raw.orders.filter((o) => o.csat && (!filtered || orderMatches(o))).map((o) => o.csat!),
        ...raw.tickets.filter((x) => x.csat && (!filtered || (x.order && orderMatches(orderById.get(x.order.id)!)))).map((x) => x.csat!),
      ].filter((c) => inKey(key, c.updatedAt));
      // --- support SLA: tickets opened in the period, decided (answered, or overdue now) ---------
      const tickets = raw.tickets.filter((x) => inKey(key, x.createdAt) && (!filtered || (x.order && orderMatches(orderById.get(x.order.id)!))));
      const decided = tickets.filter((x) => x.firstResponseAt || ms(x.slaDueAt) <= raw.now);
      const met = decided.filter((x) => x.firstResponseAt && ms(x.firstResponseAt) <= ms(x.slaDueAt));
      // --- forecast error: snapshots of complete weeks starting in the period that shipped ------
      let mape: number | null = null;
      if (!filter.channels && !filter.carrierCodes) {
        const codes = filter.warehouseCodes ?? [...raw.forecasts.keys()];
        const weeks = codes.flatMap((c) => raw.forecasts.get(c) ?? []).filter((x) => inKey(key, x.weekStart) && x.actual != null && x.actual > 0);
        mape = rate(sum(weeks, (x) => Math.abs(x.actual! - x.units) / x.actual!), weeks.length);
      }

      out.set(key, {
        orders: cohort.length,
        units: sum(lines, (l) => l.quantity),
        revenue: { amountMinor: revenue, currency: raw.currency },
        orderToShip: durationStats(toShip),
        orderToDelivery: durationStats(toDeliver),
        fillRate: rate(sum(known, (l) => l.allocatedAtCreation!), sum(known, (l) => l.quantity)),
        backorderRate: rate(cohort.filter((o) => o.events.some((e) => e.status === 'BACKORDERED')).length, cohort.length),
        returnRate: rate(sum(cohort, (o) => sum(o.returns, (r) => sum(r.lines, (l) => l.receivedQuantity))), shipped),
        shippingCost: { amountMinor: cost, currency: raw.currency },
        shippingCostPerOrder: cohort.length ? { amountMinor: perOrder(cost, cohort.length), currency: raw.currency } : null,
        shippingCostShare: revenue > 0 ? cost / revenue : null,
        onTimeDeliveryRate: rate(delivered.filter((s) => ms(s.deliveredAt!) <= ms(s.estimatedDeliveryTo!)).length, delivered.length),
        csatResponses: answers.length,
        csatAverage: rate(sum(answers, (c) => c.score), answers.length),
        supportSlaRate: rate(met.length, decided.length),
        forecastMape: mape,
        ...warehouseFigures(key, cohort),
      });
    }
    return out;
  }

  /** Compares every expected figure: counts and money exactly, rates and hours to 1e-6, null as null. */
  function compare(expected: Partial<Values>, actual: Values, where: string) {
    for (const [field, want] of Object.entries(expected)) {
      const got = (actual as Record<string, unknown>)[field];
      const label = `${where} ${field}`;
      if (want === null || typeof want !== 'object') {
        if (field === 'orders' || field === 'units' || field === 'csatResponses' || want === null) expect(got, label).toBe(want);
        else {
          expect(typeof got, `${label}: ${String(got)} vs ${String(want)}`).toBe('number');
          expect(Math.abs((got as number) - (want as number)), `${label}: ${String(got)} vs ${String(want)}`).toBeLessThanOrEqual(TOL);
        }
      } else if ('amountMinor' in want) expect(got, label).toEqual(want);
      else {
        const d = want as Record<string, number | null>;
        const g = got as Record<string, number | null>;
        expect(g.count, `${label}.count`).toBe(d.count);
        for (const k of ['p50', 'p90', 'p99', 'mean']) {
          if (d[k] == null) expect(g[k], `${label}.${k}`).toBeNull();
          else expect(Math.abs(g[k]! - d[k]!), `${label}.${k}: ${g[k]} vs ${d[k]}`).toBeLessThanOrEqual(TOL);
        }
      }
    }
  }

  const check = async (filter: Filter | undefined) => {
    const r = await t.gql(KpisDocument, { from: from.toISOString(), to: to.toISOString(), granularity: 'WEEK', filter });
    expect(r.errors).toBeUndefined();
    const k = r.data!.kpis;
    const starts = k.series.map((b) => ms(b.start));
    const expected = recompute(filter ?? {}, starts);
    compare(expected.get('total')!, k.totals, `${JSON.stringify(filter ?? {})} totals`);
    for (const b of k.series) compare(expected.get(ms(b.start))!, b.values, `${JSON.stringify(filter ?? {})} week ${b.start}`);
    return k.totals;
  };

  it('matches without a filter, and the demo store gives every figure something to show', async () => {
    const totals = await check(undefined);
    expect(totals.orders).toBeGreaterThan(50);
    for (const f of ['onTimeDeliveryRate', 'supportSlaRate'] as const) {
      expect(totals[f], f).toBeGreaterThan(0);
      expect(totals[f], f).toBeLessThan(1); // late deliveries and missed SLAs too
    }
    expect(totals.returnRate).toBeGreaterThan(0);
    expect(totals.csatResponses).toBeGreaterThan(10);
    expect(totals.forecastMape).not.toBeNull();
    expect(totals.orderToDelivery.count).toBeGreaterThan(10);
    expect(totals.pickAccuracy).toBe(1); // the seed's waves scan only what they should
    for (const f of ['unitsPickedPerHour', 'inventoryTurnover', 'daysOfSupply'] as const) expect(totals[f], f).toBeGreaterThan(0);
    expect(totals.stockoutRate).not.toBeNull();
    expect(totals.warehousingCostPerOrder?.amountMinor ?? 0).toBeGreaterThan(0);
  });

  it('matches filtered by warehouse', async () => {
    const totals = await check({ warehouseCodes: ['MSK1'] });
    expect(totals.orders).toBeGreaterThan(0);
    expect(totals.forecastMape).not.toBeNull();
    for (const f of ['unitsPickedPerHour', 'inventoryTurnover', 'daysOfSupply'] as const) expect(totals[f], f).toBeGreaterThan(0);
  });

  it('matches filtered by carrier', async () => {
    const totals = await check({ carrierCodes: ['CDEK'] });
    expect(totals.orders).toBeGreaterThan(0);
    expect(totals.forecastMape).toBeNull(); // forecasts are per SKU and warehouse, not per carrier
    // Stock belongs to no carrier; scans and handling costs do, through their orders.
    expect(totals).toMatchObject({ stockoutRate: null, inventoryTurnover: null, daysOfSupply: null });
    expect(totals.pickAccuracy).not.toBeNull();
    expect(totals.warehousingCostPerOrder).not.toBeNull();
  });

  it('matches filtered by channel', async () => {
    const totals = await check({ channels: ['mobile-app'] });
    expect(totals.orders).toBeGreaterThan(0);
    expect(totals).toMatchObject({ stockoutRate: null, inventoryTurnover: null, daysOfSupply: null });
    expect(totals.pickAccuracy).not.toBeNull();
  });
});

/**
 * The README's examples on this store (the README says `npm run seed`; this file's seed is the same store
 * with a shorter order history, so the examples must not depend on the number of orders): every ```graphql
 * and ```bash block, in order, as a reader would run them (test/readme-examples.ts). Runs last: it adds an
 * order, picks, packs and ships.
 */
describe('README examples, in order, on the seeded store', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

  it('every ```graphql and ```bash block succeeds (no errors, no userErrors, exit code 0) and answers what the README says', async () => {
    for (const tool of ['curl', 'jq']) {
      expect(spawnSync('sh', ['-c', `command -v ${tool}`]).status, `the README's bash examples need ${tool} on PATH`).toBe(0);
    }
    const blocks = readmeBlocks(readReadme(root));
    const notRun = blocks.filter((b) => b.annotations.some((a) => a.kind === 'not-run'));
    // Every example runs: a block the walkthrough cannot run is a README bug, not something to skip.
    expect(notRun.map((b) => `line ${b.line} (${b.annotations.find((a) => a.kind === 'not-run')!.arg})`)).toEqual([]);
    expect(blocks.length).toBeGreaterThanOrEqual(40);
    const vars = await walkReadme(blocks, {
      url: t.url,
      wsUrl: t.wsUrl,
      env: {},
      cwd: root,
      // The README's server runs with ADMIN_API_KEY=wb_live_change-me-…; the test app has its own.
      replace: { 'wb_live_change-me-0123456789abcdef': t.adminKey },
      // A real server's clock moves; this one was left where the seed's history ended.
      beforeBlock: () => clock.set(new Date()),
    });
    // The walkthrough's order went all the way: shipped with the customer's courier option, in transit.
    const [order] = await t.app.database.rows<{ status: string }>(sql`select status from orders where number = (select number from orders order by created_at desc limit 1)`);
    expect(order?.status).toBe('SHIPPED');
    expect(vars.CARRIER_CODE).toBe('OWN');
  }, 600_000);
});
