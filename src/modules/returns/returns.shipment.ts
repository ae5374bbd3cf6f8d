/**
 * The return parcel: on approval, a RETURN shipment from the customer's address to the return's
 * warehouse through the carrier adapter (cheapest service), with a PDF label. The shipping
 * module builds it (shipments/return-parcel.ts); this is the returns side of the seam.
 */
import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { createReturnParcel } from '../shipments/return-parcel.js';
import type { ReturnRow } from './returns.state.js';
import { returnLines } from './returns.table.js';

export interface ReturnParcel {
  shipmentId: string;
  trackingNumber: string;
}

/**
 * Creates the return parcel of `ret` in the caller's transaction (ret.warehouseId set), or
 * returns null when no carrier service can carry it (the return is approved without a label
 * and staff arranges the pickup). The caller stores `shipmentId` on the return.
 */
export async function createReturnShipment(ctx: ServiceContext, tx: Executor, events: EventWriter, ret: ReturnRow): Promise<ReturnParcel | null> {
  if (!ret.warehouseId) return null;
  const lines = await tx
    .select({ orderLineId: returnLines.orderLineId, variantId: returnLines.variantId, quantity: returnLines.quantity })
    .from(returnLines)
    .where(eq(returnLines.returnRequestId, ret.id))
    .orderBy(asc(returnLines.position));
  const row = await createReturnParcel(ctx, tx, events, { orderId: ret.orderId, warehouseId: ret.warehouseId, returnNumber: ret.number, lines });
  return row && { shipmentId: row.id, trackingNumber: row.trackingNumber };
}
