import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Money } from '../../graphql/common.types.js';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import type { ProductRow, VariantRow } from './catalog.service.js';

@ObjectType('Dimensions', { description: 'Outer dimensions in millimetres.' })
export class Dimensions {
  @Field(() => Int, { description: 'Length, mm.' })
  lengthMm!: number;
  @Field(() => Int, { description: 'Width, mm.' })
  widthMm!: number;
  @Field(() => Int, { description: 'Height, mm.' })
  heightMm!: number;
}

@ObjectType('Product', { implements: Node, description: 'A product of the catalog; stock and orders refer to its variants.' })
export class Product implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  @Field(() => String, { description: 'Title.' })
  title!: string;
  @Field(() => String, { nullable: true, description: 'Description.' })
  description!: string | null;
  @Field(() => String, { nullable: true, description: 'Free-form category path, e.g. "apparel/shoes"; used for zoning, return policy and analytics.' })
  category!: string | null;
  @Field(() => DateTime, { description: 'When the product was created.' })
  createdAt!: Date;

  static from(row: ProductRow): Product {
    return typed('Product', {
      id: toGlobalId('Product', row.id),
      dbId: row.id,
      title: row.title,
      description: row.description,
      category: row.category,
      createdAt: row.createdAt,
    });
  }
}

@ObjectType('ProductVariant', { simpleResolvers: true, implements: Node, description: 'A sellable variant with its own SKU, barcode, price, weight and size.' })
export class ProductVariant implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  productDbId!: string;
  @Field(() => String, { description: 'Unique stock keeping unit.' })
  sku!: string;
  @Field(() => String, { nullable: true, description: 'GS1 GTIN-8/12/13/14 printed as the barcode; check digit validated on write.' })
  gtin!: string | null;
  @Field(() => String, { description: 'Title of the variant, e.g. "Red / 42".' })
  title!: string;
  @Field(() => Money, { description: 'Unit price.' })
  price!: Money;
  @Field(() => Int, { description: 'Weight in grams.' })
  weightGrams!: number;
  @Field(() => Dimensions, { nullable: true, description: 'Packed dimensions, when known.' })
  dimensions!: Dimensions | null;

  static from(row: VariantRow): ProductVariant {
    return typed('ProductVariant', {
      id: toGlobalId('ProductVariant', row.id),
      dbId: row.id,
      productDbId: row.productId,
      sku: row.sku,
      gtin: row.gtin,
      title: row.title,
      price: { amountMinor: row.priceMinor, currency: row.currency },
      weightGrams: row.weightGrams,
      dimensions:
        row.lengthMm != null && row.widthMm != null && row.heightMm != null
          ? { lengthMm: row.lengthMm, widthMm: row.widthMm, heightMm: row.heightMm }
          : null,
    });
  }
}
