import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CUSTOMER } from '../../graphql/auth.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { idOfType } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import { payload } from '../../graphql/user-error.js';
import { orderLoaders } from '../orders/order.loaders.js';
import { Order } from '../orders/order.types.js';
import { csatLoaders } from './csat.loaders.js';
import { csatSummary, submitCsat } from './csat.service.js';
import { CsatResponse, CsatSubmitInput, CsatSubmitPayload, CsatSummaryType } from './csat.types.js';
import { ticketLoaders } from './ticket.loaders.js';
import { SupportTicket } from './ticket.types.js';

/** A given global id as a database id; '' when it is not one of `type` (the service answers NOT_FOUND). */
const decode = (gid: string | null | undefined, type: string): string | null => (gid == null ? null : (idOfType(gid, type) ?? ''));

@Resolver(() => CsatResponse)
export class CsatResponseResolver {
  @Authorized(CUSTOMER)
  @Mutation(() => CsatSubmitPayload, {
    description:
      "The customer (its token) rates its delivered order or its resolved ticket from 1 to 5, with an optional comment (plain text). Once each: a second answer replaces the first within 7 days of the first. Errors (nothing written): INVALID (score not 1..5, both or neither of orderId and ticketId), TOO_LONG (comment over 2000 characters), NOT_FOUND (unknown, or another customer's), ORDER_NOT_DELIVERED, TICKET_NOT_RESOLVED, CSAT_CLOSED (answered more than 7 days ago).",
  })
  csatSubmit(@Arg('input', () => CsatSubmitInput, { description: 'The answer.' }) input: CsatSubmitInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => submitCsat(ctx.services, { orderId: decode(input.orderId, 'Order'), ticketId: decode(input.ticketId, 'SupportTicket'), score: input.score, comment: input.comment }),
      (row) => ({ csat: CsatResponse.from(row) }),
    );
  }

  @Authorized('read_support')
  @Query(() => CsatSummaryType, { description: 'Staff (read_support): satisfaction answers first given in [from, to): count, mean and distribution of scores, for deliveries, for tickets and per ticket channel.' })
  csatSummary(
    @Arg('from', () => DateTime, { description: 'Start (inclusive).' }) from: Date,
    @Arg('to', () => DateTime, { description: 'End (exclusive).' }) to: Date,
    @Ctx() ctx: GraphQLContext,
  ) {
    return csatSummary(ctx.services, { from, to });
  }

  @FieldResolver(() => Order, { nullable: true, description: 'The order rated; null for a ticket, or when the caller may not read the order.' })
  async order(@Root() c: CsatResponse, @Ctx() ctx: GraphQLContext) {
    if (!c.orderDbId) return null;
    const row = await ctx.loaders.get(orderLoaders).orderById.load(c.orderDbId);
    return row ? Order.from(row) : null;
  }

  @FieldResolver(() => SupportTicket, { nullable: true, description: 'The ticket rated; null for an order, or when the caller may not read the ticket.' })
  async ticket(@Root() c: CsatResponse, @Ctx() ctx: GraphQLContext) {
    if (!c.ticketDbId) return null;
    const row = await ctx.loaders.get(ticketLoaders).ticketById.load(c.ticketDbId);
    return row ? SupportTicket.from(row) : null;
  }
}

/** Adds Order.csat (the link lives in the module that adds it). */
@Resolver(() => Order)
export class OrderCsatResolver {
  @FieldResolver(() => CsatResponse, { nullable: true, description: 'CSAT survey answer for this order, if any (whoever sees the order sees it).' })
  async csat(@Root() o: Order, @Ctx() ctx: GraphQLContext) {
    const row = await ctx.loaders.get(csatLoaders).csatByOrderId.load(o.dbId);
    return row ? CsatResponse.from(row) : null;
  }
}

/** Adds SupportTicket.csat. */
@Resolver(() => SupportTicket)
export class TicketCsatResolver {
  @FieldResolver(() => CsatResponse, { nullable: true, description: "The customer's satisfaction answer about this ticket, if any." })
  async csat(@Root() t: SupportTicket, @Ctx() ctx: GraphQLContext) {
    const row = await ctx.loaders.get(csatLoaders).csatByTicketId.load(t.dbId);
    return row ? CsatResponse.from(row) : null;
  }
}
