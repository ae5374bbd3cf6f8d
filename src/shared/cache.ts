/**
 * The caches of the API, all on lru-cache (bounded by `max`, expiry by `ttl`, least recently used
 * dropped first). Three shapes:
 *
 * - `refreshingCache`: small read-mostly data per database (the carrier catalogue, the pickup-point
 *   directory, the warehouses), stale-while-revalidate (lru-cache's fetchMethod);
 * - `KeyedCache` / `KeyedCaches`: values per key for rows that change through committed events
 *   (stock availability, pickup usage, variants, authenticated principals), invalidated by key,
 *   never served past their TTL, and suspended while invalidations may be lost;
 * - `lruCache`: a plain bounded map with an optional TTL (derived values that are costly to make).
 *
 * `perObject` is for values derived from an object that live exactly as long as it (WeakMap):
 * nothing there expires or is invalidated, and lru-cache holds its keys strongly, so it is not one of them.
 */
import { AsyncResource } from 'node:async_hooks';
import { LRUCache } from 'lru-cache';

/** The async context of module load (no request's): background refreshes run in it. */
const BACKGROUND = new AsyncResource('waybill.cache-refresh');

export { LRUCache };

/**
 * Wall-clock time for lru-cache (its default is performance.now()): `KeyedCache` counts an entry's
 * age from when its read began (Date.now()), and tests move time with a fake Date. Looked up at
 * each call so that a faked Date is seen.
 */
const wallClock = { now: () => Date.now() };

/** A bounded LRU map; with `ttlMs`, an entry is dropped once that old (never served stale). */
export function lruCache<K extends {}, V extends {}>(opts: { max: number; ttlMs?: number }): LRUCache<K, V> {
  return new LRUCache<K, V>({
    max: opts.max,
    ...(opts.ttlMs ? { ttl: opts.ttlMs, allowStale: false, ttlResolution: 0, perf: wallClock } : {}),
  });
}

/** A value per object, made on first use and kept as long as the object lives (WeakMap). `build` must depend on nothing but the object. */
export function perObject<K extends object, V>(build: (key: K) => V): (key: K) => V {
  const built = new WeakMap<K, V>();
  return (key) => {
    let v = built.get(key);
    if (v === undefined) built.set(key, (v = build(key)));
    return v;
  };
}

// --- refreshingCache ----------------------------------------------------------------------------

/**
 * Small read-mostly data kept per database: loaded on first use, and after `ttlMs` served stale
 * while one background load refreshes it (lru-cache's stale-while-revalidate), so no request waits
 * for a reload once the cache is warm. A write on this instance calls `clear` and the next reader
 * waits for fresh data; other instances see the change within `ttlMs` plus one load.
 */
export interface RefreshingCache<K extends object, V> {
  get(key: K): Promise<V>;
  /** The value held for `key`, even if stale, without loading or refreshing it (undefined: none). */
  peek(key: K): V | undefined;
  clear(key: K): void;
}

export function refreshingCache<K extends object, V extends object>(
  ttlMs: number,
  load: (key: K) => Promise<V>,
  opts: {
    /**
     * A cheap check that the data has not changed since `old` was loaded (e.g. a row count of
     * tables that are only ever inserted into): then `old` is kept as it is, with everything
     * derived from it, instead of being read and rebuilt every `ttlMs`.
     */
    unchanged?: (key: K, old: V) => Promise<boolean>;
  } = {},
): RefreshingCache<K, V> {
  const cache = new LRUCache<K, V>({
    // One entry per open database (tests open many; old ones are simply evicted).
    max: 64,
    ttl: ttlMs,
    allowStale: true,
    noDeleteOnStaleGet: true,
    allowStaleOnFetchRejection: true,
    fetchMethod: async (key, stale) => (stale !== undefined && opts.unchanged && (await opts.unchanged(key, stale)) ? stale : load(key)),
  });
  return {
    async get(key) {
      const v = await cache.fetch(key);
      if (v === undefined) throw new Error('cache load returned nothing');
      return v;
    },
    peek(key) {
      return cache.peek(key, { allowStale: true });
    },
    clear(key) {
      cache.delete(key);
    },
  };
}

