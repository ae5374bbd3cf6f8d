/**
 * The outbox relay: hands committed events to the durable handlers, then publishes them, and
 * marks each step on the row. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several
 * instances on one PostgreSQL share the work without doing a row twice in the normal case (a
 * publish is at least once if an instance dies mid-batch; subscribers drop repeated event ids).
 *
 * Two steps, two marks, because they fail differently:
 * - handled_at: durable consumers (webhooks, notifications) register a handler per topic; it runs
 *   inside the claiming transaction, so the jobs it writes (delivery rows) commit together with
 *   the "handled" mark: exactly once per event, whatever happens to the process or to Redis.
 * - published_at: set only after the pub/sub accepted the message. While Redis is down, publishing
 *   stops at the first failure (so a topic's events go out in outbox order), the rows stay
 *   unpublished and the relay tries again with exponential backoff (shared/backoff.ts), and at once
 *   when the pub/sub reports healthy again: the backlog then drains oldest first.
 */
import type { Logger } from 'pino';
import { sql, type Database, type Executor } from '../db/client.js';
import type { RelayHandle } from '../shared/service-context.js';
import { backoffDelay } from '../shared/backoff.js';
import { PollingWorker } from './polling-worker.js';
import type { EventMessage, PubSubHandle } from './pubsub.js';
import { eventWriterIn, type DomainEvent, type EventWriter } from './outbox.js';

const BATCH = 200;

export interface CommittedEvent {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Writes durable follow-up work for a committed event, in the relay's transaction; `afterCommit`
 * runs a callback once that transaction committed (e.g. wake the worker that sends the work).
 */
export type DurableHandler = (tx: Executor, event: CommittedEvent, afterCommit: (fn: () => void) => void, events: EventWriter) => Promise<void>;

/**
 * The same for all the events of one claimed batch at once (in outbox order), so a consumer can
 * look up and write with a few statements per batch instead of a few per event.
 */
export type DurableBatchHandler = (tx: Executor, events: CommittedEvent[], afterCommit: (fn: () => void) => void, writer: EventWriter) => Promise<void>;

/** Sees the payload of a committed event (relay.watch). */
export type EventWatcher = (payload: Record<string, unknown>) => void;

export interface EventWatching {
  watch(topic: string, watcher: EventWatcher): void;
  /**
   * False while watchers may miss other instances' events (the pub/sub is down or reconnecting):
   * what they maintain must not be trusted then. `onReliability` is told of every change; after a
   * change to true, events published during the gap may never arrive.
   */
  readonly reliable: boolean;
  onReliability(listener: (reliable: boolean) => void): void;
}

export interface RelayOptions {
  pollMs: number;
  /** Backoff of publish retries while the pub/sub fails (ms): first ceiling and cap. */
  retryBaseMs?: number;
  retryCapMs?: number;
}

export class OutboxRelay implements RelayHandle, EventWatching {
  private readonly loop: PollingWorker;
  private readonly watchers = new Map<string, EventWatcher[]>();
  private readonly watching: AsyncIterator<unknown>[] = [];
  private readonly handlers = new Map<string, DurableHandler[]>();
  private readonly batchHandlers: { topics: ReadonlySet<string>; handler: DurableBatchHandler }[] = [];

  /** Publish failures in a row, and when the next publish may be tried (epoch ms). */
  private failures = 0;
  private retryAt = 0;
  private readonly retryBaseMs: number;
  private readonly retryCapMs: number;

  constructor(
    private readonly database: Database,
    private readonly pubSub: PubSubHandle,
    private readonly log: Logger,
    opts: RelayOptions,
  ) {
    this.retryBaseMs = opts.retryBaseMs ?? 250;
    this.retryCapMs = opts.retryCapMs ?? 30_000;
    this.loop = new PollingWorker('outbox relay', log, opts.pollMs, () => this.drain());
    pubSub.onHealth((healthy) => {
      if (!healthy) return;
      this.retryAt = 0; // Redis is back: publish the backlog now rather than after the backoff
      this.loop.kick();
    });
  }

  get reliable(): boolean {
    return this.pubSub.healthy;
  }

  onReliability(listener: (reliable: boolean) => void): void {
    this.pubSub.onHealth(listener);
  }

