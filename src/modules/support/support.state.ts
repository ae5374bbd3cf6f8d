/**
 * The ticket lifecycle as data (see src/shared/lifecycle.ts): every status change goes through the
 * kernel with this definition (history row, outbox event, in the caller's transaction).
 */
import { defineLifecycle, type TransitionTable } from '../../shared/lifecycle.js';
import { supportTicketEvents, supportTickets, ticketMessages, type TicketStatusValue } from './support.table.js';

/**
 * Status changes and public messages of tickets: the SUPPORT_TICKET_UPDATED webhook (channel
 * gateways deliver agent replies on their channel from it). Internal notes never go here.
 */
export const SUPPORT_TICKET_UPDATED = 'support_ticket.updated';
/** Every new message, internal notes included (flagged): supportTicketMessageAdded filters per caller. */
export const SUPPORT_MESSAGE_ADDED = 'support_ticket.message_added';

/**
 * OPEN: waiting for the store. An agent's public reply moves it to PENDING_CUSTOMER; the
 * customer's next message moves it back to OPEN (from RESOLVED too: the problem came back).
 * RESOLVED starts the CSAT window; CLOSED is final (a reply to it is refused).
 */
export const ticketTransitions: TransitionTable<TicketStatusValue> = {
  OPEN: ['PENDING_CUSTOMER', 'RESOLVED', 'CLOSED'],
  PENDING_CUSTOMER: ['OPEN', 'RESOLVED', 'CLOSED'],
  RESOLVED: ['OPEN', 'CLOSED'],
  CLOSED: [],
};

export type TicketRow = typeof supportTickets.$inferSelect;
export type TicketMessageRow = typeof ticketMessages.$inferSelect;

export const ticketLifecycle = defineLifecycle<TicketStatusValue, TicketRow>({
  noun: 'ticket',
  table: supportTickets,
  transitions: ticketTransitions,
  history: supportTicketEvents,
  topic: SUPPORT_TICKET_UPDATED,
  event: (r, c) => ({
    topic: SUPPORT_TICKET_UPDATED,
    payload: {
      kind: 'STATUS_CHANGED',
      ticketId: r.id,
      number: r.number,
      customerId: r.customerId,
      channel: r.channel,
      priority: r.priority,
      language: r.language,
      sequence: c.sequence,
      status: c.status,
      previousStatus: c.previousStatus,
      message: c.message,
      occurredAt: c.occurredAt.toISOString(),
    },
  }),
});
