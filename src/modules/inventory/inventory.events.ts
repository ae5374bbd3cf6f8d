/** The event every committed change of an inventory level emits (outbox topic and payload). */
import type { WarehouseRow } from '../warehouse/warehouse.service.js';

export const LEVEL_CHANGED = 'inventory.level_changed';

/** The level-changed events for a set of variants of a warehouse (for callers changing levels in their own transaction). */
export function levelChangedEvents(warehouse: Pick<WarehouseRow, 'id' | 'code'>, variantIds: string[]) {
  return [...new Set(variantIds)].map((variantId) => ({ topic: LEVEL_CHANGED, payload: { variantId, warehouseId: warehouse.id, warehouseCode: warehouse.code } }));
}
