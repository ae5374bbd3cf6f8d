/**
 * Small read-mostly data (the carrier catalogue, the pickup-point directory, the warehouses) kept per database:
 * loaded on first use, and after `ttlMs` served stale while one background load refreshes it
 * (lru-cache's stale-while-revalidate), so no request waits for a reload once the cache is warm.
 * A write on this instance calls `clear` and the next reader waits for fresh data; other
 * instances see the change within `ttlMs` plus one load.
 */
import { LRUCache } from 'lru-cache';

export interface RefreshingCache<K extends object, V> {
  get(key: K): Promise<V>;
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
    clear(key) {
      cache.delete(key);
    },
  };
}
