/** Factories: build valid inputs with overridable parts, instead of fixture dumps. */
import { gtin13 } from '../harness.js';
import type { ProductCreateInput, ProductVariantInput } from '../generated/graphql.js';

let seq = 0;

export function variantInput(over: Partial<ProductVariantInput> = {}): ProductVariantInput {
  const n = ++seq;
  return {
    sku: `SKU-${process.pid}-${n}`,
    gtin: gtin13(n * 7919 + process.pid),
    title: `Variant ${n}`,
    price: { amountMinor: 100_00 + n, currency: 'RUB' },
    weightGrams: 250,
    dimensions: { lengthMm: 200, widthMm: 100, heightMm: 50 },
    ...over,
  };
}

export function productInput(over: Partial<ProductCreateInput> = {}, variants = 1): ProductCreateInput {
  const n = ++seq;
  return {
    title: `Product ${n}`,
    description: 'A fine product',
    category: 'apparel/shoes',
    variants: Array.from({ length: variants }, () => variantInput()),
    ...over,
  };
}
