/**
 * The one worker of durable outgoing jobs: webhook deliveries (webhooks/webhook.dispatcher.ts)
 * and customer notifications (notifications/notification.sender.ts). A job is a row with a
 * lifecycle (shared/lifecycle.ts) that starts pending and ends done or failed, an attempt count,
 * a next-attempt time and a last error. The queue (what is its own: rendering and SMTP, or
 * signing, the SSRF guard and the POST) only says how to attempt one job; the rest is here:
 *
 * 1. Claim: due pending rows are claimed with `FOR UPDATE SKIP LOCKED` in one short statement
 *    that also pushes `next_attempt_at` forward by a lease, so several instances never attempt
 *    the same job at the same moment, and a crashed worker's claim simply expires (the job is
 *    attempted again: at least once).
 * 2. Attempt: the jobs of a round are attempted concurrently, outside any transaction.
 * 3. Record, per job as soon as its attempt ends, in one transaction with what the queue records
 *    of the attempt (webhook_attempts):
 *    - success: transition to the done status (attempts + 1, last error cleared, done time);
 *    - failure with attempts left: attempts + 1, the error, next attempt after a jittered
 *      exponential backoff (shared/backoff.ts). The job stays pending: an attempt, not a transition;
 *    - failure of the last attempt (`maxAttempts`), or a job the queue drops unattempted: transition
 *      to the failed status.
 *    A job that left the pending status meanwhile (failed by a subscription's deletion, say) is
 *    not moved again (`skipMoved`).
 * A failure while the worker stops (its requests are aborted) is not recorded: the lease expires
 * and the job is attempted again.
 */
import type { Logger } from 'pino';
import { and, eq, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database, Executor } from '../db/client.js';
import { backoffDelay } from '../shared/backoff.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { defineLifecycle, historyTable, transitionMany, type HistoryTable, type LifecycleDefinition } from '../shared/lifecycle.js';
import type { RelayHandle } from '../shared/service-context.js';
import { transact } from './outbox.js';
import { PollingWorker } from './polling-worker.js';

/** What every claimed row carries; a queue's claim adds its own columns. */
export interface ClaimedJob {
  id: string;
  attempts: number;
}

/** How one attempt ended. */
export type Outcome =
  | { kind: 'succeeded'; set?: Record<string, unknown>; record?: (tx: Executor) => Promise<void> }
  | { kind: 'failed'; error: string; set?: Record<string, unknown>; record?: (tx: Executor) => Promise<void>; log?: Record<string, unknown> }
  /** Not attempted and never will be (the subscription is gone): failed now, no attempt counted. */
  | { kind: 'dropped'; error: string };

/** A job table: these columns under these keys. */
export type JobTable = PgTable & { id: PgColumn; status: PgColumn; lastSequence: PgColumn; attempts: PgColumn; nextAttemptAt: PgColumn; lastError: PgColumn };

/** A job starts pending and ends done or failed; a retry is an attempt, not a status change. */
export interface JobStatuses<S extends string> {
  readonly pending: S;
  readonly done: S;
  readonly failed: S;
}

export type JobLifecycle<S extends string, R extends { id: string; status: S }> = LifecycleDefinition<S, R> & { readonly table: JobTable; readonly statuses: JobStatuses<S> };

/**
 * The lifecycle of a kind of job on `table`: `statuses` are [pending, done, failed] (pending ->
 * done | failed), the history table is made here (export it from the module's table file so the
 * migrations see it), and the status event carries the job's id, `fields` of its row (what a
 * consumer filters by) and the change.
 */
