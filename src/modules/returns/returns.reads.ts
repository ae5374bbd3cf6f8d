/**
 * Reading returns with their visibility rules: a CUSTOMER sees its own; staff and partners need
 * read_returns, and a PARTNER restricted to warehouses sees only returns to its warehouses.
 */
import { and, asc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { AccessError } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { orderIdsByNumber } from '../orders/order.service.js';
import { trackingNumbersOfShipments } from '../shipments/shipment.service.js';
import { listAllWarehouses, warehousesByIds } from '../warehouse/warehouse.service.js';
import type { ReturnRow } from './returns.state.js';
import { returnEvents, returnLineDispositions, returnLines, returnRequests, type ReturnStatusValue } from './returns.table.js';

export type ReturnLineRow = typeof returnLines.$inferSelect;
export type ReturnEventRow = typeof returnEvents.$inferSelect;
export type ReturnDispositionRow = typeof returnLineDispositions.$inferSelect;
export type { ReturnRow };

/** Ids of the warehouses a PARTNER restricted to warehouses may see (null: unrestricted). */
async function visibleWarehouseIds(ctx: ServiceContext): Promise<string[] | null> {
  const codes = ctx.principal.warehouseCodes;
  if (!codes) return null;
  return (await listAllWarehouses(ctx)).filter((w) => codes.includes(w.code)).map((w) => w.id);
}

/**
 * The condition on return_requests that limits rows to what the caller may see; undefined: all;
 * null: none (no read_returns).
 */
async function visibility(ctx: ServiceContext): Promise<SQL | undefined | null> {
  const p = ctx.principal;
  if (p.kind === 'CUSTOMER') return eq(returnRequests.customerId, p.customerId!);
  if (!hasScope(p, 'read_returns')) return null;
  const ids = await visibleWarehouseIds(ctx);
  if (!ids) return undefined;
  return ids.length ? inArray(returnRequests.warehouseId, ids) : sql`false`;
}

/** Whether the caller may see this return (the same rules as the lists). */
export async function mayViewReturn(ctx: ServiceContext, row: Pick<ReturnRow, 'customerId' | 'warehouseId'>): Promise<boolean> {
  const p = ctx.principal;
  if (p.kind === 'CUSTOMER') return p.customerId === row.customerId;
  if (!hasScope(p, 'read_returns')) return false;
  const ids = await visibleWarehouseIds(ctx);
  return !ids || (!!row.warehouseId && ids.includes(row.warehouseId));
}

/** Returns by id that the caller may see. */
export async function returnsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<ReturnRow[]> {
  if (!ids.length) return [];
  const cond = await visibility(ctx);
  if (cond === null) return [];
  return ctx.database.db.select().from(returnRequests).where(and(inArray(returnRequests.id, [...ids]), cond));
}

/** Returns of these orders that the caller may see, oldest first (Order.returns). */
export async function returnsByOrderIds(ctx: ServiceContext, orderIds: readonly string[]): Promise<ReturnRow[]> {
  if (!orderIds.length) return [];
  const cond = await visibility(ctx);
  if (cond === null) return [];
  return ctx.database.db
    .select()
    .from(returnRequests)
    .where(and(inArray(returnRequests.orderId, [...orderIds]), cond))
    .orderBy(asc(returnRequests.id));
}

/** Unfiltered, in the caller's transaction or the pool (services that checked access themselves). */
export async function returnRowsByIds(executor: Executor, ids: readonly string[]): Promise<ReturnRow[]> {
  if (!ids.length) return [];
  return executor.select().from(returnRequests).where(inArray(returnRequests.id, [...ids]));
}

export interface ReturnFilter {
  status?: ReturnStatusValue[] | null;
  orderNumber?: string | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}

/** Returns newest first, filtered, limited to what the caller may see. Throws FORBIDDEN without read_returns (a CUSTOMER sees its own). */
export async function listReturns(ctx: ServiceContext, args: PageArgs & { filter?: ReturnFilter | null }): Promise<Page<ReturnRow>> {
  const cond = await visibility(ctx);
  if (cond === null) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_returns.');
  const f = args.filter ?? {};
  const db = ctx.database.db;
  const conds: (SQL | undefined)[] = [cond];
  if (f.status?.length) conds.push(inArray(returnRequests.status, f.status));
  if (f.orderNumber?.trim()) conds.push(inArray(returnRequests.orderId, orderIdsByNumber(db, f.orderNumber)));
  if (f.createdFrom) conds.push(gte(returnRequests.createdAt, f.createdFrom));
  if (f.createdTo) conds.push(lt(returnRequests.createdAt, f.createdTo));
  const filter = and(...conds);
  const plan = planPage(args, returnRequests.id, filter);
  const rows = await db.select().from(returnRequests).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => db.$count(returnRequests, filter));
}

/** Lines of these returns (of returns the caller already sees), in their given order. */
export async function linesByReturnIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[], executor: Executor = ctx.database.db): Promise<ReturnLineRow[]> {
  if (!ids.length) return [];
  return executor
    .select()
    .from(returnLines)
    .where(inArray(returnLines.returnRequestId, [...ids]))
    .orderBy(asc(returnLines.returnRequestId), asc(returnLines.position));
}

export async function dispositionsByLineIds(ctx: Pick<ServiceContext, 'database'>, lineIds: readonly string[]): Promise<ReturnDispositionRow[]> {
  if (!lineIds.length) return [];
  return ctx.database.db
    .select()
    .from(returnLineDispositions)
    .where(inArray(returnLineDispositions.returnLineId, [...lineIds]))
    .orderBy(asc(returnLineDispositions.returnLineId), asc(returnLineDispositions.disposition));
}

/** Timelines of these returns, oldest first. */
export async function eventsByReturnIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]): Promise<ReturnEventRow[]> {
  if (!ids.length) return [];
  return ctx.database.db
    .select()
    .from(returnEvents)
    .where(inArray(returnEvents.objectId, [...ids]))
    .orderBy(asc(returnEvents.objectId), asc(returnEvents.sequence));
}

/** Events of one return after a sequence (subscriptions). */
export async function returnEventsAfter(ctx: Pick<ServiceContext, 'database'>, id: string, afterSequence: number): Promise<ReturnEventRow[]> {
  return ctx.database.db
    .select()
    .from(returnEvents)
    .where(and(eq(returnEvents.objectId, id), sql`${returnEvents.sequence} > ${afterSequence}`))
    .orderBy(asc(returnEvents.sequence));
}

/**
 * What every lifecycle event of a return carries besides the kernel's fields: the warehouse code
 * (partner webhooks and subscriptions restricted to warehouses filter on it) and the tracking
 * number of the return parcel when there is one. Read in the caller's transaction.
 */
export async function returnEventPayload(
  ctx: Pick<ServiceContext, 'database'>,
  executor: Executor,
  ret: Pick<ReturnRow, 'warehouseId' | 'returnShipmentId'>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (ret.warehouseId) {
    const [wh] = await warehousesByIds(ctx, [ret.warehouseId], executor);
    if (wh) out.warehouseCode = wh.code;
  }
  if (ret.returnShipmentId) {
    const tn = (await trackingNumbersOfShipments(executor, [ret.returnShipmentId])).get(ret.returnShipmentId);
    if (tn) out.trackingNumber = tn;
  }
  return out;
}
