/** Order and fulfillment-order lifecycles as data: the allowed transitions. */
import type { FulfillmentStatusValue, OrderStatusValue } from './order.table.js';

export const orderTransitions: Readonly<Record<OrderStatusValue, readonly OrderStatusValue[]>> = {
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

export const fulfillmentTransitions: Readonly<Record<FulfillmentStatusValue, readonly FulfillmentStatusValue[]>> = {
  OPEN: ['PICKING', 'CANCELLED'],
  PICKING: ['PICKED', 'CANCELLED'],
  PICKED: ['PACKED', 'CANCELLED'],
  PACKED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: [],
  CANCELLED: [],
};

export const canTransition = <S extends string>(table: Readonly<Record<S, readonly S[]>>, from: S, to: S): boolean => table[from].includes(to);

/** States an order may be cancelled from. */
export const cancellable = (s: OrderStatusValue): boolean => canTransition(orderTransitions, s, 'CANCELLED');
