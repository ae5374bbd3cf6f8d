/**
 * The pub/sub that subscriptions read from: in-process by default, Redis (ioredis, separate
 * publish and subscribe clients) when REDIS_URL is set so several instances share events.
 * Deliveries are at least once; the topic hub (topic-hub.ts) drops an event id its topic has already
 * delivered, and fans each message out to this process's subscribers from one listener per topic.
 * Each subscription is bounded (MAX_PENDING_EVENTS): a consumer that far behind is ended with an
 * error, the process and the other subscribers are not affected.
 *
 * Redis outages: nothing here ever rejects unhandled or throws out of an event handler.
 * - The publish client queues nothing while disconnected (`enableOfflineQueue: false`): a publish,
 *   a rate-limit call or the readiness ping fails at once instead of waiting in a queue; the relay
 *   keeps the events in the outbox and publishes them again later (relay.ts).
 * - The subscribe client keeps its offline queue and resubscribes on reconnect, so a subscription
 *   made during an outage takes effect when Redis is back.
 * - `healthy` is true while both clients are connected and the subscriber has confirmed its
 *   subscriptions since it last (re)connected; `onHealth` tells listeners when that changes
 *   (the relay holds publishes back meanwhile; the checkout caches stop serving: events of other
 *   instances may be lost while the subscriber is away).
 * - @graphql-yoga/redis-event-target calls `publish`/`subscribe`/`unsubscribe` without handling
 *   their promises, so it is handed thin adapters that catch and log; the relay publishes through
 *   `publish` below, which it awaits.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { TopicHub, type EventMessage, type TopicSubscription } from './topic-hub.js';

export type { EventMessage } from './topic-hub.js';
export { MAX_PENDING_EVENTS, SubscriberOverflowError } from './topic-hub.js';

/** What subscriptions and watchers use: publish, and an iterator of a topic's live messages (type-graphql's PubSub shape). */
export interface AppPubSub {
  publish(topic: string, message: EventMessage): void;
  subscribe(topic: string): TopicSubscription;
}

export interface PubSubHandle {
  pubSub: AppPubSub;
  kind: 'memory' | 'redis';
  /** A regular (non-subscriber) Redis client for shared state such as rate limits; fails fast while disconnected. */
  redis?: Redis;
  /**
   * Publishes these messages in order and resolves with how many were published; stops at the
   * first one that failed (the rest were not sent) and rejects only if none could be sent.
   */
  publish(messages: readonly EventMessage[]): Promise<number>;
  /** Both connections up and subscriptions confirmed (always true in memory). */
  readonly healthy: boolean;
  /** Called with the new value whenever `healthy` changes. */
  onHealth(listener: (healthy: boolean) => void): void;
  /** Rejects unless healthy (readiness); never waits on a disconnected Redis. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface PubSubOptions {
  /** Where connection trouble is reported (once per outage per client, and the recovery). */
  log?: Logger;
  /** Upper bound of the wait between reconnect attempts (ms). */
  reconnectMaxMs?: number;
}

