/**
 * The process's lifecycle rules, shared by a server process (main.ts) and the cluster primary
 * (cluster.ts): which signals stop it, what a repeated signal means, how it exits without ever
 * waiting on stdout, and how errors are described in logs without personal data.
 */
import { closeLogs } from './logger.js';

/**
 * Signals that ask for a graceful stop. SIGHUP too: the terminal or the parent that started the
 * server is gone, so nobody will stop it later; Node's default for SIGHUP would kill it mid-request.
 */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * One stop request often arrives as several signals a few milliseconds apart: a process-group kill
 * (or Ctrl-C) reaches `npm`, which forwards it to the server, and the server itself; the cluster
 * primary forwards it to workers the group kill reached too. Signals within this long of the first
 * count as that same request; a signal after that means "stop now".
 */
export const REPEAT_SIGNAL_MS = 1_000;

/** How long the last log lines get to reach stdout before the process exits. */
const LOG_FLUSH_MS = 500;

/**
 * Calls `stop(signal)` on the first stop signal and `now(signal)` on one that comes
 * REPEAT_SIGNAL_MS or more after it (in between, repeats are ignored).
 */
export function onStopSignals(stop: (signal: string) => void, now: (signal: string) => void): void {
  let first = 0;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (!first) {
        first = Date.now();
        stop(signal);
      } else if (Date.now() - first >= REPEAT_SIGNAL_MS) now(signal);
    });
  }
}

/** Exits with `code` once the queued log lines are written, or after LOG_FLUSH_MS if stdout takes nothing. */
export async function exitAfterLogs(code: number): Promise<never> {
  await closeLogs(LOG_FLUSH_MS);
  process.exit(code);
}

/**
 * The last resort if a graceful stop hangs: `process.exit(code)` after `ms`, with nothing before it
 * that could block or throw (not even a log line; the "shutting down" line said when this happens).
 */
export function exitAfter(ms: number, code = 1, before?: () => void): void {
  setTimeout(() => {
    try {
      before?.();
    } finally {
      process.exit(code);
    }
  }, ms).unref();
}

/**
 * What the logs say about an unexpected error: its class, code, message and stack, never its other
 * properties (a database error carries the query's parameters, an HTTP error the request). Log it
 * under a key other than `err`, which pino's error serializer would rewrite.
 */
export function describeError(e: unknown): { type: string; code?: unknown; message?: string; stack?: string } {
  if (!(e instanceof Error)) return { type: typeof e };
  const code = (e as { code?: unknown }).code;
  return { type: e.name, ...(code === undefined ? {} : { code }), message: e.message, stack: e.stack };
}