// --- KeyedCache ---------------------------------------------------------------------------------

/**
 * Values per key for rows that change through committed events: dropped at once by `invalidate`
 * when an event says the row changed, and read again after `ttlMs` in any case. Each instance
 * invalidates on the events it hears (its own at commit, the others' through the pub/sub;
 * relay.watch), so the TTL only bounds what a lost pub/sub message could leave behind: no entry is
 * ever served once it is `ttlMs` old (counted from when its read began). To keep requests off
 * PostgreSQL in steady state, an entry used after 50–75% of its TTL is read again in the background
 * while it is still served (refresh ahead; a failed read drops it); past the TTL it is a miss and
 * the caller waits for the read.
 *
 * A load that was under way when one of its keys was invalidated answers with what it read but
 * does not keep that key: it may have read the row before the change committed.
 *
 * Storage, bound and expiry are lru-cache's (ttl from when the read began, allowStale false); this
 * class adds the batched read, refresh ahead, and the invalidation that beats a load in flight
 * (lru-cache's fetch is one key per call and, when a key is deleted under it, rejects instead of
 * answering with what it read).
 */
interface Entry<V> {
  value: V;
  /** When it is read again in the background, and when it is no longer served (epoch ms). */
  refreshAt: number;
  expires: number;
  refreshing: boolean;
}

export class KeyedCache<K extends {}, V extends {}> {
  private readonly entries: LRUCache<K, Entry<V>>;
  private readonly ttlMs: number;
  /** Invalidations so far; a load keeps a key only if the key was not invalidated since the load began. */
  private seq = 0;
  private readonly invalidatedAt = new Map<K, number>();
  /** The last `invalidateAll`: loads that began before it keep nothing. */
  private clearedAt = 0;
  private loading = 0;

  /** `ttlMs` may be Infinity (rows that never change: only `invalidate` and `max` drop them). */
  constructor(opts: { ttlMs: number; max: number }) {
    this.ttlMs = opts.ttlMs;
    // lru-cache's ttl purges what is past it on access; `expires` below decides exactly (an entry is a miss at its TTL).
    this.entries = lruCache<K, Entry<V>>({ max: opts.max, ttlMs: Number.isFinite(opts.ttlMs) ? Math.ceil(opts.ttlMs) : 0 });
  }

  /** The values of `keys`; those not kept are read with one `load` call (keys it leaves out have no value). */
  async getMany(keys: readonly K[], load: (missing: K[]) => Promise<Map<K, V>>): Promise<Map<K, V>> {
    const out = new Map<K, V>();
    const missing: K[] = [];
    let expired: K[] | null = null;
    const now = Date.now();
    for (const k of keys) {
      const e = this.entries.get(k);
      if (e === undefined || e.expires <= now) {
        // Past its TTL: never served. A background read still under way for it may keep it later.
        if (e && !e.refreshing) this.entries.delete(k);
        missing.push(k);
        continue;
      }
      out.set(k, e.value);
      if (e.refreshAt <= now && !e.refreshing) {
        e.refreshing = true;
        (expired ??= []).push(k);
      }
    }
    if (expired) {
      if (missing.length) missing.push(...expired); // one read for both
      // A failed read dropped its entries (fill). Run outside the caller's async context: the refresh is
      // nobody's request (not counted in its SQL statements, not cut short with it).
      else {
        const keys = expired;
        BACKGROUND.runInAsyncScope(() => this.fill(keys, load, null).catch(() => {}));
      }
    }
    if (missing.length) await this.fill(missing, load, out);
    return out;
  }

