import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import {
  learntLeadTimes,
  linesByPurchaseOrderIds,
  linesByTransferIds,
  suppliersByIds,
  type LearntLeadTime,
  type PurchaseOrderLineRow,
  type SupplierRow,
  type TransferLineRow,
} from './planning.reads.js';

/** Per-request loaders of planning (no visibility filtering: callers reach these through objects they may see). */
export function planningLoaders(ctx: ServiceContext) {
  return {
    supplierById: new DataLoader<string, SupplierRow | null>(async (ids) => byKey(ids, await suppliersByIds(ctx, ids), (r) => r.id)),
    leadTimeBySupplierId: new DataLoader<string, LearntLeadTime | null>(async (ids) => byKey(ids, await learntLeadTimes(ctx, ids), (r) => r.supplierId)),
    linesByPurchaseOrderId: new DataLoader<string, PurchaseOrderLineRow[]>(async (ids) => groupByKey(ids, await linesByPurchaseOrderIds(ctx, ids), (r) => r.purchaseOrderId)),
    linesByTransferId: new DataLoader<string, TransferLineRow[]>(async (ids) => groupByKey(ids, await linesByTransferIds(ctx, ids), (r) => r.transferOrderId)),
  };
}
