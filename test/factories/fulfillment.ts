/** Walks open fulfillment orders of a warehouse through picking and packing, over the API, so shipping tests start from PACKED parcels. */
import { FulfillmentOrderPackDocument, OrderDocument, PickListCreateDocument, PickListScanDocument } from '../generated/graphql.js';
import type { TestApp } from '../harness.js';

/** Picks every open fulfillment order of the warehouse in one list, then packs those of `orderIds`; returns their FO ids. */
export async function pickAndPack(
  t: TestApp,
  warehouseCode: string,
  orderIds: string[],
  parcel: { weightGrams: number; dimensions: { lengthMm: number; widthMm: number; heightMm: number } },
): Promise<string[]> {
  const created = (await t.admin(PickListCreateDocument, { input: { warehouseCode, maxOrders: 50 } })).pickListCreate;
  if (created.userErrors.length) throw new Error(JSON.stringify(created.userErrors));
  const list = created.pickList!;
  const gtinOf = new Map<string, string>();
  for (const l of list.lines) {
    gtinOf.set(l.variant.sku, l.variant.gtin!);
    const r = await t.admin(PickListScanDocument, { input: { pickListId: list.id, binBarcode: l.bin.barcode, itemBarcode: l.variant.gtin!, quantity: l.quantity } });
    if (r.pickListScan.userErrors.length) throw new Error(JSON.stringify(r.pickListScan.userErrors));
  }
  const foIds: string[] = [];
  for (const id of orderIds) {
    const order = (await t.admin(OrderDocument, { id })).order!;
    for (const fo of order.fulfillmentOrders.filter((f) => f.warehouse.code === warehouseCode)) {
      const scans = fo.lines.flatMap((l) => Array.from({ length: l.pickedQuantity }, () => gtinOf.get(l.variant.sku)!));
      const packed = await t.admin(FulfillmentOrderPackDocument, { input: { fulfillmentOrderId: fo.id, scannedBarcodes: scans, ...parcel } });
      if (packed.fulfillmentOrderPack.userErrors.length) throw new Error(JSON.stringify(packed.fulfillmentOrderPack.userErrors));
      foIds.push(fo.id);
    }
  }
  return foIds;
}
