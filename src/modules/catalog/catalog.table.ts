import { index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn } from '../../db/columns.js';

export const products = pgTable(
  'products',
  {
    id: idColumn(),
    title: text('title').notNull(),
    description: text('description'),
    category: text('category'),
    createdAt: createdAt(),
  },
  (t) => [index('products_title_idx').on(t.title)],
);

export const productVariants = pgTable(
  'product_variants',
  {
    id: idColumn(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    sku: text('sku').notNull().unique(),
    gtin: text('gtin').unique(),
    title: text('title').notNull(),
    priceMinor: integer('price_minor').notNull(),
    currency: text('currency').notNull(),
    weightGrams: integer('weight_grams').notNull(),
    lengthMm: integer('length_mm'),
    widthMm: integer('width_mm'),
    heightMm: integer('height_mm'),
    /** Position within the product, as given at creation. */
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index('product_variants_product_idx').on(t.productId)],
);
