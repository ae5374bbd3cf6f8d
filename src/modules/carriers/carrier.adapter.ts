/**
 * One interface for every carrier integration: quote a parcel, create a shipment with its label,
 * cancel it, and read the carrier's tracking pushes. The built-in `rate_card` adapter prices from
 * the stored rate card and issues S10 tracking numbers and our own labels; a real carrier's API
 * (CDEK, Boxberry, ...) becomes another implementation registered under its name, and no caller
 * changes.
 */
import type { LabelData } from './label/label.layout.js';
import { renderLabelPdf } from './label/label.pdf.js';
import { renderLabelZpl } from './label/label.zpl.js';
import { matchRateIndexed, type Destination, type RateRow } from './rates.js';
import { generateTrackingNumber } from './tracking-number.js';
import type { ShipmentStatusValue } from './carrier.table.js';

export interface AdapterService {
  code: string;
  deliveryType: string;
  maxWeightGrams: number;
  volumetricDivisor: number;
  rates: readonly RateRow[];
}

export interface QuoteRequest {
  service: AdapterService;
  destination: Destination;
  actualWeightGrams: number;
  chargeableWeightGrams: number;
}

export interface CreatedShipment {
  trackingNumber: string;
  label: { format: 'PDF'; content: string };
  zpl: string | null;
}

export interface TrackingPush {
  trackingNumber: string;
  externalEventId: string;
  status: ShipmentStatusValue;
  occurredAt: Date;
  location?: string | null;
  description?: string | null;
}

export interface CarrierAdapter {
  readonly name: string;
  /** Price of the parcel with this service, or null when the service cannot carry it there. */
  quote(req: QuoteRequest): { priceMinor: number; currency: string } | null;
  /** Books the shipment with the carrier: tracking number and label. */
  createShipment(req: { service: AdapterService; label: Omit<LabelData, 'trackingNumber'>; originCountry: string }): Promise<CreatedShipment>;
  /** Cancels a booked shipment at the carrier (no-op for the rate card). */
  cancel(trackingNumber: string): Promise<void>;
  /** Reads a carrier's own tracking webhook body into events (the rate card's is already our shape). */
  parseTrackingPush(body: unknown): TrackingPush[];
}

export const rateCardAdapter: CarrierAdapter = {
  name: 'rate_card',
  quote({ service, destination, actualWeightGrams, chargeableWeightGrams }) {
    if (actualWeightGrams > service.maxWeightGrams) return null;
    const row = matchRateIndexed(service.rates, destination, chargeableWeightGrams);
    return row ? { priceMinor: row.priceMinor, currency: row.currency } : null;
  },
  async createShipment({ service, label, originCountry }) {
    // S10 service indicator: C (parcel) + the delivery type's letter; country of posting.
    const prefix = service.deliveryType === 'PICKUP_POINT' ? 'CP' : service.deliveryType === 'PARTNER' ? 'CR' : 'CC';
    const trackingNumber = generateTrackingNumber(prefix, /^[A-Z]{2}$/.test(originCountry) ? originCountry : 'RU');
    const data = { ...label, trackingNumber };
    const pdf = await renderLabelPdf(data);
    return { trackingNumber, label: { format: 'PDF', content: Buffer.from(pdf).toString('base64') }, zpl: renderLabelZpl(data) };
  },
  async cancel() {},
  parseTrackingPush(body) {
    const events = (body as { events?: unknown[] })?.events ?? [];
    return events.map((e) => {
      const r = e as Record<string, string>;
      return {
        trackingNumber: String(r.trackingNumber),
        externalEventId: String(r.externalEventId),
        status: r.status as ShipmentStatusValue,
        occurredAt: new Date(r.occurredAt!),
        location: r.location ?? null,
        description: r.description ?? null,
      };
    });
  },
};

const adapters = new Map<string, CarrierAdapter>([[rateCardAdapter.name, rateCardAdapter]]);

export function adapterFor(name: string): CarrierAdapter {
  return adapters.get(name) ?? rateCardAdapter;
}

