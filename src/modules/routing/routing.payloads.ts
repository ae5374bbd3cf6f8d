import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/user-error.js';
import { RoutePlan } from './routing.types.js';

@ObjectType('RoutePlanCreatePayload', { description: 'Result of routePlanCreate.' })
export class RoutePlanCreatePayload {
  @Field(() => RoutePlan, { nullable: true, description: 'The stored plan.' })
  routePlan?: RoutePlan | null;
  @Field(() => [UserError], { description: 'Why nothing was planned, if so.' })
  userErrors!: UserError[];
}
