import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { eventsByShipmentIds, shipmentsByIds, shipmentsByOrderIds, type ShipmentRow, type TrackingEventRow } from './shipment.service.js';

/** Per-request loaders of the shipments module. */
export function shipmentLoaders(ctx: ServiceContext) {
  return {
    /** Visibility-filtered. */
    shipmentById: new DataLoader<string, ShipmentRow | null>(async (ids) => byKey(ids, await shipmentsByIds(ctx, ids), (r) => r.id)),
    /** For Order.shipments: the caller already sees the order. */
    shipmentsByOrderId: new DataLoader<string, ShipmentRow[]>(async (ids) => groupByKey(ids, await shipmentsByOrderIds(ctx, ids), (r) => r.orderId)),
    eventsByShipmentId: new DataLoader<string, TrackingEventRow[]>(async (ids) => groupByKey(ids, await eventsByShipmentIds(ctx, ids), (r) => r.shipmentId)),
  };
}
