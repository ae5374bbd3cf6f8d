/**
 * Return parcels: a RETURN shipment from the customer's address back to a warehouse, booked with
 * the cheapest carrier service that can carry it, with a real label (sender the customer,
 * recipient the warehouse). The returns module calls this inside its approval transaction; every
 * read of another module goes through that module's service on the caller's transaction.
 *
 * How a return parcel differs from an outbound one (shipment.service.ts):
 * - it moves no stock and no order: the units come back into the ledger only when the warehouse
 *   scans them in (returns receiving), and its delivery never makes an order DELIVERED;
 * - it has no promised window (the customer decides when to hand it in), so it stays out of the
 *   late-delivery history rate shopping weighs and out of carrierPerformance;
 * - any number of them may refer to one fulfillment order (the partial unique index keeps one
 *   OUTBOUND shipment per fulfillment order).
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import { withExecutor, type ServiceContext } from '../../shared/service-context.js';
import { variantsByIds } from '../catalog/catalog.service.js';
import { customersByIdsUnfiltered } from '../customers/customer.service.js';
import { fulfillmentLinesByFoIds, fulfillmentOrdersByOrderIds } from '../orders/order.service.js';
import { orderRowsByIds } from '../orders/order.shipping.js';
import { warehousesByIds } from '../warehouse/warehouse.service.js';
import { adapterFor } from '../carriers/carrier.adapter.js';
import { carrierCatalogIn, type CatalogService } from '../carriers/carrier.service.js';
import { chargeableWeightGrams, estimateParcel, type Parcel } from '../carriers/parcel.js';
import { chooseService } from '../carriers/rate-shopping.js';
import { announceShipment, insertLabelledShipment, type ShipmentRow } from './shipment.service.js';
import { shipments, type ParcelData } from './shipment.table.js';

export interface ReturnParcelInput {
  orderId: string;
  /** Where the parcel goes. */
  warehouseId: string;
  /** The return's human number (RMA-100001), printed on the label. */
  returnNumber: string;
  /** The returned lines in the return's order; the first one decides the fulfillment order. */
  lines: readonly { orderLineId: string; variantId: string; quantity: number }[];
}

/** Tracking numbers drawn again when one is taken already (an S10 collision is one in 10^8). */
const TRACKING_ATTEMPTS = 4;

/**
 * The cheapest priced service for a parcel to `destination` among services that operate in the
 * customer's country (have a rate row for it), or null. Pure over the catalogue.
 */
export function cheapestReturnService(
  services: readonly CatalogService[],
  parcel: Parcel,
  destination: { countryCode: string; region?: string | null; postalCode: string; city: string },
  originCountry: string,
): { service: CatalogService; priceMinor: number; currency: string } | null {
  const candidates = services.flatMap((s) => {
    if (!s.rates.some((r) => r.countryCode === originCountry)) return [];
    const q = adapterFor(s.carrier.adapter).quote({ service: s, destination, actualWeightGrams: parcel.weightGrams, chargeableWeightGrams: chargeableWeightGrams(parcel, s.volumetricDivisor) });
    return q ? [{ service: s, ...q, code: s.code, transitDaysMin: s.transitDaysMin, transitDaysMax: s.transitDaysMax, delivered: 0, late: 0 }] : [];
  });
  return chooseService(candidates, 'CHEAPEST');
}

/**
 * Creates the RETURN shipment of a return in the caller's transaction: parcel estimated from the
 * returned variants' weights and dimensions, the cheapest service of the customer's country
 * that can carry it to the warehouse, a tracking number and label from the carrier adapter
 * (sender: the order's shipping address; recipient: the warehouse), cost recorded; its lifecycle
 * start (history row, SHIPMENT_UPDATED) and its LABEL_CREATED tracking event, as outbound
 * shipments have. `fulfillmentOrderId` is the outbound fulfillment order that shipped the first
 * returned line. Returns null, writing nothing, when no service can carry the parcel (or the
 * order, warehouse or line is unknown).
 */
