import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { MoneyInput } from '../../graphql/common.types.js';

@InputType('LoyaltyAdjustInput', { description: "A staff correction of a customer's points." })
export class LoyaltyAdjustInput {
  @Field(() => ID, { description: 'The customer.' })
  customerId!: string;
  @Field(() => Int, { description: 'Signed, not 0: positive adds, negative takes (never below a zero balance: INSUFFICIENT_POINTS).' })
  points!: number;
  @Field(() => String, { description: 'Why, 1 to 500 characters (shown in the ledger).' })
  reason!: string;
  @Field(() => String, { description: 'Makes retries safe: the same key adjusts once.' })
  idempotencyKey!: string;
}

@InputType('LoyaltyTierInput', { description: 'A tier.' })
export class LoyaltyTierInput {
  @Field(() => String, { description: 'Unique code, e.g. SILVER.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => MoneyInput, { description: "Rolling 365-day paid spend that reaches it, in the program's currency; strictly increasing, the first 0." })
  minSpend!: MoneyInput;
  @Field(() => Float, { description: 'Multiplies the points earned; > 0.' })
  earnMultiplier!: number;
}

@InputType('LoyaltyProgramUpdateInput', { description: 'What to change in the program; fields left out stay.' })
export class LoyaltyProgramUpdateInput {
  @Field(() => Float, { nullable: true, description: 'Points per whole currency unit paid, >= 0.' })
  pointsPerCurrencyUnit?: number | null;
  @Field(() => MoneyInput, { nullable: true, description: 'What one point is worth (> 0); its currency is the program currency.' })
  pointValue?: MoneyInput | null;
  @Field(() => Int, { nullable: true, description: 'Days until earned points expire, 1..3650.' })
  expiryDays?: number | null;
  @Field(() => Float, { nullable: true, description: "Largest share of an order's subtotal points may pay, 0..1." })
  maxRedeemShare?: number | null;
  @Field(() => [LoyaltyTierInput], { nullable: true, description: 'All tiers, lowest first (replaces the current ones).' })
  tiers?: LoyaltyTierInput[] | null;
}
