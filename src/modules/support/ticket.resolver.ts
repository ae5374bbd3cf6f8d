import { GraphQLError } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { CUSTOMER, requireScope } from '../../graphql/auth.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { ConnectionArgs, idOfType, pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { Customer } from '../customers/customer.types.js';
import { orderLoaders } from '../orders/order.loaders.js';
import { Order } from '../orders/order.types.js';
import { SUPPORT_MESSAGE_ADDED } from './support.state.js';
import { SupportTicketCreateInput, SupportTicketFilter, SupportTicketReplyInput, SupportTicketUpdateInput } from './ticket.inputs.js';
import { ticketLoaders } from './ticket.loaders.js';
import { SupportTicketPayload } from './ticket.payloads.js';
import { createTicket, listTickets, messagesByTicketIds, replyToTicket, seesInternal, ticketsByIds, updateTicket, type TicketMessageRow } from './ticket.service.js';
import { SupportTicket, SupportTicketConnection, TicketMessage, TicketMessageEvent } from './ticket.types.js';

const wrap = (row: Parameters<typeof SupportTicket.from>[0]) => ({ ticket: SupportTicket.from(row) });

/** What a support_ticket.message_added event carries (ticket.service.ts emitMessage). */
interface MessageAdded {
  ticketId: string;
  customerId: string | null;
  message: Pick<TicketMessageRow, 'id' | 'authorKind' | 'body' | 'internal' | 'channel' | 'language'> & { createdAt: string };
}

/** New messages of one ticket the caller reads; internal notes only for staff with read_support; each once. */
async function* messageStream(ctx: GraphQLContext, ticketId: string): AsyncGenerator<MessageAdded> {
  const live = ctx.events.subscribe(SUPPORT_MESSAGE_ADDED)[Symbol.asyncIterator]();
  const seen = new Set<string>();
  try {
    // Live only: the messages stored when the subscription started are history (their events may
    // still be on their way: the relay publishes after commit).
    for (const m of await messagesByTicketIds(ctx.services, [ticketId])) seen.add(m.id);
    for (;;) {
      const next = await live.next();
      if (next.done) return;
      const m = next.value as unknown as MessageAdded;
      if (m.ticketId !== ticketId || seen.has(m.message.id)) continue;
      if (m.message.internal && !seesInternal(ctx.principal)) continue;
      seen.add(m.message.id);
      yield m;
    }
  } finally {
    await live.return?.();
  }
}

