/** A shipped parcel for carrier-simulator tests: a stocked store, a carrier with one courier service, an order picked, packed and shipped over the API. */
import { CarrierCreateDocument, OrderCreateDocument, ShipmentCreateDocument } from '../generated/graphql.js';
import type { TestApp } from '../harness.js';
import { pickAndPack } from './fulfillment.js';
import { address, stockedStore } from './stock.js';

export async function shippedParcel(t: TestApp, carrierCode = 'SIMCO'): Promise<{ trackingNumber: string; orderId: string }> {
  const [sku] = await stockedStore(t, { msk: [10], spb: [0] });
  const carrier = await t.admin(CarrierCreateDocument, {
    input: {
      code: carrierCode,
      name: 'Sim Co',
      services: [{ code: `${carrierCode}_COURIER`, name: 'Courier', deliveryType: 'COURIER', transitDaysMin: 1, transitDaysMax: 3, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 300_00, currency: 'RUB' } }] }],
    },
  });
  if (carrier.carrierCreate.userErrors.length) throw new Error(JSON.stringify(carrier.carrierCreate.userErrors));
  const created = await t.admin(OrderCreateDocument, {
    input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'sim@example.ru', name: 'Сим Симов' }, shippingAddress: address({ city: 'Казань', postalCode: '420111' }) as never, lines: [{ sku: sku!, quantity: 1 }] },
  });
  if (created.orderCreate.userErrors.length) throw new Error(JSON.stringify(created.orderCreate.userErrors));
  const orderId = created.orderCreate.order!.id;
  const [foId] = await pickAndPack(t, 'MSK1', [orderId], { weightGrams: 400, dimensions: { lengthMm: 200, widthMm: 150, heightMm: 100 } });
  const shipped = (await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId! } })).shipmentCreate;
  if (shipped.userErrors.length) throw new Error(JSON.stringify(shipped.userErrors));
  return { trackingNumber: shipped.shipment!.trackingNumber, orderId };
}
