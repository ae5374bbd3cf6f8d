import { Arg, Authorized, Ctx, FieldResolver, Float, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GeoPointInput } from '../../graphql/common.types.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { payload } from '../../graphql/user-error.js';
import { money } from '../../shared/money.js';
import { Warehouse } from '../warehouse/warehouse.types.js';
import { createCarrier, listCarriers } from './carrier.service.js';
import { deliveryOptions } from './delivery.service.js';
import { createPickupPoint, findPickupPoints } from './pickup.service.js';
import { carrierLoaders } from './carrier.loaders.js';
import { CarrierCreateInput, DeliveryOptionsInput, PickupPointCreateInput } from './carrier.inputs.js';
import { CarrierCreatePayload, PickupPointCreatePayload } from './carrier.payloads.js';
import { Carrier, CarrierService, DeliveryOption, PickupPoint } from './carrier.types.js';

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
    return (await ctx.loaders.get(carrierLoaders).servicesByCarrierId.load(c.dbId)).map(CarrierService.from);
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
    const row = p.carrierDbId ? await ctx.loaders.get(carrierLoaders).carrierById.load(p.carrierDbId) : null;
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
