/**
 * Shipping end to end over GraphQL (HTTP and graphql-ws): carriers and rate cards, checkout
 * options with signed quotes, pickup capacity, shipments with labels and the ledger, carrier
 * events (idempotent, out of order, per-carrier access), public tracking without personal data,
 * live tracking, carrier performance.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyCreateDocument,
  BinLocationsCreateDocument,
  CarrierCreateDocument,
  CarrierPerformanceDocument,
  CarriersDocument,
  DeliveryOptionsDocument,
  InventoryLevelsDocument,
  InventoryReceiveDocument,
  OrderCreateDocument,
  OrderNotificationsDocument,
  OrderShipmentsDocument,
  PickupPointCreateDocument,
  PickupPointsDocument,
  ProductCreateDocument,
  ScanShipmentDocument,
  ShipmentCreateDocument,
  ShipmentDocument,
  TrackingDocument,
  TrackingEventsIngestDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
  type CarrierServiceInput,
} from '../../../test/generated/graphql.js';
import { productInput, variantInput } from '../../../test/factories/catalog.js';
import { pickAndPack } from '../../../test/factories/fulfillment.js';
import { address } from '../../../test/factories/stock.js';
import { collect, settle, startApp, type TestApp } from '../../../test/harness.js';
import { toGlobalId } from '../../graphql/relay.js';
import { ManualClock } from '../../shared/clock.js';
import { isValidTrackingNumber } from '../carriers/tracking-number.js';

// Wednesday 2 December 2026, 10:00 in Moscow: before the 14:00 cut-off.
const clock = new ManualClock(new Date('2026-12-02T07:00:00Z'));
let t: TestApp;
const small = { sku: '', gtin: '' };
const bulky = { sku: '', gtin: '' };
const rub = (amountMinor: number) => ({ amountMinor, currency: 'RUB' });
const moscow = () => address();
const cart = (q = 1) => [{ sku: small.sku, quantity: q }];

const service = (over: Partial<CarrierServiceInput> & Pick<CarrierServiceInput, 'code' | 'deliveryType'>): CarrierServiceInput => ({
  name: over.code,
  transitDaysMin: 2,
  transitDaysMax: 4,
  maxWeightGrams: 30_000,
  rates: [],
  ...over,
});

beforeAll(async () => {
  t = await startApp({ clock, env: { TRACKING_MISSES_PER_10_MIN: '3' } });
  const a = productInput({ variants: [variantInput({ weightGrams: 500, dimensions: { lengthMm: 180, widthMm: 120, heightMm: 80 } })] });
  const b = productInput({ variants: [variantInput({ weightGrams: 1000, dimensions: { lengthMm: 590, widthMm: 390, heightMm: 290 } })] });
  Object.assign(small, { sku: a.variants[0]!.sku, gtin: a.variants[0]!.gtin });
  Object.assign(bulky, { sku: b.variants[0]!.sku, gtin: b.variants[0]!.gtin });
  await t.admin(ProductCreateDocument, { input: a });
  await t.admin(ProductCreateDocument, { input: b });
  await t.admin(WarehouseCreateDocument, {
    input: { code: 'MSK1', name: 'Москва', cutoffTime: '14:00', timezone: 'Europe/Moscow', address: { name: 'Склад', line1: 'Складская 1', city: 'Москва', postalCode: '109000', countryCode: 'RU', location: { lat: 55.7, lng: 37.7 } } },
  });
  await t.admin(ZoneCreateDocument, { input: { warehouseCode: 'MSK1', code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
  await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: 'MSK1', zoneCode: 'P', aisles: ['A'], racks: 2, levels: 1, positions: 1 } });
  await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', binBarcode: 'MSK1-A-01-01-01', lines: [{ sku: small.sku, quantity: 20 }] } });
  await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', binBarcode: 'MSK1-A-02-01-01', lines: [{ sku: bulky.sku, quantity: 60 }] } });
  const cdek = await t.admin(CarrierCreateDocument, {
    input: {
      code: 'CDEK',
      name: 'СДЭК',
      services: [
        service({
          code: 'CDEK_COURIER',
          deliveryType: 'COURIER',
          rates: [
            { countryCode: 'RU', maxWeightGrams: 1000, price: rub(300_00) },
            { countryCode: 'RU', maxWeightGrams: 5000, price: rub(450_00) },
            { countryCode: 'RU', maxWeightGrams: 30_000, price: rub(900_00) },
            { countryCode: 'RU', region: 'Татарстан', maxWeightGrams: 5000, price: rub(500_00) },
            { countryCode: 'RU', region: 'Татарстан', postalCodePrefix: '420', maxWeightGrams: 5000, price: rub(550_00) },
          ],
        }),
        service({ code: 'CDEK_PVZ', deliveryType: 'PICKUP_POINT', transitDaysMin: 3, transitDaysMax: 5, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: rub(200_00) }] }),
      ],
    },
  });
  expect(cdek.carrierCreate.userErrors).toEqual([]);
  const fast = await t.admin(CarrierCreateDocument, {
    input: { code: 'FASTCO', name: 'Fast Co', services: [service({ code: 'FAST_COURIER', deliveryType: 'COURIER', transitDaysMin: 1, transitDaysMax: 1, maxWeightGrams: 5000, rates: [{ countryCode: 'RU', maxWeightGrams: 5000, price: rub(700_00) }] })] },
  });
  expect(fast.carrierCreate.userErrors).toEqual([]);
  const point = (code: string, lat: number, dailyCapacity: number, carrierCode: string | null) =>
    t.admin(PickupPointCreateDocument, {
      input: { code, name: code, carrierCode, dailyCapacity, openingHours: 'Mo-Su 09:00-21:00', address: { line1: 'ул. Пункт 1', city: 'Москва', postalCode: '125009', countryCode: 'RU', location: { lat, lng: 37.61 } } },
    });
  // Destination is 55.76, 37.61: P1 ~0.6 km, P2 ~2.2 km, P3 ~33 km (outside the 15 km radius).
  for (const r of [await point('CDEK-P1', 55.7655, 1, 'CDEK'), await point('CDEK-P2', 55.78, 10, 'CDEK'), await point('ANY-P3', 56.06, 5, null)]) expect(r.pickupPointCreate.userErrors).toEqual([]);
}, 180_000);
afterAll(async () => t?.close());

const options = (over: { lines?: { sku: string; quantity: number }[]; destination?: Record<string, unknown>; currency?: string } = {}) =>
  t.gql(DeliveryOptionsDocument, { input: { destination: (over.destination ?? moscow()) as never, lines: over.lines ?? cart(), currency: over.currency ?? 'RUB' } }, { token: null });

const orderWith = (deliveryOptionId: string, lines = cart(), shippingAddress: Record<string, unknown> = moscow()) =>
  t.admin(OrderCreateDocument, { input: { channel: 'web', currency: 'RUB', deliveryOptionId, customer: { email: 'anna@example.ru', name: 'Анна Иванова', locale: 'ru' }, shippingAddress: shippingAddress as never, lines } });

describe('carriers', () => {
  it('carrierCreate validates everything and writes nothing on bad input', async () => {
    const r = await t.admin(CarrierCreateDocument, {
      input: {
        code: 'bad code!',
        name: '',
        services: [
          service({ code: 'CDEK_COURIER', deliveryType: 'COURIER', transitDaysMin: 5, transitDaysMax: 2, rates: [{ countryCode: 'XX', maxWeightGrams: 0, price: { amountMinor: -1, currency: 'ZZZ' } }] }),
        ],
      },
    });
    const codes = r.carrierCreate.userErrors.map((e) => `${e.code}:${e.field!.join('.')}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'INVALID:input.code',
        'INVALID:input.name',
        'INVALID:input.services.0.transitDaysMax',
        'INVALID_CURRENCY:input.services.0.rates.0.price.currency',
        'INVALID:input.services.0.rates.0.price.amountMinor',
      ]),
    );
    const dup = await t.admin(CarrierCreateDocument, { input: { code: 'OTHER', name: 'Other', services: [service({ code: 'CDEK_PVZ', deliveryType: 'PICKUP_POINT', rates: [{ countryCode: 'RU', maxWeightGrams: 1000, price: rub(1) }] })] } });
    expect(dup.carrierCreate.userErrors.map((e) => e.code)).toEqual(['DUPLICATE']);
    expect((await t.admin(CarriersDocument)).carriers.map((c) => c.code)).toEqual(['CDEK', 'FASTCO']);
  });
});

describe('checkout delivery options', () => {
  it('prices every service from its rate card, dates it after the cut-off on business days, offers the nearest pickup points with capacity', async () => {
    const r = await options();
    expect(r.errors).toBeUndefined();
    const opts = r.data!.deliveryOptions;
    expect(opts.map((o) => [o.service.code, o.pickupPoint?.code ?? null, o.price.amountMinor])).toEqual([
      ['CDEK_PVZ', 'CDEK-P1', 200_00],
      ['CDEK_PVZ', 'CDEK-P2', 200_00],
      ['CDEK_COURIER', null, 300_00],
      ['FAST_COURIER', null, 700_00],
    ]);
    const courier = opts.find((o) => o.service.code === 'CDEK_COURIER')!;
    // Dispatch Wed 2 Dec; +2 business days = Fri 4 Dec from 00:00 Moscow; +4 = Tue 8 Dec until 23:59:59.999 Moscow.
    expect([courier.estimatedDeliveryFrom, courier.estimatedDeliveryTo]).toEqual(['2026-12-03T21:00:00.000Z', '2026-12-08T20:59:59.999Z']);
    expect(courier.shipsFrom.map((w) => w.code)).toEqual(['MSK1']);
    expect(opts[0]!.pickupPoint!.distanceKm).toBeLessThan(opts[1]!.pickupPoint!.distanceKm!);

    // After the cut-off the parcel leaves the next business day.
    clock.set(new Date('2026-12-04T12:00:00Z')); // Friday 15:00 Moscow -> dispatch Monday 7 Dec
    const late = (await options()).data!.deliveryOptions.find((o) => o.service.code === 'FAST_COURIER')!;
    expect([late.estimatedDeliveryFrom, late.estimatedDeliveryTo]).toEqual(['2026-12-07T21:00:00.000Z', '2026-12-08T20:59:59.999Z']);
    clock.set(new Date('2026-12-02T07:00:00Z'));
  });

  it('charges the volumetric weight of a bulky parcel and the most specific destination row', async () => {
    // 1 kg in a ~600x400x300 carton: volumetric ~14.4 kg at divisor 5000 -> the 30 kg bracket; FASTCO (5 kg max) cannot take it.
    const bulkyOpts = (await options({ lines: [{ sku: bulky.sku, quantity: 1 }] })).data!.deliveryOptions;
    expect(bulkyOpts.find((o) => o.service.code === 'CDEK_COURIER')!.price.amountMinor).toBe(900_00);
    expect(bulkyOpts.some((o) => o.service.code === 'FAST_COURIER')).toBe(false);
    const kazan = (postalCode: string) => ({ line1: 'ул. Баумана 1', city: 'Казань', region: 'Татарстан', postalCode, countryCode: 'RU' });
    const price = async (postalCode: string) => (await options({ destination: kazan(postalCode) })).data!.deliveryOptions.find((o) => o.service.code === 'CDEK_COURIER')!.price.amountMinor;
    expect(await price('420111')).toBe(550_00); // postal prefix beats region
    expect(await price('423800')).toBe(500_00); // region beats country
    // Without coordinates no pickup point can be chosen by distance.
    expect((await options({ destination: kazan('420111') })).data!.deliveryOptions.some((o) => o.type === 'PICKUP_POINT')).toBe(false);
  });

  it('an unknown country is a clear error; a destination nobody serves or a parcel too heavy for every service is an empty list', async () => {
    const bad = await options({ destination: { ...moscow(), countryCode: 'XX' } });
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect((bad.errors![0]!.extensions!.userErrors as { code: string }[])[0]!.code).toBe('INVALID_COUNTRY');
    const unknownSku = await options({ lines: [{ sku: 'NOPE', quantity: 1 }] });
    expect((unknownSku.errors![0]!.extensions!.userErrors as { code: string }[])[0]!.code).toBe('NOT_FOUND');
    expect((await options({ destination: { line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', countryCode: 'DE' } })).data!.deliveryOptions).toEqual([]);
    expect((await options({ lines: [{ sku: bulky.sku, quantity: 40 }] })).data!.deliveryOptions).toEqual([]);
  });
});

describe('orders with a delivery quote', () => {
  it('orderCreate trusts the signed price; a tampered, expired or foreign quote is refused and writes nothing', async () => {
    const opts = (await options()).data!.deliveryOptions;
    const courier = opts.find((o) => o.service.code === 'CDEK_COURIER')!;
    const count = async () => (await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from orders`))[0]!.n;
    const before = await count();
    const tampered = courier.id.slice(0, -3) + (courier.id.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await orderWith(tampered)).orderCreate.userErrors.map((e) => e.code)).toEqual(['DELIVERY_OPTION_INVALID']);
    expect((await orderWith(courier.id, cart(2))).orderCreate.userErrors.map((e) => e.code)).toEqual(['DELIVERY_OPTION_INVALID']);
    expect((await orderWith(courier.id, cart(), { ...moscow(), city: 'Тверь' })).orderCreate.userErrors.map((e) => e.code)).toEqual(['DELIVERY_OPTION_INVALID']);
    clock.advance(61 * 60_000);
    expect((await orderWith(courier.id)).orderCreate.userErrors.map((e) => e.code)).toEqual(['DELIVERY_OPTION_EXPIRED']);
    clock.set(new Date('2026-12-02T07:00:00Z'));
    expect(await count()).toBe(before);
  });

  it('a pickup point gives its last slot to one order; a later quote for it is refused atomically and the point is no longer offered', async () => {
    const first = (await options()).data!.deliveryOptions.find((o) => o.pickupPoint?.code === 'CDEK-P1')!;
    const second = (await options()).data!.deliveryOptions.find((o) => o.pickupPoint?.code === 'CDEK-P1')!;
    const ok = (await orderWith(first.id)).orderCreate;
    expect(ok.userErrors).toEqual([]);
    expect(ok.order).toMatchObject({ deliveryType: 'PICKUP_POINT', total: { amountMinor: ok.order!.subtotal.amountMinor + 200_00 } });
    const [lvl] = (await t.admin(InventoryLevelsDocument, { sku: small.sku, warehouseCode: 'MSK1' })).inventoryLevels;
    const full = (await orderWith(second.id)).orderCreate;
    expect(full.userErrors.map((e) => e.code)).toEqual(['PICKUP_POINT_FULL']);
    const [after] = (await t.admin(InventoryLevelsDocument, { sku: small.sku, warehouseCode: 'MSK1' })).inventoryLevels;
    expect(after!.allocated).toBe(lvl!.allocated); // the reservation rolled back with the order
    expect((await options()).data!.deliveryOptions.map((o) => o.pickupPoint?.code).filter(Boolean)).toEqual(['CDEK-P2']);
    const near = (await t.gql(PickupPointsDocument, { near: { lat: 55.76, lng: 37.61 } }, { token: null })).data!.pickupPoints;
    expect(near.map((p) => p.code)).toEqual(['CDEK-P2']);
    expect(near[0]).toMatchObject({ availableCapacity: 10, carrier: { code: 'CDEK' }, openingHours: 'Mo-Su 09:00-21:00' });
    const wide = (await t.gql(PickupPointsDocument, { near: { lat: 55.76, lng: 37.61 }, radiusKm: 50 }, { token: null })).data!.pickupPoints;
    expect(wide.map((p) => p.code)).toEqual(['CDEK-P2', 'ANY-P3']);
    expect(wide[1]!.distanceKm).toBeGreaterThan(30);
  });
});

describe('shipments and tracking', () => {
  let orderId = '';
  let trackingNumber = '';
  let partnerKey = '';

  it('shipmentCreate ships a packed order with the quoted service, a real label and an S10 number; stock leaves the ledger', async () => {
    const courier = (await options({ lines: cart(3) })).data!.deliveryOptions.find((o) => o.service.code === 'CDEK_COURIER')!;
    const created = (await orderWith(courier.id, cart(3))).orderCreate;
    expect(created.userErrors).toEqual([]);
    orderId = created.order!.id;
    const foId = created.order!.fulfillmentOrders[0]!.id;
    const early = (await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId } })).shipmentCreate;
    expect(early.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    const [before] = (await t.admin(InventoryLevelsDocument, { sku: small.sku, warehouseCode: 'MSK1' })).inventoryLevels;
    await pickAndPack(t, 'MSK1', [...new Set([orderId, ...(await openOrders())])], { weightGrams: 1700, dimensions: { lengthMm: 300, widthMm: 200, heightMm: 150 } });

    const r = (await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId, strategy: 'CHEAPEST' } })).shipmentCreate;
    expect(r.userErrors).toEqual([]);
    const s = r.shipment!;
    trackingNumber = s.trackingNumber;
    // The customer chose CDEK_COURIER at checkout: that is what ships, at the rate card's price for 1.7 kg.
    expect(s).toMatchObject({ status: 'LABEL_CREATED', carrier: { code: 'CDEK' }, service: { code: 'CDEK_COURIER' }, cost: rub(450_00), weightGrams: 1700, fulfillmentOrder: { status: 'SHIPPED' } });
    expect(s.estimatedDeliveryTo).toBe(courier.estimatedDeliveryTo);
    expect(isValidTrackingNumber(s.trackingNumber)).toBe(true);
    expect(s.trackingUrl).toMatch(new RegExp(`/track/${s.trackingNumber}$`));
    const pdf = Buffer.from(s.label.content, 'base64');
    expect(s.label.format).toBe('PDF');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(Buffer.from(s.zplLabel!.content, 'base64').toString()).toContain(s.trackingNumber);
    const [after] = (await t.admin(InventoryLevelsDocument, { sku: small.sku, warehouseCode: 'MSK1' })).inventoryLevels;
    expect([after!.onHand, after!.allocated]).toEqual([before!.onHand - 3, before!.allocated - 3]);
    const moves = await t.app.database.rows<{ q: number }>(sql`select sum(quantity_delta)::int as q from inventory_movements where reason = 'SHIPMENT' and reference = ${`shipment:${s.trackingNumber}`}`);
    expect(moves[0]!.q).toBe(-3);
    const order = (await t.admin(OrderShipmentsDocument, { id: orderId })).order!;
    expect(order).toMatchObject({ status: 'SHIPPED', shipments: [{ trackingNumber: s.trackingNumber, status: 'LABEL_CREATED' }] });
    expect((await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId } })).shipmentCreate.userErrors.map((e) => e.code)).toEqual(['ALREADY_SHIPPED']);
    // The warehouse scanner recognises the parcel.
    const scan = (await t.admin(ScanShipmentDocument, { warehouseCode: 'MSK1', barcode: s.trackingNumber })).scanBarcode;
    expect(scan).toEqual({ kind: 'SHIPMENT', shipment: { trackingNumber: s.trackingNumber } });
    // The customer's e-mail carries the tracking link.
    const mail = await eventually(async () => (await t.admin(OrderNotificationsDocument, { id: orderId })).order!.notifications.find((n) => n.template === 'order_shipped'));
    expect(mail.locale).toBe('ru');
    const [body] = await t.app.database.rows<{ body: string }>(sql`select body from notifications where template = 'order_shipped' and body like ${`%${s.trackingNumber}%`}`);
    expect(body!.body).toContain(`Отследить посылку: http://localhost:4000/track/${s.trackingNumber}`);
  });

  it('carrier events: partner keys only for their carrier, all or nothing, idempotent, out-of-order safe; delivery completes the order', async () => {
    clock.set(new Date('2026-12-06T10:00:00Z')); // carriers report after the fact
    partnerKey = (await t.admin(ApiKeyCreateDocument, { input: { name: 'cdek', kind: 'PARTNER', scopes: ['write_shipping'], carrierCodes: ['CDEK'] } })).apiKeyCreate.secret!;
    const ingest = (carrierCode: string, events: Record<string, unknown>[], token = partnerKey) => t.gql(TrackingEventsIngestDocument, { input: { carrierCode, events: events as never } }, { token });
    const ev = (id: string, status: string, occurredAt: string, location = 'Москва, сортировочный центр') => ({ trackingNumber, externalEventId: id, status, occurredAt, location });

    const other = await ingest('FASTCO', [ev('f1', 'IN_TRANSIT', '2026-12-02T12:00:00Z')]);
    expect(other.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const wrong = await ingest('FASTCO', [ev('f1', 'IN_TRANSIT', '2026-12-02T12:00:00Z')], t.adminKey);
    expect(wrong.data!.trackingEventsIngest.userErrors.map((e) => e.code)).toEqual(['WRONG_CARRIER']);
    const unknown = await ingest('CDEK', [ev('e0', 'IN_TRANSIT', '2026-12-02T12:00:00Z'), { ...ev('e00', 'IN_TRANSIT', '2026-12-02T12:00:00Z'), trackingNumber: 'RR473124829GB' }]);
    expect(unknown.data!.trackingEventsIngest).toMatchObject({ accepted: 0, userErrors: [{ code: 'NOT_FOUND', field: ['input', 'events', '1', 'trackingNumber'] }] });
    const future = await ingest('CDEK', [ev('e9', 'IN_TRANSIT', '2026-12-09T12:00:00Z')]);
    expect(future.data!.trackingEventsIngest.userErrors.map((e) => e.code)).toEqual(['INVALID']);
    const ancient = await ingest('CDEK', [ev('e8', 'IN_TRANSIT', '0001-01-01T00:00:00Z')]);
    expect(ancient.data!.trackingEventsIngest.userErrors).toMatchObject([{ code: 'INVALID', field: ['input', 'events', '0', 'occurredAt'] }]);
    expect((await t.gql(TrackingDocument, { trackingNumber }, { token: null })).data!.tracking!.events.length).toBe(1); // nothing written

    // Out of order: the later event first.
    const r1 = await ingest('CDEK', [ev('e2', 'OUT_FOR_DELIVERY', '2026-12-04T08:00:00Z', 'Москва')]);
    expect(r1.data!.trackingEventsIngest).toEqual({ accepted: 1, duplicates: 0, userErrors: [] });
    const r2 = await ingest('CDEK', [ev('e1', 'IN_TRANSIT', '2026-12-03T09:00:00Z', 'Подольск, сортировочный центр'), ev('e2', 'OUT_FOR_DELIVERY', '2026-12-04T08:00:00Z')]);
    expect(r2.data!.trackingEventsIngest).toEqual({ accepted: 1, duplicates: 1, userErrors: [] });
    const tracked = (await t.gql(TrackingDocument, { trackingNumber }, { token: null })).data!.tracking!;
    expect(tracked.status).toBe('OUT_FOR_DELIVERY');
    expect(tracked.events.map((e) => e.status)).toEqual(['LABEL_CREATED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY']);

    const done = await ingest('CDEK', [ev('e3', 'DELIVERED', '2026-12-05T10:30:00Z', 'Москва')]);
    expect(done.data!.trackingEventsIngest.accepted).toBe(1);
    const order = (await t.admin(OrderShipmentsDocument, { id: orderId })).order!;
    expect(order).toMatchObject({ status: 'DELIVERED', deliveredAt: '2026-12-05T10:30:00.000Z', shipments: [{ status: 'DELIVERED' }] });
    await eventually(async () => (await t.admin(OrderNotificationsDocument, { id: orderId })).order!.notifications.find((n) => n.template === 'order_delivered'));
    // Partner systems hear every status of the parcel (SHIPMENT_UPDATED webhooks), with carrier and warehouse for their filters.
    const updates = await t.app.database.rows<{ status: string; carrier: string; wh: string }>(
      sql`select payload->>'status' as status, payload->>'carrierCode' as carrier, payload->>'warehouseCode' as wh from outbox where topic = 'shipment.updated' and payload->>'trackingNumber' = ${trackingNumber} order by id`,
    );
    expect(updates.map((u) => u.status)).toEqual(['LABEL_CREATED', 'OUT_FOR_DELIVERY', 'DELIVERED']);
    expect(updates.every((u) => u.carrier === 'CDEK' && u.wh === 'MSK1')).toBe(true);
  });

  it('public tracking shows no personal data; unknown numbers are rate-limited for anonymous callers', async () => {
    const r = await t.gql(TrackingDocument, { trackingNumber: trackingNumber.toLowerCase() }, { token: null });
    expect(r.data!.tracking).toMatchObject({ trackingNumber, carrierName: 'СДЭК', status: 'DELIVERED', destinationCity: 'Москва' });
    const body = JSON.stringify(r.data);
    for (const personal of ['Анна', 'Иванова', 'Тверская', '+7 900', 'anna@example.ru', '125009']) expect(body).not.toContain(personal);
    const miss = (n: string) => t.gql(TrackingDocument, { trackingNumber: n }, { token: null });
    for (let i = 0; i < 3; i++) expect((await miss(`RR00000000${i}RU`)).data!.tracking).toBeNull();
    const limited = await miss('RR000000009RU');
    expect(limited.errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    // Known numbers still answer.
    expect((await miss(trackingNumber)).data!.tracking!.trackingNumber).toBe(trackingNumber);
  });

  it('shipmentTracking streams carrier events to an anonymous widget', async () => {
    // A second parcel, still moving.
    const courier = (await options()).data!.deliveryOptions.find((o) => o.service.code === 'FAST_COURIER')!;
    const created = (await orderWith(courier.id)).orderCreate.order!;
    const [foId] = await pickAndPack(t, 'MSK1', [created.id], { weightGrams: 600, dimensions: { lengthMm: 200, widthMm: 150, heightMm: 100 } });
    const s = (await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId! } })).shipmentCreate.shipment!;
    expect(s.service.code).toBe('FAST_COURIER');
    const sub = collect<{ shipmentTracking: { tracking: { status: string; events: unknown[] }; event: { status: string; location: string } } }>(
      t.ws(null),
      `subscription ($n: String!) { shipmentTracking(trackingNumber: $n) { tracking { status trackingNumber events { status } } event { status location } } }`,
      { n: s.trackingNumber },
    );
    await settle(300);
    const started = Date.now();
    await t.admin(TrackingEventsIngestDocument, { input: { carrierCode: 'FASTCO', events: [{ trackingNumber: s.trackingNumber, externalEventId: 'x1', status: 'IN_TRANSIT', occurredAt: '2026-12-06T11:00:00Z', location: 'Тула' }] } });
    // The label's own event may still be on its way through the outbox relay when the widget subscribes; it is skipped here.
    const update = await sub.first((u) => u.data?.shipmentTracking.event.status !== 'LABEL_CREATED', 2000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sub.items.slice(0, -1).every((u) => u.data?.shipmentTracking.event.status === 'LABEL_CREATED')).toBe(true);
    expect(update.data!.shipmentTracking).toMatchObject({ event: { status: 'IN_TRANSIT', location: 'Тула' }, tracking: { status: 'IN_TRANSIT', events: [{ status: 'LABEL_CREATED' }, { status: 'IN_TRANSIT' }] } });
    expect(JSON.stringify(update)).not.toContain('Анна');
    sub.dispose();
  });

  it('a backordered order ships what it has and stays BACKORDERED until the rest arrives', async () => {
    const missing = productInput({ variants: [variantInput({ weightGrams: 300 })] });
    await t.admin(ProductCreateDocument, { input: missing });
    const lines = [{ sku: small.sku, quantity: 1 }, { sku: missing.variants[0]!.sku, quantity: 1 }];
    const created = (
      await t.admin(OrderCreateDocument, {
        input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', allowBackorder: true, customer: { email: 'wait@example.ru' }, shippingAddress: moscow() as never, lines },
      })
    ).orderCreate.order!;
    expect(created.status).toBe('BACKORDERED');
    const [foId] = await pickAndPack(t, 'MSK1', [created.id], { weightGrams: 700, dimensions: { lengthMm: 200, widthMm: 150, heightMm: 100 } });
    const shipped = (await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId!, serviceCode: 'CDEK_COURIER' } })).shipmentCreate;
    expect(shipped.userErrors).toEqual([]);
    expect((await t.admin(OrderShipmentsDocument, { id: created.id })).order).toMatchObject({ status: 'BACKORDERED', shipments: [{ status: 'LABEL_CREATED' }] });
    await t.admin(InventoryReceiveDocument, { input: { warehouseCode: 'MSK1', binBarcode: 'MSK1-A-01-01-01', lines: [{ sku: missing.variants[0]!.sku, quantity: 2 }] } });
    await eventually(async () => (await t.admin(OrderShipmentsDocument, { id: created.id })).order!.status === 'ALLOCATED' || null);
  });

  it('a partner key restricted to a carrier sees only that carrier\'s shipments', async () => {
    const reader = (await t.admin(ApiKeyCreateDocument, { input: { name: 'fast-reader', kind: 'PARTNER', scopes: ['read_shipping'], carrierCodes: ['FASTCO'] } })).apiKeyCreate.secret!;
    const shipments = await t.app.database.rows<{ id: string; code: string }>(sql`select s.id, c.code from shipments s join carriers c on c.id = s.carrier_id`);
    for (const row of shipments) {
      const r = await t.gql(ShipmentDocument, { id: toGlobalId('Shipment', row.id) }, { token: reader });
      expect(r.data!.shipment?.carrier.code ?? null).toBe(row.code === 'FASTCO' ? 'FASTCO' : null);
    }
    expect((await t.gql(ShipmentDocument, { id: toGlobalId('Shipment', shipments[0]!.id) }, { token: null })).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('carrierPerformance answers from the history: counts, on-time rate, transit hours, cost per kg', async () => {
    const perf = (await t.admin(CarrierPerformanceDocument, { from: '2026-12-01T00:00:00Z', to: '2026-12-31T00:00:00Z' })).carrierPerformance;
    const cdek = perf.find((p) => p.service.code === 'CDEK_COURIER')!;
    // Label 2 Dec 07:00Z, delivered 5 Dec 10:30Z: 75.5 h, inside the promised window.
    // Two CDEK courier parcels (1.7 kg for 450 RUB, delivered; 0.7 kg for 300 RUB from the backorder test, still moving).
    expect(cdek).toMatchObject({ carrier: { code: 'CDEK' }, shipments: 2, delivered: 1, onTimeRate: 1, avgCost: rub(375_00), costPerKg: rub(Math.round((750_00 * 1000) / 2400)) });
    expect(cdek.avgTransitHours).toBeCloseTo(75.5, 5);
    expect(cdek.p90TransitHours).toBeCloseTo(75.5, 5);
    expect(perf.find((p) => p.service.code === 'FAST_COURIER')).toMatchObject({ shipments: 1, delivered: 0, onTimeRate: null });
    const partner = await t.gql(CarrierPerformanceDocument, { from: '2026-12-01T00:00:00Z', to: '2026-12-31T00:00:00Z' }, { token: partnerKey });
    expect(partner.data!.carrierPerformance.map((p) => p.carrier.code)).toEqual(['CDEK']);
    expect((await t.gql(CarrierPerformanceDocument, { from: '2026-12-01T00:00:00Z', to: '2026-12-31T00:00:00Z' }, { token: null })).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });
});

/** Orders of this test app still waiting to be picked at MSK1 (the pick list takes them all). */
async function openOrders(): Promise<string[]> {
  const rows = await t.app.database.rows<{ id: string }>(sql`select distinct o.id from orders o join fulfillment_orders f on f.order_id = o.id where f.status = 'OPEN'`);
  return rows.map((r) => toGlobalId('Order', r.id));
}

async function eventually<T>(fn: () => Promise<T | undefined | null>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
