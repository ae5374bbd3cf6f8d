/** Checkout's kept variant rows (variantsBySkusKept): exactly the database's rows, unknown SKUs looked up again later. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productInput } from '../../../test/factories/catalog.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { createProduct, variantsBySkus, variantsBySkusKept } from './catalog.service.js';

let t: TestApp;
let ctx: ServiceContext;
beforeAll(async () => {
  t = await startApp();
  ctx = t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services;
});
afterAll(() => t?.close());

describe('kept variants', () => {
  it('answers like the database, keeps found rows, and finds a SKU created after it was asked for', async () => {
    const a = productInput({}, 2);
    await createProduct(ctx, a);
    const skus = a.variants.map((v) => v.sku);
    const later = productInput({}, 1);
    const first = await variantsBySkusKept(ctx, [...skus, later.variants[0]!.sku]);
    expect(first.map((v) => v.sku).sort()).toEqual([...skus].sort());
    expect(first).toEqual(expect.arrayContaining(await variantsBySkus(ctx, skus)));
    await createProduct(ctx, later);
    const second = await variantsBySkusKept(ctx, [later.variants[0]!.sku, skus[0]!]);
    expect(second.map((v) => v.sku)).toEqual([skus[0], later.variants[0]!.sku]);
    // The kept row is the same object, read once.
    expect(second[0]).toBe(first.find((v) => v.sku === skus[0]));
  });
});
