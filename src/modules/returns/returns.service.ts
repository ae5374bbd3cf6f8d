/**
 * Returns (RMA): the customer's request with the policy's checks, the race-proof claim on the
 * shipped units, approval (by policy at once, or by staff) with the return parcel, rejection and
 * cancellation. Every status change goes through the lifecycle kernel with `returnLifecycle`
 * (timeline row and `return.updated` outbox event in the same transaction).
 * Reads live in returns.reads.ts, the policy in returns.policy.ts; receiving, inspection and the
 * refund in returns.receiving.ts.
 */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import { AccessError, BusinessError, ErrorList } from '../../shared/errors.js';
import { haversineKm } from '../../shared/geo.js';
import { begin, transition } from '../../shared/lifecycle.js';
import { money } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { productsByIds, variantsByIds } from '../catalog/catalog.service.js';
import { fulfillmentLinesByFoIds, fulfillmentOrdersByOrderIds, linesByOrderIds } from '../orders/order.service.js';
import { orderRowsByIds } from '../orders/order.shipping.js';
import { outboundShipmentsOfOrders } from '../shipments/shipment.service.js';
import { listAllWarehouses, zonesByWarehouseIds, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { requireReturnsWrite } from './returns.access.js';
import { loadReturnPolicy, type ReturnPolicyRow } from './returns.policy.js';
import { linesByReturnIds, mayViewReturn, returnEventPayload, returnRowsByIds } from './returns.reads.js';
import { computeRefund } from './returns.refund.js';
import { createReturnShipment } from './returns.shipment.js';
import { returnLifecycle, type ReturnRow } from './returns.state.js';
import { isSellerFault, returnClaims, returnLines, returnRequests, type ReturnReasonValue } from './returns.table.js';

export { getReturnPolicy, updateReturnPolicy, type ReturnPolicyRow, type ReturnPolicyUpdateInput } from './returns.policy.js';
export {
  dispositionsByLineIds,
  eventsByReturnIds,
  linesByReturnIds,
  listReturns,
  mayViewReturn,
  returnEventPayload,
  returnEventsAfter,
  returnRowsByIds,
  returnsByIds,
  returnsByOrderIds,
  type ReturnDispositionRow,
  type ReturnEventRow,
  type ReturnFilter,
  type ReturnLineRow,
} from './returns.reads.js';
export type { ReturnRow };

export const MAX_RETURN_LINES = 200;
export const MAX_COMMENT_LENGTH = 1000;
export const MAX_REJECTION_REASON_LENGTH = 1000;
const SHIPPED_ORDER_STATUSES = new Set(['PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED']);
const DAY_MS = 86_400_000;

export interface ReturnLineInput {
  /** The order line's db id; null when the given id was not an order line id at all. */
  orderLineId: string | null;
  quantity: number;
  reason: ReturnReasonValue;
  comment?: string | null;
}

export interface ReturnRequestCreateInput {
  /** The order's db id; null when the given id was not an order id at all. */
  orderId: string | null;
  lines: ReturnLineInput[];
}

const forbiddenOrder = () => new AccessError('FORBIDDEN', 'Forbidden: a customer may request returns of its own orders only.');
const noSuchReturn = () => BusinessError.of('NOT_FOUND', 'No such return.', ['input', 'id']);

/**
 * Requests a return of units of one order (see the contract's invariants). A CUSTOMER only for
 * its own orders (FORBIDDEN otherwise, whether the order exists or not); staff and partners with
 * write_returns (a PARTNER restricted to warehouses only for orders shipped from them). Approved
 * at once when the policy says so. Errors (nothing written): NOT_FOUND, INVALID,
 * ORDER_NOT_SHIPPED, RETURN_WINDOW_EXPIRED, NOT_RETURNABLE, QUANTITY_EXCEEDS_RETURNABLE.
 */
export async function createReturnRequest(ctx: ServiceContext, input: ReturnRequestCreateInput): Promise<ReturnRow> {
  const p = ctx.principal;
  if (p.kind !== 'CUSTOMER') requireReturnsWrite(ctx);
  // Reads before the transaction: PGlite has one connection, and a query beside an open transaction would wait for it.
  const [order] = input.orderId ? await orderRowsByIds(ctx, [input.orderId]) : [];
  if (p.kind === 'CUSTOMER' && (!order || order.customerId !== p.customerId)) throw forbiddenOrder();
  const e = new ErrorList();
  if (!input.lines.length) e.add('INVALID', 'A return needs at least one line.', ['input', 'lines']);
  if (input.lines.length > MAX_RETURN_LINES) e.add('INVALID', `At most ${MAX_RETURN_LINES} lines.`, ['input', 'lines']);
  const seen = new Set<string>();
  input.lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1) e.add('INVALID', 'Quantity must be at least 1.', ['input', 'lines', i, 'quantity']);
    if (l.comment != null && l.comment.length > MAX_COMMENT_LENGTH) e.add('INVALID', `A comment is at most ${MAX_COMMENT_LENGTH} characters.`, ['input', 'lines', i, 'comment']);
    if (l.orderLineId) {
      if (seen.has(l.orderLineId)) e.add('INVALID', 'Each order line at most once per return.', ['input', 'lines', i, 'orderLineId']);
      seen.add(l.orderLineId);
    }
  });
  if (!order) e.add('NOT_FOUND', 'No such order.', ['input', 'orderId']);
  e.throwIfAny();
  const [orderLines, fos, shipments, policy, warehouses] = await Promise.all([
    linesByOrderIds(ctx, [order!.id]),
    fulfillmentOrdersByOrderIds(ctx, [order!.id]),
    outboundShipmentsOfOrders(ctx.database.db, [order!.id]),
    loadReturnPolicy(ctx.database.db),
    listAllWarehouses(ctx),
  ]);
  const whById = new Map(warehouses.map((w) => [w.id, w]));
  const shippedFos = fos.filter((f) => f.status === 'SHIPPED');
  if (p.kind !== 'CUSTOMER' && p.warehouseCodes && !shippedFos.some((f) => p.warehouseCodes!.includes(whById.get(f.warehouseId)?.code ?? ''))) {
    // Orders this key's warehouses did not ship answer as orders that do not exist.
    throw BusinessError.of('NOT_FOUND', 'No such order.', ['input', 'orderId']);
  }
  const [fls, claimed, variants] = await Promise.all([
    fos.length ? fulfillmentLinesByFoIds(ctx, fos.map((f) => f.id)) : Promise.resolve([]),
    claimedByOrderLineIds(ctx, orderLines.map((l) => l.id)),
    variantsByIds(ctx, [...new Set(orderLines.map((l) => l.variantId))]),
  ]);
  const lineById = new Map(orderLines.map((l) => [l.id, l]));
  const products = new Map((await productsByIds(ctx, [...new Set(variants.map((v) => v.productId))])).map((pr) => [pr.id, pr]));
  const categoryOf = new Map(variants.map((v) => [v.id, products.get(v.productId)?.category ?? null]));
  const now = ctx.clock.now();
  const orderShipped = SHIPPED_ORDER_STATUSES.has(order!.status);

  input.lines.forEach((l, i) => {
    const path = ['input', 'lines', i];
    const ol = l.orderLineId ? lineById.get(l.orderLineId) : undefined;
    if (!ol) return e.add('NOT_FOUND', 'No such line on this order.', [...path, 'orderLineId']);
    if (!orderShipped || ol.shippedQuantity <= 0) return e.add('ORDER_NOT_SHIPPED', `No unit of ${ol.sku} has shipped yet.`, [...path, 'orderLineId']);
    // The window starts with the delivery of the outbound shipments that carried the line (the last of them).
    const carriers = shippedFos.filter((f) => fls.some((fl) => fl.fulfillmentOrderId === f.id && fl.orderLineId === ol.id)).map((f) => f.id);
    const parcels = shipments.filter((s) => carriers.includes(s.fulfillmentOrderId));
    if (parcels.length && parcels.every((s) => s.deliveredAt)) {
      const delivered = Math.max(...parcels.map((s) => s.deliveredAt!.getTime()));
      if (now.getTime() > delivered + policy.windowDays * DAY_MS) {
        return e.add('RETURN_WINDOW_EXPIRED', `The ${policy.windowDays}-day return window of ${ol.sku} ended on ${new Date(delivered + policy.windowDays * DAY_MS).toISOString()}.`, [...path, 'orderLineId']);
      }
    }
    const category = categoryOf.get(ol.variantId);
    if (category && policy.nonReturnableCategories.some((prefix) => category.startsWith(prefix))) {
      return e.add('NOT_RETURNABLE', `${ol.sku} is in category "${category}", which cannot be returned.`, [...path, 'orderLineId']);
    }
    const returnable = ol.shippedQuantity - (claimed.get(ol.id) ?? 0);
    if (Number.isInteger(l.quantity) && l.quantity > returnable) {
      e.add('QUANTITY_EXCEEDS_RETURNABLE', `At most ${Math.max(0, returnable)} unit(s) of ${ol.sku} can still be returned.`, [...path, 'quantity']);
    }
  });
  e.throwIfAny();

  const lines = input.lines.map((l, i) => ({ ...l, index: i, orderLine: lineById.get(l.orderLineId!)! }));
  const warehouse = await returnWarehouse(ctx, lines[0]!.orderLine.id, shippedFos, fls, whById);
  const estimate = computeRefund({
    currency: order!.currency,
    restockingFeePercent: policy.restockingFeePercent,
    lines: lines.map((l) => ({ unitPrice: money(l.orderLine.unitPriceMinor, order!.currency), quantity: l.quantity, reason: l.reason })),
    orderShipping: money(order!.shippingMinor, order!.currency),
    completesOrderForSellerFault: false,
  });
  const autoApprove = lines.every((l) => isSellerFault(l.reason)) || withinAutoApprove(policy, estimate.amount);

  return transact(ctx, async (tx, events) => {
    // The claims first, in a fixed order (concurrent multi-line requests lock claim rows alike):
    // each is one conditional statement, so the shipped quantity holds under concurrent requests.
    for (const l of [...lines].sort((a, b) => a.orderLine.id.localeCompare(b.orderLine.id))) {
      const shipped = l.orderLine.shippedQuantity;
      const rows = await ctx.database.rows<{ claimed: number }>(
        sql`insert into return_claims (order_line_id, claimed)
            select ${l.orderLine.id}::uuid, ${l.quantity}::int where ${l.quantity}::int <= ${shipped}::int
            on conflict (order_line_id) do update set claimed = return_claims.claimed + excluded.claimed
            where return_claims.claimed + excluded.claimed <= ${shipped}::int
            returning claimed`,
        tx,
      );
      if (!rows.length) {
        throw BusinessError.of('QUANTITY_EXCEEDS_RETURNABLE', `Units of ${l.orderLine.sku} were claimed by another return meanwhile; fewer can still be returned.`, ['input', 'lines', String(l.index), 'quantity']);
      }
    }
    const [{ n }] = (await ctx.database.rows<{ n: string }>(sql`select nextval('return_number_seq')::text as n`, tx)) as [{ n: string }];
    const id = newId();
    const [row] = await tx
      .insert(returnRequests)
      .values({
        id,
        number: `RMA-${n}`,
        orderId: order!.id,
        customerId: order!.customerId,
        warehouseId: warehouse?.id ?? null,
        status: 'REQUESTED',
        lastSequence: 1,
        requestedBy: p.kind === 'CUSTOMER' ? 'customer' : (p.name ?? p.kind.toLowerCase()),
        currency: order!.currency,
        createdAt: now,
      })
      .returning();
    await tx.insert(returnLines).values(
      lines.map((l) => ({ returnRequestId: id, orderLineId: l.orderLine.id, variantId: l.orderLine.variantId, quantity: l.quantity, reason: l.reason, comment: l.comment?.trim() || null, position: l.index })),
    );
    const payload = warehouse ? { warehouseCode: warehouse.code } : {};
    await begin(tx, events, returnLifecycle, [row!], { at: now, message: 'Requested', payload });
    if (!autoApprove) return row!;
    return approveIn(ctx, tx, events, row!, 'Approved by the return policy');
  });
}

