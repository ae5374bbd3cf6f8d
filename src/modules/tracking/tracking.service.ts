/**
 * Tracking: carrier events in (idempotent by the carrier's event id, out-of-order safe: a
 * shipment's status is that of its latest carrier event by occurredAt, which the shipments module
 * applies), public tracking out (no personal data, city-level places only), and carrier
 * performance from the store's own history. Reads shipments only through their service.
 */
import { transact } from '../../events/outbox.js';
import { AccessError, BusinessError, ErrorList } from '../../shared/errors.js';
import { isPlausibleDate } from '../../shared/plausible-date.js';
import { hasScope, mayAccessCarrier } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { deliverOrderIfComplete } from '../orders/order.shipping.js';
import { roundedMoney } from '../../shared/money.js';
import type { TrackingPush } from '../carriers/carrier.adapter.js';
import { carrierCatalog, type CarrierRow, type CatalogService } from '../carriers/carrier.service.js';
import { SHIPMENT_STATUSES } from '../shipments/shipment.service.js';
import {
  deliveredShipmentsOfOrders,
  eventsByShipmentIds,
  recordCarrierEvents,
  shipmentsByTrackingNumbersUnfiltered,
  shipmentStatsByService,
  type ShipmentRow,
  type TrackingEventRow,
} from '../shipments/shipment.service.js';


/** One carrier event: what a carrier adapter parses from its push (the same shape), or the GraphQL input. */
export type TrackingEventInput = TrackingPush;

const MAX_EVENTS = 1000;
/** Carrier clocks drift; an event more than this far in the future is refused. */
const FUTURE_SKEW_MS = 24 * 3_600_000;

/**
 * Stores carrier events, all or nothing. For carrier PARTNER keys restricted to that carrier, and
 * staff with write_shipping. Errors: NOT_FOUND (carrier, tracking number), WRONG_CARRIER (the
 * parcel is another carrier's), INVALID. Duplicates (same carrier event id) are counted, not stored.
 */
