import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/user-error.js';
import { LoyaltyAccount, LoyaltyProgram, LoyaltyTransaction } from './loyalty.types.js';

@ObjectType('LoyaltyAdjustPayload', { description: 'Result of loyaltyAdjust.' })
export class LoyaltyAdjustPayload {
  @Field(() => LoyaltyTransaction, { nullable: true, description: 'The ADJUST entry (the first one, on a retry with the same key).' })
  transaction?: LoyaltyTransaction | null;
  @Field(() => LoyaltyAccount, { nullable: true, description: 'The account as it is now.' })
  account?: LoyaltyAccount | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}

@ObjectType('LoyaltyProgramPayload', { description: 'Result of loyaltyProgramUpdate.' })
export class LoyaltyProgramPayload {
  @Field(() => LoyaltyProgram, { nullable: true, description: 'The program as it is now.' })
  loyaltyProgram?: LoyaltyProgram | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}
