import DataLoader from 'dataloader';
import { groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { binStockByBinIds, binStockByLevelKeys, levelsByVariantIds } from './availability.service.js';
import { channelStockByVariantIds } from './channel-stock.service.js';
import type { BinStockRow, ChannelStockRow, LevelRow } from './inventory.table.js';

/** Per-request loaders of the inventory module. */
export function inventoryLoaders(ctx: ServiceContext) {
  return {
    levelsByVariantId: new DataLoader<string, LevelRow[]>(async (ids) => groupByKey(ids, await levelsByVariantIds(ctx, ids), (r) => r.variantId)),
    channelsByVariantId: new DataLoader<string, ChannelStockRow[]>(async (ids) => groupByKey(ids, await channelStockByVariantIds(ctx, ids), (r) => r.variantId)),
    contentsByBinId: new DataLoader<string, BinStockRow[]>(async (ids) => groupByKey(ids, await binStockByBinIds(ctx, ids), (r) => r.binId)),
    /** Key: `${variantId}|${warehouseId}`. */
    binsByLevel: new DataLoader<string, BinStockRow[]>(async (keys) => groupByKey(keys, await binStockByLevelKeys(ctx, keys), (r) => `${r.variantId}|${r.warehouseId}`)),
  };
}
