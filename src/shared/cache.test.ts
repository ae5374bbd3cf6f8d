import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyedCache, KeyedCaches } from './cache.js';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('KeyedCache', () => {
  it('reads only the keys it does not keep, in one load', async () => {
    const c = new KeyedCache<string, number>({ ttlMs: 60_000, max: 100 });
    const loads: string[][] = [];
    const load = async (keys: string[]) => (loads.push(keys), new Map(keys.map((k) => [k, k.length])));
    expect([...(await c.getMany(['a', 'bb'], load))]).toEqual([['a', 1], ['bb', 2]]);
    expect([...(await c.getMany(['bb', 'ccc', 'a'], load))].sort()).toEqual([['a', 1], ['bb', 2], ['ccc', 3]]);
    expect(loads).toEqual([['a', 'bb'], ['ccc']]);
  });

  it('forgets an invalidated key and reads it again', async () => {
    const c = new KeyedCache<string, number>({ ttlMs: 60_000, max: 100 });
    let v = 1;
    const load = async (keys: string[]) => new Map(keys.map((k) => [k, v]));
    expect((await c.getMany(['a'], load)).get('a')).toBe(1);
    v = 2;
    expect((await c.getMany(['a'], load)).get('a')).toBe(1);
    c.invalidate(['a']);
    expect((await c.getMany(['a'], load)).get('a')).toBe(2);
  });

  it('does not keep what a load read before an invalidation of that key arrived (it answers with it once)', async () => {
    const c = new KeyedCache<string, number>({ ttlMs: 60_000, max: 100 });
    const gate = deferred<void>();
    let v = 1;
    const slow = async (keys: string[]) => {
      const read = v; // the row as it was when the load read it
      await gate.promise;
      return new Map(keys.map((k) => [k, read]));
    };
    const pending = c.getMany(['a', 'b'], slow);
    v = 2; // the change commits...
    c.invalidate(['a']); // ...and its event arrives while the load is still under way
    gate.resolve();
    expect([...(await pending)]).toEqual([['a', 1], ['b', 1]]);
    const fresh = async (keys: string[]) => new Map(keys.map((k) => [k, v]));
    expect([...(await c.getMany(['a', 'b'], fresh))].sort()).toEqual([['a', 2], ['b', 1]]); // b was kept, a read again
  });

  it('invalidateAll drops every key, and a load under way keeps nothing (it answers with what it read once)', async () => {
    const c = new KeyedCache<string, number>({ ttlMs: 60_000, max: 100 });
    await c.getMany(['a'], async () => new Map([['a', 1]]));
    const gate = deferred<void>();
    const pending = c.getMany(['b'], async (keys) => (await gate.promise, new Map(keys.map((k) => [k, 1]))));
    c.invalidateAll();
    gate.resolve();
    expect((await pending).get('b')).toBe(1);
    const loads: string[] = [];
    const fresh = async (keys: string[]) => (loads.push(...keys), new Map(keys.map((k) => [k, 2])));
    expect([...(await c.getMany(['a', 'b'], fresh))].sort()).toEqual([['a', 2], ['b', 2]]);
    expect(loads).toEqual(['a', 'b']);
  });

  describe('age', () => {
    // Only Date is faked: the cache reads Date.now(); promises still settle normally.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(0);
    });
    afterEach(() => vi.useRealTimers());
    const flush = () => new Promise((r) => setImmediate(r));

    it('never answers with an entry ttlMs old or older: that caller waits for a new read', async () => {
      const c = new KeyedCache<string, number>({ ttlMs: 1000, max: 100 });
      let n = 0;
      const load = async (keys: string[]) => new Map(keys.map((k) => [k, ++n]));
      expect((await c.getMany(['a'], load)).get('a')).toBe(1);
      vi.setSystemTime(400);
      expect((await c.getMany(['a'], load)).get('a')).toBe(1); // young: no read
      expect(n).toBe(1);
      vi.setSystemTime(1000);
      expect((await c.getMany(['a'], load)).get('a')).toBe(2); // at the TTL: read, not served
      vi.setSystemTime(5000);
      expect((await c.getMany(['a'], load)).get('a')).toBe(3);
      expect(n).toBe(3);
    });

    it('reads a used entry again in the background after 50–75% of its TTL, serving it meanwhile (once per refresh)', async () => {
      const c = new KeyedCache<string, number>({ ttlMs: 1000, max: 100 });
      let n = 0;
      const load = async (keys: string[]) => new Map(keys.map((k) => [k, ++n]));
      await c.getMany(['a'], load);
      vi.setSystemTime(800);
      const both = await Promise.all([c.getMany(['a'], load), c.getMany(['a'], load)]); // still young enough: served, and read again
      expect(both.map((m) => m.get('a'))).toEqual([1, 1]);
      await flush();
      expect((await c.getMany(['a'], load)).get('a')).toBe(2);
      expect(n).toBe(2); // one background read, not one per caller
      vi.setSystemTime(1700); // the refreshed entry's age counts from its own read (at 800)
      expect((await c.getMany(['a'], load)).get('a')).toBe(2);
    });

    it('a background read that fails drops the entry: the next caller reads it', async () => {
      const c = new KeyedCache<string, number>({ ttlMs: 1000, max: 100 });
      await c.getMany(['a'], async () => new Map([['a', 1]]));
      vi.setSystemTime(800);
      let calls = 0;
      const failing = async (): Promise<Map<string, number>> => {
        calls++;
        throw new Error('database down');
      };
      expect((await c.getMany(['a'], failing)).get('a')).toBe(1);
      await flush();
      await expect(c.getMany(['a'], failing)).rejects.toThrow('database down');
      expect((await c.getMany(['a'], async () => new Map([['a', 3]]))).get('a')).toBe(3);
      expect(calls).toBe(2);
    });
  });

  it('keeps at most `max` keys, dropping the least recently used', async () => {
    const c = new KeyedCache<string, number>({ ttlMs: 60_000, max: 2 });
    const loads: string[] = [];
    const load = async (keys: string[]) => (loads.push(...keys), new Map(keys.map((k) => [k, 1])));
    for (const k of ['a', 'b', 'c']) await c.getMany([k], load);
    await c.getMany(['b', 'c', 'a'], load);
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('KeyedCaches', () => {
  it('caches nothing while the event source is unreliable, and starts empty when it is reliable again', async () => {
    const caches = new KeyedCaches<object, string, number>(100);
    const owner = {};
    const listeners: ((r: boolean) => void)[] = [];
    const events = { reliable: true, onReliability: (l: (r: boolean) => void) => void listeners.push(l) };
    caches.followReliability(owner, events);
    const load = (v: number) => async (keys: string[]) => new Map(keys.map((k) => [k, v]));
    await caches.of(owner, 60_000)!.getMany(['a'], load(1));
    expect((await caches.of(owner, 60_000)!.getMany(['a'], load(2))).get('a')).toBe(1); // cached
    for (const l of listeners) l(false); // the pub/sub went down: invalidations may be lost
    expect(caches.of(owner, 60_000)).toBeNull(); // callers read through
    for (const l of listeners) l(true);
    expect((await caches.of(owner, 60_000)!.getMany(['a'], load(3))).get('a')).toBe(3); // nothing from before the gap
  });

  it('starts suspended when the event source is unreliable from the start', () => {
    const caches = new KeyedCaches<object, string, number>(100);
    const owner = {};
    caches.followReliability(owner, { reliable: false, onReliability: () => {} });
    expect(caches.of(owner, 60_000)).toBeNull();
  });
});
