/**
 * Customer service: tickets from every channel, their messages (each with its channel and
 * language; internal notes for staff only) and the ticket timeline (the lifecycle kernel's history).
 */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgSequence, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { historyTable } from '../../shared/lifecycle.js';
import { customers } from '../customers/customer.table.js';
import { orders } from '../orders/order.table.js';

export const SUPPORT_CHANNELS = ['EMAIL', 'CHAT', 'PHONE', 'SOCIAL', 'MESSENGER', 'WEB'] as const;
export type SupportChannelValue = (typeof SUPPORT_CHANNELS)[number];

export const TICKET_STATUSES = ['OPEN', 'PENDING_CUSTOMER', 'RESOLVED', 'CLOSED'] as const;
export type TicketStatusValue = (typeof TICKET_STATUSES)[number];

export const TICKET_PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
export type TicketPriorityValue = (typeof TICKET_PRIORITIES)[number];

export const TICKET_AUTHOR_KINDS = ['CUSTOMER', 'AGENT', 'ASSISTANT'] as const;
export type TicketAuthorKindValue = (typeof TICKET_AUTHOR_KINDS)[number];

/** Ticket numbers T-100001, T-100002, ... */
export const ticketNumberSeq = pgSequence('support_ticket_number_seq', { startWith: 100001 });

export const supportTickets = pgTable(
  'support_tickets',
  {
    id: idColumn(),
    number: text('number').notNull().unique(),
    channel: text('channel', { enum: SUPPORT_CHANNELS }).notNull(),
    status: text('status', { enum: TICKET_STATUSES }).notNull(),
    /** The lifecycle kernel's per-ticket sequence: the last row of support_ticket_events. */
    lastSequence: integer('last_sequence').notNull().default(1),
    priority: text('priority', { enum: TICKET_PRIORITIES }).notNull(),
    subject: text('subject').notNull(),
    /** BCP 47 primary tag: given, else the customer's locale, else detected from subject and body. */
    language: text('language').notNull(),
    /** Null only for a question an anonymous caller asked the assistant, handed off. */
    customerId: uuid('customer_id').references(() => customers.id),
    orderId: uuid('order_id').references(() => orders.id),
    assignee: text('assignee'),
    /** Created at + the priority's first-response target. */
    slaDueAt: tstz('sla_due_at').notNull(),
    firstResponseAt: tstz('first_response_at'),
    resolvedAt: tstz('resolved_at'),
    /** Who opened it: 'customer', 'assistant' or the API key's name. */
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('support_tickets_customer_idx').on(t.customerId, t.createdAt),
    index('support_tickets_created_idx').on(t.createdAt, t.id),
    // The SLA watch: open tickets still waiting for their first response.
    index('support_tickets_sla_idx').on(t.slaDueAt).where(sql`${t.firstResponseAt} is null`),
  ],
);

export const ticketMessages = pgTable(
  'support_ticket_messages',
  {
    id: idColumn(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => supportTickets.id),
    authorKind: text('author_kind', { enum: TICKET_AUTHOR_KINDS }).notNull(),
    /** The agent's or key's name; null for the customer. */
    authorName: text('author_name'),
    /** Plain text as written (never rendered as HTML). */
    body: text('body').notNull(),
    internal: boolean('internal').notNull().default(false),
    channel: text('channel', { enum: SUPPORT_CHANNELS }).notNull(),
    language: text('language').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('support_ticket_messages_ticket_idx').on(t.ticketId, t.createdAt, t.id)],
);

export const supportTicketEvents = historyTable('support_ticket_events', 'ticket_id', () => supportTickets.id, TICKET_STATUSES);
