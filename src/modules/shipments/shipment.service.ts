/**
 * Shipments: a packed fulfillment order leaves with a carrier service (given, the one the
 * customer's quote fixed, or rate-shopped by strategy), a tracking number with a check digit and
 * a real label; in the same transaction the stock leaves the ledger, the fulfillment order is
 * SHIPPED and the order SHIPPED or PARTIALLY_SHIPPED (whose event carries the tracking numbers
 * for the customer's e-mail).
 */
import { and, asc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import { AccessError, BusinessError } from '../../shared/errors.js';
import { hasScope, mayAccessCarrier, mayAccessWarehouse } from '../../shared/principal.js';
import { begin, transition } from '../../shared/lifecycle.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { isUniqueViolation, variantsByIds } from '../catalog/catalog.service.js';
import { customersByIdsUnfiltered } from '../customers/customer.service.js';
import { fulfilledLinesQuery, fulfillmentLinesByFoIds, fulfillmentOrdersByIds, type FulfillmentOrderRow } from '../orders/order.service.js';
import { orderRowsByIds, shipFulfillmentOrder } from '../orders/order.shipping.js';
import { requireObjectWarehouse, warehouseCodesQuery, warehousesByIds } from '../warehouse/warehouse.service.js';
import { adapterFor } from '../carriers/carrier.adapter.js';
import { carrierCatalog, carrierCodesQuery, requireShipping, type CatalogService } from '../carriers/carrier.service.js';
import { deliveryWindow } from '../carriers/calendar.js';
import { calendarOf } from '../carriers/delivery.service.js';
import { chargeableWeightGrams, estimateParcel, type Parcel } from '../carriers/parcel.js';
import { pickupPointsByIds } from '../carriers/pickup.service.js';
import { chooseService, type RateStrategyValue } from '../carriers/rate-shopping.js';
import { SHIPMENT_UPDATED, shipmentLifecycle, STATUS_PRECEDENCE } from './shipment.state.js';
import { shipments, trackingEvents, type ParcelData, type ShipmentStatusValue } from './shipment.table.js';

export type ShipmentRow = typeof shipments.$inferSelect;
export type TrackingEventRow = typeof trackingEvents.$inferSelect;

export { SHIPMENT_UPDATED };
export const SHIPMENT_TRACKING = 'shipment.tracking';

export interface ShipmentCreateInput {
  fulfillmentOrderId: string;
  serviceCode?: string | null;
  strategy?: RateStrategyValue | null;
}

/**
 * Parcels to customers. Return parcels (direction RETURN) have no promised window, move no order
 * and are not what a carrier is judged on here: every read below about delivering orders or a
 * carrier's record takes only these.
 */
const outbound = eq(shipments.direction, 'OUTBOUND');

/** Delivered and late outbound shipments per service (the history BEST_VALUE weighs). */
export async function lateHistory(ctx: ServiceContext, serviceIds: string[]): Promise<Map<string, { delivered: number; late: number }>> {
  if (!serviceIds.length) return new Map();
  const rows = await ctx.database.db
    .select({
      serviceId: shipments.serviceId,
      delivered: sql<number>`count(*)::int`,
      late: sql<number>`count(*) filter (where ${shipments.deliveredAt} > ${shipments.estimatedDeliveryTo})::int`,
    })
    .from(shipments)
    .where(and(inArray(shipments.serviceId, serviceIds), eq(shipments.status, 'DELIVERED'), outbound))
    .groupBy(shipments.serviceId);
  return new Map(rows.map((r) => [r.serviceId, { delivered: Number(r.delivered), late: Number(r.late) }]));
}

/**
 * Ships a PACKED fulfillment order. Errors: NOT_FOUND, INVALID_STATE_TRANSITION (not packed),
 * ALREADY_SHIPPED, SERVICE_NOT_FOUND, SERVICE_UNAVAILABLE (the service cannot carry this parcel
 * there, or is of another delivery type), NO_SERVICE (rate shopping found none).
 */
export async function createShipment(ctx: ServiceContext, input: ShipmentCreateInput): Promise<ShipmentRow> {
  requireShipping(ctx, 'write_shipping');
  const path = ['input', 'fulfillmentOrderId'];
  const noFo = () => BusinessError.of('NOT_FOUND', 'No such fulfillment order.', path);
  const [fo] = await fulfillmentOrdersByIds(ctx, [input.fulfillmentOrderId]);
  if (!fo) throw noFo();
  // Another warehouse's fulfillment order answers exactly as one that does not exist.
  const wh = await requireObjectWarehouse(ctx, fo.warehouseId, noFo);
  const [[existing], [order]] = await Promise.all([
    ctx.database.db.select({ id: shipments.id }).from(shipments).where(and(eq(shipments.fulfillmentOrderId, fo.id), outbound)),
    orderRowsByIds(ctx, [fo.orderId]),
  ]);
  if (existing || fo.status === 'SHIPPED') throw BusinessError.of('ALREADY_SHIPPED', 'This fulfillment order has a shipment already.', path);
  if (fo.status !== 'PACKED') throw BusinessError.of('INVALID_STATE_TRANSITION', `Only a PACKED fulfillment order can be shipped; this one is ${fo.status}.`, path);
  const parcel = await parcelOf(ctx, fo);
  const point = order!.pickupPointId ? (await pickupPointsByIds(ctx, [order!.pickupPointId]))[0] ?? null : null;
  const destination = point?.address ?? order!.shippingAddress;

  // Candidates: services of the order's delivery type that can carry the parcel there, priced.
  const catalog = await carrierCatalog(ctx);
  const priced = (s: CatalogService) => {
    if (s.deliveryType !== order!.deliveryType || !mayAccessCarrier(ctx.principal, s.carrier.code)) return null;
    if (point?.carrierId && point.carrierId !== s.carrierId) return null;
    const q = adapterFor(s.carrier.adapter).quote({ service: s, destination, actualWeightGrams: parcel.weightGrams, chargeableWeightGrams: chargeableWeightGrams(parcel, s.volumetricDivisor) });
    return q ? { service: s, ...q } : null;
  };
  let chosen: { service: CatalogService; priceMinor: number; currency: string } | null = null;
  const requested = input.serviceCode?.trim().toUpperCase() || (order!.carrierServiceCode ?? null);
  if (requested) {
    const s = catalog.serviceByCode.get(requested);
    if (!s) throw BusinessError.of('SERVICE_NOT_FOUND', `No carrier service ${requested}.`, ['input', 'serviceCode']);
    chosen = priced(s);
    if (!chosen) {
      throw BusinessError.of('SERVICE_UNAVAILABLE', `${requested} cannot carry this ${parcel.weightGrams} g ${order!.deliveryType} parcel to ${destination.city}, ${destination.countryCode}.`, ['input', 'serviceCode']);
    }
  } else {
    const candidates = catalog.services.map(priced).filter((c): c is NonNullable<typeof c> => !!c);
    const history = await lateHistory(ctx, candidates.map((c) => c.service.id));
    const pick = chooseService(
      candidates.map((c) => ({ ...c, code: c.service.code, transitDaysMin: c.service.transitDaysMin, transitDaysMax: c.service.transitDaysMax, ...(history.get(c.service.id) ?? { delivered: 0, late: 0 }) })),
      input.strategy ?? 'BEST_VALUE',
    );
    if (!pick) throw BusinessError.of('NO_SERVICE', `No ${order!.deliveryType} carrier service can carry this ${parcel.weightGrams} g parcel to ${destination.city}, ${destination.countryCode}.`, ['input', 'fulfillmentOrderId']);
    chosen = pick;
  }
  const service = chosen.service;
  const now = ctx.clock.now();
  const window = order!.carrierServiceCode === service.code && order!.estimatedDeliveryTo
    ? { from: order!.estimatedDeliveryFrom!, to: order!.estimatedDeliveryTo }
    : deliveryWindow(now, calendarOf(wh), service.transitDaysMin, service.transitDaysMax);
  const recipientName = order!.shippingAddress.name ?? (await customersByIdsUnfiltered(ctx, [order!.customerId]))[0]?.name ?? null;
  const parcelData: ParcelData = { ...parcel, chargeableWeightGrams: chargeableWeightGrams(parcel, service.volumetricDivisor) };

  for (let attempt = 0; ; attempt++) {
    const booked = await adapterFor(service.carrier.adapter).createShipment({
      service,
      originCountry: wh.address.countryCode,
      label: {
        carrierName: service.carrier.name,
        serviceName: service.name,
        serviceCode: service.code,
        sender: { ...wh.address, name: wh.name },
        recipient: point ? { ...point.address, name: recipientName, phone: order!.shippingAddress.phone ?? null } : { ...order!.shippingAddress, name: recipientName },
        weightGrams: parcel.weightGrams,
        orderNumber: order!.number,
        createdAt: now,
        pickupPointCode: point?.code ?? null,
      },
    });
    try {
      return await transact(ctx, async (tx, events) => {
        const previous = await tx.select({ trackingNumber: shipments.trackingNumber }).from(shipments).where(and(eq(shipments.orderId, order!.id), outbound)).orderBy(asc(shipments.createdAt));
        const row = await insertLabelledShipment(
          tx,
          {
            orderId: order!.id,
            fulfillmentOrderId: fo.id,
            carrierId: service.carrierId,
            serviceId: service.id,
            trackingNumber: booked.trackingNumber,
            status: 'LABEL_CREATED',
            costMinor: chosen!.priceMinor,
            currency: chosen!.currency,
            weightGrams: parcel.weightGrams,
            parcel: parcelData,
            labelFormat: booked.label.format,
            labelContent: booked.label.content,
            labelZpl: booked.zpl,
            destinationCity: destination.city,
            pickupPointId: point?.id ?? null,
            estimatedDeliveryFrom: window.from,
            estimatedDeliveryTo: window.to,
            lastEventAt: now,
            createdAt: now,
          },
          { location: wh.address.city, description: 'Label created, parcel handed to the carrier' },
        );
        await shipFulfillmentOrder(ctx, tx, events, fo, wh, [...previous.map((p) => p.trackingNumber), row.trackingNumber], `shipment:${row.trackingNumber}`);
        await announceShipment(tx, events, row, { message: 'Label created', carrierCode: service.carrier.code, warehouseCode: wh.code });
        return row;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const [again] = await ctx.database.db.select({ id: shipments.id }).from(shipments).where(and(eq(shipments.fulfillmentOrderId, fo.id), outbound));
      if (again) throw BusinessError.of('ALREADY_SHIPPED', 'This fulfillment order has a shipment already.', path);
      if (attempt >= 3) throw err; // tracking-number collisions four times in a row: not chance
    }
  }
}

/** The public tracking page of a parcel (linked from e-mails and the API). */
export const trackingUrl = (publicUrl: string, trackingNumber: string): string => `${publicUrl.replace(/\/$/, '')}/track/${encodeURIComponent(trackingNumber)}`;

/** The parcel as packed (fulfillmentOrderPack records weight and dimensions); estimated from the items for a parcel packed without them. */
async function parcelOf(ctx: ServiceContext, fo: FulfillmentOrderRow): Promise<Parcel> {
  if (fo.packedWeightGrams != null && fo.packedLengthMm != null && fo.packedWidthMm != null && fo.packedHeightMm != null) {
    return { weightGrams: fo.packedWeightGrams, lengthMm: fo.packedLengthMm, widthMm: fo.packedWidthMm, heightMm: fo.packedHeightMm, box: null };
  }
  const lines = await fulfillmentLinesByFoIds(ctx, [fo.id]);
  const variants = new Map((await variantsByIds(ctx, [...new Set(lines.map((l) => l.variantId))])).map((v) => [v.id, v]));
  return estimateParcel(
    lines.map((l) => {
      const v = variants.get(l.variantId)!;
      return { weightGrams: v.weightGrams, lengthMm: v.lengthMm, widthMm: v.widthMm, heightMm: v.heightMm, quantity: l.quantity };
    }),
  );
}

/** The outbox event live tracking subscribers receive (no personal data in it). */
export function trackingTopicEvent(s: Pick<ShipmentRow, 'id' | 'trackingNumber'>, e: { status: string; occurredAt: string; location?: string | null; description?: string | null }, carrierCode: string) {
  return { topic: SHIPMENT_TRACKING, payload: { shipmentId: s.id, trackingNumber: s.trackingNumber, carrierCode, event: e } };
}

/** Shipments the caller may see: read_shipping staff (partners only of their carriers), or the order's customer. */
export async function shipmentsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<ShipmentRow[]> {
  if (!ids.length) return [];
  const rows = await ctx.database.db.select().from(shipments).where(inArray(shipments.id, [...ids]));
  return visibleShipments(ctx, rows);
}

/** The outbound parcels of orders, oldest first (Order.shipments; a return's parcel is on the return). */
export async function shipmentsByOrderIds(ctx: ServiceContext, orderIds: readonly string[]): Promise<ShipmentRow[]> {
  const rows = await ctx.database.db.select().from(shipments).where(and(inArray(shipments.orderId, [...orderIds]), outbound)).orderBy(asc(shipments.createdAt));
  return visibleShipments(ctx, rows, true);
}

/**
 * The id of the shipment with this tracking number (scanning), outbound or return: a return
 * parcel scanned at the dock is recognised too. One of a warehouse hidden from a restricted key
 * answers as none; reading the shipment goes through the visibility rules.
 */
export async function shipmentIdByTrackingNumber(ctx: ServiceContext, trackingNumber: string): Promise<string | null> {
  const rows = await ctx.database.db.select().from(shipments).where(eq(shipments.trackingNumber, trackingNumber.trim().toUpperCase()));
  const [row] = await inVisibleWarehouses(ctx, rows);
  return row?.id ?? null;
}

/** The rows the caller may see. `viaOrder`: the caller already sees the order (Order.shipments), so its customer sees them too. */
export async function visibleShipments(ctx: ServiceContext, rows: ShipmentRow[], viaOrder = false): Promise<ShipmentRow[]> {
  const p = ctx.principal;
  if (!rows.length) return rows;
  if (p.kind === 'CUSTOMER') {
    if (viaOrder) return rows;
    const orders = await orderRowsByIds(ctx, [...new Set(rows.map((r) => r.orderId))]);
    const mine = new Set(orders.filter((o) => o.customerId === p.customerId).map((o) => o.id));
    return rows.filter((r) => mine.has(r.orderId));
  }
  if (hasScope(p, 'read_shipping')) {
    rows = await inVisibleWarehouses(ctx, rows);
    if (!p.carrierCodes) return rows;
    const cat = await carrierCatalog(ctx);
    const allowed = new Set(cat.carriers.filter((c) => p.carrierCodes!.includes(c.code)).map((c) => c.id));
    return rows.filter((r) => allowed.has(r.carrierId));
  }
  if (viaOrder && hasScope(p, 'read_orders')) return inVisibleWarehouses(ctx, rows);
  return [];
}

/** A PARTNER restricted to warehouses sees only shipments that leave them (the others answer as ids that do not exist). */
async function inVisibleWarehouses(ctx: ServiceContext, rows: ShipmentRow[]): Promise<ShipmentRow[]> {
  const codes = ctx.principal.warehouseCodes;
  if (!codes || !rows.length) return rows;
  const fos = await fulfillmentOrdersByIds(ctx, [...new Set(rows.map((r) => r.fulfillmentOrderId))]);
  const whs = new Map((await warehousesByIds(ctx, [...new Set(fos.map((f) => f.warehouseId))])).map((w) => [w.id, w.code]));
  const allowed = new Set(fos.filter((f) => mayAccessWarehouse(ctx.principal, whs.get(f.warehouseId) ?? '')).map((f) => f.id));
  return rows.filter((r) => allowed.has(r.fulfillmentOrderId));
}

export async function shipmentById(ctx: ServiceContext, id: string): Promise<ShipmentRow | null> {
  if (ctx.principal.kind === 'ANONYMOUS') throw new AccessError('UNAUTHENTICATED', 'Authentication required.');
  return (await shipmentsByIds(ctx, [id]))[0] ?? null;
}

export async function eventsByShipmentIds(ctx: ServiceContext, ids: readonly string[]): Promise<TrackingEventRow[]> {
  return ctx.database.db
    .select()
    .from(trackingEvents)
    .where(inArray(trackingEvents.shipmentId, [...ids]))
    .orderBy(asc(trackingEvents.shipmentId), asc(trackingEvents.occurredAt), asc(trackingEvents.receivedAt));
}

/** The external id of the shipment's own label event: not a carrier event (it never outranks one). */
export const labelEventId = (trackingNumber: string): string => `waybill:label:${trackingNumber}`;

/**
 * Inserts a shipment whose label was just made, with its own LABEL_CREATED tracking event (the
 * status the parcel has until the carrier reports), in the caller's transaction. Outbound and
 * return parcels alike; `announceShipment` then starts its lifecycle.
 */
export async function insertLabelledShipment(
  tx: Executor,
  values: typeof shipments.$inferInsert & { createdAt: Date },
  labelEvent: { location: string | null; description: string },
): Promise<ShipmentRow> {
  const [row] = await tx.insert(shipments).values(values).returning();
  await tx.insert(trackingEvents).values({
    shipmentId: row!.id,
    carrierId: row!.carrierId,
    externalEventId: labelEventId(row!.trackingNumber),
    status: 'LABEL_CREATED',
    occurredAt: values.createdAt,
    location: labelEvent.location,
    description: labelEvent.description,
  });
  return row!;
}

/** Starts a new shipment's lifecycle (history row 1, shipment.updated) and emits its label event to tracking subscribers. */
export async function announceShipment(
  tx: Executor,
  events: EventWriter,
  row: ShipmentRow,
  opts: { message: string; carrierCode: string; warehouseCode: string | null },
): Promise<void> {
  await begin(tx, events, shipmentLifecycle, [row], { at: row.createdAt, message: opts.message, payload: { carrierCode: opts.carrierCode, warehouseCode: opts.warehouseCode } });
  await events.emit(trackingTopicEvent(row, { status: 'LABEL_CREATED', occurredAt: row.createdAt.toISOString() }, opts.carrierCode));
}

/** Shipments by tracking number (normalised), unfiltered: for carrier ingestion and public tracking, which apply their own rules. */
export async function shipmentsByTrackingNumbersUnfiltered(ctx: ServiceContext, trackingNumbers: readonly string[]): Promise<ShipmentRow[]> {
  if (!trackingNumbers.length) return [];
  return ctx.database.db.select().from(shipments).where(inArray(shipments.trackingNumber, [...trackingNumbers]));
}

export interface CarrierEvent {
  shipmentId: string;
  externalEventId: string;
  status: ShipmentStatusValue;
  occurredAt: Date;
  location: string | null;
  description: string | null;
}

type EventKey = Pick<TrackingEventRow, 'externalEventId' | 'status' | 'occurredAt'>;

/**
 * Which of two events is the later: occurredAt, then (same instant) the status further on in
 * STATUS_PRECEDENCE, then the external id. By content only, so the answer does not depend on the
 * order events arrived in.
 */
export function laterEvent<E extends EventKey>(a: E, b: E): E {
  const d = +a.occurredAt - +b.occurredAt || STATUS_PRECEDENCE.indexOf(a.status) - STATUS_PRECEDENCE.indexOf(b.status);
  if (d) return d > 0 ? a : b;
  return a.externalEventId >= b.externalEventId ? a : b;
}

/**
 * Stores one carrier's events (a known carrier event id is skipped) and moves every shipment they
 * touch to the status of its latest carrier event by occurredAt (see laterEvent); the shipment's
 * own label event counts only while it has no carrier event. Return parcels are tracked the same
 * way. Status changes go through the lifecycle kernel (history row and SHIPMENT_UPDATED event);
 * each stored event is published on the live tracking topic. In the caller's transaction; the shipments are locked in id order, so
 * concurrent pushes for one parcel serialise. Returns the stored events and the OUTBOUND shipments
 * that became DELIVERED (what may complete an order; a delivered return parcel is not among them).
 */
export async function recordCarrierEvents(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  carrier: { id: string; code: string },
  input: readonly CarrierEvent[],
): Promise<{ inserted: TrackingEventRow[]; delivered: ShipmentRow[] }> {
  const affected = [...new Set(input.map((e) => e.shipmentId))].sort();
  if (!affected.length) return { inserted: [], delivered: [] };
  const locked = await tx.select().from(shipments).where(inArray(shipments.id, affected)).orderBy(asc(shipments.id)).for('update');
  const inserted = await tx
    .insert(trackingEvents)
    .values(input.map((e) => ({ ...e, carrierId: carrier.id })))
    .onConflictDoNothing({ target: [trackingEvents.carrierId, trackingEvents.externalEventId] })
    .returning();
  if (!inserted.length) return { inserted, delivered: [] };
  const touched = [...new Set(inserted.map((r) => r.shipmentId))].sort();
  const all = await tx
    .select({ shipmentId: trackingEvents.shipmentId, externalEventId: trackingEvents.externalEventId, status: trackingEvents.status, occurredAt: trackingEvents.occurredAt })
    .from(trackingEvents)
    .where(inArray(trackingEvents.shipmentId, touched));
  // Warehouses the parcels left from: webhook subscriptions of 3PL partners get only theirs.
  const byId = new Map(locked.map((s) => [s.id, s]));
  const fos = await fulfillmentOrdersByIds(ctx, [...new Set(touched.map((id) => byId.get(id)!.fulfillmentOrderId))], tx);
  const codeOf = new Map((await warehousesByIds(ctx, [...new Set(fos.map((f) => f.warehouseId))], tx)).map((w) => [w.id, w.code]));
  const foWarehouse = new Map(fos.map((f) => [f.id, codeOf.get(f.warehouseId) ?? null]));
  const delivered: ShipmentRow[] = [];
  for (const id of touched) {
    const before = byId.get(id)!;
    const label = labelEventId(before.trackingNumber);
    const latest = all.filter((e) => e.shipmentId === id && e.externalEventId !== label).reduce<EventKey | null>((a, e) => (a ? laterEvent(a, e) : e), null);
    if (!latest) continue;
    const set = { lastEventAt: latest.occurredAt, deliveredAt: latest.status === 'DELIVERED' ? latest.occurredAt : null };
    if (latest.status !== before.status) {
      const after = await transition(tx, events, shipmentLifecycle, before, latest.status, {
        at: latest.occurredAt,
        message: `${carrier.code} event ${latest.externalEventId}`,
        set,
        payload: { carrierCode: carrier.code, warehouseCode: foWarehouse.get(before.fulfillmentOrderId) ?? null },
      });
      // A return parcel reaching the warehouse delivers no order (its units are received by scan).
      if (after.status === 'DELIVERED' && after.direction === 'OUTBOUND') delivered.push(after);
    } else if (+(before.lastEventAt ?? 0) !== +set.lastEventAt || +(before.deliveredAt ?? 0) !== +(set.deliveredAt ?? 0)) {
      await tx.update(shipments).set(set).where(eq(shipments.id, id));
    }
  }
  await events.emit(
    ...[...inserted]
      .sort((a, b) => +a.occurredAt - +b.occurredAt)
      .map((r) => trackingTopicEvent(byId.get(r.shipmentId)!, { status: r.status, occurredAt: r.occurredAt.toISOString(), location: r.location, description: r.description }, carrier.code)),
  );
  return { inserted, delivered };
}

/** The DELIVERED outbound shipments of these orders (fulfillment order and when), read in the caller's transaction. */
export async function deliveredShipmentsOfOrders(tx: Executor, orderIds: readonly string[]): Promise<Pick<ShipmentRow, 'orderId' | 'fulfillmentOrderId' | 'deliveredAt'>[]> {
  if (!orderIds.length) return [];
  return tx
    .select({ orderId: shipments.orderId, fulfillmentOrderId: shipments.fulfillmentOrderId, deliveredAt: shipments.deliveredAt })
    .from(shipments)
    .where(and(inArray(shipments.orderId, [...orderIds]), eq(shipments.status, 'DELIVERED'), outbound));
}

export interface ServiceStatsRow {
  serviceId: string;
  shipments: number;
  delivered: number;
  onTime: number;
  avgHours: number | null;
  p90Hours: number | null;
  avgCost: number | null;
  costPerKg: number | null;
  currency: string | null;
}

/**
 * Per carrier service, over outbound shipments created in [from, to): counts, delivered by the
 * promised window's end, transit hours (label to delivery) average and p90, average cost and cost
 * per kg. Return parcels are left out: they have no promised window, and their "transit" starts
 * when the label is made, not when the customer hands the parcel in.
 */
export async function shipmentStatsByService(ctx: ServiceContext, from: Date, to: Date): Promise<ServiceStatsRow[]> {
  const hours = sql`extract(epoch from (${shipments.deliveredAt} - ${shipments.createdAt})) / 3600.0`;
  return ctx.database.db
    .select({
      serviceId: shipments.serviceId,
      shipments: sql<number>`count(*)::int`,
      delivered: sql<number>`count(${shipments.deliveredAt})::int`,
      onTime: sql<number>`count(*) filter (where ${shipments.deliveredAt} <= ${shipments.estimatedDeliveryTo})::int`,
      avgHours: sql<number | null>`avg(${hours})::float8`,
      p90Hours: sql<number | null>`(percentile_cont(0.9) within group (order by ${hours}))::float8`,
      avgCost: sql<number | null>`avg(${shipments.costMinor})::float8`,
      costPerKg: sql<number | null>`(sum(${shipments.costMinor}) * 1000.0 / nullif(sum(${shipments.weightGrams}), 0))::float8`,
      currency: sql<string | null>`min(${shipments.currency})`,
    })
    .from(shipments)
    .where(and(gte(shipments.createdAt, from), lt(shipments.createdAt, to), outbound))
    .groupBy(shipments.serviceId);
}
export { SHIPMENT_STATUSES, type ShipmentStatusValue } from './shipment.table.js';

/** The OUTBOUND shipments of these orders (fulfillment order, status, delivery time), unfiltered; `executor`: the caller's transaction or the pool. */
export async function outboundShipmentsOfOrders(
  executor: Executor,
  orderIds: readonly string[],
): Promise<Pick<ShipmentRow, 'id' | 'orderId' | 'fulfillmentOrderId' | 'status' | 'deliveredAt'>[]> {
  if (!orderIds.length) return [];
  return executor
    .select({ id: shipments.id, orderId: shipments.orderId, fulfillmentOrderId: shipments.fulfillmentOrderId, status: shipments.status, deliveredAt: shipments.deliveredAt })
    .from(shipments)
    .where(and(inArray(shipments.orderId, [...orderIds]), eq(shipments.direction, 'OUTBOUND')));
}

/** Tracking numbers of shipments by id, unfiltered (event payloads of objects that link a shipment). */
export async function trackingNumbersOfShipments(executor: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await executor.select({ id: shipments.id, trackingNumber: shipments.trackingNumber }).from(shipments).where(inArray(shipments.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.trackingNumber]));
}

/** Restrictions of shippedLinesQuery: only these warehouses / carriers (by code); absent = all. */
export interface ShippedLinesScope {
  warehouseCodes?: readonly string[] | null;
  carrierCodes?: readonly string[] | null;
}

const codeIn = (column: SQL, codes: readonly string[]): SQL => (codes.length ? sql`${column} in (${sql.join(codes.map((c) => sql`${c}`), sql`, `)})` : sql`false`);

/**
 * Port for analytics composed into one statement (returnAnalytics): a subquery of the units that
 * left in OUTBOUND shipments created in [from, to) (from null: any time before `to`), one row per
 * fulfillment line, columns
 * `fulfillment_line_id, order_line_id, variant_id, units, carrier_code, warehouse_code,
 * shipped_at`. Return parcels (direction RETURN) are not shipments of goods sold and never appear.
 * Reads shipments' own table and the orders, warehouse and carriers modules' ports.
 */
export function shippedLinesQuery(from: Date | null, to: Date, scope: ShippedLinesScope = {}): SQL {
  const conds: SQL[] = [sql`${shipments.direction} = 'OUTBOUND'`, sql`${shipments.createdAt} < ${to.toISOString()}::timestamptz`];
  if (from) conds.push(sql`${shipments.createdAt} >= ${from.toISOString()}::timestamptz`);
  if (scope.warehouseCodes) conds.push(codeIn(sql`w.code`, scope.warehouseCodes));
  if (scope.carrierCodes) conds.push(codeIn(sql`c.code`, scope.carrierCodes));
  return sql`select fl.fulfillment_line_id, fl.order_line_id, fl.variant_id, fl.units, c.code as carrier_code, w.code as warehouse_code, ${shipments.createdAt} as shipped_at
    from ${shipments}
    join (${fulfilledLinesQuery()}) fl on fl.fulfillment_order_id = ${shipments.fulfillmentOrderId}
    join (${warehouseCodesQuery()}) w on w.id = fl.warehouse_id
    join (${carrierCodesQuery()}) c on c.id = ${shipments.carrierId}
    where ${sql.join(conds, sql` and `)}`;
}
