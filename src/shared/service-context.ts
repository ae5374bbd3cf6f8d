/** What every service function receives as `ctx`: who calls, the database, the clock, the relay, a logger. */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database, Executor } from '../db/client.js';
import type { Clock } from './clock.js';
import type { Extensions } from './extensions.js';
import type { Principal } from './principal.js';

export interface RelayHandle {
  /**
   * Called right after a commit that wrote these events: tells this process's watchers at once
   * (relay.watch: e.g. caches drop what the change made stale before the caller answers) and asks
   * the relay to publish them soon.
   */
  committed(events: readonly { topic: string; payload: Record<string, unknown> }[]): void;
}

export interface ServiceContext {
  readonly database: Database;
  readonly principal: Principal;
  readonly clock: Clock;
  readonly relay: RelayHandle;
  readonly log: Logger;
  readonly config: Config;
  /** Implementations one module provides for another's extension points (wired in the composition root). */
  readonly extensions: Extensions;
}

/**
 * A service context whose database handle is `tx`, so other modules' service reads join the
 * caller's open transaction (PGlite has one connection: a read beside it would wait forever, and
 * on PostgreSQL it would not see the transaction's own writes).
 */
export function withExecutor(ctx: ServiceContext, tx: Executor): ServiceContext {
  return { ...ctx, database: { ...ctx.database, db: tx, rows: (q, e = tx) => ctx.database.rows(q, e) } };
}
