import { index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { defineLifecycle, historyTable, type TransitionTable } from '../../shared/lifecycle.js';
import { orders } from '../orders/order.table.js';

export const NOTIFICATION_CHANNELS = ['EMAIL', 'SMS', 'WEBHOOK'] as const;
export type NotificationChannelValue = (typeof NOTIFICATION_CHANNELS)[number];

export const NOTIFICATION_STATUSES = ['PENDING', 'SENT', 'FAILED'] as const;
export type NotificationStatusValue = (typeof NOTIFICATION_STATUSES)[number];

export const NOTIFICATION_STATUS_CHANGED = 'notification.status_changed';

/**
 * One message to a customer about an order, rendered once when the event was handled (the row
 * shows exactly what was sent) and sent by the NotificationSender. `(event_id, template)` is
 * unique: an outbox event handled twice never produces a second message.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: idColumn(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
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
    index('notifications_due_idx').on(t.status, t.nextAttemptAt),
  ],
);

/** A notification's timeline: PENDING when rendered, then SENT or FAILED (a retry is an attempt, not a change). */
export const notificationEvents = historyTable('notification_events', 'notification_id', () => notifications.id, NOTIFICATION_STATUSES);

export const NOTIFICATION_TRANSITIONS: TransitionTable<NotificationStatusValue> = {
  PENDING: ['SENT', 'FAILED'],
  SENT: [],
  FAILED: [],
};

/**
 * The notification lifecycle (shared/lifecycle.ts). Its event, 'notification.status_changed', is
 * not one the notification handler listens to (it listens to order.status_changed) nor a webhook
 * topic, so a notification never causes another notification or a webhook.
 */
export type NotificationLifecycleRow = Pick<typeof notifications.$inferSelect, 'id' | 'status' | 'orderId' | 'template'>;

export const notificationLifecycle = defineLifecycle<NotificationStatusValue, NotificationLifecycleRow>({
  noun: 'notification',
  table: notifications,
  columns: { id: notifications.id, status: notifications.status, lastSequence: notifications.lastSequence },
  transitions: NOTIFICATION_TRANSITIONS,
  history: notificationEvents,
  topic: NOTIFICATION_STATUS_CHANGED,
  event: (row, c) => ({
    topic: NOTIFICATION_STATUS_CHANGED,
    payload: { id: row.id, orderId: row.orderId, template: row.template, sequence: c.sequence, status: c.status, previousStatus: c.previousStatus, message: c.message, occurredAt: c.occurredAt.toISOString() },
  }),
});
