/** What the shipments module provides to others' extension points. */
import type { Extensions } from '../../shared/extensions.js';
import { isValidTrackingNumber } from '../carriers/tracking-number.js';
import { SCAN_IDENTIFIERS } from '../warehouse/warehouse.service.js';
import { shipmentIdByTrackingNumber } from './shipment.service.js';

export function provideShipmentExtensions(extensions: Extensions): void {
  // A scanned S10 tracking number of one of our parcels is a SHIPMENT.
  extensions.add(SCAN_IDENTIFIERS, async (ctx, code) => {
    if (!isValidTrackingNumber(code)) return null;
    const id = await shipmentIdByTrackingNumber(ctx, code);
    return id ? { kind: 'SHIPMENT', shipmentId: id } : null;
  });
}
