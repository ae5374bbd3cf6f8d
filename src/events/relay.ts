/**
 * The outbox relay: publishes committed events and marks them. Rows are claimed with
 * `FOR UPDATE SKIP LOCKED`, so several instances on one PostgreSQL share the work without
 * publishing a row twice in the normal case (at least once if an instance dies mid-batch).
 *
 * Durable consumers (webhooks, notifications) register a handler per topic: it runs inside the
 * relay's claiming transaction, so the jobs it writes (delivery rows) commit together with the
 * "published" mark: exactly once per event, whatever happens to the process.
 */
import type { Logger } from 'pino';
import { sql, type Database, type Executor } from '../db/client.js';
import type { RelayHandle } from '../shared/service-context.js';
import { PollingWorker } from './polling-worker.js';
import type { AppPubSub } from './pubsub.js';

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
export type DurableHandler = (tx: Executor, event: CommittedEvent, afterCommit: (fn: () => void) => void) => Promise<void>;

/**
 * The same for all the events of one claimed batch at once (in outbox order), so a consumer can
 * look up and write with a few statements per batch instead of a few per event.
 */
export type DurableBatchHandler = (tx: Executor, events: CommittedEvent[], afterCommit: (fn: () => void) => void) => Promise<void>;

/** Sees the payload of a committed event (relay.watch). */
export type EventWatcher = (payload: Record<string, unknown>) => void;

export interface EventWatching {
  watch(topic: string, watcher: EventWatcher): void;
}

export class OutboxRelay implements RelayHandle, EventWatching {
  private readonly loop: PollingWorker;
  private readonly watchers = new Map<string, EventWatcher[]>();
  private readonly watching: AsyncIterator<unknown>[] = [];
  private readonly handlers = new Map<string, DurableHandler[]>();
  private readonly batchHandlers: { topics: ReadonlySet<string>; handler: DurableBatchHandler }[] = [];

  constructor(
    private readonly database: Database,
    private readonly pubSub: AppPubSub,
    private readonly log: Logger,
    pollMs: number,
  ) {
    this.loop = new PollingWorker('outbox relay', log, pollMs, () => this.drain());
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
      const messages = this.pubSub.subscribe(topic)[Symbol.asyncIterator]();
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

  /** Publishes everything pending; resolves when the outbox is empty (used by tests and shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      const after = new Set<() => void>();
      const n = await this.database.db.transaction(async (tx) => {
        const rows = await this.database.rows<{ id: string; topic: string; payload: Record<string, unknown>; created_at: Date | string }>(
          sql`select id, topic, payload, created_at from outbox where published_at is null order by id limit ${BATCH} for update skip locked`,
          tx as never,
        );
        if (!rows.length) return 0;
        const events = rows.map((r) => ({
          id: r.id,
          topic: r.topic,
          payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
          createdAt: new Date(r.created_at),
        }));
        const exec = tx as unknown as Executor;
        const afterCommit = (fn: () => void) => after.add(fn);
        // Events go to the handlers in outbox order: batch handlers get runs of events, cut
        // wherever a per-event handler has to see what came before it.
        let run: CommittedEvent[] = [];
        const flush = async () => {
          for (const b of this.batchHandlers) {
            const mine = run.filter((e) => b.topics.has(e.topic));
            if (mine.length) await b.handler(exec, mine, afterCommit);
          }
          run = [];
        };
        for (const e of events) {
          const single = this.handlers.get(e.topic);
          if (single?.length) {
            await flush();
            for (const h of single) await h(exec, e, afterCommit);
          }
          run.push(e);
        }
        await flush();
        for (const e of events) this.pubSub.publish(e.topic, { ...e.payload, eventId: e.id, topic: e.topic });
        const ids = rows.map((r) => r.id);
        await tx.execute(sql`update outbox set published_at = now() where id in ${sql`(${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)})`}`);
        return rows.length;
      });
      for (const fn of after) fn();
      if (n < BATCH) return;
    }
  }

  /** Stops polling and waits for a running batch. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.watching.map((m) => m.return?.()));
    await this.loop.stop();
  }
}