@Resolver(() => SupportTicket)
export class SupportTicketResolver {
  @Authorized('read_support', CUSTOMER)
  @Query(() => SupportTicketConnection, { description: 'Tickets, newest first. A CUSTOMER sees its own only; read_support sees all; an anonymous caller none.' })
  async supportTickets(
    @Arg('filter', () => SupportTicketFilter, { nullable: true, description: 'Filters; all given conditions apply.' }) filter: SupportTicketFilter | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await listTickets(ctx.services, { ...pageArgs(args), filter }), SupportTicket.from);
  }

  @Authorized('read_support', CUSTOMER)
  @Query(() => SupportTicket, { nullable: true, description: 'A ticket by global ID; null if it does not exist or the caller may not read it (a CUSTOMER reads its own).' })
  async supportTicket(@Arg('id', () => ID, { description: 'SupportTicket global ID.' }) id: string, @Ctx() ctx: GraphQLContext) {
    const dbId = idOfType(id, 'SupportTicket');
    const row = dbId ? await ctx.loaders.get(ticketLoaders).ticketById.load(dbId) : null;
    return row ? SupportTicket.from(row) : null;
  }

  @Authorized('write_support', CUSTOMER)
  @Mutation(() => SupportTicketPayload, {
    description:
      'Opens a ticket with its first message. A CUSTOMER opens it as itself (priority LOW or NORMAL); a channel gateway (write_support) names the sender by customerEmail or customerPhone, found or created. Language: given, else the customer\'s locale, else detected. Errors (nothing written): INVALID (empty subject or body, bad e-mail, phone or language tag, no sender), TOO_LONG (subject over 200, body over 20 000 characters), NOT_FOUND (orderNumber is not an order of this customer).',
  })
  supportTicketCreate(@Arg('input', () => SupportTicketCreateInput, { description: 'The ticket.' }) input: SupportTicketCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => createTicket(ctx.services, { ...input }), wrap);
  }

  @Authorized('write_support', CUSTOMER)
  @Mutation(() => SupportTicketPayload, {
    description:
      "Adds a message: the ticket's CUSTOMER, its channel gateway relaying the customer (PARTNER with write_support), or an agent (STAFF with write_support; internal notes too). An agent's first public reply sets firstResponseAt and an OPEN ticket becomes PENDING_CUSTOMER; the customer's message reopens a PENDING_CUSTOMER or RESOLVED one. Errors (nothing written): INVALID, TOO_LONG, NOT_FOUND (also someone else's ticket), FORBIDDEN (internal by a non-agent), TICKET_CLOSED.",
  })
  supportTicketReply(@Arg('input', () => SupportTicketReplyInput, { description: 'The message.' }) input: SupportTicketReplyInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => replyToTicket(ctx.services, { ticketId: idOfType(input.ticketId, 'SupportTicket') ?? '', body: input.body, internal: input.internal }), wrap);
  }

  @Authorized('write_support')
  @Mutation(() => SupportTicketPayload, {
    description: 'Staff (write_support) change status (INVALID_STATE_TRANSITION off the lifecycle), priority (slaDueAt follows) or assignee. Errors (nothing written): INVALID, TOO_LONG, NOT_FOUND, INVALID_STATE_TRANSITION.',
  })
  supportTicketUpdate(@Arg('input', () => SupportTicketUpdateInput, { description: 'The changes.' }) input: SupportTicketUpdateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => updateTicket(ctx.services, { ...input, ticketId: idOfType(input.ticketId, 'SupportTicket') ?? '' }), wrap);
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'Who asked (null only for an anonymous question the assistant handed off).' })
  async customer(@Root() t: SupportTicket, @Ctx() ctx: GraphQLContext) {
    if (!t.customerDbId) return null;
    const row = await ctx.loaders.get(orderLoaders).buyerById.load(t.customerDbId);
    return row ? Customer.from(row) : null;
  }

  @FieldResolver(() => Order, { nullable: true, description: "The customer's order it is about; null when none, or when the caller may not read orders (a channel gateway without read_orders)." })
  async order(@Root() t: SupportTicket, @Ctx() ctx: GraphQLContext) {
    if (!t.orderDbId) return null;
    const row = await ctx.loaders.get(orderLoaders).orderById.load(t.orderDbId);
    return row ? Order.from(row) : null;
  }

  @FieldResolver(() => [TicketMessage], { description: 'The conversation, oldest first. Internal notes only for staff.' })
  async messages(@Root() t: SupportTicket, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(ticketLoaders).messagesByTicketId.load(t.dbId)).map(TicketMessage.from);
  }

  @Subscription(() => TicketMessageEvent, {
    description: 'New messages of one ticket (a chat widget); a CUSTOMER only its own, internal notes never; staff with read_support see internal notes too.',
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      requireScope(ctx.principal, 'read_support', CUSTOMER);
      const id = idOfType(args.ticketId as string, 'SupportTicket');
      if (!id) throw new GraphQLError('ticketId is not a SupportTicket id.', { extensions: { code: 'BAD_USER_INPUT' } });
      return (async function* () {
        // Someone else's ticket and an unknown one look the same.
        const [row] = await ticketsByIds(ctx.services, [id]);
        if (!row) throw new GraphQLError('No such ticket.', { extensions: { code: 'NOT_FOUND' } });
        yield* messageStream(ctx, id);
      })();
    },
  })
  supportTicketMessageAdded(@Arg('ticketId', () => ID, { description: 'The ticket.' }) _ticketId: string, @Root() m: MessageAdded): TicketMessageEvent {
    return { ticketDbId: m.ticketId, message: TicketMessage.from(m.message) };
  }
}

@Resolver(() => TicketMessageEvent)
export class TicketMessageEventResolver {
  @FieldResolver(() => SupportTicket, { description: 'The ticket as it is now.' })
  async ticket(@Root() e: TicketMessageEvent, @Ctx() ctx: GraphQLContext) {
    const row = await ctx.loaders.get(ticketLoaders).ticketById.load(e.ticketDbId);
    if (!row) throw new GraphQLError('No such ticket.', { extensions: { code: 'NOT_FOUND' } });
    return SupportTicket.from(row);
  }
}
