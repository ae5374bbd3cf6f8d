import { GraphQLError } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { CUSTOMER } from '../../graphql/auth.js';
import { GeoPointInput } from '../../graphql/common.types.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { idOfType } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import { payload } from '../../graphql/user-error.js';
import { money } from '../../shared/money.js';
import { orderLoaders } from '../orders/order.loaders.js';
import { FulfillmentOrder, Order } from '../orders/order.types.js';
import { ScanResult, Warehouse } from '../warehouse/warehouse.types.js';
import { createCarrier, listCarriers } from './carrier.service.js';
import { deliveryOptions } from './delivery.service.js';
import { createPickupPoint, findPickupPoints } from './pickup.service.js';
import { createShipment, shipmentById, SHIPMENT_TRACKING, trackingUrl } from './shipment.service.js';
import { shippingLoaders } from './shipping.loaders.js';
import { CarrierCreateInput, DeliveryOptionsInput, PickupPointCreateInput, ShipmentCreateInput, TrackingEventsIngestInput } from './shipping.inputs.js';
import { CarrierCreatePayload, PickupPointCreatePayload, ShipmentCreatePayload, TrackingEventsIngestPayload } from './shipping.payloads.js';
import { TRACKING_GUARD } from './shipping.extensions.js';
import { Carrier, CarrierPerformance, CarrierService, DeliveryOption, PickupPoint, PublicTracking, Shipment, TrackingEvent, TrackingUpdate } from './shipping.types.js';
import { carrierPerformance, ingestTrackingEvents, publicTracking, type PublicTrackingView } from './tracking.service.js';

function toPublic(v: PublicTrackingView): PublicTracking {
  const s = v.shipment;
  return {
    trackingNumber: s.trackingNumber,
    carrierName: v.carrierName,
    status: s.status,
    estimatedDeliveryFrom: s.estimatedDeliveryFrom,
    estimatedDeliveryTo: s.estimatedDeliveryTo,
    destinationCity: s.destinationCity,
    events: v.events.map(TrackingEvent.from),
  };
}

/** Anonymous lookups of unknown numbers are limited per client (tracking-number enumeration). */
async function guardMiss(ctx: GraphQLContext): Promise<void> {
  if (ctx.principal.kind !== 'ANONYMOUS') return;
  const guard = ctx.services.extensions.get(TRACKING_GUARD);
  const decision = guard ? await guard.consumeMiss(ctx.clientIp ?? '') : { allowed: true, retryAfterSeconds: 0 };
  if (!decision.allowed) {
    throw new GraphQLError('Too many lookups of unknown tracking numbers; try again later.', { extensions: { code: 'RATE_LIMITED', retryAfterSeconds: decision.retryAfterSeconds } });
  }
}

@Resolver(() => Carrier)
export class CarrierResolver {
  @Authorized('read_shipping')
  @Query(() => [Carrier], { description: 'Carriers, by code. A PARTNER restricted to carriers sees only those. Requires read_shipping.' })
  async carriers(@Ctx() ctx: GraphQLContext) {
    return (await listCarriers(ctx.services)).map(Carrier.from);
  }

  @Authorized('write_shipping')
  @Mutation(() => CarrierCreatePayload, { description: 'Creates a carrier with its services and rate cards, all or nothing. Requires write_shipping.' })
  async carrierCreate(@Arg('input', () => CarrierCreateInput, { description: 'The carrier.' }) input: CarrierCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => createCarrier(ctx.services, input), (c) => ({ carrier: Carrier.from(c) }));
  }

  @FieldResolver(() => [CarrierService], { description: 'Its services.' })
  async services(@Root() c: Carrier, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(shippingLoaders).servicesByCarrierId.load(c.dbId)).map(CarrierService.from);
  }
}

@Resolver(() => PickupPoint)
export class PickupPointResolver {
  @Query(() => [PickupPoint], { description: 'Public: pickup points with capacity left today within radiusKm of a point, nearest first, with distanceKm.' })
  async pickupPoints(
    @Arg('near', () => GeoPointInput, { description: 'Where the customer is.' }) near: GeoPointInput,
    @Arg('radiusKm', () => Float, { nullable: true, defaultValue: 10, description: 'Search radius, km (at most 200).' }) radiusKm: number | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: 'At most this many (1 to 100).' }) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return (await findPickupPoints(ctx.services, near, radiusKm ?? 10, first ?? 20)).map(PickupPoint.from);
  }

  @Authorized('write_shipping')
  @Mutation(() => PickupPointCreatePayload, { description: 'Creates a pickup point (address with coordinates, daily capacity). Requires write_shipping.' })
  async pickupPointCreate(@Arg('input', () => PickupPointCreateInput, { description: 'The point.' }) input: PickupPointCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => createPickupPoint(ctx.services, input), (p) => ({ pickupPoint: PickupPoint.from({ ...p, used: 0 }) }));
  }

  @FieldResolver(() => Carrier, { nullable: true, description: 'Carrier that runs it; null = any carrier may deliver there.' })
  async carrier(@Root() p: PickupPoint, @Ctx() ctx: GraphQLContext) {
    const row = p.carrierDbId ? await ctx.loaders.get(shippingLoaders).carrierById.load(p.carrierDbId) : null;
    return row && Carrier.from(row);
  }
}

