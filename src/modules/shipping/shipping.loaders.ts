import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { carriersByIds, servicesByCarrierIds, servicesByIds, type CarrierRow, type CarrierServiceRow } from './carrier.service.js';
import { pickupPointsByIds, type PickupPointView } from './pickup.service.js';
import { eventsByShipmentIds, shipmentsByIds, shipmentsByOrderIds, type ShipmentRow, type TrackingEventRow } from './shipment.service.js';

/** Per-request loaders of the shipping module. */
export function shippingLoaders(ctx: ServiceContext) {
  return {
    carrierById: new DataLoader<string, CarrierRow | null>(async (ids) => byKey(ids, await carriersByIds(ctx, ids), (r) => r.id)),
    servicesByCarrierId: new DataLoader<string, CarrierServiceRow[]>(async (ids) => groupByKey(ids, await servicesByCarrierIds(ctx, ids), (r) => r.carrierId)),
    serviceById: new DataLoader<string, CarrierServiceRow | null>(async (ids) => byKey(ids, await servicesByIds(ctx, ids), (r) => r.id)),
    pickupPointById: new DataLoader<string, PickupPointView | null>(async (ids) => byKey(ids, await pickupPointsByIds(ctx, ids), (r) => r.id)),
    /** Visibility-filtered. */
    shipmentById: new DataLoader<string, ShipmentRow | null>(async (ids) => byKey(ids, await shipmentsByIds(ctx, ids), (r) => r.id)),
    /** For Order.shipments: the caller already sees the order. */
    shipmentsByOrderId: new DataLoader<string, ShipmentRow[]>(async (ids) => groupByKey(ids, await shipmentsByOrderIds(ctx, ids), (r) => r.orderId)),
    eventsByShipmentId: new DataLoader<string, TrackingEventRow[]>(async (ids) => groupByKey(ids, await eventsByShipmentIds(ctx, ids), (r) => r.shipmentId)),
  };
}