/** Whether the estimate is within the policy's auto-approve amount (same currency only). */
function withinAutoApprove(policy: ReturnPolicyRow, amount: { amountMinor: number; currency: string }): boolean {
  return policy.autoApproveMaxMinor != null && policy.autoApproveCurrency === amount.currency && amount.amountMinor <= policy.autoApproveMaxMinor;
}

/**
 * Where the parcel goes back to: the warehouse of the fulfillment order that shipped the first
 * line; when it has no RETURNS zone, the nearest active warehouse that has one, else it anyway.
 */
async function returnWarehouse(
  ctx: ServiceContext,
  firstLineId: string,
  shippedFos: { id: string; warehouseId: string }[],
  fls: { fulfillmentOrderId: string; orderLineId: string }[],
  whById: Map<string, WarehouseRow>,
): Promise<WarehouseRow | null> {
  const fo = shippedFos.find((f) => fls.some((fl) => fl.fulfillmentOrderId === f.id && fl.orderLineId === firstLineId));
  const origin = fo ? whById.get(fo.warehouseId) : undefined;
  if (!origin) return null;
  const zones = await zonesByWarehouseIds(ctx, [...whById.keys()]);
  const withReturns = new Set(zones.filter((z) => z.kind === 'RETURNS').map((z) => z.warehouseId));
  if (withReturns.has(origin.id)) return origin;
  const candidates = [...whById.values()].filter((w) => w.isActive && withReturns.has(w.id));
  if (!candidates.length || origin.lat == null || origin.lng == null) return candidates.length === 1 ? candidates[0]! : origin;
  const from = { lat: origin.lat, lng: origin.lng };
  const dist = (w: WarehouseRow) => (w.lat != null && w.lng != null ? haversineKm(from, { lat: w.lat, lng: w.lng }) : Number.POSITIVE_INFINITY);
  return candidates.reduce((best, w) => (dist(w) < dist(best) || (dist(w) === dist(best) && w.code < best.code) ? w : best));
}

