import DataLoader from 'dataloader';
import type { ServiceContext } from '../../shared/service-context.js';
import { binStockByBinIds, binStockByLevelKeys, channelStockByVariantIds, levelsByVariantIds, type BinStockRow, type ChannelStockRow, type LevelRow } from './inventory.service.js';

function group<K, V>(keys: readonly K[], rows: V[], key: (v: V) => K): V[][] {
  const m = new Map<K, V[]>();
  for (const r of rows) (m.get(key(r)) ?? m.set(key(r), []).get(key(r))!).push(r);
  return keys.map((k) => m.get(k) ?? []);
}

/** Per-request loaders of the inventory module. */
export function inventoryLoaders(ctx: ServiceContext) {
  return {
    levelsByVariantId: new DataLoader<string, LevelRow[]>(async (ids) => group(ids, await levelsByVariantIds(ctx, ids), (r) => r.variantId)),
    channelsByVariantId: new DataLoader<string, ChannelStockRow[]>(async (ids) => group(ids, await channelStockByVariantIds(ctx, ids), (r) => r.variantId)),
    contentsByBinId: new DataLoader<string, BinStockRow[]>(async (ids) => group(ids, await binStockByBinIds(ctx, ids), (r) => r.binId)),
    /** Key: `${variantId}|${warehouseId}`. */
    binsByLevel: new DataLoader<string, BinStockRow[]>(async (keys) => group(keys, await binStockByLevelKeys(ctx, keys), (r) => `${r.variantId}|${r.warehouseId}`)),
  };
}
