import pino, { type DestinationStream, type Logger } from 'pino';
// A CommonJS package: the default import is its module.exports, which carries the class as `SonicBoom`.
import sonicBoom, { type SonicBoom } from 'sonic-boom';
import type { Config } from '../config.js';
import { logSerializers } from './log-redaction.js';

/**
 * Keys whose values never reach a log line, wherever a caller puts them (pino's redact): the code
 * logs ids, never credentials, and security-logs.test.ts checks that through the flows that handle
 * every secret; this is the second line for a future `log.info({ headers })` or `{ input }` that
 * would otherwise print a bearer token, a password or a signing secret.
 */
export const REDACTED_PATHS: readonly string[] = [
  'authorization',
  'password',
  'secret',
  'token',
  'accessToken',
  'apiKey',
  'smtpUrl',
].flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers.${k}`, `*.headers.${k}`]);

/** Structured JSON logs (pino) on stdout, written without ever blocking the process (see `stdoutSink`); `destination` for tests that read the lines. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination: DestinationStream = stdoutSink()): Logger {
  return pino(
    { level: config.LOG_LEVEL, base: { service: 'waybill' }, serializers: logSerializers, redact: { paths: [...new Set(REDACTED_PATHS)], censor: '[redacted]' } },
    destination,
  );
}

/**
 * Ends the log destination: waits at most `ms` for the lines still queued to reach stdout, then
 * drops any later line. For the last moment before `process.exit`; never blocks and never throws.
 */
export function closeLogs(ms: number): Promise<void> {
  return sink ? sink.close(ms) : Promise.resolve();
}

/** Lines queued beyond this while stdout accepts nothing are dropped (a reader that stopped reading costs no memory). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

let sink: StdoutSink | undefined;

/**
 * One destination per process, shared by every logger: sonic-boom (pino's own destination) in its
 * asynchronous mode. pino's default destination is the same sonic-boom, but it registers a
 * synchronous flush on process exit that retries EAGAIN forever, sleeping with Atomics.wait: when
 * stdout was a pipe that nobody read any more (the `npm` that started the server was gone and its
 * parent did not read), `process.exit` never returned and the process lived on, deaf to signals.
 * Here nothing waits for stdout: lines are queued and written in the background (EAGAIN is retried
 * by a timer), at most MAX_QUEUED_BYTES are queued, and any write error (EPIPE: the reader is gone)
 * turns logging off instead of crashing or wedging the process.
 */
function stdoutSink(): StdoutSink {
  sink ??= new StdoutSink();
  return sink;
}

class StdoutSink implements DestinationStream {
  private readonly boom: SonicBoom;
  private open = true;

  constructor() {
    // Reading process.stdout opens it through libuv, which makes a pipe non-blocking: a write to a
    // full pipe then fails with EAGAIN (retried later) instead of stopping the thread in write(2).
    const fd = process.stdout.fd ?? 1;
    this.boom = new sonicBoom.SonicBoom({ fd, sync: false, maxLength: MAX_QUEUED_BYTES });
    this.boom.on('error', () => {
      this.open = false;
    });
  }

  write(line: string): void {
    if (this.open) this.boom.write(line);
  }

  close(ms: number): Promise<void> {
    if (!this.open) return Promise.resolve();
    this.open = false;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.boom.once('close', done);
      this.boom.once('error', done);
      try {
        this.boom.end();
      } catch {
        done();
      }
    });
  }
}