@Resolver(() => DeliveryOption)
export class DeliveryOptionResolver {
  @Query(() => [DeliveryOption], { description: 'Public: what a checkout shows. Sorted by price, then speed. A destination nobody serves or a parcel too heavy for every service gives an empty list.' })
  async deliveryOptions(@Arg('input', () => DeliveryOptionsInput, { description: 'Cart and destination.' }) input: DeliveryOptionsInput, @Ctx() ctx: GraphQLContext) {
    const options = await deliveryOptions(ctx.services, input);
    return options.map(
      (o): DeliveryOption => ({
        id: o.id,
        type: o.type,
        carrier: Carrier.from(o.carrier),
        service: CarrierService.from(o.service),
        price: money(o.priceMinor, o.currency),
        estimatedDeliveryFrom: o.estimatedDeliveryFrom,
        estimatedDeliveryTo: o.estimatedDeliveryTo,
        pickupPoint: o.pickupPoint && PickupPoint.from(o.pickupPoint),
        shipsFrom: o.shipsFrom.map((w) => Warehouse.from(w)),
      }),
    );
  }
}

@Resolver(() => Shipment)
export class ShipmentResolver {
  @Authorized('read_shipping', 'read_orders', CUSTOMER)
  @Query(() => Shipment, { nullable: true, description: "A shipment by global ID; null if unknown or not the caller's to see (read_shipping; partners only their carriers'; customers their own)." })
  async shipment(@Arg('id', () => ID, { description: 'Shipment global ID.' }) id: string, @Ctx() ctx: GraphQLContext) {
    const dbId = idOfType(id, 'Shipment');
    const row = dbId ? await shipmentById(ctx.services, dbId) : null;
    return row && Shipment.from(row);
  }

  @Authorized('write_shipping')
  @Mutation(() => ShipmentCreatePayload, {
    description:
      "Ships a PACKED fulfillment order: chooses the service (given, the customer's delivery option, or rate shopping by strategy), creates the tracking number and label, takes the stock out of the ledger, and moves the order to SHIPPED or PARTIALLY_SHIPPED. Requires write_shipping.",
  })
  async shipmentCreate(@Arg('input', () => ShipmentCreateInput, { description: 'What to ship.' }) input: ShipmentCreateInput, @Ctx() ctx: GraphQLContext) {
    const foId = idOfType(input.fulfillmentOrderId, 'FulfillmentOrder');
    return payload(
      () => createShipment(ctx.services, { fulfillmentOrderId: foId ?? '00000000-0000-0000-0000-000000000000', serviceCode: input.serviceCode, strategy: input.strategy }),
      (s) => ({ shipment: Shipment.from(s) }),
    );
  }

  @Authorized()
  @Mutation(() => TrackingEventsIngestPayload, {
    description: 'For carrier partner systems (a PARTNER key restricted to that carrier) and staff with write_shipping: stores events idempotently (by externalEventId), all or nothing.',
  })
  async trackingEventsIngest(@Arg('input', () => TrackingEventsIngestInput, { description: 'The events.' }) input: TrackingEventsIngestInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => ingestTrackingEvents(ctx.services, input), (r) => r, { accepted: 0, duplicates: 0 });
  }

  @FieldResolver(() => Carrier, { description: 'The carrier.' })
  async carrier(@Root() s: Shipment, @Ctx() ctx: GraphQLContext) {
    return Carrier.from((await ctx.loaders.get(shippingLoaders).carrierById.load(s.carrierDbId))!);
  }

  @FieldResolver(() => CarrierService, { description: 'The carrier service.' })
  async service(@Root() s: Shipment, @Ctx() ctx: GraphQLContext) {
    return CarrierService.from((await ctx.loaders.get(shippingLoaders).serviceById.load(s.serviceDbId))!);
  }

  @FieldResolver(() => FulfillmentOrder, { description: 'What it ships.' })
  async fulfillmentOrder(@Root() s: Shipment, @Ctx() ctx: GraphQLContext) {
    return FulfillmentOrder.from((await ctx.loaders.get(orderLoaders).fulfillmentOrderById.load(s.fulfillmentOrderDbId))!);
  }

  @FieldResolver(() => [TrackingEvent], { description: 'Carrier events, oldest first.' })
  async events(@Root() s: Shipment, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(shippingLoaders).eventsByShipmentId.load(s.dbId)).map(TrackingEvent.from);
  }

  @FieldResolver(() => String, { description: 'Public tracking page of the parcel.' })
  trackingUrl(@Root() s: Shipment, @Ctx() ctx: GraphQLContext) {
    return trackingUrl(ctx.services.config.PUBLIC_URL, s.trackingNumber);
  }
}