/** APPROVED with the return parcel (when a carrier can carry it), in the caller's transaction. */
async function approveIn(ctx: ServiceContext, tx: Executor, events: EventWriter, ret: ReturnRow, message: string): Promise<ReturnRow> {
  const parcel = await createReturnShipment(ctx, tx, events, ret);
  const payload = await returnEventPayload(ctx, tx, ret);
  if (parcel) payload.trackingNumber = parcel.trackingNumber;
  return transition(tx, events, returnLifecycle, ret, 'APPROVED', {
    at: ctx.clock.now(),
    message,
    set: { returnShipmentId: parcel?.shipmentId ?? null },
    payload,
  });
}

/**
 * A return the caller may act on, locked in the transaction; NOT_FOUND for one it may not see
 * (another customer's return answers as one that does not exist).
 */
async function lockedReturn(tx: Executor, id: string): Promise<ReturnRow> {
  const [row] = await tx.select().from(returnRequests).where(eq(returnRequests.id, id)).for('update');
  if (!row) throw noSuchReturn();
  return row;
}

/** The return, if the caller may see it (read before any transaction). */
async function visibleReturn(ctx: ServiceContext, id: string | null): Promise<ReturnRow> {
  const [row] = id ? await returnRowsByIds(ctx.database.db, [id]) : [];
  if (!row || !(await mayViewReturn(ctx, row))) throw noSuchReturn();
  return row;
}

