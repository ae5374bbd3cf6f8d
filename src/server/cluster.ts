/**
 * `WORKERS=n`: n server processes on one port (node:cluster; the primary accepts connections and
 * hands them out round-robin), so one machine's cores all serve requests. Every worker is a whole
 * instance, exactly as several instances behind a load balancer: PostgreSQL (the outbox relay and
 * the webhook and e-mail senders share work with SKIP LOCKED; migrations wait on an advisory lock)
 * and Redis (events, subscriptions, rate limits) are shared, which config.ts requires. The primary
 * serves nothing itself: it gives the workers one quote secret when QUOTE_SECRET is unset (a
 * delivery option quoted by one worker is redeemed by another) and one label-link secret when
 * LABEL_LINK_SECRET is unset (a label link e-mailed by one worker opens on another), replaces a worker that dies, and on
 * SIGTERM/SIGINT/SIGHUP (main.ts calls the returned `stop`) stops them gracefully and exits 0 when
 * all of them did.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { exitAfter, exitAfterLogs } from './lifecycle.js';
import { serveClusterMetrics } from './metrics-cluster.js';

/** A worker that dies this soon after its start counts as failing to start... */
const QUICK_EXIT_MS = 5_000;
/** ...and after this many such exits in a row the primary gives up (exit 1) instead of looping. */
const MAX_QUICK_EXITS = 5;

/** Starts the workers; returns the graceful stop (`code`: the exit code asked for, the highest wins). */
export function runPrimary(config: Config, log: Logger): (reason: string, code: number) => void {
  const env = {
    QUOTE_SECRET: config.QUOTE_SECRET ?? randomBytes(32).toString('base64url'),
    LABEL_LINK_SECRET: config.LABEL_LINK_SECRET ?? randomBytes(32).toString('base64url'),
  };
  const startedAt = new Map<Worker, number>();
  let stopping = false;
  let quickExits = 0;
  let failed = false;
  let exitCode = 0;

  const fork = () => startedAt.set(cluster.fork(env), Date.now());
  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (code !== 0) failed = true;
      if (!alive().length) {
        log.info({ failed }, 'all workers stopped');
        void exitAfterLogs(failed ? 1 : exitCode);
      }
      return;
    }
    quickExits = lived < QUICK_EXIT_MS ? quickExits + 1 : 0;
    if (quickExits >= MAX_QUICK_EXITS) {
      log.fatal({ pid: worker.process.pid, code, signal }, `workers keep exiting within ${QUICK_EXIT_MS} ms of starting; giving up`);
      stopping = true;
      for (const w of alive()) w.process.kill('SIGTERM');
      exitAfter(config.SHUTDOWN_TIMEOUT_MS + 3_000);
      if (!alive().length) void exitAfterLogs(1);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting another');
    setTimeout(fork, quickExits ? 1_000 : 0);
  });

  const stop = (reason: string, code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    const forcedExitMs = config.SHUTDOWN_TIMEOUT_MS + 3_000;
    log.info({ reason, workers: alive().length, forcedExitMs }, 'shutting down workers');
    // A worker that the signal reached directly too (a process-group kill) takes this as the same request (lifecycle.ts).
    for (const w of alive()) w.process.kill('SIGTERM');
    if (!alive().length) void exitAfterLogs(exitCode);
    // Workers that take too long are killed, without a log line first (nothing may block the exit).
    exitAfter(forcedExitMs, 1, () => {
      for (const w of alive()) w.process.kill('SIGKILL');
    });
  };

  // GET /metrics on any worker answers the sum over all workers, collected here.
  serveClusterMetrics(log);
  for (let i = 0; i < config.WORKERS; i++) fork();
  log.info({ workers: config.WORKERS, port: config.PORT }, `Waybill primary ${process.pid}: starting ${config.WORKERS} workers`);
  return stop;
}
