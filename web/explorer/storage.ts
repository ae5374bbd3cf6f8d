/**
 * GraphiQL's storage (tabs, history, favourites) in localStorage, minus every header: GraphiQL's
 * history plugin saves each run's headers, which here hold the caller's bearer token, so every
 * `headers` value in what GraphiQL writes is replaced by null before it reaches the browser's
 * storage. Tabs and history survive a reload; the token never does.
 */
import type { Storage } from '@graphiql/toolkit';

function withoutHeaders(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutHeaders);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'headers' ? null : withoutHeaders(v)]));
  }
  return value;
}

function scrub(value: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return value; // not JSON (e.g. the theme's name): no headers in it
  }
  return JSON.stringify(withoutHeaders(parsed));
}

/** GraphiQL's keys (`graphiql:<name>`), as its default localStorage wrapper counts and clears them. */
const OURS = 'graphiql:';

export function headerFreeStorage(base: globalThis.Storage): Storage {
  const keys = () => Array.from({ length: base.length }, (_, i) => base.key(i)).filter((k): k is string => !!k && k.startsWith(OURS));
  return {
    getItem: (key) => base.getItem(key),
    setItem: (key, value) => {
      // The header editor's own text is the headers themselves: never written.
      if (key === `${OURS}headers`) base.removeItem(key);
      else base.setItem(key, scrub(value));
    },
    removeItem: (key) => base.removeItem(key),
    clear: () => keys().forEach((k) => base.removeItem(k)),
    get length() {
      return keys().length;
    },
  };
}
