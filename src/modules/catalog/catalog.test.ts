/** Catalog behaviour through GraphQL over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDocument, ProductCreateDocument, ProductsDeepDocument, ProductsDocument, ProductVariantDocument } from '../../../test/generated/graphql.js';
import { productInput, variantInput } from '../../../test/factories/catalog.js';
import { startApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => t?.close());

const count = async () => (await t.admin(ProductsDocument, { first: 1 })).products.totalCount;

describe('productCreate', () => {
  it('creates a product with variants, money in minor units and a global id', async () => {
    const input = productInput({ title: 'Trail runner' }, 2);
    const { productCreate } = await t.admin(ProductCreateDocument, { input });
    expect(productCreate.userErrors).toEqual([]);
    const p = productCreate.product!;
    expect(p.title).toBe('Trail runner');
    expect(p.variants.map((v) => v.sku)).toEqual(input.variants.map((v) => v.sku));
    expect(p.variants[0]!.price).toEqual(input.variants[0]!.price);
    expect(p.variants[0]!.dimensions).toEqual(input.variants[0]!.dimensions);
    expect(p.id).not.toContain('-');
    const node = await t.admin(NodeDocument, { id: p.id });
    expect(node.node).toMatchObject({ __typename: 'Product', title: 'Trail runner' });
    const vnode = await t.admin(NodeDocument, { id: p.variants[1]!.id });
    expect(vnode.node).toMatchObject({ __typename: 'ProductVariant', sku: input.variants[1]!.sku });
  });

  it('refuses a GTIN with a wrong check digit as INVALID_BARCODE and writes nothing', async () => {
    const before = await count();
    const { productCreate } = await t.admin(ProductCreateDocument, { input: productInput({ variants: [variantInput({ gtin: '4006381333932' })] }) });
    expect(productCreate.product).toBeNull();
    expect(productCreate.userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_BARCODE', field: ['input', 'variants', '0', 'gtin'] }),
    ]);
    expect(await count()).toBe(before);
  });

  it('refuses a SKU that exists, or repeats within the input, and writes nothing', async () => {
    const first = productInput();
    await t.admin(ProductCreateDocument, { input: first });
    const before = await count();
    const dup = await t.admin(ProductCreateDocument, { input: productInput({ variants: [variantInput({ sku: first.variants[0]!.sku })] }) });
    expect(dup.productCreate.userErrors[0]).toMatchObject({ code: 'SKU_TAKEN' });
    const v = variantInput();
    const twice = await t.admin(ProductCreateDocument, { input: productInput({ variants: [v, { ...v, gtin: null }] }) });
    expect(twice.productCreate.userErrors[0]).toMatchObject({ code: 'SKU_TAKEN', field: ['input', 'variants', '1', 'sku'] });
    expect(await count()).toBe(before);
  });

  it('reports every invalid field at once: currency, negative price, empty title, no variants', async () => {
    const bad = await t.admin(ProductCreateDocument, {
      input: productInput({ title: ' ', variants: [variantInput({ price: { amountMinor: -1, currency: 'XYZ' }, weightGrams: -5 })] }),
    });
    const codes = bad.productCreate.userErrors.map((e) => `${e.code}:${e.field?.join('.')}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'INVALID:input.title',
        'INVALID:input.variants.0.price.amountMinor',
        'INVALID_CURRENCY:input.variants.0.price.currency',
        'INVALID:input.variants.0.weightGrams',
      ]),
    );
    const none = await t.admin(ProductCreateDocument, { input: productInput({ variants: [] }) });
    expect(none.productCreate.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'variants'] });
  });

  it('gives exactly one product when the same SKU is created concurrently', async () => {
    const v = variantInput();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.admin(ProductCreateDocument, { input: productInput({ variants: [{ ...v }] }) })),
    );
    expect(results.filter((r) => r.productCreate.product).length).toBe(1);
    expect(results.filter((r) => r.productCreate.userErrors[0]?.code === 'SKU_TAKEN').length).toBe(7);
  });
});

describe('products and productVariant', () => {
  it('finds by title, SKU and GTIN', async () => {
    const input = productInput({ title: 'Quilted parka Nordkapp' });
    await t.admin(ProductCreateDocument, { input });
    const byTitle = await t.admin(ProductsDocument, { first: 10, query: 'nordkapp' });
    expect(byTitle.products.nodes.map((n) => n.title)).toEqual(['Quilted parka Nordkapp']);
    const bySku = await t.admin(ProductsDocument, { first: 10, query: input.variants[0]!.sku });
    expect(bySku.products.nodes.map((n) => n.title)).toEqual(['Quilted parka Nordkapp']);
    const byGtin = await t.admin(ProductsDocument, { first: 10, query: input.variants[0]!.gtin });
    expect(byGtin.products.totalCount).toBe(1);
    const variant = await t.admin(ProductVariantDocument, { sku: input.variants[0]!.sku });
    expect(variant.productVariant).toMatchObject({ sku: input.variants[0]!.sku, product: { title: 'Quilted parka Nordkapp' } });
    expect((await t.admin(ProductVariantDocument, { sku: 'NO-SUCH-SKU' })).productVariant).toBeNull();
  });

  it('pages newest first, forward and backward, with totalCount', async () => {
    const fresh = await startApp();
    try {
      const titles: string[] = [];
      for (let i = 0; i < 7; i++) {
        const title = `Paged ${i}`;
        titles.push(title);
        await fresh.admin(ProductCreateDocument, { input: productInput({ title }) });
      }
      const newestFirst = [...titles].reverse();
      const p1 = await fresh.admin(ProductsDocument, { first: 3 });
      expect(p1.products.totalCount).toBe(7);
      expect(p1.products.nodes.map((n) => n.title)).toEqual(newestFirst.slice(0, 3));
      expect(p1.products.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const p2 = await fresh.admin(ProductsDocument, { first: 3, after: p1.products.pageInfo.endCursor });
      expect(p2.products.nodes.map((n) => n.title)).toEqual(newestFirst.slice(3, 6));
      const p3 = await fresh.admin(ProductsDocument, { first: 3, after: p2.products.pageInfo.endCursor });
      expect(p3.products.nodes.map((n) => n.title)).toEqual(newestFirst.slice(6));
      expect(p3.products.pageInfo.hasNextPage).toBe(false);
      const back = await fresh.admin(ProductsDocument, { last: 2, before: p3.products.pageInfo.startCursor });
      expect(back.products.nodes.map((n) => n.title)).toEqual(newestFirst.slice(4, 6));
      expect(back.products.pageInfo.hasPreviousPage).toBe(true);
      const tooMany = await fresh.gql(ProductsDocument, { first: 500 });
      expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const badCursor = await fresh.gql(ProductsDocument, { first: 5, after: 'nonsense' });
      expect(badCursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await fresh.close();
    }
  });

  it('runs the same number of SQL statements for 5 and for 50 products (no N+1)', async () => {
    const fresh = await startApp();
    try {
      for (let i = 0; i < 50; i++) await fresh.admin(ProductCreateDocument, { input: productInput({}, 2) });
      const statements = async (first: number) => {
        const r = await fresh.gql(ProductsDeepDocument, { first });
        expect(r.errors).toBeUndefined();
        expect(r.data!.products.nodes.length).toBe(first);
        expect(r.data!.products.nodes[0]!.variants[0]!.product.title).toBeTruthy();
        return Number(r.headers.get('x-sql-statements'));
      };
      await statements(1); // warm the auth cache
      const five = await statements(5);
      const fifty = await statements(50);
      expect(fifty).toBe(five);
      expect(five).toBeLessThanOrEqual(3);
    } finally {
      await fresh.close();
    }
  });
});
