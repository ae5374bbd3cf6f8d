/**
 * A delivered order to return, built through the API: products (with the given categories and
 * prices) in stock in a warehouse that has PICK and RETURNS zones, a carrier, a customer with a
 * password (so the test can act as that CUSTOMER), an order placed with a checkout quote,
 * picked, packed, shipped and (unless `deliveredAt: null`) delivered by a carrier event.
 */
import {
  BinLocationsCreateDocument,
  CarrierCreateDocument,
  CustomerAccessTokenCreateDocument,
  CustomerCreateDocument,
  DeliveryOptionsDocument,
  InventoryReceiveDocument,
  OrderCreateDocument,
  OrderForReturnDocument,
  ProductCreateDocument,
  ShipmentCreateDocument,
  TrackingEventsIngestDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
} from '../generated/graphql.js';
import type { TestApp } from '../harness.js';
import { productInput, variantInput } from './catalog.js';
import { pickAndPack } from './fulfillment.js';
import { address } from './stock.js';

let seq = 0;

export interface ReturnableLine {
  id: string;
  sku: string;
  gtin: string;
  quantity: number;
  unitPriceMinor: number;
}

export interface DeliveredOrder {
  orderId: string;
  orderNumber: string;
  shippingMinor: number;
  lines: ReturnableLine[];
  warehouseCode: string;
  /** Barcode of the warehouse's RETURNS bin. */
  returnsBinBarcode: string;
  /** Barcode of its pick bin (sellable stock). */
  pickBinBarcode: string;
  carrierCode: string;
  trackingNumber: string;
  customerEmail: string;
  /** Bearer token of the order's customer. */
  customerToken: string;
}

export interface DeliveredOrderOptions {
  /** One product per entry; default one line of 2 units at 1000.00 RUB in apparel/shoes. */
  lines?: { quantity: number; priceMinor?: number; category?: string }[];
  /** When the carrier delivered it (default: now - 1 day); null: shipped, not delivered. */
  deliveredAt?: Date | null;
  /** Reuse a customer (e-mail and password) instead of a new one. */
  customer?: { email: string; password: string };
  /** Shipping price of the carrier's rate card, minor units (default 300.00). */
  shippingMinor?: number;
  /** Loyalty points the customer redeems on the order (default none). */
  redeemPoints?: number;
}

const ok = (errors: readonly unknown[], what: string) => {
  if (errors.length) throw new Error(`${what}: ${JSON.stringify(errors)}`);
};

