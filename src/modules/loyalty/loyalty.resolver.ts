/**
 * Loyalty over GraphQL (contract 09), except redemption at checkout (orderCreate) and offers:
 * the program, accounts with their ledger, staff adjustments and the live balance subscription.
 *
 * Access: loyaltyProgram is readable by any authenticated caller, CUSTOMER included (storefronts
 * show the rates and tiers; the contract gives it no scope); loyaltyProgramUpdate needs admin.
 * Accounts: a CUSTOMER its own, staff with read_customers any; anyone else FORBIDDEN.
 * loyaltyAdjust needs write_loyalty: the scope list already has the loyalty area (read_loyalty /
 * write_loyalty) and the LOYALTY_TRANSACTION_CREATED webhook asks for write_loyalty, so a key that
 * may move points is the one that may hear about moved points; write_customers (profile changes)
 * does not imply it. Reading accounts stays read_customers, as contract 09 says.
 */
import { GraphQLError } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { CUSTOMER, requireScope } from '../../graphql/auth.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { idOfType, pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { AccessError } from '../../shared/errors.js';
import { customersByIds } from '../customers/customer.service.js';
import { Customer } from '../customers/customer.types.js';
import { orderLoaders } from '../orders/order.loaders.js';
import { Order } from '../orders/order.types.js';
import { returnsLoaders } from '../returns/returns.loaders.js';
import { ReturnRequest } from '../returns/returns.types.js';
import { accountViews, mayReadAccount, requireAccountAccess, transactionsPage, type AccountView } from './loyalty.accounts.js';
import { adjustPoints } from './loyalty.adjust.js';
import { LoyaltyAdjustInput, LoyaltyProgramUpdateInput } from './loyalty.inputs.js';
import { LOYALTY_TRANSACTION_CREATED } from './loyalty.ledger.js';
import { loyaltyLoaders } from './loyalty.loaders.js';
import { LoyaltyAdjustPayload, LoyaltyProgramPayload } from './loyalty.payloads.js';
import { getProgram } from './loyalty.program.js';
import { updateProgram } from './loyalty.program-update.js';
import { LoyaltyAccount, LoyaltyProgram, LoyaltyTier, LoyaltyTransaction, LoyaltyTransactionConnection } from './loyalty.types.js';

const accountOf = (v: AccountView): LoyaltyAccount => ({
  customerDbId: v.customerId,
  balance: v.balance,
  lifetimePoints: v.lifetimePoints,
  tier: LoyaltyTier.from(v.tier),
  rollingSpend: v.rollingSpend,
  expiringSoon: v.expiringSoon,
});

interface LoyaltyMessage {
  eventId?: string;
  transactionId: string;
  customerId: string;
}

/** Live ledger entries of one customer (or of all, for read_customers), each once. */
async function* balanceStream(ctx: GraphQLContext, customerId: string | null): AsyncGenerator<LoyaltyMessage> {
  const live = ctx.events.subscribe(LOYALTY_TRANSACTION_CREATED)[Symbol.asyncIterator]();
  const seen = new Set<string>();
  try {
    for (;;) {
      const next = await live.next();
      if (next.done) return;
      const m = next.value as unknown as LoyaltyMessage;
      if (customerId && m.customerId !== customerId) continue;
      if (!mayReadAccount(ctx.services, m.customerId)) continue;
      if (seen.has(m.transactionId)) continue;
      seen.add(m.transactionId);
      if (seen.size > 10_000) seen.delete(seen.values().next().value!);
      yield m;
    }
  } finally {
    await live.return?.();
  }
}

@Resolver(() => LoyaltyProgram)
export class LoyaltyResolver {
  @Authorized()
  @Query(() => LoyaltyProgram, { description: "The store's loyalty program: rates, expiry, redemption cap and tiers. Any authenticated caller (storefronts show it to customers)." })
  async loyaltyProgram(@Ctx() ctx: GraphQLContext) {
    return LoyaltyProgram.from(await getProgram(ctx.services));
  }

  @Authorized('read_customers', CUSTOMER)
  @Query(() => LoyaltyAccount, {
    nullable: true,
    description: 'A CUSTOMER: its own account (customerId ignored). Staff: any, with read_customers (null when customerId is missing or names no customer). A customer without points reads as zeros.',
  })
  async loyaltyAccount(@Arg('customerId', () => ID, { nullable: true, description: 'The customer (staff).' }) customerId: string | null, @Ctx() ctx: GraphQLContext) {
    const p = ctx.principal;
    let id: string | null;
    if (p.kind === 'CUSTOMER') id = p.customerId ?? null;
    else {
      id = customerId ? idOfType(customerId, 'Customer') : null;
      if (id && !(await customersByIds(ctx.services, [id])).length) id = null;
    }
    if (!id) return null;
    const view = await ctx.loaders.get(loyaltyLoaders).accountByCustomerId.load(id);
    return view ? accountOf(view) : null;
  }

