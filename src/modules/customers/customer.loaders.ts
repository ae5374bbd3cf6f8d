import DataLoader from 'dataloader';
import type { ServiceContext } from '../../shared/service-context.js';
import { customersByIds, type CustomerRow } from './customer.service.js';

/** Per-request loaders of the customers module. */
export function customerLoaders(ctx: ServiceContext) {
  return {
    customerById: new DataLoader<string, CustomerRow | null>(async (ids) => {
      const rows = await customersByIds(ctx, ids);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