  /** Registers a durable handler for a topic (call before start). */
  onCommitted(topic: string, handler: DurableHandler): void {
    this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), handler]);
  }

  /** Registers a durable handler for the events of these topics, called once per claimed batch (call before start). */
  onCommittedBatch(topics: readonly string[], handler: DurableBatchHandler): void {
    this.batchHandlers.push({ topics: new Set(topics), handler });
  }

  /** Starts polling (catches events committed by instances that died before publishing). */
  start(): void {
    this.loop.start();
  }

  /**
   * Calls `watcher` with the payload of every committed event of `topic`: synchronously when this
   * process committed it (relay.committed, before the committing call returns), and when it
   * arrives through the pub/sub from any instance, this one included. So it may see an event twice
   * and must be idempotent (cache invalidation is). Not durable: a pub/sub message can be lost,
   * which is why what it maintains must also expire on its own.
   */
  watch(topic: string, watcher: EventWatcher): void {
    let list = this.watchers.get(topic);
    if (!list) {
      this.watchers.set(topic, (list = []));
      const messages = this.pubSub.pubSub.subscribe(topic)[Symbol.asyncIterator]();
      this.watching.push(messages);
      void (async () => {
        for (;;) {
          const m = await messages.next();
          if (m.done) return;
          this.tell(topic, m.value as Record<string, unknown>);
        }
      })().catch((err: unknown) => this.log.error({ err, topic }, 'event watch stopped: this instance no longer hears other instances\' events of this topic'));
    }
    list.push(watcher);
  }

  committed(events: readonly { topic: string; payload: Record<string, unknown> }[]): void {
    for (const e of events) this.tell(e.topic, e.payload);
    this.loop.kick();
  }

  private tell(topic: string, payload: Record<string, unknown>): void {
    for (const w of this.watchers.get(topic) ?? []) {
      try {
        w(payload);
      } catch (err) {
        this.log.error({ err, topic }, 'event watcher failed');
      }
    }
  }

  /**
   * Hands every unhandled event to the durable handlers, then publishes what is unpublished;
   * resolves when both are done (used by tests and shutdown), or, for publishing, as soon as the
   * pub/sub is unhealthy or fails (the rows wait for the next try; see the module doc).
   */
  async drain(): Promise<void> {
    await this.handleAll();
    await this.publishAll();
  }

  private async handleAll(): Promise<void> {
    for (;;) {
      const after = new Set<() => void>();
      // Events the handlers write (e.g. a delivery's first status) go into this same transaction and
      // are announced after its commit, as `transact` does for a service.
      const written: DomainEvent[] = [];
      const n = await this.database.db.transaction(async (tx) => {
        const events = await this.claim(tx as never, 'handled_at');
        if (!events.length) return 0;
        const exec = tx as unknown as Executor;
        const afterCommit = (fn: () => void) => after.add(fn);
        const writer = eventWriterIn(exec, written);
        // Events go to the handlers in outbox order: batch handlers get runs of events, cut
        // wherever a per-event handler has to see what came before it.
        let run: CommittedEvent[] = [];
        const flush = async () => {
          for (const b of this.batchHandlers) {
            const mine = run.filter((e) => b.topics.has(e.topic));
            if (mine.length) await b.handler(exec, mine, afterCommit, writer);
          }
          run = [];
        };
        for (const e of events) {
          const single = this.handlers.get(e.topic);
          if (single?.length) {
            await flush();
            for (const h of single) await h(exec, e, afterCommit, writer);
          }
          run.push(e);
        }
        await flush();
        await tx.execute(sql`update outbox set handled_at = now() where id in ${idList(events.map((e) => e.id))}`);
        return events.length;
      });
      if (written.length) this.committed(written);
      for (const fn of after) fn();
      if (n < BATCH) return;
    }
  }

  private async publishAll(): Promise<void> {
    for (;;) {
      if (!this.pubSub.healthy || Date.now() < this.retryAt) return; // onHealth / wakeAfter kick us again
      let failure: unknown = null;
      const { claimed, sent } = await this.database.db.transaction(async (tx) => {
        const events = await this.claim(tx as never, 'published_at');
        if (!events.length) return { claimed: 0, sent: 0 };
        const messages: EventMessage[] = events.map((e) => ({ ...e.payload, eventId: e.id, topic: e.topic }));
        let n = 0;
        try {
          n = await this.pubSub.publish(messages);
        } catch (err) {
          failure = err;
        }
        // Only what the pub/sub accepted is marked; the rest (from the first failure on) stays for the retry.
        if (n) await tx.execute(sql`update outbox set published_at = now() where id in ${idList(events.slice(0, n).map((e) => e.id))}`);
        if (n < events.length) failure ??= new Error('publish failed');
        return { claimed: events.length, sent: n };
      });
      if (failure) {
        const delay = Math.max(this.retryBaseMs, backoffDelay(this.failures, this.retryBaseMs, this.retryCapMs));
        if (this.failures === 0) {
          const err = failure as Error;
          this.log.warn({ err: { message: err.message }, pending: claimed - sent }, 'outbox relay: publish failed; events stay in the outbox and are retried');
        }
        this.failures++;
        this.retryAt = Date.now() + delay;
        this.loop.wakeAfter(delay);
        return;
      }
      if (this.failures) this.log.info({ failures: this.failures }, 'outbox relay: publishing again');
      this.failures = 0;
      if (claimed < BATCH) return;
    }
  }

  /** The oldest rows not yet marked in `column` (handled_at | published_at), locked for this transaction. */
  private async claim(tx: Executor, column: 'handled_at' | 'published_at'): Promise<CommittedEvent[]> {
    const rows = await this.database.rows<{ id: string; topic: string; payload: Record<string, unknown>; created_at: Date | string }>(
      sql`select id, topic, payload, created_at from outbox where ${sql.raw(column)} is null order by id limit ${BATCH} for update skip locked`,
      tx as never,
    );
    return rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
      createdAt: new Date(r.created_at),
    }));
  }

  /** Stops polling and waits for a running batch. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.watching.map((m) => m.return?.()));
    await this.loop.stop();
  }
}

function idList(ids: readonly string[]) {
  return sql`(${sql.join(
    ids.map((i) => sql`${i}::uuid`),
    sql`, `,
  )})`;
}