  @Authorized('admin')
  @Mutation(() => LoyaltyProgramPayload, {
    description:
      'Changes the program (scope admin); fields left out stay, tiers replace all tiers. Errors (all at once, nothing changed): INVALID (pointsPerCurrencyUnit < 0, pointValue <= 0, expiryDays outside 1..3650, maxRedeemShare outside 0..1, no tiers, a code not [A-Z0-9_]{1,32} or repeated, the first minSpend not 0, minSpends not strictly increasing, a multiplier not > 0), INVALID_CURRENCY (unknown, or a tier not in the program currency = pointValue\'s), CURRENCY_LOCKED (a new currency once the ledger has entries).',
  })
  loyaltyProgramUpdate(@Arg('input', () => LoyaltyProgramUpdateInput, { description: 'The changes.' }) input: LoyaltyProgramUpdateInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () =>
        updateProgram(ctx.services, {
          pointsPerCurrencyUnit: input.pointsPerCurrencyUnit,
          pointValue: input.pointValue && { ...input.pointValue },
          expiryDays: input.expiryDays,
          maxRedeemShare: input.maxRedeemShare,
          tiers: input.tiers?.map((t) => ({ code: t.code, name: t.name, minSpend: { ...t.minSpend }, earnMultiplier: t.earnMultiplier })),
        }),
      (program) => ({ loyaltyProgram: LoyaltyProgram.from(program) }),
    );
  }

  @Authorized('write_loyalty')
  @Mutation(() => LoyaltyAdjustPayload, {
    description:
      "Adds or takes a customer's points with a reason (write_loyalty). The same idempotencyKey again returns the first entry and changes nothing. Errors (nothing changed): INVALID (points 0, reason empty or over 500 characters, key empty or over 200), NOT_FOUND (customer), INSUFFICIENT_POINTS (taking more than the balance).",
  })
  loyaltyAdjust(@Arg('input', () => LoyaltyAdjustInput, { description: 'Who, how many and why.' }) input: LoyaltyAdjustInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      async () => {
        const customerId = idOfType(input.customerId, 'Customer');
        const r = await adjustPoints(ctx.services, { customerId: customerId ?? '00000000-0000-0000-0000-000000000000', points: input.points, reason: input.reason, idempotencyKey: input.idempotencyKey });
        const [view] = await accountViews(ctx.services, [r.customerId]);
        return { transaction: r.transaction, view: view! };
      },
      (r) => ({ transaction: LoyaltyTransaction.from(r.transaction), account: accountOf(r.view) }),
    );
  }

  @Subscription(() => LoyaltyAccount, {
    description: "Balance changes (every ledger entry) of the caller's own account (CUSTOMER; customerId ignored), or of the one given or any (read_customers).",
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      requireScope(ctx.principal, 'read_customers', CUSTOMER);
      const p = ctx.principal;
      const gid = args.customerId as string | null | undefined;
      let customerId: string | null = null;
      if (p.kind === 'CUSTOMER') customerId = p.customerId ?? null;
      else if (gid) {
        customerId = idOfType(gid, 'Customer');
        if (!customerId) throw new GraphQLError('customerId is not a Customer id.', { extensions: { code: 'BAD_USER_INPUT' } });
      }
      return balanceStream(ctx, customerId);
    },
  })
  async loyaltyBalanceChanged(
    @Root() m: LoyaltyMessage,
    @Arg('customerId', () => ID, { nullable: true, description: 'Only this customer (staff).' }) _id: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LoyaltyAccount> {
    // Fresh: a subscription's loaders live as long as the subscription.
    const [view] = await accountViews(ctx.services, [m.customerId]);
    return accountOf(view!);
  }
}

@Resolver(() => LoyaltyAccount)
export class LoyaltyAccountResolver {
  @FieldResolver(() => Customer, { description: 'Whose points.' })
  async customer(@Root() a: LoyaltyAccount, @Ctx() ctx: GraphQLContext) {
    return Customer.from((await ctx.loaders.get(orderLoaders).buyerById.load(a.customerDbId))!);
  }

  @FieldResolver(() => LoyaltyTransactionConnection, { description: 'The ledger, newest first.' })
  async transactions(
    @Root() a: LoyaltyAccount,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many (default 20, at most 100).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to start after.' }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await transactionsPage(ctx.services, a.customerDbId, pageArgs({ first, after })), LoyaltyTransaction.from);
  }
}

@Resolver(() => LoyaltyTransaction)
export class LoyaltyTransactionResolver {
  @FieldResolver(() => Order, { nullable: true, description: 'The order that earned, redeemed or reversed these points (null when none or the caller may not see it).' })
  async order(@Root() t: LoyaltyTransaction, @Ctx() ctx: GraphQLContext) {
    if (!t.orderDbId) return null;
    const row = await ctx.loaders.get(orderLoaders).orderById.load(t.orderDbId);
    return row ? Order.from(row) : null;
  }

  @FieldResolver(() => ReturnRequest, { nullable: true, description: 'The refunded return this REVERSAL follows (null when none or the caller may not see it).' })
  async returnRequest(@Root() t: LoyaltyTransaction, @Ctx() ctx: GraphQLContext) {
    if (!t.returnRequestDbId) return null;
    const row = await ctx.loaders.get(returnsLoaders).returnById.load(t.returnRequestDbId);
    return row ? ReturnRequest.from(row) : null;
  }
}

@Resolver(() => Customer)
export class CustomerLoyaltyResolver {
  @FieldResolver(() => LoyaltyAccount, { description: "The customer's points (zeros when none). Its own CUSTOMER, or read_customers; FORBIDDEN otherwise." })
  async loyalty(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    requireAccountAccess(ctx.services, c.dbId);
    const view = await ctx.loaders.get(loyaltyLoaders).accountByCustomerId.load(c.dbId);
    if (!view) throw new AccessError('FORBIDDEN', 'Forbidden.');
    return accountOf(view);
  }
}