export async function createReturnParcel(ctx: ServiceContext, tx: Executor, events: EventWriter, input: ReturnParcelInput): Promise<ShipmentRow | null> {
  if (!input.lines.length) return null;
  const scoped = withExecutor(ctx, tx);
  const [[order], [wh], fos] = await Promise.all([
    orderRowsByIds(scoped, [input.orderId]),
    warehousesByIds(scoped, [input.warehouseId], tx),
    fulfillmentOrdersByOrderIds(scoped, [input.orderId]),
  ]);
  if (!order || !wh || !fos.length) return null;
  const fLines = await fulfillmentLinesByFoIds(scoped, fos.map((f) => f.id));
  // Of the fulfillment orders holding the first line, the one that shipped it (a cancelled or
  // split-off one may hold it too).
  const first = input.lines[0]!.orderLineId;
  const holding = new Set(fLines.filter((l) => l.orderLineId === first).map((l) => l.fulfillmentOrderId));
  const fo = fos.find((f) => holding.has(f.id) && f.status === 'SHIPPED') ?? fos.find((f) => holding.has(f.id));
  if (!fo) return null;

  const variants = new Map((await variantsByIds(scoped, [...new Set(input.lines.map((l) => l.variantId))])).map((v) => [v.id, v]));
  if (input.lines.some((l) => !variants.has(l.variantId))) return null;
  const parcel = estimateParcel(
    input.lines.map((l) => {
      const v = variants.get(l.variantId)!;
      return { weightGrams: v.weightGrams, lengthMm: v.lengthMm, widthMm: v.widthMm, heightMm: v.heightMm, quantity: l.quantity };
    }),
  );
  const from = order.shippingAddress;
  const chosen = cheapestReturnService((await carrierCatalogIn(ctx, tx)).services, parcel, wh.address, from.countryCode);
  if (!chosen) return null;
  const { service } = chosen;
  const now = ctx.clock.now();
  const senderName = from.name ?? (await customersByIdsUnfiltered(scoped, [order.customerId]))[0]?.name ?? null;
  const parcelData: ParcelData = { ...parcel, chargeableWeightGrams: chargeableWeightGrams(parcel, service.volumetricDivisor) };

  let booked: Awaited<ReturnType<ReturnType<typeof adapterFor>['createShipment']>> | null = null;
  for (let attempt = 0; attempt < TRACKING_ATTEMPTS && !booked; attempt++) {
    const b = await adapterFor(service.carrier.adapter).createShipment({
      service,
      originCountry: from.countryCode,
      label: {
        carrierName: service.carrier.name,
        serviceName: service.name,
        serviceCode: service.code,
        sender: { ...from, name: senderName },
        recipient: { ...wh.address, name: wh.name },
        weightGrams: parcel.weightGrams,
        orderNumber: order.number,
        returnNumber: input.returnNumber,
        createdAt: now,
        pickupPointCode: null,
      },
    });
    // Checked in the transaction instead of caught: a unique violation would abort the caller's transaction.
    const [taken] = await tx.select({ id: shipments.id }).from(shipments).where(eq(shipments.trackingNumber, b.trackingNumber));
    if (!taken) booked = b;
  }
  if (!booked) throw new Error('createReturnParcel: no free tracking number after several draws');

  const row = await insertLabelledShipment(
    tx,
    {
      orderId: order.id,
      fulfillmentOrderId: fo.id,
      direction: 'RETURN',
      carrierId: service.carrierId,
      serviceId: service.id,
      trackingNumber: booked.trackingNumber,
      status: 'LABEL_CREATED',
      costMinor: chosen.priceMinor,
      currency: chosen.currency,
      weightGrams: parcel.weightGrams,
      parcel: parcelData,
      labelFormat: booked.label.format,
      labelContent: booked.label.content,
      labelZpl: booked.zpl,
      destinationCity: wh.address.city,
      pickupPointId: null,
      estimatedDeliveryFrom: null,
      estimatedDeliveryTo: null,
      lastEventAt: now,
      createdAt: now,
    },
    { location: from.city, description: `Return label created for ${input.returnNumber}, waiting for the customer to hand the parcel in` },
  );
  // The warehouse a shipment belongs to (visibility, webhook filtering, later status events) is its
  // fulfillment order's; for a return that is the warehouse that shipped the units, usually the one it goes back to.
  const foWarehouseCode = fo.warehouseId === wh.id ? wh.code : ((await warehousesByIds(scoped, [fo.warehouseId], tx))[0]?.code ?? null);
  await announceShipment(tx, events, row, { message: `Return label created (${input.returnNumber})`, carrierCode: service.carrier.code, warehouseCode: foWarehouseCode });
  return row;
}
