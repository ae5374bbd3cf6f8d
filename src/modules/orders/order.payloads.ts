import { Field, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/relay.js';
import { UserError } from '../../graphql/user-error.js';
import { Order } from './order.types.js';

@ObjectType('OrderCreatePayload', { description: 'Result of orderCreate.' })
export class OrderCreatePayload {
  @Field(() => Order, { nullable: true, description: 'The order (the existing one for a repeated idempotency key).' })
  order?: Order | null;
  @Field(() => [UserError], { description: 'Why nothing was created, if so.' })
  userErrors!: UserError[];
}

@ObjectType('OrderCancelPayload', { description: 'Result of orderCancel.' })
export class OrderCancelPayload {
  @Field(() => Order, { nullable: true, description: 'The cancelled order.' })
  order?: Order | null;
  @Field(() => [UserError], { description: 'Why nothing changed, if so.' })
  userErrors!: UserError[];
}

@ObjectType('OrderConnection', { description: 'A page of orders.' })
export class OrderConnection extends Connection('Order', () => Order) {}
