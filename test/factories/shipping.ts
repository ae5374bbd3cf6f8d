/**
 * A parcel on its way, built through the API the way shipping.test.ts does it: a product in stock
 * in a Moscow warehouse, a carrier with a courier service, an order placed with a checkout
 * delivery quote, picked, packed and shipped. For tests of tracking (the page, the subscription).
 */
import {
  BinLocationsCreateDocument,
  CarrierCreateDocument,
  DeliveryOptionsDocument,
  InventoryReceiveDocument,
  OrderCreateDocument,
  ProductCreateDocument,
  ShipmentCreateDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
} from '../generated/graphql.js';
import type { TestApp } from '../harness.js';
import { productInput, variantInput } from './catalog.js';
import { pickAndPack } from './fulfillment.js';
import { address } from './stock.js';

let seq = 0;

export interface ShippedParcel {
  trackingNumber: string;
  carrierCode: string;
  carrierName: string;
  orderId: string;
  /** What the order knows about the customer and no public view may show. */
  personalData: string[];
}

/** Ships one order and returns its parcel (status LABEL_CREATED). Each call uses its own warehouse and carrier. */
export async function shippedParcel(t: TestApp, opts: { carrierName?: string; city?: string } = {}): Promise<ShippedParcel> {
  const n = ++seq;
  const warehouseCode = `TW${n}`;
  const carrierCode = `TRK${n}`;
  const carrierName = opts.carrierName ?? `Track Express ${n}`;
  const product = productInput({ variants: [variantInput({ weightGrams: 500, dimensions: { lengthMm: 180, widthMm: 120, heightMm: 80 } })] });
  const sku = product.variants[0]!.sku;
  const ok = (errors: readonly unknown[], what: string) => {
    if (errors.length) throw new Error(`${what}: ${JSON.stringify(errors)}`);
  };
  ok((await t.admin(ProductCreateDocument, { input: product })).productCreate.userErrors, 'productCreate');
  await t.admin(WarehouseCreateDocument, {
    input: { code: warehouseCode, name: 'Склад', cutoffTime: '14:00', timezone: 'Europe/Moscow', address: { name: 'Склад', line1: 'Складская 1', city: 'Москва', postalCode: '109000', countryCode: 'RU', location: { lat: 55.7, lng: 37.7 } } },
  });
  await t.admin(ZoneCreateDocument, { input: { warehouseCode, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
  await t.admin(BinLocationsCreateDocument, { input: { warehouseCode, zoneCode: 'P', aisles: ['A'], racks: 1, levels: 1, positions: 1 } });
  await t.admin(InventoryReceiveDocument, { input: { warehouseCode, binBarcode: `${warehouseCode}-A-01-01-01`, lines: [{ sku, quantity: 10 }] } });
  const carrier = await t.admin(CarrierCreateDocument, {
    input: {
      code: carrierCode,
      name: carrierName,
      services: [
        {
          code: `${carrierCode}_COURIER`,
          name: 'Courier',
          deliveryType: 'COURIER',
          transitDaysMin: 2,
          transitDaysMax: 4,
          maxWeightGrams: 30_000,
          rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 300_00, currency: 'RUB' } }],
        },
      ],
    },
  });
  ok(carrier.carrierCreate.userErrors, 'carrierCreate');

  const customer = { email: `anna.${n}@example.ru`, name: 'Анна Иванова', locale: 'ru' };
  const shippingAddress = address({ city: opts.city ?? 'Москва', line1: 'ул. Тверская, 7, кв. 42', phone: '+7 900 123-45-67' });
  const lines = [{ sku, quantity: 1 }];
  const options = await t.gql(DeliveryOptionsDocument, { input: { destination: shippingAddress as never, lines, currency: 'RUB' } }, { token: null });
  const option = options.data?.deliveryOptions.find((o) => o.service.code === `${carrierCode}_COURIER`);
  if (!option) throw new Error(`no delivery option: ${JSON.stringify(options)}`);
  const created = (await t.admin(OrderCreateDocument, { input: { channel: 'web', currency: 'RUB', deliveryOptionId: option.id, customer, shippingAddress: shippingAddress as never, lines } })).orderCreate;
  ok(created.userErrors, 'orderCreate');
  const orderId = created.order!.id;
  const [foId] = await pickAndPack(t, warehouseCode, [orderId], { weightGrams: 600, dimensions: { lengthMm: 200, widthMm: 150, heightMm: 100 } });
  const shipped = (await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId! } })).shipmentCreate;
  ok(shipped.userErrors, 'shipmentCreate');
  return {
    trackingNumber: shipped.shipment!.trackingNumber,
    carrierCode,
    carrierName,
    orderId,
    personalData: [customer.name, 'Анна', 'Иванова', customer.email, shippingAddress.line1 as string, 'Тверская', shippingAddress.phone as string, '123-45-67'],
  };
}
