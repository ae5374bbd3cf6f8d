/** What every service function receives as `ctx`: who calls, the database, the clock, the relay, a logger. */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Clock } from './clock.js';
import type { Principal } from './principal.js';

export interface RelayHandle {
  /** Ask the outbox relay to publish soon (called after a commit that wrote events). */
  kick(): void;
}

export interface ServiceContext {
  readonly database: Database;
  readonly principal: Principal;
  readonly clock: Clock;
  readonly relay: RelayHandle;
  readonly log: Logger;
  readonly config: Config;
}
