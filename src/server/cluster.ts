/**
 * `WORKERS=n`: n server processes on one port (node:cluster; the primary accepts connections and
 * hands them out round-robin), so one machine's cores all serve requests. Every worker is a whole
 * instance, exactly as several instances behind a load balancer: PostgreSQL (the outbox relay and
 * the webhook and e-mail senders share work with SKIP LOCKED; migrations wait on an advisory lock)
 * and Redis (events, subscriptions, rate limits) are shared, which config.ts requires. The primary
 * serves nothing itself: it gives the workers one quote secret when QUOTE_SECRET is unset (a
 * delivery option quoted by one worker is redeemed by another), replaces a worker that dies, and on
 * SIGTERM/SIGINT stops them gracefully and exits 0 when all of them did.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';

/** A worker that dies this soon after its start counts as failing to start... */
const QUICK_EXIT_MS = 5_000;
/** ...and after this many such exits in a row the primary gives up (exit 1) instead of looping. */
const MAX_QUICK_EXITS = 5;

export function runPrimary(config: Config, log: Logger): void {
  const env = { QUOTE_SECRET: config.QUOTE_SECRET ?? randomBytes(32).toString('base64url') };
  const startedAt = new Map<Worker, number>();
  let stopping = false;
  let quickExits = 0;
  let failed = false;

  const fork = () => startedAt.set(cluster.fork(env), Date.now());
  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (code !== 0) failed = true;
      if (!alive().length) {
        log.info({ failed }, 'all workers stopped');
        process.exit(failed ? 1 : 0);
      }
      return;
    }
    quickExits = lived < QUICK_EXIT_MS ? quickExits + 1 : 0;
    if (quickExits >= MAX_QUICK_EXITS) {
      log.fatal({ pid: worker.process.pid, code, signal }, `workers keep exiting within ${QUICK_EXIT_MS} ms of starting; giving up`);
      stopping = true;
      for (const w of alive()) w.process.kill('SIGTERM');
      setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 3_000).unref();
      if (!alive().length) process.exit(1);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting another');
    setTimeout(fork, quickExits ? 1_000 : 0);
  });

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: alive().length }, 'shutting down workers');
    for (const w of alive()) w.process.kill('SIGTERM');
    setTimeout(() => {
      log.error('workers took too long to stop; killing them');
      for (const w of alive()) w.process.kill('SIGKILL');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 3_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  for (let i = 0; i < config.WORKERS; i++) fork();
  log.info({ workers: config.WORKERS, port: config.PORT }, `Waybill primary ${process.pid}: starting ${config.WORKERS} workers`);
}
