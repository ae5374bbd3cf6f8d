/**
 * The return parcel (issue 14, item 4): created on approval through createReturnShipment, read
 * and tracked over the API like an outbound parcel, but it never moves the order, never counts
 * as the fulfillment order's shipment and stays out of carrier performance.
 */
import { sql } from 'drizzle-orm';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BinLocationsCreateDocument,
  CarrierCreateDocument,
  CarrierPerformanceDocument,
  ReturnParcelDocument,
  ReturnParcelOrderDocument,
  RoutePlanCreateShipmentsDocument,
  ScanShipmentDocument,
  ShipmentCreateDocument,
  TrackingDocument,
  TrackingEventsIngestDocument,
  WarehouseCreateDocument,
  ZoneCreateDocument,
} from '../../../test/generated/graphql.js';
import { returnRowBoundFor, staffContext } from '../../../test/factories/return-requests.js';
import { deliveredOrder } from '../../../test/factories/returns.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { transact } from '../../events/outbox.js';
import { clearCarrierCatalog } from '../carriers/carrier.service.js';
import { toGlobalId } from '../../graphql/relay.js';
import type { ReturnRow } from './returns.state.js';
import { createReturnShipment } from './returns.shipment.js';

let t: TestApp;
const RETURNS_WH = 'RPKZN';
const FOREIGN_WH = 'RPALA';

const ok = (errors: readonly unknown[]) => expect(errors).toEqual([]);

async function warehouse(code: string, city: string, countryCode: string, postalCode: string) {
  ok(
    (
      await t.admin(WarehouseCreateDocument, {
        input: { code, name: `Возвраты ${city}`, cutoffTime: '14:00', timezone: 'Europe/Moscow', address: { name: 'Склад', line1: 'Заводская 7', city, postalCode, countryCode, location: { lat: 55.8, lng: 49.1 } } },
      })
    ).warehouseCreate.userErrors,
  );
  await t.admin(ZoneCreateDocument, { input: { warehouseCode: code, code: 'R', name: 'Returns', kind: 'RETURNS', distanceRank: 5 } });
  await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: code, zoneCode: 'R', aisles: ['R'], racks: 1, levels: 1, positions: 1 } });
}

const approveParcel = (ret: ReturnRow) => {
  const ctx = staffContext(t);
  return transact(ctx, (tx, events) => createReturnShipment(ctx, tx, events, ret));
};

