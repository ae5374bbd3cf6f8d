/**
 * Errors are logged without the values of the statement that failed. postgres.js errors carry
 * `parameters` and `args`, PGlite's `params` and `queryOptions`, drizzle's DrizzleQueryError
 * `params` and a message ending in "params: …", and a PostgreSQL error's `detail` repeats the
 * offending values ("Key (email)=(…) already exists"): e-mails, addresses, password hashes.
 * `redactErr` is pino's `errWithCause` serializer (causes nested, with their own fields such as
 * the driver's `code` and `constraint`) run on a copy of the error and of its causes without
 * those; the statement text (`query`, with placeholders only) and the codes stay.
 */
import pino from 'pino';

const SENSITIVE = new Set(['params', 'parameters', 'args', 'detail', 'queryOptions', 'variables']);
const DRIZZLE_PARAMS = /\nparams: [\s\S]*$/;

const isErrorLike = (v: unknown): v is Error => typeof v === 'object' && v !== null && typeof (v as Error).message === 'string' && 'stack' in v;

function scrub(err: Error, depth: number): Error {
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Record<string, unknown>;
  for (const key of Object.keys(err)) {
    if (SENSITIVE.has(key)) continue;
    copy[key] = (err as unknown as Record<string, unknown>)[key];
  }
  const message = err.message.replace(DRIZZLE_PARAMS, '\nparams: [redacted]');
  copy.message = message;
  copy.stack = typeof err.stack === 'string' ? err.stack.replace(err.message, message).replace(DRIZZLE_PARAMS, '') : err.stack;
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined) copy.cause = isErrorLike(cause) && depth < 8 ? scrub(cause, depth + 1) : cause;
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors)) copy.errors = errors.map((e) => (isErrorLike(e) && depth < 8 ? scrub(e, depth + 1) : e));
  return copy as unknown as Error;
}

/** pino's `err` serializer without SQL parameters (see the module comment). */
export function redactErr(err: unknown): unknown {
  return pino.stdSerializers.errWithCause(isErrorLike(err) ? scrub(err, 0) : (err as Error));
}

/** The serializers every logger of the app uses. */
export const logSerializers = { err: redactErr };