/** Creates the pub/sub for this process. */
export async function createAppPubSub(redisUrl: string | undefined, opts: PubSubOptions = {}): Promise<PubSubHandle> {
  if (!redisUrl) {
    // In process: a publish is delivered synchronously to this process's subscribers.
    const listening = new Map<string, (m: EventMessage) => void>();
    const pubSub = new TopicHub({
      listen: (topic, deliver) => listening.set(topic, deliver),
      unlisten: (topic) => listening.delete(topic),
      send: (topic, m) => listening.get(topic)?.(m),
    });
    return {
      pubSub,
      kind: 'memory',
      async publish(messages) {
        for (const m of messages) pubSub.publish(m.topic, m);
        return messages.length;
      },
      healthy: true,
      onHealth() {},
      async ping() {},
      async close() {},
    };
  }
  const log = opts.log;
  const reconnectMaxMs = opts.reconnectMaxMs ?? 2000;
  const base: RedisOptions = {
    lazyConnect: true,
    connectTimeout: 2000,
    // Reconnect for ever, every 100 ms at first, then every reconnectMaxMs.
    retryStrategy: (times) => Math.min(times * 100, reconnectMaxMs),
  };
  // commandTimeout: a stalled (not disconnected) Redis must not hold the relay's transaction open.
  const publishClient = new Redis(redisUrl, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000 });
  const subscribeClient = new Redis(redisUrl, { ...base, enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: true });

  const healthListeners: ((healthy: boolean) => void)[] = [];
  let subscribed = false; // the subscriber answered a PING since it last became ready: its resubscribes are done
  let healthy = false;
  let closing = false; // close() was called: the connections going down are ours, not an outage
  const update = () => {
    if (closing) return;
    const now = publishClient.status === 'ready' && subscribeClient.status === 'ready' && subscribed;
    if (now === healthy) return;
    healthy = now;
    if (now) log?.info('pub/sub: Redis connected');
    else log?.warn('pub/sub: Redis unavailable; events wait in the outbox, caches are bypassed');
    for (const l of healthListeners) {
      try {
        l(now);
      } catch (err) {
        log?.error({ err }, 'pub/sub health listener failed');
      }
    }
  };
  for (const [name, client] of [['publish', publishClient], ['subscribe', subscribeClient]] as const) {
    let reported = false;
    // ioredis only prints an unlistened 'error' event; we log it once per outage instead.
    client.on('error', (err: Error) => {
      if (!reported && !closing) log?.warn({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, `pub/sub: Redis ${name} connection error`);
      reported = true;
    });
    client.on('ready', () => {
      reported = false;
      update();
    });
    client.on('close', update);
    client.on('end', update);
  }
  subscribeClient.on('close', () => {
    subscribed = false;
    update();
  });
  subscribeClient.on('ready', () => {
    // The resubscribe commands went out in ioredis' ready handler; a PING answered after them means they took effect.
    subscribeClient.ping().then(
      () => {
        subscribed = subscribeClient.status === 'ready';
        update();
      },
      () => {}, // the connection dropped again; the next 'ready' tries again
    );
  });

  try {
    await Promise.all([publishClient.connect(), subscribeClient.connect()]);
    await subscribeClient.ping();
  } catch (err) {
    // Redis unreachable at start-up: fail the start (as before), without clients reconnecting in the background.
    publishClient.disconnect();
    subscribeClient.disconnect();
    throw err;
  }
  subscribed = true;
  update();

  const warn = (what: string) => (err: unknown) => log?.warn({ err: { message: (err as Error).message } }, `pub/sub: ${what} failed`);
  // Adapters for the event target: the library does not handle these promises.
  const publishAdapter = {
    publish: (channel: string, message: string) => publishClient.publish(channel, message).catch(warn('publish')),
  };
  const subscribeAdapter = {
    on: (event: string, fn: (...args: never[]) => void) => subscribeClient.on(event, fn as never),
    subscribe: (channel: string) => subscribeClient.subscribe(channel).catch(warn('subscribe')),
    unsubscribe: (channel: string) => subscribeClient.unsubscribe(channel).catch(warn('unsubscribe')),
  };
  // The event target SUBSCRIBEs a channel when its first callback is added and UNSUBSCRIBEs after the
  // last; the hub adds one callback per topic, so there is one SUBSCRIBE per topic, not per subscriber.
  const target = createRedisEventTarget({ publishClient: publishAdapter as never, subscribeClient: subscribeAdapter as never });
  const callbacks = new Map<string, (event: CustomEvent) => void>();
  const hub = new TopicHub({
    listen(topic, deliver) {
      const cb = (event: CustomEvent) => deliver(event.detail as EventMessage);
      callbacks.set(topic, cb);
      target.addEventListener(topic, cb as never);
    },
    unlisten(topic) {
      const cb = callbacks.get(topic);
      callbacks.delete(topic);
      if (cb) target.removeEventListener(topic, cb as never);
    },
    send: (topic, m) => void target.dispatchEvent(new CustomEvent(topic, { detail: m })),
  });
  return {
    pubSub: hub,
    kind: 'redis',
    redis: publishClient,
    async publish(messages) {
      if (!messages.length) return 0;
      // One pipeline, one round trip; Redis runs its commands in order. Same format as the event target (JSON).
      const pipeline = publishClient.pipeline();
      for (const m of messages) pipeline.publish(m.topic, JSON.stringify(m));
      const results = (await pipeline.exec()) ?? [];
      let sent = 0;
      while (sent < messages.length && results[sent] && !results[sent]![0]) sent++;
      if (sent === 0 && messages.length) throw results.find((r) => r[0])?.[0] ?? new Error('publish failed');
      return sent;
    },
    get healthy() {
      return healthy;
    },
    onHealth(listener) {
      healthListeners.push(listener);
    },
    async ping() {
      if (!healthy) throw new Error(`redis ${publishClient.status}/${subscribeClient.status}`);
      await publishClient.ping();
    },
    async close() {
      closing = true;
      healthy = false;
      healthListeners.length = 0;
      // QUIT only on a live connection: a reconnecting subscriber would queue it until Redis is back.
      await Promise.allSettled(
        [publishClient, subscribeClient].map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())),
      );
    },
  };
}
