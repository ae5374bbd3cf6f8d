import DataLoader from 'dataloader';
import { byKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { binsByIds, warehousesByIds, zonesByIds, zonesByWarehouseIds, type BinRow, type WarehouseRow, type ZoneRow } from './warehouse.service.js';


/** Per-request loaders of the warehouse module (no visibility filtering: callers check `mayViewWarehouse`). */
export function warehouseLoaders(ctx: ServiceContext) {
  return {
    warehouseById: new DataLoader<string, WarehouseRow | null>(async (ids) => byKey(ids, await warehousesByIds(ctx, ids), (r) => r.id)),
    zoneById: new DataLoader<string, ZoneRow | null>(async (ids) => byKey(ids, await zonesByIds(ctx, ids), (r) => r.id)),
    binById: new DataLoader<string, BinRow | null>(async (ids) => byKey(ids, await binsByIds(ctx, ids), (r) => r.id)),
    zonesByWarehouseId: new DataLoader<string, ZoneRow[]>(async (ids) => {
      const rows = await zonesByWarehouseIds(ctx, ids);
      const m = new Map<string, ZoneRow[]>();
      for (const r of rows) (m.get(r.warehouseId) ?? m.set(r.warehouseId, []).get(r.warehouseId)!).push(r);
      return ids.map((id) => m.get(id) ?? []);
    }),
  };
}
