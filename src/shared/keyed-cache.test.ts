import { describe, expect, it } from 'vitest';
import { KeyedCache } from './keyed-cache.js';

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

  it('after ttlMs answers once more from the cache while it reads the key again in the background, then with what it read', async () => {
    const c = new KeyedCache<string, number>({ ttlMs: 30, max: 100 });
    let n = 0;
    const load = async (keys: string[]) => new Map(keys.map((k) => [k, ++n]));
    expect((await c.getMany(['a'], load)).get('a')).toBe(1);
    expect((await c.getMany(['a'], load)).get('a')).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect((await c.getMany(['a'], load)).get('a')).toBe(1); // expired: served, and read again
    expect((await c.getMany(['a'], load)).get('a')).toBe(2);
    expect(n).toBe(2); // one background read, not one per caller
  });

  it('a background read that fails drops the expired entry: the next caller reads it', async () => {
    const c = new KeyedCache<string, number>({ ttlMs: 30, max: 100 });
    await c.getMany(['a'], async () => new Map([['a', 1]]));
    await new Promise((r) => setTimeout(r, 60));
    let calls = 0;
    const failing = async (): Promise<Map<string, number>> => {
      calls++;
      throw new Error('database down');
    };
    expect((await c.getMany(['a'], failing)).get('a')).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    await expect(c.getMany(['a'], failing)).rejects.toThrow('database down');
    expect((await c.getMany(['a'], async () => new Map([['a', 3]]))).get('a')).toBe(3);
    expect(calls).toBe(2);
  });

  it('keeps at most `max` keys, dropping the oldest', async () => {
    const c = new KeyedCache<string, number>({ ttlMs: 60_000, max: 2 });
    const loads: string[] = [];
    const load = async (keys: string[]) => (loads.push(...keys), new Map(keys.map((k) => [k, 1])));
    for (const k of ['a', 'b', 'c']) await c.getMany([k], load);
    await c.getMany(['b', 'c', 'a'], load);
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
  });
});
