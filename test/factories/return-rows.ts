/**
 * STOPGAP, TO BE REPLACED BY THE API: returns written straight through the lifecycle kernel
 * (insert + `begin` + `transition` with returnLifecycle, and the claims row), because
 * returnRequestCreate / returnApprove / returnReject are being built at the same time as the
 * warehouse operations these rows feed. Once they are on main, build returns with
 * `returnRequestCreate` (+ `returnApprove` / `returnReject`) over HTTP instead and delete this file.
 */
import { sql } from 'drizzle-orm';
import { idOfType, toGlobalId } from '../../src/graphql/relay.js';
import { transact } from '../../src/events/outbox.js';
import { begin, transition } from '../../src/shared/lifecycle.js';
import { returnLifecycle, type ReturnRow } from '../../src/modules/returns/returns.state.js';
import { returnClaims, returnLines, returnRequests, type ReturnReasonValue } from '../../src/modules/returns/returns.table.js';
import { linesByOrderIds } from '../../src/modules/orders/order.service.js';
import { orderRowsByIds } from '../../src/modules/orders/order.shipping.js';
import { warehouseByCode } from '../../src/modules/warehouse/warehouse.service.js';
import type { TestApp } from '../harness.js';
import type { DeliveredOrder } from './returns.js';

export interface ReturnRowsLine {
  /** Index into order.lines. */
  line: number;
  quantity: number;
  reason: ReturnReasonValue;
}

export interface ReturnRowsOptions {
  lines: ReturnRowsLine[];
  /** Default APPROVED. */
  status?: 'REQUESTED' | 'APPROVED' | 'REJECTED';
}

export interface ReturnRowsResult {
  /** Global id (ReturnRequest). */
  id: string;
  dbId: string;
  number: string;
  /** Global ids (ReturnLine), in the order given. */
  lineIds: string[];
}

/** A return of `order` in REQUESTED, APPROVED (default) or REJECTED, to the order's warehouse. */
export async function returnRows(t: TestApp, order: DeliveredOrder, opts: ReturnRowsOptions): Promise<ReturnRowsResult> {
  const ctx = t.app.context({ kind: 'STAFF', name: 'return-rows factory', scopes: ['admin'] }).services;
  const orderId = idOfType(order.orderId, 'Order')!;
  const [row] = await orderRowsByIds(ctx, [orderId]);
  const orderLines = await linesByOrderIds(ctx, [orderId]);
  const warehouse = await warehouseByCode(ctx, order.warehouseCode);
  const status = opts.status ?? 'APPROVED';
  return transact(ctx, async (tx, events) => {
    const [{ n }] = (await ctx.database.rows<{ n: number }>(sql`select nextval('return_number_seq')::int as n`, tx)) as [{ n: number }];
    const number = `RMA-${n}`;
    const at = ctx.clock.now();
    const [ret] = (await tx
      .insert(returnRequests)
      .values({ number, orderId, customerId: row!.customerId, warehouseId: warehouse!.id, status: 'REQUESTED', lastSequence: 1, currency: row!.currency, requestedBy: 'return-rows factory' })
      .returning()) as ReturnRow[];
    const lines = await tx
      .insert(returnLines)
      .values(
        opts.lines.map((l, position) => {
          const ol = orderLines.find((o) => o.id === idOfType(order.lines[l.line]!.id, 'OrderLine'))!;
          return { returnRequestId: ret!.id, orderLineId: ol.id, variantId: ol.variantId, quantity: l.quantity, reason: l.reason, position };
        }),
      )
      .returning();
    await begin(tx, events, returnLifecycle, [ret!], { at, message: 'Requested (test factory)', payload: { warehouseCode: order.warehouseCode } });
    if (status !== 'REJECTED') {
      for (const l of lines) {
        await tx
          .insert(returnClaims)
          .values({ orderLineId: l.orderLineId, claimed: l.quantity })
          .onConflictDoUpdate({ target: returnClaims.orderLineId, set: { claimed: sql`${returnClaims.claimed} + excluded.claimed` } });
      }
    }
    if (status === 'APPROVED') await transition(tx, events, returnLifecycle, ret!, 'APPROVED', { at, message: 'Approved (test factory)', payload: { warehouseCode: order.warehouseCode } });
    if (status === 'REJECTED') await transition(tx, events, returnLifecycle, ret!, 'REJECTED', { at, message: 'Rejected (test factory)', set: { rejectionReason: 'test' } });
    return { id: toGlobalId('ReturnRequest', ret!.id), dbId: ret!.id, number, lineIds: lines.map((l) => toGlobalId('ReturnLine', l.id)) };
  });
}