export async function ingestTrackingEvents(ctx: ServiceContext, input: { carrierCode: string; events: TrackingEventInput[] }): Promise<{ accepted: number; duplicates: number }> {
  const p = ctx.principal;
  if (p.kind === 'ANONYMOUS') throw new AccessError('UNAUTHENTICATED', 'Authentication required.');
  if (!hasScope(p, 'write_shipping')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope write_shipping.');
  const code = input.carrierCode.trim().toUpperCase();
  if (!mayAccessCarrier(p, code)) throw new AccessError('FORBIDDEN', `Forbidden: this key may not report for carrier ${code}.`);
  const e = new ErrorList();
  const carrier = (await carrierCatalog(ctx)).carriers.find((c) => c.code === code);
  if (!carrier) e.add('NOT_FOUND', `No carrier ${code}.`, ['input', 'carrierCode']);
  if (!input.events.length || input.events.length > MAX_EVENTS) e.add('INVALID', `Send 1 to ${MAX_EVENTS} events.`, ['input', 'events']);
  const now = ctx.clock.now().getTime();
  input.events.forEach((ev, i) => {
    const at = (...f: string[]) => ['input', 'events', i, ...f];
    if (!ev.externalEventId?.trim() || ev.externalEventId.length > 200) e.add('INVALID', 'externalEventId is 1 to 200 characters.', at('externalEventId'));
    if (!SHIPMENT_STATUSES.includes(ev.status)) e.add('INVALID', 'Unknown status.', at('status'));
    if (!(ev.occurredAt instanceof Date) || Number.isNaN(ev.occurredAt.getTime())) e.add('INVALID', 'occurredAt is not a date.', at('occurredAt'));
    else if (!isPlausibleDate(ev.occurredAt)) e.add('INVALID', 'occurredAt must be between 2000-01-01 and 2100-01-01 (UTC).', at('occurredAt'));
    else if (ev.occurredAt.getTime() > now + FUTURE_SKEW_MS) e.add('INVALID', 'occurredAt is in the future.', at('occurredAt'));
    if ((ev.location?.length ?? 0) > 200) e.add('INVALID', 'location is at most 200 characters.', at('location'));
    if ((ev.description?.length ?? 0) > 500) e.add('INVALID', 'description is at most 500 characters.', at('description'));
  });
  e.throwIfAny();
  const numbers = [...new Set(input.events.map((ev) => ev.trackingNumber.trim().toUpperCase()))];
  const found = await shipmentsByTrackingNumbersUnfiltered(ctx, numbers);
  const byNumber = new Map(found.map((s) => [s.trackingNumber, s]));
  input.events.forEach((ev, i) => {
    const s = byNumber.get(ev.trackingNumber.trim().toUpperCase());
    if (!s) e.add('NOT_FOUND', `No shipment with tracking number ${ev.trackingNumber}.`, ['input', 'events', i, 'trackingNumber']);
    else if (s.carrierId !== carrier!.id) e.add('WRONG_CARRIER', `${ev.trackingNumber} is not a ${code} parcel.`, ['input', 'events', i, 'trackingNumber']);
  });
  e.throwIfAny();

  // The same event twice in one batch counts as a duplicate, like one sent again later.
  const unique = new Map<string, TrackingEventInput>();
  for (const ev of input.events) if (!unique.has(ev.externalEventId.trim())) unique.set(ev.externalEventId.trim(), ev);
  return transact(ctx, async (tx, events) => {
    const { inserted, delivered } = await recordCarrierEvents(
      ctx,
      tx,
      events,
      carrier!,
      [...unique.entries()].map(([externalEventId, ev]) => ({
        shipmentId: byNumber.get(ev.trackingNumber.trim().toUpperCase())!.id,
        externalEventId,
        status: ev.status,
        occurredAt: ev.occurredAt,
        location: ev.location?.trim() || null,
        description: ev.description?.trim() || null,
      })),
    );
    // An order is delivered when every part of it is.
    const newlyDelivered = [...new Set(delivered.map((s) => s.orderId))].sort();
    const parts = await deliveredShipmentsOfOrders(tx, newlyDelivered);
    for (const orderId of newlyDelivered) {
      const done = parts.filter((x) => x.orderId === orderId);
      const lastAt = new Date(Math.max(...done.map((x) => +(x.deliveredAt ?? 0))));
      await deliverOrderIfComplete(ctx, tx, events, orderId, new Set(done.map((x) => x.fulfillmentOrderId)), lastAt);
    }
    return { accepted: inserted.length, duplicates: input.events.length - inserted.length };
  });
}

export interface PublicTrackingView {
  shipment: ShipmentRow;
  carrierName: string;
  events: TrackingEventRow[];
}

/** Public: what a tracking widget shows, or null. No personal data is read into it. */
export async function publicTracking(ctx: ServiceContext, trackingNumber: string): Promise<PublicTrackingView | null> {
  const n = trackingNumber.trim().toUpperCase();
  if (!/^[A-Z0-9]{6,40}$/.test(n)) return null;
  const [s] = await shipmentsByTrackingNumbersUnfiltered(ctx, [n]);
  if (!s) return null;
  const [events, catalog] = await Promise.all([eventsByShipmentIds(ctx, [s.id]), carrierCatalog(ctx)]);
  const carrier = catalog.carriers.find((c) => c.id === s.carrierId);
  return { shipment: s, carrierName: carrier?.name ?? '', events };
}

export interface CarrierPerformanceRow {
  carrier: CarrierRow;
  service: CatalogService;
  shipments: number;
  delivered: number;
  onTimeRate: number | null;
  avgTransitHours: number | null;
  p90TransitHours: number | null;
  avgCostMinor: number | null;
  costPerKgMinor: number | null;
  currency: string | null;
}

/**
 * Per carrier service, over outbound shipments created in [from, to) (return parcels are not counted): how many, how many delivered, the
 * share delivered by the promised window's end, transit hours (label to delivery) average and
 * p90, average cost and cost per kg. Requires read_shipping; partners see their carriers.
 */
export async function carrierPerformance(ctx: ServiceContext, from: Date, to: Date): Promise<CarrierPerformanceRow[]> {
  const p = ctx.principal;
  if (p.kind === 'ANONYMOUS') throw new AccessError('UNAUTHENTICATED', 'Authentication required.');
  if (!hasScope(p, 'read_shipping')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_shipping.');
  if (!(to > from)) throw BusinessError.of('INVALID', '`to` must be after `from`.', ['to']);
  const rows = await shipmentStatsByService(ctx, from, to);
  const catalog = await carrierCatalog(ctx);
  const out: CarrierPerformanceRow[] = [];
  for (const r of rows) {
    const service = catalog.serviceById.get(r.serviceId);
    if (!service || !mayAccessCarrier(p, service.carrier.code)) continue;
    const delivered = Number(r.delivered);
    const num = (v: unknown) => (v == null ? null : Number(v));
    out.push({
      carrier: service.carrier,
      service,
      shipments: Number(r.shipments),
      delivered,
      onTimeRate: delivered ? Number(r.onTime) / delivered : null,
      avgTransitHours: num(r.avgHours),
      p90TransitHours: num(r.p90Hours),
      avgCostMinor: r.avgCost == null || r.currency == null ? null : roundedMoney(Number(r.avgCost), r.currency).amountMinor,
      costPerKgMinor: r.costPerKg == null || r.currency == null ? null : roundedMoney(Number(r.costPerKg), r.currency).amountMinor,
      currency: r.currency,
    });
  }
  return out.sort((a, b) => a.carrier.code.localeCompare(b.carrier.code) || a.service.position - b.service.position);
}
