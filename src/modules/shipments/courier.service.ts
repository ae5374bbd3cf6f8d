/**
 * The stops of the store's own courier run: shipments of a warehouse that go by a COURIER
 * service, have a label and have not left yet. Route planning reads them through here, never
 * through the shipping tables.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { isValidLatLng, type LatLng } from '../../shared/geo.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { fulfillmentOrdersByIds } from '../orders/order.service.js';
import { orderRowsByIds } from '../orders/order.shipping.js';
import { visibleShipments } from './shipment.service.js';
import { serviceIdsOfType } from '../carriers/carrier.service.js';
import { shipments } from './shipment.table.js';

export interface CourierStop {
  shipmentId: string;
  trackingNumber: string;
  /** Where the parcel goes: the order's shipping address location. */
  location: LatLng;
}

/**
 * Every outbound COURIER shipment of the warehouse with status LABEL_CREATED and a located delivery
 * address, oldest first, that the caller may see (the shipment visibility rules: a PARTNER key
 * restricted to carriers gets only those carriers' parcels). Shipments whose address has no
 * coordinates cannot be routed and are left out.
 *
 * Return parcels are not stops: the courier run delivers what the van carries from the warehouse,
 * and a return's parcel is handed in by the customer (its fulfillment order's warehouse is not
 * even where it goes).
 *
 * LABEL_CREATED shipments are the small working set between labelling and hand-over, so they are
 * read across warehouses and narrowed by their fulfillment orders (which the orders module owns).
 */
export async function courierStopsToRoute(ctx: ServiceContext, warehouseId: string): Promise<CourierStop[]> {
  const courierServices = await serviceIdsOfType(ctx, 'COURIER');
  if (!courierServices.length) return [];
  const candidates = await ctx.database.db
    .select()
    .from(shipments)
    .where(and(eq(shipments.status, 'LABEL_CREATED'), eq(shipments.direction, 'OUTBOUND'), inArray(shipments.serviceId, courierServices)))
    .orderBy(asc(shipments.createdAt), asc(shipments.id));
  if (!candidates.length) return [];
  const rows = await visibleShipments(ctx, candidates);
  const fos = await fulfillmentOrdersByIds(ctx, [...new Set(rows.map((r) => r.fulfillmentOrderId))]);
  const here = new Set(fos.filter((f) => f.warehouseId === warehouseId).map((f) => f.id));
  const mine = rows.filter((r) => here.has(r.fulfillmentOrderId));
  const orders = new Map((await orderRowsByIds(ctx, [...new Set(mine.map((r) => r.orderId))])).map((o) => [o.id, o]));
  return mine.flatMap((r) => {
    const loc = orders.get(r.orderId)?.shippingAddress.location;
    return loc && isValidLatLng(loc) ? [{ shipmentId: r.id, trackingNumber: r.trackingNumber, location: { lat: loc.lat, lng: loc.lng } }] : [];
  });
}
