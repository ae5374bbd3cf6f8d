/**
 * Values per key for rows that change through committed events (stock availability, today's
 * pickup-point usage): dropped at once by `invalidate` when an event says the row changed, and read
 * again after `ttlMs` in any case. Each instance invalidates on the events it hears (its own at
 * commit, the others' through the pub/sub; relay.watch), so the TTL only bounds what a lost pub/sub
 * message could leave behind: no entry is ever served once it is `ttlMs` old (counted from when its
 * read began). To keep requests off PostgreSQL in steady state, an entry used after 50–75% of its
 * TTL is read again in the background while it is still served (refresh ahead; a failed read drops
 * it); past the TTL it is a miss and the caller waits for the read.
 *
 * A load that was under way when one of its keys was invalidated answers with what it read but
 * does not keep that key: it may have read the row before the change committed.
 */

export class KeyedCache<K extends {}, V extends {}> {
  /**
   * Value per key with when it is read again in the background (`refreshAt`) and when it is no longer
   * served (`expires`), epoch ms; oldest first (a Map keeps insertion order; a re-read key goes to the end).
   */
  private readonly entries = new Map<K, { value: V; refreshAt: number; expires: number; refreshing: boolean }>();
  private readonly ttlMs: number;
  private readonly max: number;
  /** Invalidations so far; a load keeps a key only if the key was not invalidated since the load began. */
  private seq = 0;
  private readonly invalidatedAt = new Map<K, number>();
  private loading = 0;

  /** `ttlMs` may be Infinity (rows that never change: only `invalidate` and `max` drop them). */
  constructor(opts: { ttlMs: number; max: number }) {
    this.ttlMs = opts.ttlMs;
    this.max = opts.max;
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
      else this.fill(expired, load, null).catch(() => {}); // a failed read dropped its entries (fill)
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
          if ((this.invalidatedAt.get(k) ?? 0) <= began) this.keep(k, v, startedAt);
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
    if (this.entries.get(k)?.refreshing) this.entries.delete(k);
  }

  /** Keeps what a read that began at `readAt` returned: its age counts from then, not from when it answered. */
  private keep(k: K, value: V, readAt: number): void {
    this.entries.delete(k);
    // Full: the oldest entries go (they are the nearest to expiring anyway).
    for (const oldest of this.entries.keys()) {
      if (this.entries.size < this.max) break;
      this.entries.delete(oldest);
    }
    // Refreshed after 50–75% of the TTL: keys loaded together (a warm-up, a busy minute) are not all read again at once.
    this.entries.set(k, {
      value,
      refreshAt: readAt + this.ttlMs * (0.5 + 0.25 * Math.random()),
      expires: readAt + this.ttlMs,
      refreshing: false,
    });
  }

  invalidate(keys: Iterable<K>): void {
    this.seq++;
    for (const k of keys) {
      this.entries.delete(k);
      if (this.loading) this.invalidatedAt.set(k, this.seq);
    }
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

  /** No cache for this owner until `resume`; what it held is dropped (reads already under way keep nothing). */
  suspend(owner: O): void {
    this.suspended.add(owner);
    this.byOwner.delete(owner);
  }

  /** Caching again, from empty. */
  resume(owner: O): void {
    this.byOwner.delete(owner);
    this.suspended.delete(owner);
  }

  /** Suspends the owner's cache while `events` may miss invalidations (see EventWatching.reliable). */
  followReliability(owner: O, events: { readonly reliable: boolean; onReliability(listener: (reliable: boolean) => void): void }): void {
    if (!events.reliable) this.suspend(owner);
    events.onReliability((reliable) => (reliable ? this.resume(owner) : this.suspend(owner)));
  }
}
