/**
 * TEMPORARY (issue 14, parcel part): return requests written straight into the returns tables and
 * moved through the lifecycle kernel, because `returnRequestCreate` / `returnApprove` were being
 * built at the same time. Replace every use with the API (returnRequestCreate, returnApprove,
 * returnReject, returnReceive, returnRefund) once it is on main, and delete this file.
 *
 * The rows are what the service writes (REQUESTED with lastSequence 1, its lines, the kernel's
 * `begin`), so the return's timeline and outbox events are the real ones.
 */
import { eq, sql } from 'drizzle-orm';
import { transact } from '../../src/events/outbox.js';
import { idOfType } from '../../src/graphql/relay.js';
import { begin, transition } from '../../src/shared/lifecycle.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import { orderLines, orders } from '../../src/modules/orders/order.table.js';
import { returnLifecycle, type ReturnRow } from '../../src/modules/returns/returns.state.js';
import { returnLines, returnRequests, type ReturnReasonValue, type ReturnStatusValue } from '../../src/modules/returns/returns.table.js';
import { warehouses } from '../../src/modules/warehouse/warehouse.table.js';
import type { TestApp } from '../harness.js';
import type { DeliveredOrder } from './returns.js';

/** A staff service context of the app (what a resolver hands its service). */
export const staffContext = (t: TestApp): ServiceContext => t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services;

export interface ReturnRowOptions {
  /** Warehouse the parcel goes back to (default: the order's). */
  warehouseCode?: string;
  /** Lines by index into `order.lines` (default: one unit of the first line). */
  lines?: { line: number; quantity: number; reason?: ReturnReasonValue }[];
}

/** Inserts a REQUESTED return of a delivered order and records its start through the kernel. */
export async function insertReturnRow(t: TestApp, order: DeliveredOrder, opts: ReturnRowOptions = {}): Promise<ReturnRow> {
  const db = t.app.database.db;
  const orderId = idOfType(order.orderId, 'Order')!;
  const [o] = await db.select({ customerId: orders.customerId, currency: orders.currency }).from(orders).where(eq(orders.id, orderId));
  const [wh] = await db.select({ id: warehouses.id }).from(warehouses).where(eq(warehouses.code, opts.warehouseCode ?? order.warehouseCode));
  const wanted = opts.lines ?? [{ line: 0, quantity: 1 }];
  const ol = await db.select({ id: orderLines.id, variantId: orderLines.variantId, position: orderLines.position }).from(orderLines).where(eq(orderLines.orderId, orderId));
  ol.sort((a, b) => a.position - b.position);
  const ctx = staffContext(t);
  return transact(ctx, async (tx, events) => {
    const [ret] = await tx
      .insert(returnRequests)
      .values({
        number: sql<string>`'RMA-' || nextval('return_number_seq')`,
        orderId,
        customerId: o!.customerId!,
        warehouseId: wh!.id,
        status: 'REQUESTED',
        lastSequence: 1,
        requestedBy: 'customer',
        currency: o!.currency,
        createdAt: ctx.clock.now(),
      })
      .returning();
    await tx.insert(returnLines).values(
      wanted.map((w, position) => ({
        returnRequestId: ret!.id,
        orderLineId: ol[w.line]!.id,
        variantId: ol[w.line]!.variantId,
        quantity: w.quantity,
        reason: w.reason ?? 'SIZE_TOO_SMALL',
        position,
      })),
    );
    await begin(tx, events, returnLifecycle, [ret!], { at: ctx.clock.now(), payload: { warehouseCode: opts.warehouseCode ?? order.warehouseCode } });
    return ret!;
  });
}

/** Moves a return through the kernel (what approve/reject/receive/refund do), with the event payload the callers add. */
export async function moveReturn(
  t: TestApp,
  ret: Pick<ReturnRow, 'id' | 'status'>,
  to: ReturnStatusValue,
  opts: { message?: string | null; set?: Record<string, unknown>; payload?: Record<string, unknown> } = {},
): Promise<ReturnRow> {
  const ctx = staffContext(t);
  return transact(ctx, (tx, events) => transition(tx, events, returnLifecycle, ret, to, { at: ctx.clock.now(), message: opts.message ?? null, set: opts.set, payload: opts.payload }));
}
