/** What the shipping module provides to others' extension points, and the ones it declares itself. */
import { ExtensionKey, type Extensions } from '../../shared/extensions.js';
import { DELIVERY_QUOTES } from '../orders/order.delivery.js';
import { SCAN_IDENTIFIERS } from '../warehouse/warehouse.service.js';
import { deliveryQuotes } from './delivery.service.js';
import { shipmentIdByTrackingNumber } from './shipment.service.js';
import { isValidTrackingNumber } from './tracking-number.js';

/** Limits anonymous lookups of unknown tracking numbers per client (the composition root provides it). */
export interface TrackingGuard {
  consumeMiss(clientIp: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}
export const TRACKING_GUARD = new ExtensionKey<TrackingGuard>('shipping.trackingGuard');

export function provideShippingExtensions(extensions: Extensions, opts: { trackingGuard?: TrackingGuard } = {}): void {
  extensions.provide(DELIVERY_QUOTES, deliveryQuotes);
  // A scanned S10 tracking number of one of our parcels is a SHIPMENT.
  extensions.add(SCAN_IDENTIFIERS, async (ctx, code) => {
    if (!isValidTrackingNumber(code)) return null;
    const id = await shipmentIdByTrackingNumber(ctx, code);
    return id ? { kind: 'SHIPMENT', shipmentId: id } : null;
  });
  if (opts.trackingGuard) extensions.provide(TRACKING_GUARD, opts.trackingGuard);
}
