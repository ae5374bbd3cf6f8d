import { Field, ID, InputType } from 'type-graphql';
import type { RateStrategyValue } from '../carriers/rate-shopping.js';
import { RateStrategy } from '../carriers/carrier.types.js';

@InputType('ShipmentCreateInput', { description: 'Ship a packed fulfillment order.' })
export class ShipmentCreateInput {
  @Field(() => ID, { description: 'The PACKED fulfillment order.' })
  fulfillmentOrderId!: string;
  @Field(() => String, { nullable: true, description: "Carrier service to use; if omitted, the service of the customer's delivery option, else rate shopping over every service that can carry the packed parcel to the address, by strategy." })
  serviceCode?: string | null;
  @Field(() => RateStrategy, { nullable: true, defaultValue: 'BEST_VALUE', description: 'Rate-shopping strategy.' })
  strategy?: RateStrategyValue | null;
}
