import { Field, ID, InputType } from 'type-graphql';
import type { SupportChannelValue, TicketPriorityValue, TicketStatusValue } from './support.table.js';
import { SupportChannel, TicketPriority, TicketStatus } from './ticket.types.js';

@InputType('SupportTicketFilter', { description: 'Narrows supportTickets; all given conditions apply.' })
export class SupportTicketFilter {
  @Field(() => [TicketStatus], { nullable: true, description: 'Any of these statuses.' })
  status?: TicketStatusValue[] | null;
  @Field(() => [SupportChannel], { nullable: true, description: 'Any of these channels.' })
  channel?: SupportChannelValue[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Tickets past slaDueAt without a first response.' })
  breachedSla?: boolean | null;
}

@InputType('SupportTicketCreateInput', { description: 'A new ticket with its first message.' })
export class SupportTicketCreateInput {
  @Field(() => SupportChannel, { description: 'Where it came from.' })
  channel!: SupportChannelValue;
  @Field(() => String, { description: 'Short summary, 1 to 200 characters.' })
  subject!: string;
  @Field(() => String, { description: 'The first message, 1 to 20 000 characters, plain text.' })
  body!: string;
  @Field(() => String, { nullable: true, description: 'Channel gateways name the sender; a CUSTOMER token is the sender itself.' })
  customerEmail?: string | null;
  @Field(() => String, { nullable: true, description: 'The sender\'s phone (gateways), e.g. +7 900 765-43-21; without a country code read as Russian.' })
  customerPhone?: string | null;
  @Field(() => String, { nullable: true, description: 'An order of this customer, by number.' })
  orderNumber?: string | null;
  @Field(() => String, { nullable: true, description: 'BCP 47 tag; default: the customer\'s locale, else detected from the text.' })
  language?: string | null;
  @Field(() => TicketPriority, { nullable: true, description: 'Default NORMAL; a CUSTOMER may choose LOW or NORMAL only.' })
  priority?: TicketPriorityValue | null;
}

@InputType('SupportTicketReplyInput', { description: 'A message on a ticket.' })
export class SupportTicketReplyInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;
  @Field(() => String, { description: '1 to 20 000 characters, plain text.' })
  body!: string;
  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'An internal note (agents only): never shown to the customer, never sent to a channel.' })
  internal?: boolean | null;
}

@InputType('SupportTicketUpdateInput', { description: 'Changes staff make to a ticket; fields left out stay.' })
export class SupportTicketUpdateInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;
  @Field(() => TicketStatus, { nullable: true, description: 'New status, along the lifecycle.' })
  status?: TicketStatusValue | null;
  @Field(() => TicketPriority, { nullable: true, description: 'New priority: slaDueAt becomes createdAt + its target.' })
  priority?: TicketPriorityValue | null;
  @Field(() => String, { nullable: true, description: 'Agent or team (at most 100 characters); "" clears it.' })
  assignee?: string | null;
}
