/**
 * The lifecycles of the orders module as data (see src/shared/lifecycle.ts): orders, fulfillment
 * orders and pick lists, each with its transition table, history table and outbox topic. Every
 * status change of them goes through the kernel's begin / transition / transitionMany with these.
 */
import { BusinessError } from '../../shared/errors.js';
import { canTransition, defineLifecycle, type TransitionTable } from '../../shared/lifecycle.js';
import {
  fulfillmentOrderEvents,
  fulfillmentOrders,
  orderEvents,
  orders,
  pickListEvents,
  pickLists,
  type FulfillmentStatusValue,
  type OrderStatusValue,
  type PickListStatusValue,
} from './order.table.js';

export const ORDER_STATUS_CHANGED = 'order.status_changed';
export const FULFILLMENT_ORDER_STATUS_CHANGED = 'fulfillment_order.status_changed';
export const PICK_LIST_STATUS_CHANGED = 'pick_list.status_changed';

export const orderTransitions: TransitionTable<OrderStatusValue> = {
  BACKORDERED: ['ALLOCATED', 'CANCELLED'],
  // A part shipped while another is still being picked makes the order PARTIALLY_SHIPPED.
  ALLOCATED: ['PICKING', 'PARTIALLY_SHIPPED', 'CANCELLED'],
  PICKING: ['PACKED', 'PARTIALLY_SHIPPED', 'CANCELLED'],
  PACKED: ['PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED'],
  PARTIALLY_SHIPPED: ['SHIPPED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

export const fulfillmentTransitions: TransitionTable<FulfillmentStatusValue> = {
  OPEN: ['PICKING', 'CANCELLED'],
  PICKING: ['PICKED', 'CANCELLED'],
  PICKED: ['PACKED', 'CANCELLED'],
  PACKED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: [],
  CANCELLED: [],
};

/** A pick list has no way to be cancelled (no API for it); it completes with its last line. */
export const pickListTransitions: TransitionTable<PickListStatusValue> = {
  OPEN: ['COMPLETED'],
  COMPLETED: [],
};

/** Whether `err` is the kernel's INVALID_STATE_TRANSITION (for a mutation that tells it in its own words and field). */
export const isTransitionRefusal = (err: unknown): boolean => err instanceof BusinessError && err.errors.some((e) => e.code === 'INVALID_STATE_TRANSITION');

/** States an order may be cancelled from. */
export const cancellable = (s: OrderStatusValue): boolean => canTransition(orderTransitions, s, 'CANCELLED');

/** States a customer may cancel its own order from: before the warehouse starts picking it. */
export const customerCancellable = (s: OrderStatusValue): boolean => s === 'ALLOCATED' || s === 'BACKORDERED';

/**
 * Orders. The event keeps the payload subscribers, webhooks and notifications read; the caller
 * adds `warehouseCodes` (where the order ships from, so partner subscribers restricted to
 * warehouses get only their orders) and any extra fields (tracking numbers) as `payload`.
 */
export const orderLifecycle = defineLifecycle<OrderStatusValue, typeof orders.$inferSelect>({
  noun: 'order',
  table: orders,
  transitions: orderTransitions,
  history: orderEvents,
  topic: ORDER_STATUS_CHANGED,
  event: (o, c) => ({
    topic: ORDER_STATUS_CHANGED,
    payload: {
      orderId: o.id,
      number: o.number,
      customerId: o.customerId,
      sequence: c.sequence,
      status: c.status,
      previousStatus: c.previousStatus,
      message: c.message,
      warehouseCodes: [],
    },
  }),
});

export const fulfillmentOrderLifecycle = defineLifecycle<FulfillmentStatusValue, typeof fulfillmentOrders.$inferSelect>({
  noun: 'fulfillment order',
  table: fulfillmentOrders,
  transitions: fulfillmentTransitions,
  history: fulfillmentOrderEvents,
  topic: FULFILLMENT_ORDER_STATUS_CHANGED,
  event: (f, c) => ({
    topic: FULFILLMENT_ORDER_STATUS_CHANGED,
    payload: {
      fulfillmentOrderId: f.id,
      orderId: f.orderId,
      warehouseId: f.warehouseId,
      sequence: c.sequence,
      status: c.status,
      previousStatus: c.previousStatus,
      message: c.message,
    },
  }),
});

export const pickListLifecycle = defineLifecycle<PickListStatusValue, typeof pickLists.$inferSelect>({
  noun: 'pick list',
  table: pickLists,
  transitions: pickListTransitions,
  history: pickListEvents,
  topic: PICK_LIST_STATUS_CHANGED,
  event: (p, c) => ({
    topic: PICK_LIST_STATUS_CHANGED,
    payload: { pickListId: p.id, warehouseId: p.warehouseId, sequence: c.sequence, status: c.status, previousStatus: c.previousStatus, message: c.message },
  }),
});
