import DataLoader from 'dataloader';
import { byKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { productsByIds, variantsByIds, variantsByProductIds, variantsBySkus, type ProductRow, type VariantRow } from './catalog.service.js';


/** Per-request loaders of the catalog module. */
export function catalogLoaders(ctx: ServiceContext) {
  return {
    productById: new DataLoader<string, ProductRow | null>(async (ids) => byKey(ids, await productsByIds(ctx, ids), (r) => r.id)),
    variantById: new DataLoader<string, VariantRow | null>(async (ids) => byKey(ids, await variantsByIds(ctx, ids), (r) => r.id)),
    variantBySku: new DataLoader<string, VariantRow | null>(async (skus) => byKey(skus, await variantsBySkus(ctx, skus), (r) => r.sku)),
    variantsByProductId: new DataLoader<string, VariantRow[]>(async (ids) => {
      const rows = await variantsByProductIds(ctx, ids);
      const m = new Map<string, VariantRow[]>();
      for (const r of rows) (m.get(r.productId) ?? m.set(r.productId, []).get(r.productId)!).push(r);
      return ids.map((id) => m.get(id) ?? []);
    }),
  };
}
