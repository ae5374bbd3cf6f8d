/**
 * Checkout delivery options: for each carrier service that can carry the parcel(s) from the
 * warehouse(s) the order would ship from to the destination, the rate-card price of the parcel
 * the server would actually ship, the delivery window (dispatch date after the warehouse's
 * cut-off, weekends and holidays skipped, plus transit business days), and for pickup-point
 * services the nearest points with capacity. Each option's id is a signed, expiring quote that
 * orderCreate redeems (see shipping.quote.ts and the DeliveryQuotes extension below).
 */
import { isCountryCode } from '../../shared/country.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { add, isCurrency, money } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsBySkusKept } from '../catalog/catalog.service.js';
import type { DeliveryQuotes, QuoteFacts, RedeemedDelivery } from '../orders/order.delivery.js';
import { previewAllocation } from '../orders/order.service.js';
import type { DeliveryTypeValue } from '../../shared/delivery-type.js';
import type { AddressData, WarehouseRow } from '../warehouse/warehouse.service.js';
import { adapterFor } from './carrier.adapter.js';
import { carrierCatalog, type CarrierRow, type CatalogService } from './carrier.service.js';
import { deliveryWindow, type DispatchCalendar } from './calendar.js';
import { chargeableWeightGrams, estimateParcel, type Parcel, type ParcelItem } from './parcel.js';
import { pickupPointsNear, takePickupCapacity, type PickupPointView } from './pickup.service.js';
import { quoteFactsHash, quoteSecret, quoteSigner, verifyQuote } from './delivery.quote.js';

export interface DeliveryOptionView {
  id: string;
  type: DeliveryTypeValue;
  carrier: CarrierRow;
  service: CatalogService;
  priceMinor: number;
  currency: string;
  estimatedDeliveryFrom: Date;
  estimatedDeliveryTo: Date;
  pickupPoint: PickupPointView | null;
  shipsFrom: WarehouseRow[];
}

export interface DeliveryOptionsInput {
  destination: AddressData;
  lines: { sku: string; quantity: number }[];
  currency: string;
}

export const calendarOf = (w: WarehouseRow): DispatchCalendar => ({ timezone: w.timezone, cutoffTime: w.cutoffTime, countryCode: w.address.countryCode });

/**
 * Priced, dated options, sorted by price then speed. A valid destination nobody serves, or a
 * parcel too heavy for every service, is an empty list. Errors (BAD_USER_INPUT): INVALID,
 * INVALID_COUNTRY, INVALID_CURRENCY, NOT_FOUND (SKU).
 */