@Resolver(() => PublicTracking)
export class TrackingResolver {
  @Query(() => PublicTracking, { nullable: true, description: 'Public, no token needed: a parcel by tracking number, without personal data. Anonymous lookups of unknown numbers are rate-limited.' })
  async tracking(@Arg('trackingNumber', () => String, { description: 'The tracking number.' }) trackingNumber: string, @Ctx() ctx: GraphQLContext) {
    const view = await publicTracking(ctx.services, trackingNumber);
    if (!view) {
      await guardMiss(ctx);
      return null;
    }
    return toPublic(view);
  }

  @Authorized('read_shipping')
  @Query(() => [CarrierPerformance], { description: "Per carrier service, over shipments created in [from, to): counts, on-time rate against the promised window, transit hours (average, p90), cost. Requires read_shipping." })
  async carrierPerformance(
    @Arg('from', () => DateTime, { description: 'Start, inclusive.' }) from: Date,
    @Arg('to', () => DateTime, { description: 'End, exclusive.' }) to: Date,
    @Ctx() ctx: GraphQLContext,
  ) {
    return (await carrierPerformance(ctx.services, from, to)).map(
      (r): CarrierPerformance => ({
        carrier: Carrier.from(r.carrier),
        service: CarrierService.from(r.service),
        shipments: r.shipments,
        delivered: r.delivered,
        onTimeRate: r.onTimeRate,
        avgTransitHours: r.avgTransitHours,
        p90TransitHours: r.p90TransitHours,
        avgCost: r.avgCostMinor == null || !r.currency ? null : money(r.avgCostMinor, r.currency),
        costPerKg: r.costPerKgMinor == null || !r.currency ? null : money(r.costPerKgMinor, r.currency),
      }),
    );
  }

  @Subscription(() => TrackingUpdate, {
    description: 'Public: live updates of one parcel, for tracking widgets. No personal data.',
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const number = String(args.trackingNumber ?? '').trim().toUpperCase();
      const live = ctx.events.subscribe(SHIPMENT_TRACKING)[Symbol.asyncIterator]();
      try {
        if (!(await publicTracking(ctx.services, number))) {
          await guardMiss(ctx);
          throw new GraphQLError('No parcel with this tracking number.', { extensions: { code: 'NOT_FOUND' } });
        }
      } catch (err) {
        await live.return?.();
        throw err;
      }
      return (async function* () {
        try {
          for (;;) {
            const next = await live.next();
            if (next.done) return;
            const m = next.value as { trackingNumber: string; event: Record<string, unknown> };
            if (m.trackingNumber === number) yield m;
          }
        } finally {
          await live.return?.();
        }
      })();
    },
  })
  async shipmentTracking(
    @Root() m: { trackingNumber: string; event: { status: string; occurredAt: string; location?: string | null; description?: string | null } },
    @Arg('trackingNumber', () => String, { description: 'The tracking number.' }) _n: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TrackingUpdate> {
    const view = await publicTracking(ctx.services, m.trackingNumber);
    if (!view) throw new GraphQLError('No parcel with this tracking number.', { extensions: { code: 'NOT_FOUND' } });
    return {
      tracking: toPublic(view),
      event: TrackingEvent.from({ status: m.event.status as never, occurredAt: new Date(m.event.occurredAt), location: m.event.location ?? null, description: m.event.description ?? null }),
    };
  }
}

@Resolver(() => ScanResult)
export class ScanShipmentResolver {
  @FieldResolver(() => Shipment, { nullable: true, description: 'Set when the code is a tracking number of one of our shipments.' })
  async shipment(@Root() scan: ScanResult, @Ctx() ctx: GraphQLContext) {
    const row = scan.shipmentDbId ? await ctx.loaders.get(shippingLoaders).shipmentById.load(scan.shipmentDbId) : null;
    return row && Shipment.from(row);
  }
}

@Resolver(() => Order)
export class OrderShipmentsResolver {
  @FieldResolver(() => [Shipment], { description: 'Parcels of the order, oldest first.' })
  async shipments(@Root() o: Order, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(shippingLoaders).shipmentsByOrderId.load(o.dbId)).map(Shipment.from);
  }
}

