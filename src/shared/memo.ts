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
