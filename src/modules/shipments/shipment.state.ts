/**
 * The shipment lifecycle as data, for the kernel (src/shared/lifecycle.ts).
 *
 * A shipment's status is that of its latest carrier event by occurredAt (the label event counts
 * only while there is none). Carriers report late, out of order, back-dated and corrected: a
 * DELIVERED can be followed by a RETURNED_TO_SENDER or an EXCEPTION, an EXCEPTION by IN_TRANSIT, a
 * late-arriving event stamped after everything else by any status, and a carrier may even report
 * LABEL_CREATED itself. Whatever the table refused would leave the status disagreeing with the
 * latest event, so the honest table is "any status to any other": the kernel still gives every
 * change its history row and outbox event in the ingesting transaction, and refuses a stale read.
 */
import { defineLifecycle, type TransitionTable } from '../../shared/lifecycle.js';
import { SHIPMENT_STATUSES, shipments, shipmentStatusEvents, type ShipmentStatusValue } from './shipment.table.js';

export const shipmentTransitions: TransitionTable<ShipmentStatusValue> = Object.fromEntries(
  SHIPMENT_STATUSES.map((from) => [from, SHIPMENT_STATUSES.filter((to) => to !== from)]),
) as Record<ShipmentStatusValue, ShipmentStatusValue[]>;

/**
 * Two carrier events stamped the same instant: the one further on in this list is taken as the
 * later (a parcel delivered and scanned in transit in the same second is delivered).
 */
export const STATUS_PRECEDENCE: readonly ShipmentStatusValue[] = ['LABEL_CREATED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'FAILED_ATTEMPT', 'AT_PICKUP_POINT', 'EXCEPTION', 'RETURNED_TO_SENDER', 'DELIVERED'];

/** Created (status LABEL_CREATED) or a new status: the SHIPMENT_UPDATED webhook topic. */
export const SHIPMENT_UPDATED = 'shipment.updated';

type ShipmentRow = typeof shipments.$inferSelect;

/**
 * The SHIPMENT_UPDATED payload webhooks and subscriptions read. carrierCode and warehouseCode are
 * not on the row: callers pass them in `payload` (their keys keep this position).
 */
export const shipmentLifecycle = defineLifecycle<ShipmentStatusValue, ShipmentRow>({
  noun: 'shipment',
  table: shipments,
  transitions: shipmentTransitions,
  history: shipmentStatusEvents,
  topic: SHIPMENT_UPDATED,
  event: (row, change) => ({
    topic: SHIPMENT_UPDATED,
    payload: {
      shipmentId: row.id,
      trackingNumber: row.trackingNumber,
      orderId: row.orderId,
      carrierCode: null,
      warehouseCode: null,
      status: change.status,
      previousStatus: change.previousStatus,
      occurredAt: change.occurredAt.toISOString(),
    },
  }),
});
