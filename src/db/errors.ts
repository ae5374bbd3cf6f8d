/**
 * Which database errors mean "the database is unavailable right now" (down, restarting, unreachable,
 * out of connections) rather than "this statement is wrong": the former are answered as the
 * retryable SERVICE_UNAVAILABLE (server/plugins/errors.ts, server/http.ts), the latter stay
 * INTERNAL_SERVER_ERROR. The statement did not commit in either case (a transaction whose connection
 * broke is rolled back by PostgreSQL), except when the connection broke after COMMIT was sent and
 * before its answer arrived: that is why mutations that create things take an idempotency key.
 */

/** postgres.js and Node socket error codes of a connection that could not be made or was lost. */
const CONNECTION_CODES = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs: class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot
 * connect now: the server is stopping or starting), 53300 (too many connections).
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;

/** True when `err`, or an error it wraps (drizzle's DrizzleQueryError `cause`, GraphQL's `originalError`), says the database is unavailable. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || UNAVAILABLE_STATES.test(code))) return true;
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}
