import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { enumOf } from '../../graphql/enums.js';
import { Connection, Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import type { TicketMessageRow, TicketRow } from './support.state.js';
import {
  SUPPORT_CHANNELS,
  TICKET_AUTHOR_KINDS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type SupportChannelValue,
  type TicketAuthorKindValue,
  type TicketPriorityValue,
  type TicketStatusValue,
} from './support.table.js';

export const SupportChannel = enumOf(SUPPORT_CHANNELS);
registerEnumType(SupportChannel, {
  name: 'SupportChannel',
  description: 'Where a ticket came from: e-mail, the storefront chat widget, a phone call, a social network, a messenger, a web form.',
});

export const TicketStatus = enumOf(TICKET_STATUSES);
registerEnumType(TicketStatus, {
  name: 'TicketStatus',
  description: 'OPEN → PENDING_CUSTOMER (an agent replied) → OPEN (the customer wrote again) …; RESOLVED (reopens when the customer writes); CLOSED is final.',
  valuesConfig: {
    OPEN: { description: 'Waiting for the store.' },
    PENDING_CUSTOMER: { description: 'An agent answered; waiting for the customer.' },
    RESOLVED: { description: 'Solved; a message from the customer reopens it. The customer may rate it (csatSubmit).' },
    CLOSED: { description: 'Final: replies are refused (TICKET_CLOSED); the customer opens a new ticket.' },
  },
});

export const TicketPriority = enumOf(TICKET_PRIORITIES);
registerEnumType(TicketPriority, {
  name: 'TicketPriority',
  description: 'Sets the first-response target (SUPPORT_SLA_HOURS; defaults URGENT 1 h, HIGH 4 h, NORMAL 24 h, LOW 72 h).',
});

export const TicketAuthorKind = enumOf(TICKET_AUTHOR_KINDS);
registerEnumType(TicketAuthorKind, { name: 'TicketAuthorKind', description: 'Who wrote a message: the customer (itself or through its channel gateway), an agent, or the assistant.' });

@ObjectType('TicketMessage', { description: 'One message of a ticket, stored as plain text (never rendered as HTML).' })
export class TicketMessage {
  @Field(() => ID, { description: 'Opaque id.' })
  id!: string;
  dbId!: string;
  @Field(() => TicketAuthorKind, { description: 'Who wrote it.' })
  authorKind!: TicketAuthorKindValue;
  @Field(() => String, { description: 'The text as written (plain text; a client shows it as text, not HTML).' })
  body!: string;
  @Field(() => Boolean, { description: 'Internal notes are visible to staff only.' })
  internal!: boolean;
  @Field(() => SupportChannel, { description: 'The channel it came through (the ticket\'s).' })
  channel!: SupportChannelValue;
  @Field(() => String, { description: 'BCP 47 primary tag: the customer\'s locale for its own messages, else detected from the text.' })
  language!: string;
  @Field(() => DateTime, { description: 'When it was written.' })
  createdAt!: Date;
  static from(m: Pick<TicketMessageRow, 'id' | 'authorKind' | 'body' | 'internal' | 'channel' | 'language'> & { createdAt: Date | string }): TicketMessage {
    return { id: toGlobalId('TicketMessage', m.id), dbId: m.id, authorKind: m.authorKind, body: m.body, internal: m.internal, channel: m.channel, language: m.language, createdAt: new Date(m.createdAt) };
  }
}

@ObjectType('SupportTicket', { implements: Node, description: 'A customer\'s request to the store, from any channel, with its conversation.' })
export class SupportTicket implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  customerDbId!: string | null;
  orderDbId!: string | null;
  @Field(() => String, { description: 'E.g. T-100001.' })
  number!: string;
  @Field(() => SupportChannel, { description: 'Where it came from.' })
  channel!: SupportChannelValue;
  @Field(() => TicketStatus, { description: 'Current status.' })
  status!: TicketStatusValue;
  @Field(() => TicketPriority, { description: 'Sets slaDueAt.' })
  priority!: TicketPriorityValue;
  @Field(() => String, { description: 'Short summary.' })
  subject!: string;
  @Field(() => String, { description: 'BCP 47, e.g. ru, en: given, else the customer\'s locale, else detected from the text.' })
  language!: string;
  @Field(() => String, { nullable: true, description: 'The agent or team it is assigned to.' })
  assignee!: string | null;
  @Field(() => DateTime, { description: 'First response due: createdAt + the priority\'s target.' })
  slaDueAt!: Date;
  @Field(() => DateTime, { nullable: true, description: 'The first public agent reply.' })
  firstResponseAt!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'When it was last RESOLVED (cleared when it reopens).' })
  resolvedAt!: Date | null;
  @Field(() => DateTime, { description: 'When it was opened.' })
  createdAt!: Date;
  static from(r: TicketRow): SupportTicket {
    return typed('SupportTicket', {
      id: toGlobalId('SupportTicket', r.id),
      dbId: r.id,
      customerDbId: r.customerId,
      orderDbId: r.orderId,
      number: r.number,
      channel: r.channel,
      status: r.status,
      priority: r.priority,
      subject: r.subject,
      language: r.language,
      assignee: r.assignee,
      slaDueAt: r.slaDueAt,
      firstResponseAt: r.firstResponseAt,
      resolvedAt: r.resolvedAt,
      createdAt: r.createdAt,
    });
  }
}

@ObjectType('SupportTicketConnection', { description: 'A page of tickets, newest first.' })
export class SupportTicketConnection extends Connection('SupportTicket', () => SupportTicket) {}

@ObjectType('TicketMessageEvent', { description: 'A new message of a ticket (supportTicketMessageAdded).' })
export class TicketMessageEvent {
  ticketDbId!: string;
  @Field(() => SupportTicket, { description: 'The ticket as it is now.' })
  ticket?: SupportTicket;
  @Field(() => TicketMessage, { description: 'The new message.' })
  message!: TicketMessage;
}
