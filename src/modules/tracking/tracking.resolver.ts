import { GraphQLError } from 'graphql';
import { Arg, Authorized, Ctx, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { DateTime } from '../../graphql/scalars.js';
import { payload } from '../../graphql/user-error.js';
import { money } from '../../shared/money.js';
import { Carrier, CarrierService } from '../carriers/carrier.types.js';
import { SHIPMENT_TRACKING } from '../shipments/shipment.service.js';
import { TrackingEvent } from '../shipments/shipment.types.js';
import { TRACKING_GUARD } from './tracking.extensions.js';
import { TrackingEventsIngestInput } from './tracking.inputs.js';
import { TrackingEventsIngestPayload } from './tracking.payloads.js';
import { carrierPerformance, ingestTrackingEvents, publicTracking, type PublicTrackingView } from './tracking.service.js';
import { CarrierPerformance, PublicTracking, TrackingUpdate } from './tracking.types.js';

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

@Resolver(() => PublicTracking)
export class TrackingResolver {
  @Authorized()
  @Mutation(() => TrackingEventsIngestPayload, {
    description: 'For carrier partner systems (a PARTNER key restricted to that carrier) and staff with write_shipping: stores events idempotently (by externalEventId), all or nothing.',
  })
  async trackingEventsIngest(@Arg('input', () => TrackingEventsIngestInput, { description: 'The events.' }) input: TrackingEventsIngestInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => ingestTrackingEvents(ctx.services, input), (r) => r, { accepted: 0, duplicates: 0 });
  }

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
  @Query(() => [CarrierPerformance], { description: "Per carrier service, over outbound shipments created in [from, to): counts, on-time rate against the promised window, transit hours (average, p90), cost. Return parcels (direction RETURN) are not counted: they have no promised window. Requires read_shipping." })
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
