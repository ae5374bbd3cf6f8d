/**
 * The pub/sub that subscriptions read from: in-process by default, Redis (ioredis, separate
 * publish and subscribe clients) when REDIS_URL is set so several instances share events.
 * Deliveries are at least once; each listener drops an event id it has already seen.
 */
import { createPubSub, type PubSub as YogaPubSub } from '@graphql-yoga/subscription';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { TypedEventTarget } from '@graphql-yoga/typed-event-target';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/** Every published message carries the outbox event id. */
export interface EventMessage {
  eventId: string;
  topic: string;
  [key: string]: unknown;
}

export type AppPubSub = YogaPubSub<Record<string, [EventMessage]>>;

export interface PubSubHandle {
  pubSub: AppPubSub;
  kind: 'memory' | 'redis';
  /** A regular (non-subscriber) Redis client for shared state such as rate limits. */
  redis?: Redis;
  ping(): Promise<void>;
  close(): Promise<void>;
}

type EventListener = (event: Event) => void;
type Listener = EventListener | { handleEvent(event: Event): void };

/** Wraps an event target so each listener sees a given event id once. */
function deduplicating(inner: TypedEventTarget<CustomEvent>): TypedEventTarget<CustomEvent> {
  const wrappers = new Map<Listener, EventListener>();
  return {
    addEventListener(type: string, listener: Listener | null) {
      if (!listener) return;
      const seen = new LRUCache<string, true>({ max: 5000 });
      const wrapped: EventListener = (event) => {
        const id = ((event as CustomEvent).detail as EventMessage | undefined)?.eventId;
        if (id) {
          if (seen.has(id)) return;
          seen.set(id, true);
        }
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      };
      wrappers.set(listener, wrapped);
      inner.addEventListener(type, wrapped);
    },
    removeEventListener(type: string, listener: Listener | null) {
      if (!listener) return;
      const wrapped = wrappers.get(listener);
      if (wrapped) {
        inner.removeEventListener(type, wrapped);
        wrappers.delete(listener);
      }
    },
    dispatchEvent(event: CustomEvent) {
      return inner.dispatchEvent(event);
    },
  } as TypedEventTarget<CustomEvent>;
}

/** Creates the pub/sub for this process. */
export async function createAppPubSub(redisUrl: string | undefined): Promise<PubSubHandle> {
  if (!redisUrl) {
    const target = deduplicating(new EventTarget() as unknown as TypedEventTarget<CustomEvent>);
    return {
      pubSub: createPubSub({ eventTarget: target as never }) as AppPubSub,
      kind: 'memory',
      async ping() {},
      async close() {},
    };
  }
  const opts = { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: true };
  const publishClient = new Redis(redisUrl, opts);
  const subscribeClient = new Redis(redisUrl, opts);
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  const target = deduplicating(createRedisEventTarget({ publishClient, subscribeClient }) as TypedEventTarget<CustomEvent>);
  return {
    pubSub: createPubSub({ eventTarget: target as never }) as AppPubSub,
    kind: 'redis',
    redis: publishClient,
    async ping() {
      await publishClient.ping();
    },
    async close() {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
