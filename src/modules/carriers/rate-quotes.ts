/**
 * What shipping to a place costs, without a cart: each service's price for a parcel of a given
 * weight to a destination, from the carriers' own adapters (the rate card's most specific row:
 * postal code prefix, then region, then country). For answers like "how much is delivery to
 * Kazan?" (the support assistant); checkout uses deliveryOptions, which prices the real cart.
 */
import type { ServiceContext } from '../../shared/service-context.js';
import { adapterFor } from './carrier.adapter.js';
import { carrierCatalog } from './carrier.service.js';
import type { Destination } from './rates.js';
import type { DeliveryTypeValue } from '../../shared/delivery-type.js';

export interface RateQuote {
  carrierName: string;
  serviceName: string;
  deliveryType: DeliveryTypeValue;
  priceMinor: number;
  currency: string;
  transitDaysMin: number;
  transitDaysMax: number;
}

/** Every service that carries a parcel of `weightGrams` to `destination` in `currency`, cheapest first. */
export async function rateQuotes(ctx: ServiceContext, input: { destination: Destination; weightGrams: number; currency: string }): Promise<RateQuote[]> {
  const catalog = await carrierCatalog(ctx);
  const out: RateQuote[] = [];
  for (const s of catalog.services) {
    const q = adapterFor(s.carrier.adapter).quote({
      service: s,
      destination: input.destination,
      actualWeightGrams: input.weightGrams,
      chargeableWeightGrams: input.weightGrams,
    });
    if (!q || q.currency !== input.currency) continue;
    out.push({ carrierName: s.carrier.name, serviceName: s.name, deliveryType: s.deliveryType, priceMinor: q.priceMinor, currency: q.currency, transitDaysMin: s.transitDaysMin, transitDaysMax: s.transitDaysMax });
  }
  return out.sort((a, b) => a.priceMinor - b.priceMinor || a.transitDaysMax - b.transitDaysMax);
}
