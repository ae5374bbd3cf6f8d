import { Field, InputType, Int } from 'type-graphql';
import { MoneyInput } from '../../graphql/common.types.js';

@InputType('DimensionsInput', { description: 'Outer dimensions in millimetres.' })
export class DimensionsInput {
  @Field(() => Int, { description: 'Length, mm (> 0).' })
  lengthMm!: number;
  @Field(() => Int, { description: 'Width, mm (> 0).' })
  widthMm!: number;
  @Field(() => Int, { description: 'Height, mm (> 0).' })
  heightMm!: number;
}

@InputType('ProductVariantInput', { description: 'A variant of a new product.' })
export class ProductVariantInput {
  @Field(() => String, { description: 'Unique SKU: 1 to 64 letters, digits, ".", "_", "-", "/".' })
  sku!: string;
  @Field(() => String, { nullable: true, description: 'GS1 GTIN-8/12/13/14; the check digit must be right (else INVALID_BARCODE).' })
  gtin?: string | null;
  @Field(() => String, { description: 'Title of the variant.' })
  title!: string;
  @Field(() => MoneyInput, { description: 'Unit price in minor units.' })
  price!: MoneyInput;
  @Field(() => Int, { description: 'Weight in grams.' })
  weightGrams!: number;
  @Field(() => DimensionsInput, { nullable: true, description: 'Packed dimensions.' })
  dimensions?: DimensionsInput | null;
}

@InputType('ProductCreateInput', { description: 'A new product with its variants.' })
export class ProductCreateInput {
  @Field(() => String, { description: 'Title.' })
  title!: string;
  @Field(() => String, { nullable: true, description: 'Description.' })
  description?: string | null;
  @Field(() => String, { nullable: true, description: 'Category path, e.g. "apparel/shoes".' })
  category?: string | null;
  @Field(() => [ProductVariantInput], { description: 'At least one variant.' })
  variants!: ProductVariantInput[];
}