export function jobLifecycle<S extends string, R extends { id: string; status: S }>(
  noun: string,
  table: JobTable,
  statuses: readonly [S, S, S],
  opts: { history: readonly [name: string, objectIdColumn: string]; topic: string; fields: readonly Exclude<keyof R & string, 'id' | 'status'>[] },
): JobLifecycle<S, R> & { readonly history: HistoryTable<S> } {
  const [pending, done, failed] = statuses;
  const history = historyTable(opts.history[0], opts.history[1], () => table.id, statuses);
  const lifecycle = defineLifecycle<S, R>({
    noun,
    table,
    transitions: { [pending]: [done, failed], [done]: [], [failed]: [] } as Record<S, S[]>,
    history,
    topic: opts.topic,
    event: (row, c) => ({
      topic: opts.topic,
      payload: {
        id: row.id,
        ...Object.fromEntries(opts.fields.map((f) => [f, row[f]])),
        sequence: c.sequence,
        status: c.status,
        previousStatus: c.previousStatus,
        message: c.message,
        occurredAt: c.occurredAt.toISOString(),
      },
    }),
  });
  return { ...lifecycle, history, table, statuses: { pending, done, failed } };
}

export interface JobQueue<S extends string, R extends { id: string; status: S }, J extends ClaimedJob> {
  /** In logs: "webhook dispatcher failed", "webhook attempt failed" with `{ [idField]: id }`. */
  readonly name: string;
  readonly noun: string;
  readonly idField: string;
  readonly lifecycle: JobLifecycle<S, R>;
  /** The key of the column that records when the job was done (deliveredAt, sentAt). */
  readonly doneAtKey: string;
  /**
   * The claim's extras: a condition on due rows, further tables (`from`) with their join
   * condition, and further columns returned (the job's own fields, snake_case).
   */
  readonly claim: { readonly due?: SQL; readonly from?: SQL; readonly join?: SQL; readonly columns?: SQL };
  /** Attempts one job (attempt = 1 for the first); `signal` aborts when the worker stops. */
  attempt(job: J, attempt: number, signal: AbortSignal): Promise<Outcome>;
}

/** The retry policy and scheduling every job worker is configured with. */
export interface WorkerOptions {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  pollMs: number;
  /** Jobs claimed (and attempted concurrently) per round. */
  batch?: number;
  random?: () => number;
  /** For the status timeline and the done time (default: the system clock). */
  clock?: Clock;
  /** Told of the status events after commit, so they are published at once (default: the relay's poll finds them). */
  relay?: RelayHandle;
  /** Told of each recorded outcome (metrics): done, a failed attempt with a retry to come, failed for good, dropped unattempted. */
  onOutcome?(outcome: 'succeeded' | 'retrying' | 'failed' | 'dropped'): void;
}

const noRelay: RelayHandle = { committed() {} };

/**
 * What a queue (the webhook dispatcher, the notification sender) shows the server: start, kick,
 * drain and stop of its worker. A queue extends this and makes its `worker` in its constructor;
 * it overrides `stop` to release its own resources after the worker's.
 */
export abstract class DeliveryQueue<S extends string, R extends { id: string; status: S }, J extends ClaimedJob> {
  protected abstract readonly worker: DeliveryWorker<S, R, J>;

  start(): void {
    this.worker.start();
  }

  /** Looks for due work now (coalesces with a round already running). */
  kick(): void {
    this.worker.kick();
  }

  /** Attempts every job due now; resolves when none is left (tests, shutdown). */
  drain(): Promise<void> {
    return this.worker.drain();
  }

  /** Stops polling, aborts attempts in flight (their jobs are attempted again later) and waits for the round to end. */
  async stop(): Promise<void> {
    await this.worker.stop();
  }
}

