/** Port of the catalog for personalised offers: each variant's product category and title. */
import { eq, inArray } from 'drizzle-orm';
import type { ServiceContext } from '../../shared/service-context.js';
import { products, productVariants } from './catalog.table.js';

export interface VariantCategoryRow {
  variantId: string;
  category: string | null;
  /** The product's title. */
  title: string;
}

/** Category and product title of these variants; one statement (unknown ids are absent). */
export async function variantCategories(ctx: Pick<ServiceContext, 'database'>, variantIds: readonly string[]): Promise<VariantCategoryRow[]> {
  if (!variantIds.length) return [];
  return ctx.database.db
    .select({ variantId: productVariants.id, category: products.category, title: products.title })
    .from(productVariants)
    .innerJoin(products, eq(products.id, productVariants.productId))
    .where(inArray(productVariants.id, [...variantIds]));
}
