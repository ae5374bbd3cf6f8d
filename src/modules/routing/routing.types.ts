import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GeoPoint } from '../../graphql/common.types.js';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import type { RoutePlanRow, StoredRoute, StoredRouteStop, StoredUnassignedStop, UnassignedReasonValue } from './routing.service.js';

export const UnassignedReason = {
  DEMAND_EXCEEDS_CAPACITY: 'DEMAND_EXCEEDS_CAPACITY',
  WINDOW_UNREACHABLE: 'WINDOW_UNREACHABLE',
  SHIFT_TOO_SHORT: 'SHIFT_TOO_SHORT',
  FLEET_EXHAUSTED: 'FLEET_EXHAUSTED',
} as const;
export type UnassignedReason = (typeof UnassignedReason)[keyof typeof UnassignedReason];
registerEnumType(UnassignedReason, {
  name: 'UnassignedReason',
  description: 'Why a stop is not on any route of a plan.',
  valuesConfig: {
    DEMAND_EXCEEDS_CAPACITY: { description: "The stop's demand is larger than every vehicle's capacity." },
    WINDOW_UNREACHABLE: { description: 'No vehicle large enough can get there before the window ends, even leaving at its shift start.' },
    SHIFT_TOO_SHORT: { description: 'No vehicle large enough can get there, serve it and be back at the warehouse within its shift.' },
    FLEET_EXHAUSTED: { description: 'Some vehicle could serve the stop alone, but the fleet had no room or time left for it.' },
  },
});

@ObjectType('RouteStop', { description: 'One visit of a route, in driving order.' })
export class RouteStop {
  @Field(() => String, { description: 'The stop id given in the input.' })
  stopId!: string;
  /** The shipment when the stop is one of ours (the `shipment` field). */
  shipmentDbId!: string | null;
  @Field(() => GeoPoint, { description: 'Where the stop is.' })
  location!: GeoPoint;
  @Field(() => DateTime, { description: 'When the vehicle arrives (it waits there if the window has not opened yet).' })
  arrival!: Date;
  @Field(() => DateTime, { description: 'When the vehicle leaves, service done.' })
  departure!: Date;

  static from(s: StoredRouteStop): RouteStop {
    return {
      stopId: s.stopId,
      shipmentDbId: s.shipmentId ?? null,
      location: { lat: s.lat, lng: s.lng },
      arrival: new Date(s.arrival),
      departure: new Date(s.departure),
    };
  }
}

@ObjectType('Route', { description: "One vehicle's trip from the warehouse through its stops and back." })
export class Route {
  @Field(() => String, { description: 'The vehicle id given in the input.' })
  vehicleId!: string;
  @Field(() => [RouteStop], { description: 'Stops in driving order.' })
  stops!: RouteStop[];
  @Field(() => Float, { description: 'Road distance estimate of the whole trip, warehouse to warehouse, in km (great-circle × detour factor).' })
  distanceKm!: number;
  @Field(() => Float, {
    description: 'Minutes from leaving the warehouse to being back. The vehicle leaves as late as its windows allow, so early arrivals do not idle.',
  })
  durationMinutes!: number;
  @Field(() => Int, { description: 'Sum of the demand of its stops.' })
  load!: number;

  static from(r: StoredRoute): Route {
    return { vehicleId: r.vehicleId, stops: r.stops.map(RouteStop.from), distanceKm: r.distanceKm, durationMinutes: r.durationMinutes, load: r.load };
  }
}

@ObjectType('UnassignedStop', { description: 'A stop that is on no route, with the reason.' })
export class UnassignedStop {
  @Field(() => String, { description: 'The stop id given in the input.' })
  stopId!: string;
  shipmentDbId!: string | null;
  @Field(() => GeoPoint, { description: 'Where the stop is.' })
  location!: GeoPoint;
  @Field(() => UnassignedReason, { description: 'Why no vehicle serves it.' })
  reason!: UnassignedReason;
  @Field(() => String, { description: 'Human-readable explanation.' })
  message!: string;

  static from(u: StoredUnassignedStop): UnassignedStop {
    return {
      stopId: u.stopId,
      shipmentDbId: u.shipmentId ?? null,
      location: { lat: u.lat, lng: u.lng },
      reason: u.reason as UnassignedReasonValue,
      message: u.message,
    };
  }
}

@ObjectType('RoutePlan', {
  implements: Node,
  description: "A solved delivery plan for a warehouse's own couriers on one local date: fewest vehicles first, then shortest total distance.",
})
export class RoutePlan implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  warehouseDbId!: string;
  @Field(() => String, { description: 'Local delivery date in the warehouse time zone, YYYY-MM-DD.' })
  date!: string;
  @Field(() => [Route], { description: 'One route per vehicle used, in the order the vehicles were given.' })
  routes!: Route[];
  @Field(() => [String], { description: 'Ids of the stops on no route (see unassignedStops for the reasons). Never silently dropped.' })
  unassigned!: string[];
  @Field(() => [UnassignedStop], { description: 'The stops on no route, with the reason for each.' })
  unassignedStops!: UnassignedStop[];
  @Field(() => Int, { description: 'Vehicles with at least one stop.' })
  vehiclesUsed!: number;
  @Field(() => Float, { description: 'Sum of the routes’ distanceKm.' })
  totalDistanceKm!: number;
  @Field(() => Float, { description: 'Sum of the routes’ durationMinutes.' })
  totalDurationMinutes!: number;
  @Field(() => Int, { description: 'Wall time the solver used.' })
  solveMs!: number;
  @Field(() => DateTime, { description: 'When the plan was made.' })
  createdAt!: Date;

  static from(row: RoutePlanRow): RoutePlan {
    return typed('RoutePlan', {
      id: toGlobalId('RoutePlan', row.id),
      dbId: row.id,
      warehouseDbId: row.warehouseId,
      date: row.date,
      routes: row.routes.map(Route.from),
      unassigned: row.unassigned.map((u) => u.stopId),
      unassignedStops: row.unassigned.map(UnassignedStop.from),
      vehiclesUsed: row.vehiclesUsed,
      totalDistanceKm: row.totalDistanceKm,
      totalDurationMinutes: row.totalDurationMinutes,
      solveMs: row.solveMs,
      createdAt: row.createdAt,
    });
  }
}
