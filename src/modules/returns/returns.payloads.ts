import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/user-error.js';
import { ReturnPolicy, ReturnRequest } from './returns.types.js';

@ObjectType('ReturnRequestPayload', { description: 'Result of a return mutation.' })
export class ReturnRequestPayload {
  @Field(() => ReturnRequest, { nullable: true, description: 'The return as it is now.' })
  returnRequest?: ReturnRequest | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}

@ObjectType('ReturnPolicyPayload', { description: 'Result of returnPolicyUpdate.' })
export class ReturnPolicyPayload {
  @Field(() => ReturnPolicy, { nullable: true, description: 'The policy as it is now.' })
  returnPolicy?: ReturnPolicy | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}
