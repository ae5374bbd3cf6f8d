import { Field, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/relay.js';
import { UserError } from '../../graphql/user-error.js';
import { Customer } from './customer.types.js';

@ObjectType('CustomerCreatePayload', { description: 'Result of customerCreate.' })
export class CustomerCreatePayload {
  @Field(() => Customer, { nullable: true, description: 'The new customer.' })
  customer?: Customer | null;
  @Field(() => [UserError], { description: 'Why nothing was created, if so.' })
  userErrors!: UserError[];
}

@ObjectType('CustomerConnection', { description: 'A page of customers.' })
export class CustomerConnection extends Connection('Customer', () => Customer) {}