const shipmentCount = async () => Number((await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from shipments`))[0]!.n);
const parcelOf = async (id: string) => (await t.admin(ReturnParcelDocument, { id: toGlobalId('Shipment', id) })).shipment!;

beforeAll(async () => {
  t = await startApp();
  await warehouse(RETURNS_WH, 'Казань', 'RU', '420000');
  await warehouse(FOREIGN_WH, 'Алматы', 'KZ', '050000');
  // Two services cheaper than the factories' 300.00 RUB: the cheaper one must be chosen. Up to
  // 1.5 kg: a heavier return goes with a factory carrier's COURIER service.
  const rate = (amountMinor: number) => [{ countryCode: 'RU', maxWeightGrams: 1_500, price: { amountMinor, currency: 'RUB' } }];
  ok(
    (
      await t.admin(CarrierCreateDocument, {
        input: {
          code: 'RPCAR',
          name: 'Return Post',
          services: [
            { code: 'RPCAR_POINT', name: 'To a point', deliveryType: 'PICKUP_POINT', transitDaysMin: 2, transitDaysMax: 5, maxWeightGrams: 1_500, rates: rate(150_00) },
            { code: 'RPCAR_CHEAP', name: 'Economy', deliveryType: 'PARTNER', transitDaysMin: 3, transitDaysMax: 7, maxWeightGrams: 1_500, rates: rate(120_00) },
          ],
        },
      })
    ).carrierCreate.userErrors,
  );
}, 120_000);
afterAll(() => t?.close());

describe('createReturnShipment', () => {
  it('books a RETURN parcel from the customer to the return warehouse with the cheapest service and a real PDF label', async () => {
    const order = await deliveredOrder(t);
    const ret = await returnRowBoundFor(t, order, { warehouseCode: RETURNS_WH });
    // A cold carrier catalogue is read inside the approval's transaction (on PGlite a read beside it would hang).
    clearCarrierCatalog(t.app.database);
    const parcel = await approveParcel(ret);
    expect(parcel).not.toBeNull();

    const s = await parcelOf(parcel!.shipmentId);
    const orderView = (await t.admin(ReturnParcelOrderDocument, { id: order.orderId })).order!;
    expect(s).toMatchObject({
      trackingNumber: parcel!.trackingNumber,
      direction: 'RETURN',
      status: 'LABEL_CREATED',
      carrier: { code: 'RPCAR' },
      service: { code: 'RPCAR_CHEAP' },
      cost: { amountMinor: 120_00, currency: 'RUB' },
      estimatedDeliveryTo: null,
      deliveredAt: null,
      fulfillmentOrder: { id: orderView.fulfillmentOrders[0]!.id },
      events: [{ status: 'LABEL_CREATED', location: 'Москва' }],
    });
    // The factory's variant: 400 g in a 200 x 150 x 80 mm box, one unit, packed into a carton.
    expect(s.weightGrams).toBeGreaterThan(400);

    const pdf = Buffer.from(s.label.content, 'base64');
    expect(s.label.format).toBe('PDF');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(1);
    // The same layout as ZPL text: FROM the customer's street in Moscow, TO the warehouse in Kazan, the RMA number.
    const zpl = Buffer.from(s.zplLabel!.content, 'base64').toString('utf8');
    const at = (text: string) => zpl.indexOf(`^FD${text}`);
    expect(at('FROM')).toBeGreaterThan(-1);
    expect(at('ул. Арбат')).toBeGreaterThan(at('FROM'));
    expect(at('TO')).toBeGreaterThan(at('ул. Арбат'));
    expect(zpl.indexOf('Казань', at('TO'))).toBeGreaterThan(at('TO'));
    expect(zpl.slice(0, at('TO'))).not.toContain('Казань');
    expect(zpl).toContain(`Return: ${ret.number}`);

    // Lifecycle start and the live tracking event, like an outbound shipment's.
    const history = await t.app.database.rows<{ sequence: number; status: string }>(sql`select sequence, status from shipment_status_events where shipment_id = ${parcel!.shipmentId}`);
    expect(history).toEqual([{ sequence: 1, status: 'LABEL_CREATED' }]);
    const outbox = await t.app.database.rows<{ topic: string }>(sql`select topic from outbox where payload->>'trackingNumber' = ${parcel!.trackingNumber} order by topic`);
    expect(outbox.map((e) => e.topic)).toEqual(['shipment.tracking', 'shipment.updated']);

    // Order.shipments stays the outbound parcel; public tracking and dock scanning know the return parcel.
    expect(orderView.shipments).toEqual([{ trackingNumber: order.trackingNumber, direction: 'OUTBOUND' }]);
    const pub = (await t.gql(TrackingDocument, { trackingNumber: parcel!.trackingNumber }, { token: null })).data!.tracking!;
    expect(pub).toMatchObject({ status: 'LABEL_CREATED', destinationCity: 'Казань', carrierName: 'Return Post' });
    const scan = (await t.admin(ScanShipmentDocument, { warehouseCode: order.warehouseCode, barcode: parcel!.trackingNumber })).scanBarcode;
    expect(scan).toEqual({ kind: 'SHIPMENT', shipment: { trackingNumber: parcel!.trackingNumber } });
  });

  it('returns null and writes nothing when no carrier service can carry the parcel (warehouse in a country no rate card covers)', async () => {
    const order = await deliveredOrder(t);
    const ret = await returnRowBoundFor(t, order, { warehouseCode: FOREIGN_WH });
    const before = await shipmentCount();
    expect(await approveParcel(ret)).toBeNull();
    expect(await shipmentCount()).toBe(before);
  });

  it("is not a stop of the warehouse's courier run, even when a COURIER service carries it", async () => {
    const order = await deliveredOrder(t, { lines: [{ quantity: 4 }] });
    const parcel = (await approveParcel(await returnRowBoundFor(t, order, { lines: [{ line: 0, quantity: 4 }] })))!;
    const s = await parcelOf(parcel.shipmentId);
    expect(s.weightGrams).toBeGreaterThan(1_500);
    expect(s.service.code).toMatch(/_COURIER$/);
    expect(s.status).toBe('LABEL_CREATED');
    const shift = { shiftStart: '2026-11-26T06:00:00.000Z', shiftEnd: '2026-11-26T14:00:00.000Z' };
    const r = await t.admin(RoutePlanCreateShipmentsDocument, { input: { warehouseCode: order.warehouseCode, date: '2026-11-26', vehicles: [{ id: 'V1', capacity: 10, ...shift }], timeLimitMs: 300 } });
    expect(r.routePlanCreate.userErrors.map((e) => e.code)).toEqual(['NO_STOPS']);
  });

  it('leaves the fulfillment order shipped once: shipmentCreate still answers ALREADY_SHIPPED and writes nothing', async () => {
    const order = await deliveredOrder(t);
    await approveParcel(await returnRowBoundFor(t, order, { warehouseCode: RETURNS_WH }));
    const foId = (await t.admin(ReturnParcelOrderDocument, { id: order.orderId })).order!.fulfillmentOrders[0]!.id;
    const before = await shipmentCount();
    const r = (await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId } })).shipmentCreate;
    expect(r.userErrors.map((e) => e.code)).toEqual(['ALREADY_SHIPPED']);
    expect(r.shipment).toBeNull();
    expect(await shipmentCount()).toBe(before);
  });
});

describe('tracking a return parcel', () => {
  const ingest = (trackingNumber: string, id: string, status: 'IN_TRANSIT' | 'DELIVERED', occurredAt: Date) =>
    t.admin(TrackingEventsIngestDocument, { input: { carrierCode: 'RPCAR', events: [{ trackingNumber, externalEventId: id, status, occurredAt: occurredAt.toISOString(), location: 'Казань' }] } });

  it("stores its events idempotently and follows the latest, but its delivery keeps the order's status and deliveredAt", async () => {
    const order = await deliveredOrder(t);
    const before = (await t.admin(ReturnParcelOrderDocument, { id: order.orderId })).order!;
    expect(before.status).toBe('DELIVERED');
    const parcel = (await approveParcel(await returnRowBoundFor(t, order, { warehouseCode: RETURNS_WH })))!;
    // Carrier clocks run a little ahead (within the allowed skew): both scans come after the label.
    const deliveredAt = new Date(Date.now() + 60_000);
    expect((await ingest(parcel.trackingNumber, `rp-dlv-${parcel.trackingNumber}`, 'DELIVERED', deliveredAt)).trackingEventsIngest).toMatchObject({ accepted: 1, duplicates: 0, userErrors: [] });
    expect((await ingest(parcel.trackingNumber, `rp-dlv-${parcel.trackingNumber}`, 'DELIVERED', deliveredAt)).trackingEventsIngest).toMatchObject({ accepted: 0, duplicates: 1 });
    // A late-arriving scan stamped before the delivery does not take the status back.
    expect((await ingest(parcel.trackingNumber, `rp-tr-${parcel.trackingNumber}`, 'IN_TRANSIT', new Date(deliveredAt.getTime() - 30_000))).trackingEventsIngest).toMatchObject({ accepted: 1 });

    const s = await parcelOf(parcel.shipmentId);
    expect(s.status).toBe('DELIVERED');
    expect(s.deliveredAt).toBe(deliveredAt.toISOString());
    expect(s.events.map((e) => e.status)).toEqual(['LABEL_CREATED', 'IN_TRANSIT', 'DELIVERED']);
    expect((await t.gql(TrackingDocument, { trackingNumber: parcel.trackingNumber }, { token: null })).data!.tracking!.status).toBe('DELIVERED');

    const after = (await t.admin(ReturnParcelOrderDocument, { id: order.orderId })).order!;
    expect(after).toMatchObject({ status: 'DELIVERED', deliveredAt: before.deliveredAt });
  });

  it('a delivered return parcel of an order still on its way does not make the order DELIVERED', async () => {
    const order = await deliveredOrder(t, { deliveredAt: null });
    const parcel = (await approveParcel(await returnRowBoundFor(t, order, { warehouseCode: RETURNS_WH })))!;
    await ingest(parcel.trackingNumber, `rp-dlv-${parcel.trackingNumber}`, 'DELIVERED', new Date(Date.now() - 60_000));
    expect((await parcelOf(parcel.shipmentId)).status).toBe('DELIVERED');
    expect((await t.admin(ReturnParcelOrderDocument, { id: order.orderId })).order!).toMatchObject({ status: 'SHIPPED', deliveredAt: null });
  });

  it('carrierPerformance counts outbound parcels only', async () => {
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const order = await deliveredOrder(t);
    const perf = async () => (await t.admin(CarrierPerformanceDocument, { from, to })).carrierPerformance;
    const before = await perf();
    expect(before.some((r) => r.carrier.code === order.carrierCode)).toBe(true);
    const parcel = (await approveParcel(await returnRowBoundFor(t, order, { warehouseCode: RETURNS_WH })))!;
    await ingest(parcel.trackingNumber, `rp-perf-${parcel.trackingNumber}`, 'DELIVERED', new Date(Date.now() - 1_000));
    expect(await perf()).toEqual(before);
    expect((await perf()).some((r) => r.carrier.code === 'RPCAR')).toBe(false);
  });
});