export class DeliveryWorker<S extends string, R extends { id: string; status: S }, J extends ClaimedJob> {
  private readonly loop: PollingWorker;
  private readonly shutdown = new AbortController();
  private readonly batch: number;
  private readonly clock: Clock;
  private readonly ctx: { database: Database; relay: RelayHandle };

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    private readonly queue: JobQueue<S, R, J>,
    private readonly opts: WorkerOptions & { /** How long a claim holds a job: its longest attempt plus a margin for recording it. */ leaseMs: number },
  ) {
    this.batch = opts.batch ?? 16;
    this.clock = opts.clock ?? systemClock;
    this.ctx = { database, relay: opts.relay ?? noRelay };
    this.loop = new PollingWorker(queue.name, log, opts.pollMs, () => this.drain());
  }

  start(): void {
    this.loop.start();
  }

  /** Looks for due work now (coalesces with a round already running). */
  kick(): void {
    this.loop.kick();
  }

  /** Attempts every job due now; resolves when none is left (tests, shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      if (this.loop.stopped) return;
      const claimed = await this.claim();
      await Promise.all(claimed.map((job) => this.run(job)));
      if (claimed.length < this.batch) return;
    }
  }

  private claim(): Promise<J[]> {
    const { claim } = this.queue;
    const { table, statuses } = this.queue.lifecycle;
    const name = sql.identifier(getTableName(table));
    const [id, status, next, attempts] = [table.id, table.status, table.nextAttemptAt, table.attempts].map((c) => sql.identifier(c.name));
    return this.database.rows<J>(sql`
      with due as (
        select ${id} from ${name}
        where ${status} = ${statuses.pending} and ${next} <= now()${claim.due ? sql` and ${claim.due}` : sql``}
        order by ${next}
        limit ${this.batch}
        for update skip locked
      )
      update ${name}
        set ${next} = now() + ${this.opts.leaseMs / 1000}::double precision * interval '1 second'
      from due${claim.from ? sql`, ${claim.from}` : sql``}
      where ${name}.${id} = due.${id}${claim.join ? sql` and ${claim.join}` : sql``}
      returning ${name}.${id} as id, ${name}.${attempts} as attempts${claim.columns ? sql`, ${claim.columns}` : sql``}`);
  }

  private async run(job: J): Promise<void> {
    const attempt = job.attempts + 1;
    const outcome = await this.queue.attempt(job, attempt, this.shutdown.signal);
    const { lifecycle, doneAtKey } = this.queue;
    const { statuses, table } = lifecycle;
    const from = [{ id: job.id, status: statuses.pending }];
    const at = this.clock.now();
    if (outcome.kind === 'dropped') {
      await transact(this.ctx, (tx, events) =>
        transitionMany(tx, events, lifecycle, from, statuses.failed, { at, message: outcome.error, set: { lastError: outcome.error }, skipMoved: true }),
      );
      this.opts.onOutcome?.('dropped');
      return;
    }
    if (outcome.kind === 'succeeded') {
      await transact(this.ctx, async (tx, events) => {
        await outcome.record?.(tx);
        await transitionMany(tx, events, lifecycle, from, statuses.done, { at, set: { attempts: attempt, lastError: null, [doneAtKey]: at, ...outcome.set }, skipMoved: true });
      });
      this.opts.onOutcome?.('succeeded');
      return;
    }
    // Stopping: the failure is likely the abort; leave the job to its lease.
    if (this.shutdown.signal.aborted) return;
    const { error } = outcome;
    const failed = attempt >= this.opts.maxAttempts;
    const delayMs = failed ? 0 : backoffDelay(attempt - 1, this.opts.backoffBaseMs, this.opts.backoffCapMs, this.opts.random);
    await transact(this.ctx, async (tx, events) => {
      await outcome.record?.(tx);
      const set = { attempts: attempt, lastError: error, ...outcome.set };
      if (failed) await transitionMany(tx, events, lifecycle, from, statuses.failed, { at, message: error, set, skipMoved: true });
      else {
        await tx
          .update(table)
          .set({ ...set, nextAttemptAt: sql`now() + ${delayMs / 1000}::double precision * interval '1 second'` })
          .where(and(eq(table.id, job.id), eq(table.status, statuses.pending)));
      }
    });
    this.opts.onOutcome?.(failed ? 'failed' : 'retrying');
    this.log.info({ [this.queue.idField]: job.id, attempt, ...outcome.log, error, failed }, `${this.queue.noun} attempt failed`);
    // A retry due before the next poll: wake up for it instead of waiting.
    if (!failed && delayMs < this.opts.pollMs) this.loop.wakeAfter(delayMs + 5);
  }

  /** Stops polling, aborts attempts in flight (their jobs are attempted again later) and waits for the round to end. */
  async stop(): Promise<void> {
    this.loop.halt();
    this.shutdown.abort();
    await this.loop.idle();
  }
}
