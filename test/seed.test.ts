/** The demo seed: a realistic store, loaded through the services, deterministic and idempotent. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER, demoProduct, seedDemoStore, type WarehouseSeedOptions } from '../scripts/seed.js';
import { SCRIPT_PRINCIPAL } from '../scripts/lib/script-app.js';
import { listProducts, variantsByProductIds, type ProductRow } from '../src/modules/catalog/catalog.service.js';
import { listCustomers, verifyCustomerCredentials, type CustomerRow } from '../src/modules/customers/customer.service.js';
import { slottingRecommendations } from '../src/modules/inventory/inventory.service.js';
import { isValidGtin } from '../src/shared/gs1.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { startApp, type TestApp } from './harness.js';

let t: TestApp;
let ctx: ServiceContext;
beforeAll(async () => {
  t = await startApp();
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

const allProducts = () => all<ProductRow>((afterId) => listProducts(ctx, { first: 100, afterId }));
const allCustomers = () => all<CustomerRow>((afterId) => listCustomers(ctx, { first: 100, afterId }));

describe('seedDemoStore', () => {
  it('gives the same input for the same product index (deterministic)', () => {
    expect(demoProduct(17)).toEqual(demoProduct(17));
    expect(demoProduct(17)).not.toEqual(demoProduct(18));
  });

  it('loads a few hundred SKUs across categories with valid GTINs, RUB prices and sizes, and ru/en customers', async () => {
    const first = await seedDemoStore(ctx, { warehouses });
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
  });

  it('creates nothing on a second run', async () => {
    const productsBefore = (await allProducts()).length;
    const customersBefore = (await allCustomers()).length;
    const stockBefore = await stockCounts();
    const second = await seedDemoStore(ctx, { warehouses });
    expect(second.catalog).toMatchObject({ created: 0, variants: 0 });
    expect(second.catalog.skipped).toBe(productsBefore);
    expect(second.customers).toEqual({ created: 0, skipped: customersBefore });
    expect((await allProducts()).length).toBe(productsBefore);
    expect((await allCustomers()).length).toBe(customersBefore);
    expect(second.warehouses).toMatchObject({ created: [], skipped: ['MSK1', 'SPB1', 'KZN1'], bins: 0, pickLines: 0 });
    expect(await stockCounts()).toEqual(stockBefore);
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
      sql`select extract(epoch from max(created_at) - min(created_at)) / 86400 as days from inventory_movements where reason = 'PICK'`,
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
