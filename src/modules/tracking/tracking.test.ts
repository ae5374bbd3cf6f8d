/**
 * Tracking status that carriers cannot lose: a shipment's status is that of its latest *carrier*
 * event by occurredAt; the system's own LABEL_CREATED event counts only while there is none.
 * Carrier clocks drift and batch uploads arrive late, so events stamped before the label, sent
 * twice and in any order must all end in the same status. Over real HTTP.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierCreateDocument, OrderCreateDocument, OrderShipmentsDocument, ShipmentCreateDocument, TrackingDocument, TrackingEventsIngestDocument } from '../../../test/generated/graphql.js';
import { pickAndPack } from '../../../test/factories/fulfillment.js';
import { address, stockedStore } from '../../../test/factories/stock.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { prng } from '../../../scripts/lib/prng.js';
import { ManualClock } from '../../shared/clock.js';

/** When the labels are created. */
const T0 = new Date('2026-12-06T12:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();
const clock = new ManualClock(T0);
const PROPERTY_RUNS = 10;
let t: TestApp;
/** Shipped parcels, LABEL_CREATED, each used by one test or property run. */
const parcels: { trackingNumber: string; orderId: string }[] = [];

beforeAll(async () => {
  t = await startApp({ clock });
  const [sku] = await stockedStore(t, { msk: [PROPERTY_RUNS + 5], spb: [0] });
  const carrier = await t.admin(CarrierCreateDocument, {
    input: {
      code: 'TRKCO',
      name: 'Track Co',
      services: [{ code: 'TRKCO_COURIER', name: 'Courier', deliveryType: 'COURIER', transitDaysMin: 1, transitDaysMax: 3, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 300_00, currency: 'RUB' } }] }],
    },
  });
  expect(carrier.carrierCreate.userErrors).toEqual([]);
  const orderIds: string[] = [];
  for (let i = 0; i < PROPERTY_RUNS + 2; i++) {
    const created = await t.admin(OrderCreateDocument, {
      input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: `trk${i}@example.ru`, name: 'Анна' }, shippingAddress: address() as never, lines: [{ sku: sku!, quantity: 1 }] },
    });
    expect(created.orderCreate.userErrors).toEqual([]);
    orderIds.push(created.orderCreate.order!.id);
  }
  const foIds = await pickAndPack(t, 'MSK1', orderIds, { weightGrams: 400, dimensions: { lengthMm: 200, widthMm: 150, heightMm: 100 } });
  for (const [i, foId] of foIds.entries()) {
    const shipped = (await t.admin(ShipmentCreateDocument, { input: { fulfillmentOrderId: foId } })).shipmentCreate;
    expect(shipped.userErrors).toEqual([]);
    parcels.push({ trackingNumber: shipped.shipment!.trackingNumber, orderId: orderIds[i]! });
  }
}, 600_000);
afterAll(async () => t?.close());

interface CarrierEvent {
  trackingNumber: string;
  externalEventId: string;
  status: string;
  occurredAt: string;
}

async function ingest(events: CarrierEvent[]) {
  const r = await t.admin(TrackingEventsIngestDocument, { input: { carrierCode: 'TRKCO', events: events as never } });
  expect(r.trackingEventsIngest.userErrors).toEqual([]);
  return r.trackingEventsIngest;
}

async function state(p: { trackingNumber: string; orderId: string }) {
  const order = (await t.admin(OrderShipmentsDocument, { id: p.orderId })).order!;
  const tracking = (await t.gql(TrackingDocument, { trackingNumber: p.trackingNumber }, { token: null })).data!.tracking!;
  const history = await t.app.database.rows<{ sequence: number; status: string; previous_status: string | null; last_sequence: number }>(
    sql`select h.sequence, h.status, h.previous_status, s.last_sequence from shipment_status_events h join shipments s on s.id = h.shipment_id where s.tracking_number = ${p.trackingNumber} order by h.sequence`,
  );
  return { order, tracking, history };
}

/** The history is gapless, each row leaves the status the previous one entered, and it ends in the shipment's status. */
function expectConsistentHistory(history: { sequence: number; status: string; previous_status: string | null; last_sequence: number }[], status: string) {
  expect(history.map((h) => h.sequence)).toEqual(history.map((_, i) => i + 1));
  expect(history[0]).toMatchObject({ status: 'LABEL_CREATED', previous_status: null });
  for (let i = 1; i < history.length; i++) expect(history[i]!.previous_status).toBe(history[i - 1]!.status);
  expect(history.at(-1)!.status).toBe(status);
  expect(history.at(-1)!.last_sequence).toBe(history.length);
}

