import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { idOfType } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { shipmentLoaders } from '../shipments/shipment.loaders.js';
import { Shipment } from '../shipments/shipment.types.js';
import { warehouseLoaders } from '../warehouse/warehouse.loaders.js';
import { Warehouse } from '../warehouse/warehouse.types.js';
import { RoutePlanCreateInput } from './routing.inputs.js';
import { routingLoaders } from './routing.loaders.js';
import { RoutePlanCreatePayload } from './routing.payloads.js';
import { createRoutePlan } from './routing.service.js';
import { RoutePlan, RouteStop, UnassignedStop } from './routing.types.js';

@Resolver(() => RoutePlan)
export class RoutePlanResolver {
  @Authorized('read_shipping')
  @Query(() => RoutePlan, {
    nullable: true,
    description: 'A route plan by global ID; null if none or hidden from a PARTNER key restricted to other warehouses. Requires read_shipping.',
  })
  async routePlan(@Arg('id', () => ID, { description: 'RoutePlan global ID.' }) id: string, @Ctx() ctx: GraphQLContext) {
    const dbId = idOfType(id, 'RoutePlan');
    const row = dbId ? await ctx.loaders.get(routingLoaders).routePlanById.load(dbId) : null;
    return row ? RoutePlan.from(row) : null;
  }

  @Authorized('write_shipping')
  @Mutation(() => RoutePlanCreatePayload, {
    description:
      "Plans the day's routes of a warehouse's own couriers (CVRPTW: fewest vehicles, then shortest distance, within timeLimitMs) and stores the plan. " +
      'Without stops, the COURIER shipments of the warehouse with status LABEL_CREATED and a located address are the stops (demand 1 each, tracking number as stop id). ' +
      'Stops no vehicle can serve are returned in `unassigned` with a reason, never dropped. ' +
      'Errors: INVALID, NO_VEHICLES, NO_STOPS, DUPLICATE_ID, NOT_FOUND, WAREHOUSE_LOCATION_MISSING; a warehouse outside the warehouses of a restricted key is NOT_FOUND, as if it did not exist. Requires write_shipping.',
  })
  routePlanCreate(
    @Arg('input', () => RoutePlanCreateInput, { description: 'Fleet, stops and parameters.' }) input: RoutePlanCreateInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return payload(
      () => createRoutePlan(ctx.services, input),
      (row) => {
        ctx.loaders.get(routingLoaders).routePlanById.prime(row.id, row);
        return { routePlan: RoutePlan.from(row) };
      },
    );
  }

  @FieldResolver(() => Warehouse, { description: 'The warehouse the routes start from and return to.' })
  async warehouse(@Root() plan: RoutePlan, @Ctx() ctx: GraphQLContext) {
    const row = await ctx.loaders.get(warehouseLoaders).warehouseById.load(plan.warehouseDbId);
    return Warehouse.from(row!);
  }
}

/** Loads the shipment of a stop through the shipping module's visibility rules (null when hidden). */
async function shipmentOf(ctx: GraphQLContext, shipmentDbId: string | null) {
  if (!shipmentDbId) return null;
  const row = await ctx.loaders.get(shipmentLoaders).shipmentById.load(shipmentDbId);
  return row && Shipment.from(row);
}

@Resolver(() => RouteStop)
export class RouteStopResolver {
  @FieldResolver(() => Shipment, { nullable: true, description: 'Set when the stop is a shipment of this system.' })
  shipment(@Root() stop: RouteStop, @Ctx() ctx: GraphQLContext) {
    return shipmentOf(ctx, stop.shipmentDbId);
  }
}

@Resolver(() => UnassignedStop)
export class UnassignedStopResolver {
  @FieldResolver(() => Shipment, { nullable: true, description: 'Set when the stop is a shipment of this system.' })
  shipment(@Root() stop: UnassignedStop, @Ctx() ctx: GraphQLContext) {
    return shipmentOf(ctx, stop.shipmentDbId);
  }
}
