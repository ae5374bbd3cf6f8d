/**
 * The extension point through which orderCreate redeems a delivery quote (a `deliveryOptionId`).
 * Orders only knows this shape; the shipping module implements it and the composition root wires it,
 * so shipping may depend on orders and never the other way round.
 */
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import { ExtensionKey } from '../../shared/extensions.js';
import type { ServiceContext } from '../../shared/service-context.js';
import type { AddressData } from '../warehouse/warehouse.service.js';
import type { DeliveryTypeValue } from './order.table.js';

/** What a valid quote fixes on the order. */
export interface RedeemedDelivery {
  deliveryType: DeliveryTypeValue;
  carrierServiceCode: string;
  pickupPointId: string | null;
  /** The shipping price the customer was shown, in the order currency. */
  shippingMinor: number;
  estimatedDeliveryFrom: Date;
  estimatedDeliveryTo: Date;
}

/** The facts of the order a quote must have been made for. */
export interface QuoteFacts {
  lines: readonly { sku: string; quantity: number }[];
  destination: AddressData;
  currency: string;
}

export interface DeliveryQuotes {
  /**
   * Checks a quote before the order's transaction: signature, expiry, and that it was made for
   * these lines, this destination and currency. Throws a BusinessError (DELIVERY_OPTION_INVALID,
   * DELIVERY_OPTION_EXPIRED) naming `path`.
   */
  verify(ctx: ServiceContext, quoteId: string, facts: QuoteFacts, path: (string | number)[]): RedeemedDelivery;
  /**
   * Inside the order's transaction: takes what the delivery needs (one unit of a pickup point's
   * capacity for the day), with its events. Throws a BusinessError (PICKUP_POINT_FULL) that rolls the order back.
   */
  commit(ctx: ServiceContext, tx: Executor, events: EventWriter, delivery: RedeemedDelivery, path: (string | number)[]): Promise<void>;
}

export const DELIVERY_QUOTES = new ExtensionKey<DeliveryQuotes>('orders.deliveryQuotes');
