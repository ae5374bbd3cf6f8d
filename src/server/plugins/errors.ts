/**
 * Error shaping: every thrown error leaves with `extensions.code`; faults are masked (no
 * message internals, SQL or stack) unless NODE_ENV=development; limit rejections are
 * QUERY_TOO_COMPLEX. (Suggestions are hidden by document-rules.ts, before formatting.)
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { SubscriberOverflowError } from '../../events/pubsub.js';
import { AccessError, BusinessError } from '../../shared/errors.js';

export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unavailable; nothing was changed unless the operation says otherwise. Retry shortly (with the same idempotencyKey where the mutation takes one).';

/**
 * graphql-js stops coercing variables after 50 errors and adds this error, which has no location
 * and so is not one Apollo tags BAD_USER_INPUT: it is the client's input all the same.
 */
const VARIABLE_ERROR_LIMIT = 'Too many errors processing variables, error limit reached. Execution aborted.';

const LIMIT_MESSAGES = /Document contains more tha[nt] \d+ tokens|Token limit|Query Cost limit|Aliases limit|Query depth limit|Directives limit|Document nesting limit/i;

export function makeFormatError(log: Logger, development: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AccessError) {
      return { ...formatted, message: original.message, extensions: { code: original.code, ...original.extra } };
    }
    if (original instanceof BusinessError) {
      return { ...formatted, extensions: { code: 'BAD_USER_INPUT', userErrors: original.errors } };
    }
    // Transient faults are not bugs: a code a client can act on (retry), and no error-level log line per request.
    if (isDatabaseUnavailable(original)) {
      log.warn({ err: { message: (original as Error).message, code: (original as { code?: unknown }).code }, path: formatted.path }, 'database unavailable');
      return { message: DATABASE_UNAVAILABLE_MESSAGE, path: formatted.path, locations: formatted.locations, extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 1 } };
    }
    // graphql-ws wraps what a subscription's stream threw in a GraphQLError without a path (unwrapResolverError keeps it).
    const cause = original instanceof GraphQLError && original.originalError ? original.originalError : original;
    if (cause instanceof SubscriberOverflowError) {
      return { message: cause.message, extensions: { code: 'SUBSCRIPTION_OVERFLOW', retryable: true } };
    }
    const code = (formatted.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR';
    if (code === 'INTERNAL_SERVER_ERROR' && original instanceof GraphQLError && !original.originalError && original.message === VARIABLE_ERROR_LIMIT) {
      return { message: formatted.message, extensions: { code: 'BAD_USER_INPUT' } };
    }
    if (LIMIT_MESSAGES.test(formatted.message)) {
      return { message: formatted.message.replace(/^Syntax Error: /, ''), extensions: { code: 'QUERY_TOO_COMPLEX' } };
    }
    if (code === 'INTERNAL_SERVER_ERROR') {
      log.error({ err: original, path: formatted.path }, 'unexpected error');
      if (!development) return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code } };
    }
    if (!development && formatted.extensions?.stacktrace) {
      const { stacktrace: _s, ...rest } = formatted.extensions;
      return { ...formatted, extensions: rest };
    }
    return formatted;
  };
}