  /** Reads `keys` and keeps what no invalidation overtook; with `out`, also answers with what was read. */
  private async fill(keys: K[], load: (missing: K[]) => Promise<Map<K, V>>, out: Map<K, V> | null): Promise<void> {
    const began = this.seq;
    const startedAt = Date.now();
    this.loading++;
    try {
      const loaded = await load(keys);
      for (const k of keys) {
        const v = loaded.get(k);
        if (v === undefined) this.dropIfRefreshing(k);
        else {
          out?.set(k, v);
          if (this.clearedAt <= began && (this.invalidatedAt.get(k) ?? 0) <= began) this.keep(k, v, startedAt);
          else this.dropIfRefreshing(k);
        }
      }
    } catch (err) {
      for (const k of keys) this.dropIfRefreshing(k); // read again by the next caller, not served stale for ever
      throw err;
    } finally {
      // With no load under way, nothing can be kept from before an invalidation: forget them.
      if (--this.loading === 0) this.invalidatedAt.clear();
    }
  }

  private dropIfRefreshing(k: K): void {
    if (this.entries.peek(k)?.refreshing) this.entries.delete(k);
  }

  /** Keeps what a read that began at `readAt` returned: its age counts from then, not from when it answered. */
  private keep(k: K, value: V, readAt: number): void {
    // Refreshed after 50–75% of the TTL: keys loaded together (a warm-up, a busy minute) are not all read again at once.
    const entry = { value, refreshAt: readAt + this.ttlMs * (0.5 + 0.25 * Math.random()), expires: readAt + this.ttlMs, refreshing: false };
    this.entries.set(k, entry, { start: readAt });
  }

  invalidate(keys: Iterable<K>): void {
    this.seq++;
    for (const k of keys) {
      this.entries.delete(k);
      if (this.loading) this.invalidatedAt.set(k, this.seq);
    }
  }

  /** Drops every key; loads under way keep nothing. */
  invalidateAll(): void {
    this.clearedAt = ++this.seq;
    this.entries.clear();
  }
}

/**
 * One KeyedCache per owner object (per database), made on first use with that use's TTL; none when
 * ttlMs is 0. `epoch` names what the keys are of (e.g. a capacity day): a new epoch starts an empty
 * cache, and invalidations for another epoch are ignored.
 *
 * `suspend` is for when invalidations may be lost (the pub/sub is down): the owner's cache is
 * dropped and `of` answers null (callers read through) until `resume`, which starts an empty cache.
 */
export class KeyedCaches<O extends object, K extends {}, V extends {}> {
  private readonly byOwner = new WeakMap<O, { epoch: string; cache: KeyedCache<K, V> }>();
  private readonly suspended = new WeakSet<O>();

  constructor(private readonly max: number) {}

  of(owner: O, ttlMs: number, epoch = ''): KeyedCache<K, V> | null {
    if (ttlMs <= 0 || this.suspended.has(owner)) return null;
    const held = this.byOwner.get(owner);
    if (held?.epoch === epoch) return held.cache;
    const cache = new KeyedCache<K, V>({ ttlMs, max: this.max });
    this.byOwner.set(owner, { epoch, cache });
    return cache;
  }

  /** Drops these keys from the owner's cache of that epoch, if it has one. */
  invalidate(owner: O, keys: Iterable<K>, epoch = ''): void {
    const held = this.byOwner.get(owner);
    if (held?.epoch === epoch) held.cache.invalidate(keys);
  }

  /** Drops every key of the owner's cache (any epoch); loads under way keep nothing. */
  invalidateAll(owner: O): void {
    this.byOwner.get(owner)?.cache.invalidateAll();
  }

  /** No cache for this owner until `resume`; what it held is dropped (reads already under way keep nothing). */
  suspend(owner: O): void {
    this.suspended.add(owner);
    this.byOwner.get(owner)?.cache.invalidateAll();
    this.byOwner.delete(owner);
  }

  /** Caching again, from empty. */
  resume(owner: O): void {
    this.byOwner.get(owner)?.cache.invalidateAll();
    this.byOwner.delete(owner);
    this.suspended.delete(owner);
  }

  /** Suspends the owner's cache while `events` may miss invalidations (see EventWatching.reliable). */
  followReliability(owner: O, events: { readonly reliable: boolean; onReliability(listener: (reliable: boolean) => void): void }): void {
    if (!events.reliable) this.suspend(owner);
    events.onReliability((reliable) => (reliable ? this.resume(owner) : this.suspend(owner)));
  }
}
