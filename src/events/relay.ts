/**
 * The outbox relay: publishes committed events and marks them. Rows are claimed with
 * `FOR UPDATE SKIP LOCKED`, so several instances on one PostgreSQL share the work without
 * publishing a row twice in the normal case (at least once if an instance dies mid-batch).
 */
import type { Logger } from 'pino';
import { sql, type Database } from '../db/client.js';
import type { RelayHandle } from '../shared/service-context.js';
import type { AppPubSub } from './pubsub.js';

const BATCH = 200;

export class OutboxRelay implements RelayHandle {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly pubSub: AppPubSub,
    private readonly log: Logger,
    private readonly pollMs: number,
  ) {}

  /** Starts polling (catches events committed by instances that died before publishing). */
  start(): void {
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => this.log.error({ err }, 'outbox relay failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Publishes everything pending; resolves when the outbox is empty (used by tests and shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      const n = await this.database.db.transaction(async (tx) => {
        const rows = await this.database.rows<{ id: string; topic: string; payload: Record<string, unknown> }>(
          sql`select id, topic, payload from outbox where published_at is null order by id limit ${BATCH} for update skip locked`,
          tx as never,
        );
        if (!rows.length) return 0;
        for (const r of rows) {
          const payload = typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload;
          this.pubSub.publish(r.topic, { ...payload, eventId: r.id, topic: r.topic });
        }
        const ids = rows.map((r) => r.id);
        await tx.execute(sql`update outbox set published_at = now() where id in ${sql`(${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)})`}`);
        return rows.length;
      });
      if (n < BATCH) return;
    }
  }

  /** Stops polling and waits for a running batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
