import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/user-error.js';
import { Carrier, PickupPoint } from './carrier.types.js';

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
