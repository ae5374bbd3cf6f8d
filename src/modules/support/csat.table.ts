/**
 * Customer satisfaction answers: a score 1..5 with an optional comment about a delivered order or
 * a resolved ticket of the customer, one per order and one per ticket (a second answer replaces the
 * first within the replacement window; see csat.service.ts).
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { customers } from '../customers/customer.table.js';
import { orders } from '../orders/order.table.js';
import { supportTickets } from './support.table.js';

/** Longest comment (characters). */
export const CSAT_COMMENT_MAX = 2000;

export const csatResponses = pgTable(
  'csat_responses',
  {
    id: idColumn(),
    /** Exactly one of order and ticket is set (csat_responses_subject_ck). */
    orderId: uuid('order_id').references(() => orders.id, { onDelete: 'cascade' }),
    ticketId: uuid('ticket_id').references(() => supportTickets.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    score: integer('score').notNull(),
    /** Plain text as written (never rendered as HTML). */
    comment: text('comment'),
    /** The first answer: the replacement window runs from here. */
    createdAt: createdAt(),
    /** The last answer (equals createdAt until replaced). */
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('csat_responses_score_ck', sql`${t.score} between 1 and 5`),
    check('csat_responses_comment_ck', sql`char_length(${t.comment}) <= ${sql.raw(String(CSAT_COMMENT_MAX))}`),
    check('csat_responses_subject_ck', sql`(${t.orderId} is null) <> (${t.ticketId} is null)`),
    // One answer per order and per ticket; the upsert of csatSubmit conflicts on these.
    uniqueIndex('csat_responses_order_uq').on(t.orderId),
    uniqueIndex('csat_responses_ticket_uq').on(t.ticketId),
    index('csat_responses_created_idx').on(t.createdAt),
  ],
);

export type CsatRow = typeof csatResponses.$inferSelect;
