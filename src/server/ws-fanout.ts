/**
 * graphql-ws's `subscribe` for Waybill: graphql-js's own `subscribe` (createSourceEventStream, then
 * `execute` with each event as the root value) with two changes that matter when thousands of
 * subscribers watch the same topic.
 *
 * 1. One execution per event for identical subscribers. The result of executing an event depends on
 *    the event (the root value), the document, the variables and the caller: field resolvers decide
 *    what a caller may see from the principal only (scopes, warehouse or carrier restriction,
 *    customer id), never from the request id or the client address. So subscribers with the same
 *    principal, document, operation name and variables that receive the same event object get the
 *    same result object, executed once (its resolvers' reads included: 10,000 ops dashboards on one
 *    staff key cost one order read per event instead of 20,000). Subscriber-specific filtering stays
 *    in each subscription's source stream, before this point: whether an event reaches a subscriber
 *    at all (its orderId, mayViewOrder for a customer or a restricted key, type-graphql filters) is
 *    decided per subscriber as before. An event object is shared only when the topic hub hands the
 *    same message to every subscriber (events/topic-hub.ts) and the stream passes it on as is; a
 *    stream that builds its own root objects (a replay after afterSequence) simply shares nothing.
 * 2. Ending an operation ends it now. graphql-js's iterator forwards `return()` to the source stream
 *    and waits for it; a resolver's stream written as an async generator (orderStatusChanged,
 *    shipmentTracking, …) handles `return()` only at its next `yield`, so a closed socket's
 *    subscription, its listener and graphql-ws's connection state stayed until the next matching
 *    event (for a subscription to one order: possibly never). Here `return()` also ends the live
 *    iterators the operation opened through `ctx.events` (`operationContext`), which makes the
 *    generator finish.
 *
 * Figures (npm run bench:fanout -- --postgres --redis, 2 busy cores, load average 4–5, old and new
 * server back to back against the same client): 5,000 subscribers of the ops feed, before (topic
 * listener, Repeater and 5,000-id LRU per subscription, 2 SQL reads per subscriber per event, use/ws)
 * p50 2,476 ms, p99 2,971 ms from the mutation's response, 2,092 ms of server CPU per event, 134.7 KiB
 * RSS per idle subscriber; after p50 112 ms, p99 190 ms, 128 ms CPU, 9.3 KiB. 10,000 subscribers
 * after: p99 443 ms, 226 ms CPU per event (most of it the kernel's loopback writev, one per socket),
 * 12.7 KiB each.
 */
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { LoaderSet, type EventSource, type GraphQLContext } from '../graphql/context.js';
import type { Principal } from '../shared/principal.js';

/** Set by onSubscribe on the execution arguments: who may share an execution with whom. */
export const SHARE_KEY = Symbol('waybill.shareKey');
export type FanoutArgs = ExecutionArgs & { [SHARE_KEY]?: string };

/** Undefined (share nothing) when the variables cannot be stringified, e.g. nested too deep: coercion reports them later. */
export function shareKey(principal: Principal, query: string, operationName: string | null | undefined, variables: unknown): string | undefined {
  try {
    return JSON.stringify([principal, operationName ?? null, variables ?? null, query]);
  } catch {
    return undefined;
  }
}

/** The live iterators each operation's context opened through `events`. */
const opened = new WeakMap<object, AsyncIterator<unknown>[]>();

/** The context of one WebSocket operation: `events` iterators it opens end when the operation does. */
export function operationContext(ctx: GraphQLContext): GraphQLContext {
  const iterators: AsyncIterator<unknown>[] = [];
  const events: EventSource = {
    subscribe(topic) {
      const it = ctx.events.subscribe(topic)[Symbol.asyncIterator]();
      iterators.push(it);
      return { [Symbol.asyncIterator]: () => it };
    },
  };
  const scoped: GraphQLContext = { ...ctx, events };
  opened.set(scoped, iterators);
  return scoped;
}

function endOperation(context: unknown): void {
  if (typeof context !== 'object' || context === null) return;
  for (const it of opened.get(context) ?? []) void it.return?.()?.catch(() => {});
  opened.delete(context);
}

/** Results per event object and share key; entries go with the event object once every subscriber has it. */
const results = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

/**
 * Each event is executed like a request, with fresh loaders: nested fields read the state after the
 * event, and an idle subscription holds no loader cache from the events before.
 */
function executeEvent(args: FanoutArgs, event: unknown): Promise<ExecutionResult> | ExecutionResult {
  const ctx = args.contextValue as GraphQLContext;
  return execute({ ...args, rootValue: event, contextValue: { ...ctx, loaders: new LoaderSet(ctx.services) } });
}

function executeShared(args: FanoutArgs, event: unknown): Promise<ExecutionResult> | ExecutionResult {
  const key = args[SHARE_KEY];
  if (key === undefined || typeof event !== 'object' || event === null) return executeEvent(args, event);
  let byKey = results.get(event);
  if (!byKey) results.set(event, (byKey = new Map()));
  let result = byKey.get(key);
  if (!result) {
    result = Promise.resolve(executeEvent(args, event));
    byKey.set(key, result);
  }
  return result;
}

type Done = IteratorReturnResult<undefined>;
const DONE: Done = Object.freeze({ value: undefined, done: true });

export async function fanoutSubscribe(args: FanoutArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in Object(stream))) {
    endOperation(args.contextValue);
    return stream as ExecutionResult;
  }
  const source = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    endOperation(args.contextValue);
    // Not awaited: a generator source settles this only once the iterators above have ended it.
    void source.return?.()?.catch(() => {});
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
      if (ended) return DONE;
      try {
        const n = await source.next();
        if (n.done || ended) {
          end();
          return DONE;
        }
        return { value: await executeShared(args, n.value), done: false };
      } catch (err) {
        end();
        throw err;
      }
    },
    async return(): Promise<Done> {
      end();
      return DONE;
    },
    async throw(err: unknown): Promise<Done> {
      end();
      throw err;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
