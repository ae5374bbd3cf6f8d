import 'reflect-metadata';
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from './config.js';
import { runPrimary } from './server/cluster.js';
import { createApp } from './server/app.js';
import { warmUpLabelRenderer } from './modules/shipping/label.js';
import { createLogger } from './server/logger.js';

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
if (config.WORKERS > 1 && cluster.isPrimary) runPrimary(config, log);
else await serve(config);

/** One server process: the whole app on PORT (alone, or as one of WORKERS under the primary). */
async function serve(config: Config): Promise<void> {
  const app = await createApp(config, { log });
  const url = await app.listen();
  log.info(
    { url, database: app.database.kind, pubsub: app.pubSub.kind, dataDir: app.database.kind === 'pglite' && !config.DATABASE_URL ? config.PGLITE_DATA_DIR : undefined },
    `Waybill GraphQL API listening on ${url}`,
  );
  // Load the label fonts now rather than in the first shipmentCreate (about a second on a small machine).
  void warmUpLabelRenderer().catch((err: unknown) => log.warn({ err }, 'label renderer warm-up failed'));

  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 1500);
    force.unref();
    try {
      await app.close();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
