/** What the outbox relay still has to do, for the metrics: one statement over the partial indexes of unfinished rows. */
import { sql, type Database } from '../db/client.js';

export interface OutboxBacklog {
  /** Committed events not yet accepted by the pub/sub. */
  unpublished: number;
  /** Committed events the durable handlers (webhooks, notifications) have not run for. */
  unhandled: number;
  /** Age of the oldest unpublished event, seconds (0 when there is none): how far the relay lags behind. */
  oldestUnpublishedSeconds: number;
  /** Age of the oldest unhandled event, seconds (0 when there is none). */
  oldestUnhandledSeconds: number;
}

/**
 * Counts the unfinished rows (outbox_unpublished_idx and outbox_unhandled_idx cover them; the
 * relay keeps them few, and a pub/sub outage makes them grow, which is what this is for).
 */
export async function outboxBacklog(database: Database): Promise<OutboxBacklog> {
  const [row] = await database.rows<{ unpublished: number | string; unhandled: number | string; oldest_unpublished: number | string | null; oldest_unhandled: number | string | null }>(sql`
    select
      (select count(*)::int from outbox where published_at is null) as unpublished,
      (select count(*)::int from outbox where handled_at is null) as unhandled,
      (select extract(epoch from now() - min(created_at))::float8 from outbox where published_at is null) as oldest_unpublished,
      (select extract(epoch from now() - min(created_at))::float8 from outbox where handled_at is null) as oldest_unhandled`);
  return {
    unpublished: Number(row?.unpublished ?? 0),
    unhandled: Number(row?.unhandled ?? 0),
    oldestUnpublishedSeconds: Math.max(0, Number(row?.oldest_unpublished ?? 0)),
    oldestUnhandledSeconds: Math.max(0, Number(row?.oldest_unhandled ?? 0)),
  };
}
