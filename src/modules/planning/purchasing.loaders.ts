import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { eventsByPurchaseOrderIds, purchaseOrdersByIds, type PurchaseOrderEventRow, type PurchaseOrderRow } from './purchasing.service.js';
import { supplierProductsBySupplierIds, type SupplierProductRow } from './supplier.service.js';

/** Per-request loaders of suppliers and purchase orders. */
export function purchasingLoaders(ctx: ServiceContext) {
  return {
    /** Visibility-filtered (read_inventory; a restricted PARTNER only orders of its warehouses). */
    purchaseOrderById: new DataLoader<string, PurchaseOrderRow | null>(async (ids) => byKey(ids, await purchaseOrdersByIds(ctx, ids), (r) => r.id)),
    /** Timelines of orders the caller already sees. */
    eventsByPurchaseOrderId: new DataLoader<string, PurchaseOrderEventRow[]>(async (ids) => groupByKey(ids, await eventsByPurchaseOrderIds(ctx, ids), (r) => r.objectId)),
    productsBySupplierId: new DataLoader<string, SupplierProductRow[]>(async (ids) => groupByKey(ids, await supplierProductsBySupplierIds(ctx, ids), (r) => r.supplierId)),
  };
}
