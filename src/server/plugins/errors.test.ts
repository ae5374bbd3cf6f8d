/** Transient faults leave with a code a client can act on: SERVICE_UNAVAILABLE (database) and SUBSCRIPTION_OVERFLOW, both retryable. */
import { GraphQLError } from 'graphql';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { SubscriberOverflowError } from '../../events/pubsub.js';
import { makeFormatError } from './errors.js';

const format = makeFormatError(pino({ level: 'silent' }), false);
const inResolver = (original: Error) => new GraphQLError(original.message, { path: ['orderCreate'], originalError: original });

describe('error shaping of transient faults', () => {
  it('answers a lost or refused database connection as the retryable SERVICE_UNAVAILABLE, without internals', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const wrapped = Object.assign(new Error('Failed query: select 1'), { cause: refused }); // drizzle's DrizzleQueryError
    for (const err of [refused, wrapped, Object.assign(new Error('the database system is starting up'), { code: '57P03' })]) {
      const e = inResolver(err);
      const out = format(e.toJSON(), e);
      expect(out.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 1 });
      expect(out.message).not.toContain('5432');
      expect(out.path).toEqual(['orderCreate']);
    }
  });

  it('keeps other database errors INTERNAL_SERVER_ERROR', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    const e = inResolver(Object.assign(new Error('syntax error'), { code: '42601' }));
    expect(format(e.toJSON(), e)).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('names a subscription ended for falling behind SUBSCRIPTION_OVERFLOW (graphql-ws wraps it without a path)', () => {
    const e = new GraphQLError('x', { originalError: new SubscriberOverflowError(1001) });
    expect(format(e.toJSON(), e)).toMatchObject({ extensions: { code: 'SUBSCRIPTION_OVERFLOW', retryable: true } });
  });
});
