/**
 * fanoutSubscribe: identical subscribers share one execution per event object, others do not, and
 * an operation ends at once even while its resolver's generator waits for the next event.
 */
import { buildSchema, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { TopicHub, type EventMessage } from '../events/topic-hub.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { Principal } from '../shared/principal.js';
import { fanoutSubscribe, operationContext, SHARE_KEY, shareKey } from './ws-fanout.js';

const STAFF: Principal = { kind: 'STAFF', name: 'ops', scopes: ['admin'] };
const OTHER: Principal = { kind: 'STAFF', name: 'other', scopes: ['admin'] };
const QUERY = 'subscription { changed }';

function setup() {
  const listening = new Map<string, (m: EventMessage) => void>();
  const hub = new TopicHub({ listen: (t, d) => listening.set(t, d), unlisten: (t) => listening.delete(t), send: (t, m) => listening.get(t)?.(m) });
  let executions = 0;
  const schema = buildSchema('type Query { x: Int } type Subscription { changed: String }');
  const subscription = schema.getSubscriptionType()!.getFields().changed!;
  // As the resolvers' streams do: an async generator over ctx.events, passing the hub's message on.
  subscription.subscribe = (_root, _args, ctx: GraphQLContext) =>
    (async function* () {
      for await (const m of ctx.events.subscribe('t')) yield m;
    })();
  subscription.resolve = (m: EventMessage, _args, ctx: GraphQLContext) => `${m.eventId} for ${ctx.principal.name} (${++executions})`;
  const subscribe = async (principal: Principal) => {
    const base = { principal, events: { subscribe: (t: string) => hub.subscribe(t) }, services: {}, loaders: {}, requestId: 'r' } as unknown as GraphQLContext;
    const args = { schema, document: parse(QUERY), contextValue: operationContext(base), [SHARE_KEY]: shareKey(principal, QUERY, undefined, undefined) };
    return (await fanoutSubscribe(args)) as AsyncIterableIterator<ExecutionResult>;
  };
  return { hub, subscribe, executions: () => executions };
}

describe('fanoutSubscribe', () => {
  it('executes an event once for subscribers with the same principal and document, and apart for another principal', async () => {
    const { hub, subscribe, executions } = setup();
    const same = [await subscribe(STAFF), await subscribe(STAFF), await subscribe(STAFF)];
    const other = await subscribe(OTHER);
    const pending = [...same, other].map((s) => s.next());
    await new Promise((r) => setImmediate(r)); // the generators reach ctx.events.subscribe
    hub.publish('t', { eventId: 'e1', topic: 't' });
    const results = await Promise.all(pending);
    expect(results.map((r) => r.value?.data?.changed)).toEqual(['e1 for ops (1)', 'e1 for ops (1)', 'e1 for ops (1)', 'e1 for other (2)']);
    expect(results[0]!.value).toBe(results[1]!.value);
    expect(executions()).toBe(2);
  });

  it('return() ends the operation at once, while its generator is waiting for an event, and lets go of the topic', async () => {
    const { hub, subscribe } = setup();
    const sub = await subscribe(STAFF);
    const waiting = sub.next();
    await new Promise((r) => setImmediate(r));
    expect(hub.subscriberCount('t')).toBe(1);
    await sub.return!();
    await expect(waiting).resolves.toMatchObject({ done: true });
    expect(hub.subscriberCount('t')).toBe(0);
  });
});
