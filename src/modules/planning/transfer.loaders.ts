import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { transferEventsByTransferIds, transferOrdersByIds, type TransferEventRow, type TransferOrderRow } from './transfer.service.js';

/** Per-request loaders of transfers: by id with the caller's visibility rules, and their timelines. */
export function transferLoaders(ctx: ServiceContext) {
  return {
    transferById: new DataLoader<string, TransferOrderRow | null>(async (ids) => byKey(ids, await transferOrdersByIds(ctx, ids), (r) => r.id)),
    eventsByTransferId: new DataLoader<string, TransferEventRow[]>(async (ids) => groupByKey(ids, await transferEventsByTransferIds(ctx, ids), (r) => r.objectId)),
  };
}