/** Ships (and delivers) one order; each call uses its own warehouse, carrier and customer. */
export async function deliveredOrder(t: TestApp, opts: DeliveredOrderOptions = {}): Promise<DeliveredOrder> {
  const n = ++seq;
  const tag = `${process.pid % 10000}R${n}`;
  const warehouseCode = `RW${tag}`;
  const carrierCode = `RC${tag}`;
  const specs = opts.lines ?? [{ quantity: 2 }];
  const skus: string[] = [];
  for (const spec of specs) {
    const product = productInput({
      category: spec.category ?? 'apparel/shoes',
      variants: [variantInput({ price: { amountMinor: spec.priceMinor ?? 1000_00, currency: 'RUB' }, weightGrams: 400, dimensions: { lengthMm: 200, widthMm: 150, heightMm: 80 } })],
    });
    ok((await t.admin(ProductCreateDocument, { input: product })).productCreate.userErrors, 'productCreate');
    skus.push(product.variants[0]!.sku);
  }
  ok(
    (
      await t.admin(WarehouseCreateDocument, {
        input: { code: warehouseCode, name: 'Склад возвратов', cutoffTime: '14:00', timezone: 'Europe/Moscow', address: { name: 'Склад', line1: 'Складская 1', city: 'Москва', postalCode: '109000', countryCode: 'RU', location: { lat: 55.7, lng: 37.7 } } },
      })
    ).warehouseCreate.userErrors,
    'warehouseCreate',
  );
  await t.admin(ZoneCreateDocument, { input: { warehouseCode, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
  await t.admin(ZoneCreateDocument, { input: { warehouseCode, code: 'R', name: 'Returns', kind: 'RETURNS', distanceRank: 5 } });
  await t.admin(BinLocationsCreateDocument, { input: { warehouseCode, zoneCode: 'P', aisles: ['A'], racks: 1, levels: 1, positions: 1 } });
  await t.admin(BinLocationsCreateDocument, { input: { warehouseCode, zoneCode: 'R', aisles: ['R'], racks: 1, levels: 1, positions: 1 } });
  const pickBinBarcode = `${warehouseCode}-A-01-01-01`;
  const returnsBinBarcode = `${warehouseCode}-R-01-01-01`;
  ok(
    (await t.admin(InventoryReceiveDocument, { input: { warehouseCode, binBarcode: pickBinBarcode, lines: specs.map((s, i) => ({ sku: skus[i]!, quantity: s.quantity + 10 })) } })).inventoryReceive
      .userErrors,
    'inventoryReceive',
  );
  const carrier = await t.admin(CarrierCreateDocument, {
    input: {
      code: carrierCode,
      name: `Returns Express ${tag}`,
      services: [
        {
          code: `${carrierCode}_COURIER`,
          name: 'Courier',
          deliveryType: 'COURIER',
          transitDaysMin: 1,
          transitDaysMax: 3,
          maxWeightGrams: 30_000,
          rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: opts.shippingMinor ?? 300_00, currency: 'RUB' } }],
        },
      ],
    },
  });
  ok(carrier.carrierCreate.userErrors, 'carrierCreate');

  const customer = opts.customer ?? { email: `buyer.${tag}@example.ru`, password: 'correct horse battery staple' };
  if (!opts.customer) {
    ok((await t.admin(CustomerCreateDocument, { input: { email: customer.email, password: customer.password, name: 'Мария Петрова', locale: 'ru' } })).customerCreate.userErrors, 'customerCreate');
  }
  const tokenResult = (await t.gql(CustomerAccessTokenCreateDocument, { input: customer }, { token: null })).data?.customerAccessTokenCreate;
  if (!tokenResult?.accessToken) throw new Error(`customerAccessTokenCreate: ${JSON.stringify(tokenResult)}`);

  const shippingAddress = address({ city: 'Москва', line1: 'ул. Арбат, 10, кв. 5', phone: '+7 900 765-43-21' });
  const lines = specs.map((s, i) => ({ sku: skus[i]!, quantity: s.quantity }));
  const options = await t.gql(DeliveryOptionsDocument, { input: { destination: shippingAddress as never, lines, currency: 'RUB' } }, { token: null });
  const option = options.data?.deliveryOptions.find((o) => o.service.code === `${carrierCode}_COURIER`);
  if (!option) throw new Error(`no delivery option: ${JSON.stringify(options)}`);
  const created = (
    await t.admin(OrderCreateDocument, { input: { channel: 'web', currency: 'RUB', deliveryOptionId: option.id, customer: { email: customer.email }, shippingAddress: shippingAddress as never, lines, ...(opts.redeemPoints ? { redeemPoints: opts.redeemPoints } : {}) } })
  ).orderCreate;
  ok(created.userErrors, 'orderCreate');
  const orderId = created.order!.id;
  const [foId] = await pickAndPack(t, warehouseCode, [orderId], { weightGrams: 500 * specs.length, dimensions: { lengthMm: 300, widthMm: 200, heightMm: 150 } });
  const shipped = (await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId! } })).shipmentCreate;
  ok(shipped.userErrors, 'shipmentCreate');
  const trackingNumber = shipped.shipment!.trackingNumber;
  const deliveredAt = opts.deliveredAt === undefined ? new Date(Date.now() - 86_400_000) : opts.deliveredAt;
  if (deliveredAt) {
    const ingest = (
      await t.admin(TrackingEventsIngestDocument, {
        input: { carrierCode, events: [{ trackingNumber, externalEventId: `dlv-${tag}`, status: 'DELIVERED', occurredAt: deliveredAt.toISOString(), location: 'Москва' }] },
      })
    ).trackingEventsIngest;
    ok(ingest.userErrors, 'trackingEventsIngest');
  }
  const order = (await t.admin(OrderForReturnDocument, { id: orderId })).order!;
  return {
    orderId,
    orderNumber: order.number,
    shippingMinor: order.shippingPrice.amountMinor,
    lines: order.lines.map((l) => ({ id: l.id, sku: l.sku, gtin: l.variant.gtin!, quantity: l.quantity, unitPriceMinor: l.unitPrice.amountMinor })),
    warehouseCode,
    returnsBinBarcode,
    pickBinBarcode,
    carrierCode,
    trackingNumber,
    customerEmail: customer.email,
    customerToken: tokenResult.accessToken,
  };
}
