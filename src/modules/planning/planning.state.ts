/**
 * The lifecycles of purchase orders and transfers as data (see src/shared/lifecycle.ts). Every
 * status change goes through the kernel's begin / transition with these definitions: a history
 * row (gapless per-object sequence) and an outbox event, in the caller's transaction.
 */
import { defineLifecycle, type TransitionTable } from '../../shared/lifecycle.js';
import {
  purchaseOrderEvents,
  purchaseOrders,
  transferEvents,
  transferOrders,
  type PurchaseOrderStatusValue,
  type TransferStatusValue,
} from './planning.table.js';

/** Outbox topics (mapped to the PURCHASE_ORDER_UPDATED and TRANSFER_ORDER_UPDATED webhook topics). */
export const PURCHASE_ORDER_UPDATED = 'purchase_order.updated';
export const TRANSFER_ORDER_UPDATED = 'transfer_order.updated';

/**
 * DRAFT is editable and counts nowhere; SENT adds its open quantities to the warehouse's
 * `incoming`; receipts move it to PARTIALLY_RECEIVED and, when every unit arrived, RECEIVED.
 * Cancelling a SENT or partly received order gives back the `incoming` of what is still open.
 */
export const purchaseOrderTransitions: TransitionTable<PurchaseOrderStatusValue> = {
  DRAFT: ['SENT', 'CANCELLED'],
  SENT: ['PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'],
  PARTIALLY_RECEIVED: ['RECEIVED', 'CANCELLED'],
  RECEIVED: [],
  CANCELLED: [],
};

/**
 * DRAFT reserves nothing; shipping it (→ IN_TRANSIT) takes the units out of the source (reserved,
 * then TRANSFER movements) and adds them to the destination's `incoming`; receiving every unit
 * makes it RECEIVED. Only a DRAFT can be cancelled: units on the road are received, not undone.
 */
export const transferTransitions: TransitionTable<TransferStatusValue> = {
  DRAFT: ['IN_TRANSIT', 'CANCELLED'],
  IN_TRANSIT: ['RECEIVED'],
  RECEIVED: [],
  CANCELLED: [],
};

export type PurchaseOrderRow = typeof purchaseOrders.$inferSelect;
export type TransferOrderRow = typeof transferOrders.$inferSelect;

/**
 * Events carry what subscribers and webhooks read. Callers add `warehouseCode` (and, for transfers,
 * `fromWarehouseCode` / `toWarehouseCode`) as payload so keys restricted to warehouses get only theirs.
 */
export const purchaseOrderLifecycle = defineLifecycle<PurchaseOrderStatusValue, PurchaseOrderRow>({
  noun: 'purchase order',
  table: purchaseOrders,
  transitions: purchaseOrderTransitions,
  history: purchaseOrderEvents,
  topic: PURCHASE_ORDER_UPDATED,
  event: (r, c) => ({
    topic: PURCHASE_ORDER_UPDATED,
    payload: {
      purchaseOrderId: r.id,
      number: r.number,
      sequence: c.sequence,
      status: c.status,
      previousStatus: c.previousStatus,
      message: c.message,
      occurredAt: c.occurredAt.toISOString(),
    },
  }),
});

export const transferLifecycle = defineLifecycle<TransferStatusValue, TransferOrderRow>({
  noun: 'transfer',
  table: transferOrders,
  transitions: transferTransitions,
  history: transferEvents,
  topic: TRANSFER_ORDER_UPDATED,
  event: (r, c) => ({
    topic: TRANSFER_ORDER_UPDATED,
    payload: {
      transferOrderId: r.id,
      number: r.number,
      sequence: c.sequence,
      status: c.status,
      previousStatus: c.previousStatus,
      message: c.message,
      occurredAt: c.occurredAt.toISOString(),
    },
  }),
});
