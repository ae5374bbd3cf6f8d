/**
 * GraphQL types of loyalty (contract 09). Links (customer, order, returnRequest, transactions,
 * variant) are field resolvers over loaders in the loyalty resolvers.
 */
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../graphql/common.types.js';
import { enumOf } from '../../graphql/enums.js';
import { Connection, toGlobalId } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import type { LoyaltyTransactionRow } from './loyalty.ledger.js';
import type { Program, Tier } from './loyalty.program.js';
import { LOYALTY_TRANSACTION_KINDS, type LoyaltyTransactionKindValue } from './loyalty.table.js';

export const LoyaltyTransactionKind = enumOf(LOYALTY_TRANSACTION_KINDS);
registerEnumType(LoyaltyTransactionKind, {
  name: 'LoyaltyTransactionKind',
  description: 'What moved points.',
  valuesConfig: {
    EARN: { description: 'Earned when an order was delivered: rate × tier multiplier on the amount paid (shipping and points discount excluded).' },
    REDEEM: { description: 'Spent as an order discount at orderCreate.' },
    EXPIRE: { description: 'Earned points not spent within expiryDays, oldest first.' },
    REVERSAL: { description: "Taken back in proportion when a return was refunded, or given back when an order that redeemed points was cancelled." },
    ADJUST: { description: 'Set by staff, with a reason.' },
  },
});

@ObjectType('LoyaltyTransaction', { description: 'One entry of the points ledger (append-only).' })
export class LoyaltyTransaction {
  @Field(() => ID, { description: 'Opaque id.' })
  id!: string;
  dbId!: string;
  orderDbId!: string | null;
  returnRequestDbId!: string | null;
  @Field(() => LoyaltyTransactionKind, { description: 'What moved the points.' })
  kind!: LoyaltyTransactionKindValue;
  @Field(() => Int, { description: 'Signed: positive for EARN and positive ADJUST (and a give-back REVERSAL), negative for the rest.' })
  points!: number;
  @Field(() => String, { nullable: true, description: 'Why (ADJUST), or what happened.' })
  reason!: string | null;
  @Field(() => DateTime, { nullable: true, description: 'For EARN: when the points expire.' })
  expiresAt!: Date | null;
  @Field(() => DateTime, { description: 'When.' })
  createdAt!: Date;
  static from(r: LoyaltyTransactionRow): LoyaltyTransaction {
    return {
      id: toGlobalId('LoyaltyTransaction', r.id),
      dbId: r.id,
      orderDbId: r.orderId,
      returnRequestDbId: r.returnRequestId,
      kind: r.kind,
      points: r.points,
      reason: r.reason,
      expiresAt: r.points > 0 ? r.expiresAt : null,
      createdAt: r.createdAt,
    };
  }
}

@ObjectType('LoyaltyTransactionConnection', { description: 'A page of ledger entries, newest first.' })
export class LoyaltyTransactionConnection extends Connection('LoyaltyTransaction', () => LoyaltyTransaction) {}

@ObjectType('LoyaltyTier', { description: 'A tier by rolling 365-day paid spend.' })
export class LoyaltyTier {
  @Field(() => String, { description: 'E.g. SILVER.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => Money, { description: 'Paid over the last 365 days that reaches this tier.' })
  minSpend!: Money;
  @Field(() => Float, { description: 'Multiplies the points earned.' })
  earnMultiplier!: number;
  static from(t: Tier): LoyaltyTier {
    return { code: t.code, name: t.name, minSpend: t.minSpend, earnMultiplier: t.earnMultiplier };
  }
}

@ObjectType('LoyaltyProgram', { description: "The store's loyalty program." })
export class LoyaltyProgram {
  @Field(() => Float, { description: 'Points earned per whole currency unit paid, before the tier multiplier.' })
  pointsPerCurrencyUnit!: number;
  @Field(() => Money, { description: 'What one point is worth when redeemed.' })
  pointValue!: Money;
  @Field(() => Int, { description: 'Days after which earned points expire.' })
  expiryDays!: number;
  @Field(() => Float, { description: "Largest share of an order's subtotal that points may pay, 0..1." })
  maxRedeemShare!: number;
  @Field(() => [LoyaltyTier], { description: 'Lowest first.' })
  tiers!: LoyaltyTier[];
  static from(p: Program): LoyaltyProgram {
    return { pointsPerCurrencyUnit: p.pointsPerCurrencyUnit, pointValue: p.pointValue, expiryDays: p.expiryDays, maxRedeemShare: p.maxRedeemShare, tiers: p.tiers.map(LoyaltyTier.from) };
  }
}

@ObjectType('LoyaltyAccount', { description: "A customer's points." })
export class LoyaltyAccount {
  customerDbId!: string;
  @Field(() => Int, { description: 'Points available = the sum of the ledger; never negative.' })
  balance!: number;
  @Field(() => Int, { description: 'Points ever earned.' })
  lifetimePoints!: number;
  @Field(() => LoyaltyTier, { description: 'The tier of rollingSpend.' })
  tier!: LoyaltyTier;
  @Field(() => Money, { description: 'Paid over the last 365 days, what the tier is computed from.' })
  rollingSpend!: Money;
  @Field(() => Int, { description: 'Points that expire within 30 days.' })
  expiringSoon!: number;
}

@ObjectType('PersonalizedOffer', { description: 'A product a customer is likely to buy next.' })
export class PersonalizedOffer {
  variantDbId!: string;
  @Field(() => String, { description: 'Why this customer: e.g. bought together with X, favourite category Y.' })
  reason!: string;
  @Field(() => Float, { description: 'Higher is more likely.' })
  score!: number;
}
