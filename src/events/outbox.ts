/**
 * Writing events: a service runs its state change through `transact`, and every `emit`
 * inserts an outbox row in that same transaction. After commit the relay is told (relay.committed); a
 * rolled-back transaction leaves no row, so nothing is ever published for it.
 */
import type { Executor } from '../db/client.js';
import { inTransaction, type TxIsolation } from '../db/tx.js';
import type { ServiceContext } from '../shared/service-context.js';
import { outbox } from './outbox.table.js';

export interface DomainEvent {
  topic: string;
  payload: Record<string, unknown>;
}

export interface EventWriter {
  /** Adds events to the outbox in the current transaction. */
  emit(...events: DomainEvent[]): Promise<void>;
  /**
   * The INSERT of these events into the outbox, not yet run: for a caller that folds it into one
   * of its own statements in this transaction (a data-modifying CTE), saving a round trip. The
   * caller must run it before the transaction ends; the relay is kicked after commit either way.
   */
  insertOf(...events: DomainEvent[]): ReturnType<typeof outboxInsert>;
}

function outboxInsert(tx: Executor, events: DomainEvent[]) {
  return tx.insert(outbox).values(events.map((e) => ({ topic: e.topic, payload: e.payload })));
}

/** Runs `fn` in one transaction with an event writer; publishes (via the relay) after commit. */
export async function transact<T>(
  ctx: Pick<ServiceContext, 'database' | 'relay'>,
  fn: (tx: Executor, events: EventWriter) => Promise<T>,
  opts: { isolation?: TxIsolation } = {},
): Promise<T> {
  const written: DomainEvent[] = [];
  const result = await inTransaction(ctx.database, (tx) => fn(tx, eventWriterIn(tx, written)), opts);
  if (written.length) ctx.relay.committed(written);
  return result;
}

/**
 * An event writer over a transaction someone else opened (transact's, or the relay's for its
 * durable handlers); what it writes is added to `written`, for the relay to be told after commit.
 */
export function eventWriterIn(tx: Executor, written: DomainEvent[]): EventWriter {
  return {
    async emit(...events) {
      if (!events.length) return;
      await outboxInsert(tx, events);
      written.push(...events);
    },
    insertOf(...events) {
      written.push(...events);
      return outboxInsert(tx, events);
    },
  };
}
