/** Shaping DataLoader batch results: one value (or null) per key, or the rows of each key, in key order. */

export function byKey<K, V>(keys: readonly K[], rows: V[], key: (v: V) => K): (V | null)[] {
  const m = new Map(rows.map((r) => [key(r), r]));
  return keys.map((k) => m.get(k) ?? null);
}

export function groupByKey<K, V>(keys: readonly K[], rows: V[], key: (v: V) => K): V[][] {
  const m = new Map<K, V[]>();
  for (const r of rows) (m.get(key(r)) ?? m.set(key(r), []).get(key(r))!).push(r);
  return keys.map((k) => m.get(k) ?? []);
}
