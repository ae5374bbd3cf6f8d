/**
 * Error shaping: every thrown error leaves with `extensions.code`; faults are masked (no
 * message internals, SQL or stack) unless NODE_ENV=development; limit rejections are
 * QUERY_TOO_COMPLEX. (Suggestions are hidden by document-rules.ts, before formatting.)
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { AccessError, BusinessError } from '../../shared/errors.js';

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