export async function deliveryOptions(ctx: ServiceContext, input: DeliveryOptionsInput): Promise<DeliveryOptionView[]> {
  const e = new ErrorList();
  const d = input.destination;
  const country = d.countryCode?.trim().toUpperCase() ?? '';
  if (!isCountryCode(country)) e.add('INVALID_COUNTRY', `Unknown country "${d.countryCode}" (ISO 3166-1 alpha-2 expected).`, ['input', 'destination', 'countryCode']);
  if (!d.city?.trim()) e.add('INVALID', 'City is required.', ['input', 'destination', 'city']);
  if (!d.postalCode?.trim()) e.add('INVALID', 'Postal code is required.', ['input', 'destination', 'postalCode']);
  if (d.location && !(Math.abs(d.location.lat) <= 90 && Math.abs(d.location.lng) <= 180)) e.add('INVALID', 'Coordinates out of range.', ['input', 'destination', 'location']);
  if (!isCurrency(input.currency)) e.add('INVALID_CURRENCY', `Unknown ISO 4217 currency "${input.currency}".`, ['input', 'currency']);
  if (!input.lines.length || input.lines.length > 100) e.add('INVALID', 'Give 1 to 100 lines.', ['input', 'lines']);
  input.lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > 10_000) e.add('INVALID', 'Quantity must be 1 to 10,000.', ['input', 'lines', i, 'quantity']);
  });
  e.throwIfAny();
  const variantsP = variantsBySkusKept(ctx, [...new Set(input.lines.map((l) => l.sku))]);
  variantsP.catch(() => {}); // awaited below; not an unhandled rejection if the catalog fails first
  const catalog = await carrierCatalog(ctx);
  const services = catalog.services.filter((s) => s.rates.some((r) => r.countryCode === country && r.currency === input.currency));
  // The pickup-point search needs only the destination and the services, so it runs alongside the
  // SKU lookup and the availability read instead of after them (fewer sequential round trips).
  const pickupServices = services.filter((s) => s.deliveryType === 'PICKUP_POINT');
  const perService = ctx.config.PICKUP_OPTIONS_PER_SERVICE;
  const pickupCarriers = [...new Set(pickupServices.map((s) => s.carrierId))];
  const pointsP: Promise<PickupPointView[]> =
    pickupServices.length && d.location
      ? pickupPointsNear(ctx, d.location, ctx.config.PICKUP_OPTIONS_RADIUS_KM, 200, {
          carrierIds: [null, ...pickupCarriers],
          // Each pickup service shows its carrier's first points of this list (below), so only those are read.
          quota: { carrierIds: pickupCarriers, count: perService },
        })
      : Promise.resolve([]);
  pointsP.catch(() => {});
  const variants = await variantsP;
  const bySku = new Map(variants.map((v) => [v.sku, v]));
  input.lines.forEach((l, i) => {
    if (!bySku.has(l.sku)) e.add('NOT_FOUND', `Unknown SKU ${l.sku}.`, ['input', 'lines', i, 'sku']);
  });
  e.throwIfAny();
  if (!services.length) return [];

  const destination = { ...d, countryCode: country };
  const need = input.lines.map((l) => ({ variantId: bySku.get(l.sku)!.id, quantity: l.quantity }));
  const parts = await previewAllocation(ctx, need, destination);
  if (!parts.length) return [];
  const byId = new Map(variants.map((v) => [v.id, v]));
  const parcels = parts.map((p) => ({
    warehouse: p.warehouse,
    parcel: estimateParcel(
      p.lines.map((l): ParcelItem => {
        const v = byId.get(l.variantId)!;
        return { weightGrams: v.weightGrams, lengthMm: v.lengthMm, widthMm: v.widthMm, heightMm: v.heightMm, quantity: l.quantity };
      }),
    ),
  }));

  const now = ctx.clock.now();
  const nowMs = now.getTime();
  const signer = quoteSigner(quoteSecret(ctx.config.QUOTE_SECRET));
  const facts = quoteFactsHash({ lines: input.lines, destination, currency: input.currency });
  const expires = nowMs + ctx.config.QUOTE_TTL_MINUTES * 60_000;
  const points = await pointsP;

  const options: DeliveryOptionView[] = [];
  const shipsFrom = parcels.map((p) => p.warehouse);
  const calendars = parcels.map((p) => calendarOf(p.warehouse));
  // The latest window over the parcels (each leaves its own warehouse; deliveryWindow keeps the windows of the minute).
  const windowOf = ({ transitDaysMin, transitDaysMax }: CatalogService) => {
    let fromMs = -Infinity;
    let toMs = -Infinity;
    for (const cal of calendars) {
      const one = deliveryWindow(now, cal, transitDaysMin, transitDaysMax);
      fromMs = Math.max(fromMs, one.from.getTime());
      toMs = Math.max(toMs, one.to.getTime());
    }
    return { fromMs, toMs, from: new Date(fromMs), to: new Date(toMs) };
  };
  for (const service of services) {
    const priced = priceParcels(service, parcels, destination, input.currency);
    if (!priced) continue;
    const { fromMs, toMs, from, to } = windowOf(service);
    const sign = signer({ v: 1, s: service.code, t: service.deliveryType, p: priced, c: input.currency, f: fromMs, u: toMs, x: expires, h: facts });
    const option = (pickupPoint: PickupPointView | null): DeliveryOptionView => ({
      id: sign(pickupPoint?.id ?? null),
      type: service.deliveryType,
      carrier: service.carrier,
      service,
      priceMinor: priced,
      currency: input.currency,
      estimatedDeliveryFrom: from,
      estimatedDeliveryTo: to,
      pickupPoint,
      shipsFrom,
    });
    if (service.deliveryType === 'PICKUP_POINT') {
      let taken = 0;
      for (const p of points) {
        if (taken === perService) break;
        if (p.carrierId !== null && p.carrierId !== service.carrierId) continue;
        options.push(option(p));
        taken++;
      }
    } else {
      options.push(option(null));
    }
  }
  return options.sort(
    (a, b) =>
      a.priceMinor - b.priceMinor ||
      a.estimatedDeliveryTo.getTime() - b.estimatedDeliveryTo.getTime() ||
      (a.pickupPoint?.distanceKm ?? 0) - (b.pickupPoint?.distanceKm ?? 0) ||
      a.service.code.localeCompare(b.service.code),
  );
}

/** Sum of the parcels' rate-card prices with this service, or null when it cannot carry one of them. */
function priceParcels(service: CatalogService, parcels: { parcel: Parcel }[], destination: AddressData, currency: string): number | null {
  const adapter = adapterFor(service.carrier.adapter);
  let total = money(0, currency);
  for (const { parcel } of parcels) {
    const q = adapter.quote({
      service,
      destination,
      actualWeightGrams: parcel.weightGrams,
      chargeableWeightGrams: chargeableWeightGrams(parcel, service.volumetricDivisor),
    });
    if (!q || q.currency !== currency) return null;
    total = add(total, money(q.priceMinor, q.currency));
  }
  return total.amountMinor;
}

/** orderCreate's side of a quote: verify (signature, expiry, same cart and destination) and take pickup capacity. */
export const deliveryQuotes: DeliveryQuotes = {
  verify(ctx: ServiceContext, quoteId: string, facts: QuoteFacts, path: (string | number)[]): RedeemedDelivery {
    const where = path.map(String);
    const check = verifyQuote(quoteSecret(ctx.config.QUOTE_SECRET), quoteId, ctx.clock.now().getTime());
    if (!check.ok) throw BusinessError.of(check.code, check.message, where);
    const q = check.payload;
    const destination = { ...facts.destination, countryCode: facts.destination.countryCode.trim().toUpperCase() };
    if (q.c !== facts.currency || q.h !== quoteFactsHash({ lines: facts.lines, destination, currency: facts.currency })) {
      throw BusinessError.of('DELIVERY_OPTION_INVALID', 'This delivery option was quoted for another cart, address or currency; ask for delivery options again.', where);
    }
    return {
      deliveryType: q.t,
      carrierServiceCode: q.s,
      pickupPointId: q.pp,
      shippingMinor: q.p,
      estimatedDeliveryFrom: new Date(q.f),
      estimatedDeliveryTo: new Date(q.u),
    };
  },
  async commit(ctx, tx, events, delivery, path) {
    if (delivery.pickupPointId) await takePickupCapacity(ctx, tx, events, delivery.pickupPointId, path);
  },
};
