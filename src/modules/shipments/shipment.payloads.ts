import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/user-error.js';
import { Shipment } from './shipment.types.js';

@ObjectType('ShipmentCreatePayload', { description: 'Result of shipmentCreate.' })
export class ShipmentCreatePayload {
  @Field(() => Shipment, { nullable: true, description: 'The shipment with its label.' })
  shipment?: Shipment | null;
  @Field(() => [UserError], { description: 'Why nothing was shipped.' })
  userErrors!: UserError[];
}
