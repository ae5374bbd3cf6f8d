/**
 * User text inside LIKE / ILIKE patterns: `%`, `_` and the escape character `\` (PostgreSQL's
 * default LIKE escape) match themselves, so a search for "50%" or "a_b" finds exactly that and
 * a filter value cannot turn into a wildcard.
 */

/** The text with LIKE's wildcards and escape character escaped: as a pattern it matches only itself (case-insensitively with ILIKE). */
export const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The pattern of a substring search for the text. */
export const containsPattern = (s: string): string => `%${likeEscape(s)}%`;
