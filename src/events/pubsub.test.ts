/**
 * Subscriptions are bounded: a consumer that falls MAX_PENDING_EVENTS behind gets what was queued and
 * then a SubscriberOverflowError, instead of @graphql-yoga's RepeaterOverflowError thrown from the
 * event dispatch (an uncaught exception that stopped the server: test/faults/redis-outage.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createAppPubSub, MAX_PENDING_EVENTS, SubscriberOverflowError, type EventMessage } from './pubsub.js';

const message = (i: number): EventMessage => ({ eventId: `e${i}`, topic: 't', i });

describe('pub/sub subscriptions', () => {
  it('ends a subscriber that fell too far behind with SubscriberOverflowError after its queued events; the others are unaffected', async () => {
    const { pubSub } = await createAppPubSub(undefined);
    const slow = pubSub.subscribe('t');
    const fast = pubSub.subscribe('t');
    const fastGot: number[] = [];
    const n = MAX_PENDING_EVENTS + 5;
    for (let i = 0; i < n; i++) {
      expect(() => pubSub.publish('t', message(i))).not.toThrow();
      fastGot.push((await fast.next()).value!.i as number);
    }
    expect(fastGot).toEqual(Array.from({ length: n }, (_, i) => i));
    const slowGot: number[] = [];
    for (let i = 0; i < MAX_PENDING_EVENTS; i++) slowGot.push((await slow.next()).value!.i as number);
    expect(slowGot).toEqual(Array.from({ length: MAX_PENDING_EVENTS }, (_, i) => i));
    await expect(slow.next()).rejects.toBeInstanceOf(SubscriberOverflowError);
    expect(await slow.next()).toEqual({ value: undefined, done: true });
    // The fast one still hears new events; the ended one no longer listens.
    pubSub.publish('t', message(n));
    expect((await fast.next()).value!.i).toBe(n);
    await fast.return?.();
    expect(await fast.next()).toEqual({ value: undefined, done: true });
  });

  it('resolves a waiting next() with the next event, and return() ends a waiting next()', async () => {
    const { pubSub } = await createAppPubSub(undefined);
    const sub = pubSub.subscribe('t');
    const waiting = sub.next();
    pubSub.publish('t', message(1));
    expect((await waiting).value!.i).toBe(1);
    const pending = sub.next();
    await sub.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});
