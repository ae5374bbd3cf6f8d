/**
 * Plain reads of planning rows by id, for loaders and services. No visibility rules here: the
 * services that hand out purchase orders and transfers check the caller's warehouses first.
 */
import { asc, inArray, sql } from 'drizzle-orm';
import type { ServiceContext } from '../../shared/service-context.js';
import { purchaseOrderEvents, purchaseOrderLines, purchaseOrders, suppliers, transferEvents, transferLines, transferOrders } from './planning.table.js';

export type SupplierRow = typeof suppliers.$inferSelect;
export type PurchaseOrderLineRow = typeof purchaseOrderLines.$inferSelect;
export type TransferLineRow = typeof transferLines.$inferSelect;

export async function suppliersByIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]): Promise<SupplierRow[]> {
  if (!ids.length) return [];
  return ctx.database.db.select().from(suppliers).where(inArray(suppliers.id, [...ids]));
}

export async function purchaseOrderRowsByIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]) {
  if (!ids.length) return [];
  return ctx.database.db.select().from(purchaseOrders).where(inArray(purchaseOrders.id, [...ids]));
}

export async function transferRowsByIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]) {
  if (!ids.length) return [];
  return ctx.database.db.select().from(transferOrders).where(inArray(transferOrders.id, [...ids]));
}

export async function linesByPurchaseOrderIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]): Promise<PurchaseOrderLineRow[]> {
  if (!ids.length) return [];
  return ctx.database.db.select().from(purchaseOrderLines).where(inArray(purchaseOrderLines.purchaseOrderId, [...ids])).orderBy(asc(purchaseOrderLines.position));
}

export async function linesByTransferIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]): Promise<TransferLineRow[]> {
  if (!ids.length) return [];
  return ctx.database.db.select().from(transferLines).where(inArray(transferLines.transferOrderId, [...ids])).orderBy(asc(transferLines.position));
}

export async function purchaseOrderEventsByIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]) {
  if (!ids.length) return [];
  return ctx.database.db.select().from(purchaseOrderEvents).where(inArray(purchaseOrderEvents.objectId, [...ids])).orderBy(asc(purchaseOrderEvents.sequence));
}

export async function transferEventsByIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]) {
  if (!ids.length) return [];
  return ctx.database.db.select().from(transferEvents).where(inArray(transferEvents.objectId, [...ids])).orderBy(asc(transferEvents.sequence));
}

/** A supplier's lead time as observed: mean and sample standard deviation in days over its RECEIVED purchase orders (sent → last unit received). */
export interface LearntLeadTime {
  supplierId: string;
  observations: number;
  meanDays: number;
  stdDevDays: number;
}

/**
 * Lead times learnt from received purchase orders, per supplier with at least one; the standard
 * deviation is 0 with a single observation. One grouped query over the supplier index.
 */
export async function learntLeadTimes(ctx: Pick<ServiceContext, 'database'>, supplierIds: readonly string[]): Promise<LearntLeadTime[]> {
  if (!supplierIds.length) return [];
  const days = sql`extract(epoch from (${purchaseOrders.receivedAt} - ${purchaseOrders.sentAt})) / 86400.0`;
  const rows = await ctx.database.db
    .select({
      supplierId: purchaseOrders.supplierId,
      n: sql<number>`count(*)::int`,
      mean: sql<number>`avg(${days})::float8`,
      sd: sql<number>`coalesce(stddev_samp(${days}), 0)::float8`,
    })
    .from(purchaseOrders)
    .where(sql`${inArray(purchaseOrders.supplierId, [...supplierIds])} and ${purchaseOrders.status} = 'RECEIVED' and ${purchaseOrders.sentAt} is not null and ${purchaseOrders.receivedAt} is not null`)
    .groupBy(purchaseOrders.supplierId);
  return rows.map((r) => ({ supplierId: r.supplierId, observations: Number(r.n), meanDays: Number(r.mean), stdDevDays: Number(r.sd) }));
}
