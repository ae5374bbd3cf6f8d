/**
 * A value built once per object and kept as long as the object lives (WeakMap): per database,
 * per executor, per rate card, per parsed document. The builder must not depend on anything but
 * the object.
 */
export function memoizeByObject<K extends object, V>(build: (key: K) => V): (key: K) => V {
  const built = new WeakMap<K, V>();
  return (key) => {
    let v = built.get(key);
    if (v === undefined) built.set(key, (v = build(key)));
    return v;
  };
}

/**
 * `build` remembered per key in a Map (the argument itself, or `key(arg)`): for values that are
 * costly to make and asked for again and again (ISO text of instants, global ids, keyed signers).
 * With `max`, the Map is emptied when it holds that many, a bound for memos that live as long as
 * the process; without it, the memo lives as long as its caller keeps it (one answer, one request).
 */
export function memoize<A, V, K = A>(build: (arg: A) => V, opts: { key?: (arg: A) => K; max?: number } = {}): (arg: A) => V {
  const made = new Map<K | A, V>();
  const { key, max } = opts;
  return (arg) => {
    const k = key ? key(arg) : arg;
    let v = made.get(k);
    if (v === undefined && !made.has(k)) {
      if (max !== undefined && made.size >= max) made.clear();
      made.set(k, (v = build(arg)));
    }
    return v as V;
  };
}
