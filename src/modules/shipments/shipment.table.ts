import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { historyTable } from '../../shared/lifecycle.js';
import { fulfillmentOrders, orders } from '../orders/order.table.js';
import { carriers, carrierServices, pickupPoints, SHIPMENT_STATUSES } from '../carriers/carrier.table.js';

export { SHIPMENT_STATUSES, type ShipmentStatusValue } from '../carriers/carrier.table.js';

export const SHIPMENT_DIRECTIONS = ['OUTBOUND', 'RETURN'] as const;
export type ShipmentDirectionValue = (typeof SHIPMENT_DIRECTIONS)[number];

export interface ParcelData {
  weightGrams: number;
  chargeableWeightGrams: number;
  lengthMm: number;
  widthMm: number;
  heightMm: number;
  box?: string | null;
}

export const shipments = pgTable(
  'shipments',
  {
    id: idColumn(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    /** The fulfillment order shipped (OUTBOUND, one shipment each), or whose units come back (RETURN). */
    fulfillmentOrderId: uuid('fulfillment_order_id')
      .notNull()
      .references(() => fulfillmentOrders.id),
    /** OUTBOUND: to the customer; RETURN: a return parcel from the customer back to a warehouse. */
    direction: text('direction', { enum: SHIPMENT_DIRECTIONS }).notNull().default('OUTBOUND'),
    carrierId: uuid('carrier_id')
      .notNull()
      .references(() => carriers.id),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => carrierServices.id),
    trackingNumber: text('tracking_number').notNull().unique(),
    status: text('status', { enum: SHIPMENT_STATUSES }).notNull(),
    /** The lifecycle kernel's per-shipment sequence: the last row of shipment_status_events. */
    lastSequence: integer('last_sequence').notNull().default(1),
    costMinor: integer('cost_minor').notNull(),
    currency: text('currency').notNull(),
    weightGrams: integer('weight_grams').notNull(),
    parcel: jsonb('parcel').$type<ParcelData>().notNull(),
    labelFormat: text('label_format').notNull(),
    /** Base64 of the label file. */
    labelContent: text('label_content').notNull(),
    labelZpl: text('label_zpl'),
    /** City-level destination, the only place public tracking shows. */
    destinationCity: text('destination_city'),
    pickupPointId: uuid('pickup_point_id').references(() => pickupPoints.id),
    estimatedDeliveryFrom: tstz('estimated_delivery_from'),
    estimatedDeliveryTo: tstz('estimated_delivery_to'),
    /** occurredAt of the latest carrier event (the label's time while there is none): the status follows it, whatever order events arrive in. */
    lastEventAt: tstz('last_event_at'),
    createdAt: createdAt(),
    deliveredAt: tstz('delivered_at'),
  },
  (t) => [
    uniqueIndex('shipments_fulfillment_order_outbound_uq').on(t.fulfillmentOrderId).where(sql`${t.direction} = 'OUTBOUND'`),
    index('shipments_order_idx').on(t.orderId),
    index('shipments_service_created_idx').on(t.serviceId, t.createdAt),
    index('shipments_carrier_status_idx').on(t.carrierId, t.status),
    // returnAnalytics reads the outbound shipments of a period (shippedLinesQuery): a range scan, not the whole table.
    index('shipments_outbound_created_idx').on(t.createdAt).where(sql`${t.direction} = 'OUTBOUND'`),
  ],
);

/** The shipment's status history (the lifecycle kernel's timeline), apart from the carrier's events below. */
export const shipmentStatusEvents = historyTable('shipment_status_events', 'shipment_id', () => shipments.id, SHIPMENT_STATUSES);

/**
 * Carrier events, and the shipment's own label event (external id `waybill:label:<tracking
 * number>`); the carrier's own event id makes ingestion idempotent.
 */
export const trackingEvents = pgTable(
  'tracking_events',
  {
    id: idColumn(),
    shipmentId: uuid('shipment_id')
      .notNull()
      .references(() => shipments.id),
    carrierId: uuid('carrier_id')
      .notNull()
      .references(() => carriers.id),
    externalEventId: text('external_event_id').notNull(),
    status: text('status', { enum: SHIPMENT_STATUSES }).notNull(),
    occurredAt: tstz('occurred_at').notNull(),
    location: text('location'),
    description: text('description'),
    receivedAt: createdAt(),
  },
  (t) => [unique('tracking_events_carrier_external_uq').on(t.carrierId, t.externalEventId), index('tracking_events_shipment_idx').on(t.shipmentId, t.occurredAt)],
);
