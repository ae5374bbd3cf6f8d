import { Field, Float, InputType, Int } from 'type-graphql';
import { GeoPointInput } from '../../graphql/common.types.js';
import { DateTime } from '../../graphql/scalars.js';
import { DEFAULTS } from './routing.service.js';

@InputType('VehicleInput', { description: 'A vehicle of the fleet for the day.' })
export class VehicleInput {
  @Field(() => String, { description: 'Your id of the vehicle (or driver), unique in the input; echoed in Route.vehicleId.' })
  id!: string;
  @Field(() => Int, { description: 'Capacity in the unit of the stops’ demand (parcels, crates, kg), > 0.' })
  capacity!: number;
  @Field(() => DateTime, { description: 'Earliest departure from the warehouse; must fall on `date` in the warehouse time zone.' })
  shiftStart!: Date;
  @Field(() => DateTime, { description: 'Latest return to the warehouse; after shiftStart, at most 24 hours later.' })
  shiftEnd!: Date;
}

@InputType('StopInput', { description: 'A delivery (or pickup) stop.' })
export class StopInput {
  @Field(() => String, { description: 'Your id of the stop, unique in the input; echoed in RouteStop.stopId.' })
  id!: string;
  @Field(() => GeoPointInput, { description: 'Where to go.' })
  location!: GeoPointInput;
  @Field(() => Int, { description: 'Load the stop takes, in the unit of the vehicles’ capacity, >= 0.' })
  demand!: number;
  @Field(() => DateTime, { nullable: true, description: 'Service may not start before this; default: the earliest shift start.' })
  windowStart?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'Service must start by this (arriving earlier means waiting); default: the latest shift end.' })
  windowEnd?: Date | null;
  @Field(() => Float, { nullable: true, defaultValue: DEFAULTS.serviceMinutes, description: 'Minutes spent at the stop, 0 to 1440.' })
  serviceMinutes?: number | null;
}

@InputType('RoutePlanCreateInput', { description: 'The fleet, the stops and the parameters of one day’s plan.' })
export class RoutePlanCreateInput {
  @Field(() => String, { description: 'The warehouse the vehicles start from and return to; it must have coordinates.' })
  warehouseCode!: string;
  @Field(() => String, { description: 'Local delivery date, YYYY-MM-DD.' })
  date!: string;
  @Field(() => [VehicleInput], { description: 'The fleet (1 to 200 vehicles); capacities and shifts may differ.' })
  vehicles!: VehicleInput[];
  @Field(() => [StopInput], {
    nullable: true,
    description:
      'Explicit stops (up to 1,000); if empty, every COURIER shipment of the warehouse with status LABEL_CREATED and an address location.',
  })
  stops?: StopInput[] | null;
  @Field(() => Float, { nullable: true, defaultValue: DEFAULTS.speedKmh, description: 'Average driving speed, km/h (1 to 200).' })
  speedKmh?: number | null;
  @Field(() => Float, { nullable: true, defaultValue: DEFAULTS.detourFactor, description: 'Road km per great-circle km (1 to 3).' })
  detourFactor?: number | null;
  @Field(() => Int, { nullable: true, defaultValue: DEFAULTS.timeLimitMs, description: 'Solver time budget in ms (100 to 30,000).' })
  timeLimitMs?: number | null;
}