/** Lowers the claims of a return's lines (rejected or cancelled: its units may be requested again). */
async function releaseClaims(ctx: ServiceContext, tx: Executor, ret: ReturnRow): Promise<void> {
  const lines = (await linesByReturnIds(ctx, [ret.id], tx)).sort((a, b) => a.orderLineId.localeCompare(b.orderLineId));
  for (const l of lines) {
    await tx
      .update(returnClaims)
      .set({ claimed: sql`${returnClaims.claimed} - ${l.quantity}` })
      .where(eq(returnClaims.orderLineId, l.orderLineId));
  }
}

/** Approves a REQUESTED return (write_returns) and creates its return parcel. Errors: NOT_FOUND, INVALID_STATE_TRANSITION. */
export async function approveReturn(ctx: ServiceContext, input: { id: string | null }): Promise<ReturnRow> {
  requireReturnsWrite(ctx);
  await visibleReturn(ctx, input.id);
  return transact(ctx, async (tx, events) => approveIn(ctx, tx, events, await lockedReturn(tx, input.id!), 'Approved'));
}

/**
 * Rejects a REQUESTED return (write_returns) with a reason shown to the customer; its units may be
 * requested again. Errors: INVALID (reason), NOT_FOUND, INVALID_STATE_TRANSITION.
 */
