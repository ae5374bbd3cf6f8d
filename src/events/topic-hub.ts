/**
 * Fan-out of pub/sub events to this process's subscribers: ONE listener per topic on the transport
 * (in-process, or one Redis SUBSCRIBE per channel), which drops repeated event ids once per topic and
 * hands the same message object to every subscriber's iterator.
 *
 * It replaces @graphql-yoga/subscription's createPubSub over a deduplicating EventTarget, where each
 * subscription had its own EventTarget listener, its own Repeater and its own 5,000-entry LRU of seen
 * ids (lru-cache allocates its arrays for `max` up front: ~100 KiB per subscription, most of the
 * 127 KiB an idle subscriber cost; see docs/benchmarks.md, "Subscriber fan-out"). Here an idle
 * subscription is one small object in its topic's Set.
 *
 * Each subscriber's queue is bounded: one that falls MAX_PENDING_EVENTS behind (its consumer stalled)
 * ends with an error instead of holding events without end. A Repeater threw from inside the
 * EventTarget listener in that case (its 1,024 pending pushes), i.e. an uncaught exception.
 *
 * `return()` ends an iterator at once, also while its consumer is waiting in `next()`; an async
 * generator, by contrast, handles `return()` only at its next `yield`, so a generator waiting for the
 * next event would hold its subscription until an event arrived (see server/ws-fanout.ts).
 */
import { LRUCache } from 'lru-cache';

/** Every published message carries the outbox event id. */
export interface EventMessage {
  eventId: string;
  topic: string;
  [key: string]: unknown;
}

/** How far a subscriber may fall behind before its subscription ends with an error. */
export const MAX_PENDING_EVENTS = 1000;

/**
 * Thrown by a subscription's iterator once its consumer fell MAX_PENDING_EVENTS behind, after the
 * events it had queued (GraphQL error SUBSCRIPTION_OVERFLOW, retryable: plugins/errors.ts). It
 * happened to a graphql-ws client watching every order when Redis came back after an outage under
 * load and the outbox backlog arrived at once (test/faults/redis-outage.test.ts).
 */
export class SubscriberOverflowError extends Error {
  constructor(readonly pending: number) {
    super(`The subscriber fell ${pending} events behind and was ended; subscribe again (with afterSequence where the field has it) to resume without a gap.`);
    this.name = 'SubscriberOverflowError';
  }
}

/** What the hub rides on: in-process delivery, or Redis channels. */
export interface HubTransport {
  /** The hub has its first subscriber of `topic`: start delivering its messages to `deliver`. */
  listen(topic: string, deliver: (message: EventMessage) => void): void;
  /** The hub's last subscriber of `topic` left. */
  unlisten(topic: string): void;
  /** Publishes a message (to every instance, this one included). */
  send(topic: string, message: EventMessage): void;
}

class Topic {
  readonly subscribers = new Set<TopicSubscription>();
  /** Event ids already delivered on this topic (deliveries are at least once). */
  readonly seen = new LRUCache<string, true>({ max: 5000 });
}

type Waiter = (r: IteratorResult<EventMessage, undefined>) => void;

/** One subscriber's iterator over a topic. */
export class TopicSubscription implements AsyncIterableIterator<EventMessage, undefined> {
  private queue: EventMessage[] | null = null;
  private waiting: Waiter | null = null;
  private failure: Error | null = null;
  private done = false;

  constructor(private readonly leave: (s: TopicSubscription) => void) {}

  /** Called by the hub; never throws. */
  push(message: EventMessage): void {
    if (this.done) return;
    const w = this.waiting;
    if (w) {
      this.waiting = null;
      w({ value: message, done: false });
      return;
    }
    const queue = (this.queue ??= []);
    if (queue.length >= MAX_PENDING_EVENTS) {
      // The queued events are still read; then next() rejects: the consumer learns it missed events.
      this.failure = new SubscriberOverflowError(queue.length + 1);
      this.finish();
      return;
    }
    queue.push(message);
  }

  next(): Promise<IteratorResult<EventMessage, undefined>> {
    if (this.queue?.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failure) {
      const err = this.failure;
      this.failure = null;
      return Promise.reject(err);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise<IteratorResult<EventMessage, undefined>>((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<EventMessage, undefined>> {
    this.queue = null;
    this.failure = null;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(): Promise<IteratorResult<EventMessage, undefined>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.leave(this);
    const w = this.waiting;
    if (w) {
      this.waiting = null;
      w({ value: undefined, done: true });
    }
  }
}

export class TopicHub {
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly transport: HubTransport) {}

  publish(topic: string, message: EventMessage): void {
    this.transport.send(topic, message);
  }

  /** Live messages of `topic` from now on (type-graphql's `topics` subscriptions, the relay's watchers, the resolvers' streams). */
  subscribe(topic: string): TopicSubscription {
    let t = this.topics.get(topic);
    if (!t) {
      const created = new Topic();
      this.topics.set(topic, (t = created));
      this.transport.listen(topic, (m) => this.deliver(created, m));
    }
    const topicState = t;
    const sub = new TopicSubscription((s) => {
      topicState.subscribers.delete(s);
      if (topicState.subscribers.size === 0 && this.topics.get(topic) === topicState) {
        this.topics.delete(topic);
        this.transport.unlisten(topic);
      }
    });
    t.subscribers.add(sub);
    return sub;
  }

  /** Subscribers of `topic` in this process (tests, metrics). */
  subscriberCount(topic: string): number {
    return this.topics.get(topic)?.subscribers.size ?? 0;
  }

  private deliver(t: Topic, message: EventMessage): void {
    const id = message?.eventId;
    if (id) {
      if (t.seen.has(id)) return;
      t.seen.set(id, true);
    }
    // A subscriber that overflows leaves the set during this loop, which a Set's iteration allows.
    for (const s of t.subscribers) s.push(message);
  }
}