describe('carrier events against the label event', () => {
  it('an event stamped minutes before the label still moves the shipment; a duplicate and an older event do not; history and webhook event follow', async () => {
    const p = parcels[PROPERTY_RUNS]!;
    const ev = (id: string, status: string, minutes: number): CarrierEvent => ({ trackingNumber: p.trackingNumber, externalEventId: `${p.trackingNumber}-${id}`, status, occurredAt: at(minutes) });

    expect(await ingest([ev('a', 'IN_TRANSIT', -5)])).toMatchObject({ accepted: 1, duplicates: 0 });
    let s = await state(p);
    expect(s.tracking.status).toBe('IN_TRANSIT');
    expect(s.order.shipments).toEqual([{ trackingNumber: p.trackingNumber, status: 'IN_TRANSIT' }]);

    expect(await ingest([ev('a', 'IN_TRANSIT', -5)])).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await ingest([ev('b', 'EXCEPTION', -60)])).toMatchObject({ accepted: 1, duplicates: 0 });
    s = await state(p);
    expect(s.tracking.status).toBe('IN_TRANSIT');
    // Events oldest first, the label among them at its own time.
    expect(s.tracking.events.map((e) => e.status)).toEqual(['EXCEPTION', 'IN_TRANSIT', 'LABEL_CREATED']);
    expect(s.history.map((h) => [h.sequence, h.status, h.previous_status])).toEqual([
      [1, 'LABEL_CREATED', null],
      [2, 'IN_TRANSIT', 'LABEL_CREATED'],
    ]);
    expectConsistentHistory(s.history, 'IN_TRANSIT');

    // Webhooks hear the change with the same payload as before the kernel: carrier, warehouse, carrier time.
    const updates = await t.app.database.rows<{ payload: Record<string, unknown> }>(sql`select payload from outbox where topic = 'shipment.updated' and payload->>'trackingNumber' = ${p.trackingNumber} order by id`);
    const shipmentId = updates[0]!.payload.shipmentId;
    expect(updates.map((u) => u.payload)).toEqual([
      { shipmentId, trackingNumber: p.trackingNumber, orderId: expect.any(String), carrierCode: 'TRKCO', warehouseCode: 'MSK1', status: 'LABEL_CREATED', previousStatus: null, occurredAt: T0.toISOString() },
      { shipmentId, trackingNumber: p.trackingNumber, orderId: expect.any(String), carrierCode: 'TRKCO', warehouseCode: 'MSK1', status: 'IN_TRANSIT', previousStatus: 'LABEL_CREATED', occurredAt: at(-5) },
    ]);

    // Delivered, stamped before the label too: the order is delivered at the carrier's time.
    expect(await ingest([ev('c', 'DELIVERED', -1)])).toMatchObject({ accepted: 1 });
    s = await state(p);
    expect(s.order).toMatchObject({ status: 'DELIVERED', deliveredAt: at(-1), shipments: [{ status: 'DELIVERED' }] });
    expectConsistentHistory(s.history, 'DELIVERED');
  });
});

describe('property: order of arrival does not matter', () => {
  const NOT_DELIVERED = ['LABEL_CREATED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'FAILED_ATTEMPT', 'AT_PICKUP_POINT', 'EXCEPTION', 'RETURNED_TO_SENDER'] as const;

  it('any permutation with duplicates, in any batches, of carrier events (some stamped before the label) ends in the latest carrier event\'s status, and the order follows', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Distinct times from three days before the label to ten hours after it; statuses; whether the latest is a delivery.
        fc.uniqueArray(fc.integer({ min: -3 * 24 * 60, max: 10 * 60 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom(...NOT_DELIVERED), { minLength: 6, maxLength: 6 }),
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 0, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (minutes, statuses, deliveredLast, dupIndexes, batchSizes, seed) => {
          const p = parcels[run++]!;
          const latestMinute = Math.max(...minutes);
          const events = minutes.map((m, i) => ({
            trackingNumber: p.trackingNumber,
            externalEventId: `${p.trackingNumber}-e${i}`,
            status: m === latestMinute && deliveredLast ? 'DELIVERED' : statuses[i]!,
            occurredAt: at(m),
          }));
          // Every event at least once, some twice; shuffled by the seed.
          const sent = [...events, ...dupIndexes.map((d) => events[d % events.length]!)];
          const rnd = prng(seed);
          for (let i = sent.length - 1; i > 0; i--) {
            const j = rnd.int(0, i);
            [sent[i], sent[j]] = [sent[j]!, sent[i]!];
          }
          let accepted = 0;
          for (let i = 0, b = 0; i < sent.length; i += batchSizes[b++ % batchSizes.length]!) {
            accepted += (await ingest(sent.slice(i, i + batchSizes[b % batchSizes.length]!))).accepted;
          }
          expect(accepted).toBe(events.length);

          const latest = events.find((e) => e.occurredAt === at(latestMinute))!;
          const s = await state(p);
          expect(s.tracking.status).toBe(latest.status);
          expect(s.order.shipments).toEqual([{ trackingNumber: p.trackingNumber, status: latest.status }]);
          expect(s.order.status).toBe(latest.status === 'DELIVERED' ? 'DELIVERED' : 'SHIPPED');
          expect(s.order.deliveredAt).toBe(latest.status === 'DELIVERED' ? latest.occurredAt : null);
          expectConsistentHistory(s.history, latest.status);
          expect(s.tracking.events).toHaveLength(events.length + 1); // the label event and each carrier event once
        },
      ),
      { numRuns: PROPERTY_RUNS },
    );
  }, 600_000);
});
