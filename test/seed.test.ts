/** The demo seed: a realistic store, loaded through the services, deterministic and idempotent. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER, demoProduct, seedDemoStore } from '../scripts/seed.js';
import { SCRIPT_PRINCIPAL } from '../scripts/lib/script-app.js';
import { listProducts, variantsByProductIds, type ProductRow } from '../src/modules/catalog/catalog.service.js';
import { listCustomers, verifyCustomerCredentials, type CustomerRow } from '../src/modules/customers/customer.service.js';
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
const allProducts = () => all<ProductRow>((afterId) => listProducts(ctx, { first: 100, afterId }));
const allCustomers = () => all<CustomerRow>((afterId) => listCustomers(ctx, { first: 100, afterId }));

describe('seedDemoStore', () => {
  it('gives the same input for the same product index (deterministic)', () => {
    expect(demoProduct(17)).toEqual(demoProduct(17));
    expect(demoProduct(17)).not.toEqual(demoProduct(18));
  });

  it('loads a few hundred SKUs across categories with valid GTINs, RUB prices and sizes, and ru/en customers', async () => {
    const first = await seedDemoStore(ctx);
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
    const second = await seedDemoStore(ctx);
    expect(second.catalog).toMatchObject({ created: 0, variants: 0 });
    expect(second.catalog.skipped).toBe(productsBefore);
    expect(second.customers).toEqual({ created: 0, skipped: customersBefore });
    expect((await allProducts()).length).toBe(productsBefore);
    expect((await allCustomers()).length).toBe(customersBefore);
  });
});
