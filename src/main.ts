import 'reflect-metadata';
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './config.js';
import { runPrimary } from './server/cluster.js';
import { createApp } from './server/app.js';
import { warmUpLabelRenderer } from './modules/carriers/label/label.pdf.js';
import { createLogger } from './server/logger.js';
import { describeError, exitAfter, exitAfterLogs, onStopSignals } from './server/lifecycle.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
const log = createLogger(config);

/** The forced exit comes this long after the grace period, if the graceful stop has not finished by then. */
const FORCE_EXIT_AFTER_GRACE_MS = 1_000;

/**
 * Stops the process: gracefully once the server runs (set by `serve` or `runPrimary`); before that
 * there is nothing to drain. `code`: the exit code (the highest one asked for wins).
 */
let stop: (reason: string, code: number) => void = (_reason, code) => void exitAfterLogs(code);

// stdout and stderr must not kill the process when their reader is gone (EPIPE): the logs have their
// own destination, which handles its errors (logger.ts); whatever else is written there is lost.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

onStopSignals(
  (signal) => stop(signal, 0),
  // A repeated signal: stop now, whatever is still running.
  () => process.exit(1),
);

// Crash policy. A rejected promise nobody handled is a bug, but the request or job it belonged to is
// over and the process is sound: log it and keep serving. An uncaught exception can leave anything
// half done (a lock held, a stream in a broken state): stop gracefully (in-flight requests still
// finish) and exit 1, so that the supervisor starts a fresh process. Only the error's type, code,
// message and stack are logged (no personal data from its other properties).
process.on('unhandledRejection', (reason) => {
  log.error({ error: describeError(reason) }, 'unhandled promise rejection; still serving');
});
process.on('uncaughtException', (err) => {
  log.fatal({ error: describeError(err) }, 'uncaught exception; stopping with exit code 1');
  stop('uncaughtException', 1);
});

if (config.WORKERS > 1 && cluster.isPrimary) stop = runPrimary(config, log);
else {
  try {
    await serve(config);
  } catch (err) {
    log.fatal({ error: describeError(err) }, 'start-up failed');
    await exitAfterLogs(1);
  }
}

/** One server process: the whole app on PORT (alone, or as one of WORKERS under the primary). */
async function serve(config: Config): Promise<void> {
  const app = await createApp(config, { log });
  let exitCode = 0;
  let stopping = false;
  stop = (reason, code) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    const forcedExitMs = config.SHUTDOWN_TIMEOUT_MS + FORCE_EXIT_AFTER_GRACE_MS;
    log.info({ reason, graceMs: config.SHUTDOWN_TIMEOUT_MS, forcedExitMs }, 'shutting down');
    exitAfter(forcedExitMs);
    void app.close().then(
      () => {
        log.info('stopped');
        return exitAfterLogs(exitCode);
      },
      (err: unknown) => {
        log.error({ error: describeError(err) }, 'shutdown failed');
        return exitAfterLogs(1);
      },
    );
  };
  const url = await app.listen();
  log.info(
    { url, database: app.database.kind, pubsub: app.pubSub.kind, dataDir: app.database.kind === 'pglite' && !config.DATABASE_URL ? config.PGLITE_DATA_DIR : undefined },
    `Waybill GraphQL API listening on ${url}`,
  );
  // The KPI read model's catch-up (its full build after a migration) now, not in the first kpis request.
  if (config.KPI_REFRESH_INTERVAL_SECONDS > 0) void app.kpiRefresh.runOnce();
  // Load the label fonts now rather than in the first shipmentCreate (about a second on a small machine).
  void warmUpLabelRenderer().catch((err: unknown) => log.warn({ err }, 'label renderer warm-up failed'));
}
