/** Catalog: products and their variants (unique SKU, GS1-valid GTIN), search and pagination. */
import { and, asc, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { transact } from '../../events/outbox.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { isValidGtin } from '../../shared/gs1.js';
import { isCurrency, isMinorAmount } from '../../shared/money.js';
import type { Database } from '../../db/client.js';
import { preparedQueries } from '../../db/prepared.js';
import { KeyedCaches } from '../../shared/cache.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { containsPattern } from '../../db/like.js';
import { searchText } from '../../shared/search-text.js';
import { products, productVariants } from './catalog.table.js';

export type ProductRow = typeof products.$inferSelect;
export type VariantRow = typeof productVariants.$inferSelect;

export interface VariantInput {
  sku: string;
  gtin?: string | null;
  title: string;
  price: { amountMinor: number; currency: string };
  weightGrams: number;
  dimensions?: { lengthMm: number; widthMm: number; heightMm: number } | null;
}

export interface ProductCreateInput {
  title: string;
  description?: string | null;
  category?: string | null;
  variants: VariantInput[];
}

export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;
const MAX_VARIANTS = 250;

function validateProduct(input: ProductCreateInput): ErrorList {
  const e = new ErrorList();
  if (!input.title.trim() || input.title.length > 255) e.add('INVALID', 'Title must be 1 to 255 characters.', ['input', 'title']);
  if (input.category != null && !/^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/.test(input.category)) {
    e.add('INVALID', 'Category is a lower-case path like "apparel/shoes".', ['input', 'category']);
  }
  if (!input.variants.length) e.add('INVALID', 'A product needs at least one variant.', ['input', 'variants']);
  if (input.variants.length > MAX_VARIANTS) e.add('INVALID', `At most ${MAX_VARIANTS} variants.`, ['input', 'variants']);
  const skus = new Set<string>();
  const gtins = new Set<string>();
  input.variants.forEach((v, i) => {
    const f = (name: string) => ['input', 'variants', i, name];
    if (!SKU_PATTERN.test(v.sku)) e.add('INVALID', 'SKU must be 1 to 64 letters, digits, ".", "_", "-" or "/".', f('sku'));
    else if (skus.has(v.sku)) e.add('SKU_TAKEN', `SKU ${v.sku} appears twice in this input.`, f('sku'));
    skus.add(v.sku);
    if (v.gtin != null) {
      if (!isValidGtin(v.gtin)) e.add('INVALID_BARCODE', `GTIN ${v.gtin} is not a valid GTIN-8/12/13/14 (check digit).`, f('gtin'));
      else if (gtins.has(v.gtin)) e.add('GTIN_TAKEN', `GTIN ${v.gtin} appears twice in this input.`, f('gtin'));
      gtins.add(v.gtin);
    }
    if (!v.title.trim() || v.title.length > 255) e.add('INVALID', 'Title must be 1 to 255 characters.', f('title'));
    if (!isMinorAmount(v.price.amountMinor) || v.price.amountMinor < 0 || v.price.amountMinor > 2_000_000_000) {
      e.add('INVALID', 'Price must be a non-negative amount in minor units.', [...f('price'), 'amountMinor']);
    }
    if (!isCurrency(v.price.currency)) e.add('INVALID_CURRENCY', `Unknown ISO 4217 currency "${v.price.currency}".`, [...f('price'), 'currency']);
    if (!Number.isInteger(v.weightGrams) || v.weightGrams < 0 || v.weightGrams > 10_000_000) {
      e.add('INVALID', 'Weight must be 0 to 10,000,000 grams.', f('weightGrams'));
    }
    if (v.dimensions) {
      for (const k of ['lengthMm', 'widthMm', 'heightMm'] as const) {
        const d = v.dimensions[k];
        if (!Number.isInteger(d) || d <= 0 || d > 100_000) e.add('INVALID', 'Dimensions are 1 to 100,000 mm.', [...f('dimensions'), k]);
      }
    }
  });
  return e;
}

/** Creates a product with its variants in one transaction. Errors: INVALID, INVALID_BARCODE, INVALID_CURRENCY, SKU_TAKEN, GTIN_TAKEN. */
export async function createProduct(ctx: ServiceContext, input: ProductCreateInput): Promise<ProductRow> {
  const errors = validateProduct(input);
  errors.throwIfAny();
  return transact(ctx, async (tx, events) => {
    const skus = input.variants.map((v) => v.sku);
    const gtins = input.variants.flatMap((v) => (v.gtin ? [v.gtin] : []));
    const taken = await tx
      .select({ sku: productVariants.sku, gtin: productVariants.gtin })
      .from(productVariants)
      .where(gtins.length ? or(inArray(productVariants.sku, skus), inArray(productVariants.gtin, gtins)) : inArray(productVariants.sku, skus));
    if (taken.length) {
      const e = new ErrorList();
      input.variants.forEach((v, i) => {
        if (taken.some((t) => t.sku === v.sku)) e.add('SKU_TAKEN', `SKU ${v.sku} already exists.`, ['input', 'variants', i, 'sku']);
        if (v.gtin && taken.some((t) => t.gtin === v.gtin)) e.add('GTIN_TAKEN', `GTIN ${v.gtin} already exists.`, ['input', 'variants', i, 'gtin']);
      });
      e.throwIfAny();
    }
    const [product] = await tx
      .insert(products)
      .values({ title: input.title.trim(), description: input.description ?? null, category: input.category ?? null })
      .returning();
    try {
      await tx.insert(productVariants).values(
        input.variants.map((v, i) => ({
          productId: product!.id,
          sku: v.sku,
          gtin: v.gtin ?? null,
          title: v.title.trim(),
          priceMinor: v.price.amountMinor,
          currency: v.price.currency,
          weightGrams: v.weightGrams,
          lengthMm: v.dimensions?.lengthMm ?? null,
          widthMm: v.dimensions?.widthMm ?? null,
          heightMm: v.dimensions?.heightMm ?? null,
          position: i,
        })),
      );
    } catch (err) {
      // A concurrent create took the SKU/GTIN between our check and insert.
      if (isUniqueViolation(err)) throw BusinessError.of('SKU_TAKEN', 'A SKU or GTIN of this product already exists.', ['input', 'variants']);
      throw err;
    }
    await events.emit({ topic: 'catalog.product_created', payload: { productId: product!.id } });
    return product!;
  });
}

export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505') return true;
  }
  return false;
}

