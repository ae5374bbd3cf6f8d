import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../db/columns.js';

/**
 * Transactional outbox: written in the same transaction as the state change; after commit the relay
 * hands each row to the durable handlers (handled_at) and publishes it (published_at), separately.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: idColumn(),
    topic: text('topic').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    /** When the durable handlers (webhooks, notifications) ran for this event, in the same transaction. */
    handledAt: tstz('handled_at'),
    /** When the pub/sub accepted it (subscriptions, cache invalidation on other instances). */
    publishedAt: tstz('published_at'),
  },
  (t) => [
    index('outbox_unpublished_idx').on(t.id).where(sql`${t.publishedAt} is null`),
    index('outbox_unhandled_idx').on(t.id).where(sql`${t.handledAt} is null`),
  ],
);
