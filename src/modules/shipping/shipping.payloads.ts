import { Field, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/user-error.js';
import { Carrier, PickupPoint, Shipment } from './shipping.types.js';

@ObjectType('CarrierCreatePayload', { description: 'Result of carrierCreate.' })
export class CarrierCreatePayload {
  @Field(() => Carrier, { nullable: true, description: 'The new carrier.' })
  carrier?: Carrier | null;
  @Field(() => [UserError], { description: 'Why nothing was created.' })
  userErrors!: UserError[];
}

@ObjectType('PickupPointCreatePayload', { description: 'Result of pickupPointCreate.' })
export class PickupPointCreatePayload {
  @Field(() => PickupPoint, { nullable: true, description: 'The new pickup point.' })
  pickupPoint?: PickupPoint | null;
  @Field(() => [UserError], { description: 'Why nothing was created.' })
  userErrors!: UserError[];
}

@ObjectType('ShipmentCreatePayload', { description: 'Result of shipmentCreate.' })
export class ShipmentCreatePayload {
  @Field(() => Shipment, { nullable: true, description: 'The shipment with its label.' })
  shipment?: Shipment | null;
  @Field(() => [UserError], { description: 'Why nothing was shipped.' })
  userErrors!: UserError[];
}

@ObjectType('TrackingEventsIngestPayload', { description: 'Result of trackingEventsIngest.' })
export class TrackingEventsIngestPayload {
  @Field(() => Int, { description: 'Events stored.' })
  accepted!: number;
  @Field(() => Int, { description: 'Events already known (same carrier event id), not stored again.' })
  duplicates!: number;
  @Field(() => [UserError], { description: 'Why nothing was stored.' })
  userErrors!: UserError[];
}
