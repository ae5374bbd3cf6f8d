import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { jobLifecycle } from '../../events/delivery-worker.js';
import { orders } from '../orders/order.table.js';
import { supportTickets } from '../support/support.table.js';

export const NOTIFICATION_CHANNELS = ['EMAIL', 'SMS', 'WEBHOOK'] as const;
export type NotificationChannelValue = (typeof NOTIFICATION_CHANNELS)[number];

/** In the order jobLifecycle reads them: pending, done, failed. */
export const NOTIFICATION_STATUSES = ['PENDING', 'SENT', 'FAILED'] as const;
export type NotificationStatusValue = (typeof NOTIFICATION_STATUSES)[number];

export const NOTIFICATION_STATUS_CHANGED = 'notification.status_changed';
/** What a notification's status event carries of it. */
export type NotificationLifecycleRow = Pick<typeof notifications.$inferSelect, 'id' | 'status' | 'orderId' | 'ticketId' | 'template'>;

/**
 * One message to a customer about an order (or a return of it: the return's number is in the
 * message, the row belongs to its order) or about a support ticket (an agent's reply: the row
 * belongs to the ticket; exactly one of order and ticket is set), rendered once when the event was handled (the row
 * shows exactly what was sent) and sent by the NotificationSender. `(event_id, template)` is
 * unique: an outbox event handled twice never produces a second message.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: idColumn(),
    orderId: uuid('order_id').references(() => orders.id, { onDelete: 'cascade' }),
    ticketId: uuid('ticket_id').references(() => supportTickets.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id').notNull(),
    template: text('template').notNull(),
    channel: text('channel', { enum: NOTIFICATION_CHANNELS }).notNull().default('EMAIL'),
    /** The locale the message was rendered in (after fallback), e.g. ru or en. */
    locale: text('locale').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject'),
    body: text('body').notNull(),
    status: text('status', { enum: NOTIFICATION_STATUSES }).notNull().default('PENDING'),
    lastSequence: integer('last_sequence').notNull().default(1),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    sentAt: tstz('sent_at'),
  },
  (t) => [
    unique('notifications_event_template_uq').on(t.eventId, t.template),
    index('notifications_order_idx').on(t.orderId),
    index('notifications_ticket_idx').on(t.ticketId),
    check('notifications_subject_ck', sql`(${t.orderId} is null) <> (${t.ticketId} is null)`),
    index('notifications_due_idx').on(t.status, t.nextAttemptAt),
  ],
);

/**
 * The notification lifecycle: PENDING -> SENT | FAILED, with its timeline notification_events.
 * Its event, 'notification.status_changed', is not one the notification handlers listen to (they
 * listen to order.status_changed, return.updated and support_ticket.updated) nor a webhook topic, so a notification never causes another
 * notification or a webhook.
 */
export const notificationLifecycle = jobLifecycle<NotificationStatusValue, NotificationLifecycleRow>('notification', notifications, NOTIFICATION_STATUSES, {
  history: ['notification_events', 'notification_id'], topic: NOTIFICATION_STATUS_CHANGED, fields: ['orderId', 'ticketId', 'template'],
});
export const notificationEvents = notificationLifecycle.history;
