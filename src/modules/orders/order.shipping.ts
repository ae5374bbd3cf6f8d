/**
 * The orders side of shipping, called by the shipping module inside its transaction: a packed
 * fulfillment order leaves (FO SHIPPED, lines' shipped quantities, stock out of the ledger, the
 * order SHIPPED or PARTIALLY_SHIPPED), and a fully delivered order becomes DELIVERED.
 */
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import { BusinessError } from '../../shared/errors.js';
import { transition } from '../../shared/lifecycle.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { levelChangedEvents } from '../inventory/inventory.events.js';
import { shipStock } from '../inventory/reservation.service.js';
import type { WarehouseRow } from '../warehouse/warehouse.service.js';
import { transitionOrder, type FulfillmentOrderRow, type OrderRow } from './order.service.js';
import { fulfillmentOrderLifecycle, isTransitionRefusal } from './order.state.js';
import { fulfillmentLines, fulfillmentOrders, orderLines, orders } from './order.table.js';

/**
 * Ships a PACKED fulfillment order in the caller's transaction (row-locked, so a second shipment
 * of it fails). `trackingNumbers`: every tracking number of the order so far, for the event.
 * Errors: INVALID_STATE_TRANSITION (not packed, or changed meanwhile).
 */
export async function shipFulfillmentOrder(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  fo: Pick<FulfillmentOrderRow, 'id' | 'orderId'>,
  warehouse: Pick<WarehouseRow, 'id' | 'code'>,
  trackingNumbers: string[],
  reference: string,
): Promise<OrderRow> {
  const refused = () => BusinessError.of('INVALID_STATE_TRANSITION', 'Only a PACKED fulfillment order can be shipped (it changed meanwhile?).', ['input', 'fulfillmentOrderId']);
  const [order] = await tx.select().from(orders).where(eq(orders.id, fo.orderId)).for('update');
  if (!order) throw refused();
  await transition(tx, events, fulfillmentOrderLifecycle, { id: fo.id, status: 'PACKED' }, 'SHIPPED', { at: ctx.clock.now(), message: `Shipped (${reference})` }).catch((err: unknown) => {
    throw isTransitionRefusal(err) ? refused() : err;
  });
  const lines = await tx.select().from(fulfillmentLines).where(eq(fulfillmentLines.fulfillmentOrderId, fo.id));
  const actor = ctx.principal.name ?? ctx.principal.kind;
  for (const l of [...lines].sort((a, b) => a.variantId.localeCompare(b.variantId))) {
    await shipStock(tx, { variantId: l.variantId, warehouseId: warehouse.id, quantity: l.quantity, reference, actor, at: ctx.clock.now() });
    await tx
      .update(orderLines)
      .set({ shippedQuantity: sql`${orderLines.shippedQuantity} + ${l.quantity}` })
      .where(eq(orderLines.id, l.orderLineId));
  }
  await events.emit(...levelChangedEvents(warehouse, lines.map((l) => l.variantId)));
  const [{ open } = { open: 0 }] = await tx
    .select({ open: sql<number>`count(*)::int` })
    .from(fulfillmentOrders)
    .where(and(eq(fulfillmentOrders.orderId, order.id), inArray(fulfillmentOrders.status, ['OPEN', 'PICKING', 'PICKED', 'PACKED'])));
  // A BACKORDERED order ships what it has and keeps waiting for the rest: it stays BACKORDERED, so
  // the backorder allocator still finds it when stock arrives (its shipments show what left).
  if (order.status === 'BACKORDERED') return order;
  const to = Number(open) === 0 && !(await hasUnallocated(tx, order.id)) ? 'SHIPPED' : 'PARTIALLY_SHIPPED';
  if (to === order.status) return order;
  const codes = await warehouseCodesOf(ctx, tx, order.id);
  return transitionOrder(ctx, tx, events, order, to, to === 'SHIPPED' ? 'Shipped' : 'Part of the order shipped', codes, { payload: { trackingNumbers } });
}

async function hasUnallocated(tx: Executor, orderId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: orderLines.id })
    .from(orderLines)
    .where(and(eq(orderLines.orderId, orderId), sql`${orderLines.allocatedQuantity} < ${orderLines.quantity}`))
    .limit(1);
  return rows.length > 0;
}

async function warehouseCodesOf(ctx: ServiceContext, tx: Executor, orderId: string): Promise<string[]> {
  const rows = await ctx.database.rows<{ code: string }>(sql`select distinct w.code from fulfillment_orders f join warehouses w on w.id = f.warehouse_id where f.order_id = ${orderId}`, tx);
  return rows.map((r) => r.code);
}

/**
 * Marks a SHIPPED order DELIVERED when every fulfillment order that was not cancelled is among
 * `deliveredFoIds` (its shipments delivered). `at`: when the last parcel arrived. Returns the
 * order when it changed. A PARTIALLY_SHIPPED order waits for its remaining parts.
 */
export async function deliverOrderIfComplete(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  orderId: string,
  deliveredFoIds: ReadonlySet<string>,
  at: Date,
): Promise<OrderRow | null> {
  const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
  if (!order || order.status !== 'SHIPPED') return null;
  const fos = await tx
    .select({ id: fulfillmentOrders.id })
    .from(fulfillmentOrders)
    .where(and(eq(fulfillmentOrders.orderId, orderId), ne(fulfillmentOrders.status, 'CANCELLED')));
  if (!fos.every((f) => deliveredFoIds.has(f.id))) return null;
  const codes = await warehouseCodesOf(ctx, tx, orderId);
  return transitionOrder(ctx, tx, events, order, 'DELIVERED', 'Delivered', codes, { at });
}

/** Order rows by id without visibility rules (for services that check access themselves). */
export async function orderRowsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<OrderRow[]> {
  if (!ids.length) return [];
  return ctx.database.db.select().from(orders).where(inArray(orders.id, [...ids]));
}
