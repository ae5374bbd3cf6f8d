/**
 * Free text of searches and filters (`products(query:)`, `customers(query:)`, order filters) is
 * at most MAX_SEARCH_LENGTH characters: a substring search over a 900 KB pattern kept a pooled
 * connection busy for seconds. Longer text is refused before any SQL runs.
 */
import { AccessError } from './errors.js';

export const MAX_SEARCH_LENGTH = 200;

/**
 * The trimmed text (undefined when empty or absent), or BAD_USER_INPUT naming `argument` when it
 * is longer than MAX_SEARCH_LENGTH characters (counted before trimming).
 */
export function searchText(value: string | null | undefined, argument: string): string | undefined {
  if (value == null) return undefined;
  if (value.length > MAX_SEARCH_LENGTH) throw new AccessError('BAD_USER_INPUT', `"${argument}" is at most ${MAX_SEARCH_LENGTH} characters.`);
  return value.trim() || undefined;
}
