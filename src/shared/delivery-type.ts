/**
 * How an order reaches its customer: a courier to the door, a pickup point, or the partner's own
 * delivery. Orders store it on the order; shipping's carrier services and delivery quotes offer it.
 */
export const DELIVERY_TYPES = ['COURIER', 'PICKUP_POINT', 'PARTNER'] as const;
export type DeliveryTypeValue = (typeof DELIVERY_TYPES)[number];