export async function rejectReturn(ctx: ServiceContext, input: { id: string | null; reason: string }): Promise<ReturnRow> {
  requireReturnsWrite(ctx);
  const reason = input.reason.trim();
  if (!reason) throw BusinessError.of('INVALID', 'Give the reason for the rejection.', ['input', 'reason']);
  if (reason.length > MAX_REJECTION_REASON_LENGTH) throw BusinessError.of('INVALID', `The reason is at most ${MAX_REJECTION_REASON_LENGTH} characters.`, ['input', 'reason']);
  await visibleReturn(ctx, input.id);
  return transact(ctx, async (tx, events) => {
    const ret = await lockedReturn(tx, input.id!);
    const payload = await returnEventPayload(ctx, tx, ret);
    const row = await transition(tx, events, returnLifecycle, ret, 'REJECTED', { at: ctx.clock.now(), message: reason, set: { rejectionReason: reason }, payload });
    await releaseClaims(ctx, tx, ret);
    return row;
  });
}

/**
 * Withdraws a return before it is received: REQUESTED, or APPROVED while no unit has been
 * scanned in. Its own CUSTOMER, or write_returns. Errors: NOT_FOUND, INVALID_STATE_TRANSITION.
 */
export async function cancelReturn(ctx: ServiceContext, input: { id: string | null }): Promise<ReturnRow> {
  if (ctx.principal.kind !== 'CUSTOMER') requireReturnsWrite(ctx);
  await visibleReturn(ctx, input.id);
  return transact(ctx, async (tx, events) => {
    const ret = await lockedReturn(tx, input.id!);
    if (ret.status === 'APPROVED') {
      const lines = await linesByReturnIds(ctx, [ret.id], tx);
      if (lines.some((l) => l.receivedQuantity > 0)) {
        throw BusinessError.of('INVALID_STATE_TRANSITION', 'Units of this return have been received; it can no longer be cancelled.', ['input', 'id']);
      }
    }
    const payload = await returnEventPayload(ctx, tx, ret);
    const by = ctx.principal.kind === 'CUSTOMER' ? 'Cancelled by the customer' : 'Cancelled';
    const row = await transition(tx, events, returnLifecycle, ret, 'CANCELLED', { at: ctx.clock.now(), message: by, payload });
    await releaseClaims(ctx, tx, ret);
    return row;
  });
}

/** Units of these order lines in returns that are not REJECTED or CANCELLED. */
export async function claimedByOrderLineIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await ctx.database.db.select().from(returnClaims).where(inArray(returnClaims.orderLineId, [...ids])).orderBy(asc(returnClaims.orderLineId));
  return new Map(rows.map((r) => [r.orderLineId, r.claimed]));
}
