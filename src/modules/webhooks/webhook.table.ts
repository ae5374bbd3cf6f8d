import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { jobLifecycle } from '../../events/delivery-worker.js';

/** The contract's WebhookTopic values. */
export const WEBHOOK_TOPICS = ['ORDER_CREATED', 'ORDER_STATUS_CHANGED', 'SHIPMENT_UPDATED', 'INVENTORY_LEVEL_CHANGED', 'RETURN_UPDATED', 'PURCHASE_ORDER_UPDATED', 'TRANSFER_ORDER_UPDATED', 'LOYALTY_TRANSACTION_CREATED', 'SUPPORT_TICKET_UPDATED'] as const;
export type WebhookTopicValue = (typeof WEBHOOK_TOPICS)[number];

/** In the order jobLifecycle reads them: pending, done, failed. */
export const DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type DeliveryStatusValue = (typeof DELIVERY_STATUSES)[number];

export const WEBHOOK_DELIVERY_STATUS_CHANGED = 'webhook_delivery.status_changed';
/** What a delivery's status event carries of it. */
export type DeliveryLifecycleRow = Pick<typeof webhookDeliveries.$inferSelect, 'id' | 'status' | 'subscriptionId' | 'eventId'>;

/**
 * Webhook endpoints. The HMAC secret is stored as is because every delivery is signed with it
 * (a hash would not do); encrypting it at rest (KMS / envelope key) is out of scope for now.
 * The creator's PARTNER restrictions are copied so deliveries never reveal more than the key could read.
 */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: idColumn(),
    topic: text('topic', { enum: WEBHOOK_TOPICS }).notNull(),
    url: text('url').notNull(),
    secret: text('secret').notNull(),
    /** The creating API key's id (or the principal's name when it has none). */
    createdBy: text('created_by').notNull(),
    /** PARTNER restriction of the creator, by warehouse code; null = unrestricted. */
    warehouseCodes: text('warehouse_codes').array(),
    /** PARTNER restriction of the creator, by carrier code; null = unrestricted. */
    carrierCodes: text('carrier_codes').array(),
    createdAt: createdAt(),
    disabledAt: tstz('disabled_at'),
  },
  (t) => [index('webhook_subscriptions_topic_active_idx').on(t.topic).where(sql`${t.disabledAt} is null`)],
);

/** One event to send to one subscription; the body is built once so every attempt sends the same bytes. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: idColumn(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id').notNull(),
    topic: text('topic', { enum: WEBHOOK_TOPICS }).notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('PENDING'),
    lastSequence: integer('last_sequence').notNull().default(1),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: tstz('delivered_at'),
  },
  (t) => [
    unique('webhook_deliveries_subscription_event_uq').on(t.subscriptionId, t.eventId),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
  ],
);

/**
 * The delivery lifecycle: PENDING -> SUCCEEDED | FAILED, with its timeline webhook_delivery_events.
 * Its event, 'webhook_delivery.status_changed', is for operators and subscribers of the event
 * stream; it is deliberately not a webhook topic (OUTBOX_TO_WEBHOOK_TOPIC), so a delivery never
 * causes another delivery.
 */
export const webhookDeliveryLifecycle = jobLifecycle<DeliveryStatusValue, DeliveryLifecycleRow>('webhook delivery', webhookDeliveries, DELIVERY_STATUSES, {
  history: ['webhook_delivery_events', 'delivery_id'], topic: WEBHOOK_DELIVERY_STATUS_CHANGED, fields: ['subscriptionId', 'eventId'],
});
export const webhookDeliveryEvents = webhookDeliveryLifecycle.history;

/** Every HTTP attempt of a delivery, successful or not. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: idColumn(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attemptedAt: timestamp('attempted_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId)],
);