function searchFilter(query: string | null | undefined) {
  const q = searchText(query, 'query');
  if (!q) return undefined;
  const like = containsPattern(q);
  return or(
    ilike(products.title, like),
    sql`exists (select 1 from ${productVariants} where ${productVariants.productId} = ${products.id} and (${productVariants.sku} ilike ${like} or ${productVariants.gtin} = ${q}))`,
  );
}

/** Products, newest first; `query` matches title, SKU or GTIN. */
export async function listProducts(ctx: ServiceContext, args: PageArgs & { query?: string | null }): Promise<Page<ProductRow>> {
  const filter = searchFilter(args.query);
  const plan = planPage(args, products.id, filter);
  const db = ctx.database.db;
  const rows = await db.select().from(products).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => db.$count(products, filter));
}

export async function productsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<ProductRow[]> {
  return ctx.database.db.select().from(products).where(inArray(products.id, [...ids]));
}

/** The loader queries on the hot read path (see db/prepared.ts). */
const prepared = preparedQueries((db) => ({
  variantsBySkus: db
    .select()
    .from(productVariants)
    .where(sql`${productVariants.sku} = any(${sql.placeholder('skus')})`)
    .prepare('catalog_variants_by_skus'),
  variantsByProductIds: db
    .select()
    .from(productVariants)
    .where(sql`${productVariants.productId} = any(${sql.placeholder('productIds')})`)
    .orderBy(asc(productVariants.productId), asc(productVariants.position))
    .prepare('catalog_variants_by_product_ids'),
}));

export async function variantsByProductIds(ctx: ServiceContext, productIds: readonly string[]): Promise<VariantRow[]> {
  if (!productIds.length) return [];
  return prepared(ctx.database.db).variantsByProductIds.execute({ productIds: [...productIds] });
}

export async function variantsBySkus(ctx: ServiceContext, skus: readonly string[]): Promise<VariantRow[]> {
  if (!skus.length) return [];
  return prepared(ctx.database.db).variantsBySkus.execute({ skus: [...skus] });
}

/**
 * Variants never change once created (there is no update or delete; a SKU, its weight, size and
 * price are fixed), so a committed row read once can be kept: checkout prices every cart from the
 * variants' physical attributes on every request, and reads them from here. Only rows that exist
 * are kept (a SKU created later is read from the database when first asked for). If variants ever
 * become editable, their writes must clear this cache.
 */
const keptVariants = new KeyedCaches<Database, string, VariantRow>(100_000);

/** variantsBySkus through a per-database cache of variant rows (see above); unknown SKUs are simply absent. */
export async function variantsBySkusKept(ctx: ServiceContext, skus: readonly string[]): Promise<VariantRow[]> {
  const found = await keptVariants.of(ctx.database, Infinity)!.getMany(skus, async (missing) => new Map((await variantsBySkus(ctx, missing)).map((v) => [v.sku, v])));
  return [...found.values()];
}

export async function variantsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<VariantRow[]> {
  return ctx.database.db.select().from(productVariants).where(inArray(productVariants.id, [...ids]));
}

/** The variant with this GTIN (any of its 8/12/13/14-digit forms), or null. */
export async function variantByGtin(ctx: ServiceContext, gtin: string): Promise<VariantRow | null> {
  const forms = [8, 12, 13, 14].map((n) => gtin.replace(/^0+/, '').padStart(n, '0')).filter((f) => f.length <= 14);
  const [row] = await ctx.database.db.select().from(productVariants).where(and(inArray(productVariants.gtin, forms))).limit(1);
  return row ?? null;
}


/** Variants by GTIN in any of its 8/12/13/14-digit forms; the map is keyed by GTIN-14. */
export async function variantsByGtins(ctx: ServiceContext, gtins: readonly string[]): Promise<Map<string, VariantRow>> {
  const forms = new Set<string>();
  for (const g of gtins) {
    const bare = g.replace(/^0+/, '');
    for (const n of [8, 12, 13, 14]) if (bare.length <= n) forms.add(bare.padStart(n, '0'));
  }
  const out = new Map<string, VariantRow>();
  if (!forms.size) return out;
  const rows = await ctx.database.db.select().from(productVariants).where(inArray(productVariants.gtin, [...forms]));
  for (const r of rows) if (r.gtin) out.set(r.gtin.padStart(14, '0'), r);
  return out;
}

/**
 * Port for analytics that other modules compose into one statement: a subquery of every variant
 * with its SKU and its product's category, columns `variant_id, sku, category` (category may be
 * null). The caller joins it on `variant_id`; it reads no other module's tables.
 */
export function variantCategoryQuery(): SQL {
  return sql`select ${productVariants.id} as variant_id, ${productVariants.sku} as sku, ${products.category} as category
    from ${productVariants} join ${products} on ${products.id} = ${productVariants.productId}`;
}
