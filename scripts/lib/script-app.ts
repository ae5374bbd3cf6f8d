/**
 * Shared start-up for command-line scripts: the same config and composition root as the
 * server (so DATABASE_URL, PGLITE_DATA_DIR and REDIS_URL mean the same thing), logs on
 * stderr (stdout is the script's output), never listening on a port.
 */
import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DatabaseInUseError } from '../../src/db/pglite-lock.js';
import { createApp, type App } from '../../src/server/app.js';
import type { Clock } from '../../src/shared/clock.js';
import type { Principal } from '../../src/shared/principal.js';
import type { ServiceContext } from '../../src/shared/service-context.js';

/** The principal scripts act as: a staff operator with every scope. */
export const SCRIPT_PRINCIPAL: Principal = Object.freeze({ kind: 'STAFF', name: 'cli', scopes: Object.freeze(['admin']) });

/** True when `importMetaUrl` is the module node was started with (not imported by a test). */
export const isMain = (importMetaUrl: string): boolean => !!process.argv[1] && importMetaUrl === pathToFileURL(process.argv[1]).href;

export interface ScriptAppOptions {
  /** The clock of the app and of every service context (the seed moves a ManualClock through past days). */
  clock?: Clock;
  /** Overrides of the environment for this script (e.g. SMTP_URL: undefined, so demo data e-mails nobody). */
  env?: Record<string, string | undefined>;
}

/**
 * Builds the app on the configured database, runs `fn` with a staff service context, publishes
 * the events it wrote (outbox relay) and closes everything. Config errors exit with code 2; an
 * embedded database directory in use by another process (a running server) exits with code 3.
 */
export async function withScriptApp<T>(fn: (ctx: ServiceContext, app: App) => Promise<T>, opts: ScriptAppOptions = {}): Promise<T> {
  let config;
  try {
    // Scripts do long legitimate work (seed, imports): no statement timeout unless the environment sets one.
    config = loadConfig({ LOG_LEVEL: 'warn', DB_STATEMENT_TIMEOUT_MS: '0', ...process.env, ...opts.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: config.LOG_LEVEL, base: { service: 'waybill-cli' } }, pino.destination(2));
  let app: App;
  try {
    app = await createApp(config, { log, clock: opts.clock });
  } catch (err) {
    // The embedded database is held by a running server: nothing was written; say so and fail.
    if (err instanceof DatabaseInUseError) {
      process.stderr.write(`${err.message}\nNothing was written.\n`);
      process.exit(3);
    }
    throw err;
  }
  try {
    const result = await fn(app.context(SCRIPT_PRINCIPAL).services, app);
    await app.relay.drain();
    return result;
  } finally {
    await app.close();
  }
}
