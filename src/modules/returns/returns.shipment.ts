/**
 * The return parcel: on approval, a RETURN shipment from the customer's address to the return's
 * warehouse through the carrier adapter (cheapest service by default), with a PDF label.
 * (Being built: until then no parcel is created and returnShipment stays null.)
 */
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import type { ServiceContext } from '../../shared/service-context.js';
import type { ReturnRow } from './returns.state.js';

export interface ReturnParcel {
  shipmentId: string;
  trackingNumber: string;
}

/**
 * Creates the return parcel of `ret` in the caller's transaction (ret.warehouseId set), or
 * returns null when no carrier service can carry it (the return is approved without a label
 * and staff arranges the pickup). The caller stores `shipmentId` on the return.
 */
export async function createReturnShipment(_ctx: ServiceContext, _tx: Executor, _events: EventWriter, _ret: ReturnRow): Promise<ReturnParcel | null> {
  return null;
}
