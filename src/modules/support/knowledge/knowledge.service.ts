/**
 * The knowledge base: help articles in Russian and English, upserted by (slug, locale), listed for
 * the storefront's help page and searched with PostgreSQL full-text search in each article's own
 * language (knowledge.table.ts). The assistant calls `searchArticles` and `articlesBySlugs`
 * directly; nothing here knows GraphQL.
 */
import { and, asc, inArray, sql, type SQL } from 'drizzle-orm';
import { ErrorList } from '../../../shared/errors.js';
import { hasScope } from '../../../shared/principal.js';
import { AccessError } from '../../../shared/errors.js';
import type { ServiceContext } from '../../../shared/service-context.js';
import { KNOWLEDGE_LOCALES, knowledgeArticles, MAX_TAGS, TS_CONFIG, type KnowledgeLocale } from './knowledge.table.js';

export { KNOWLEDGE_LOCALES, type KnowledgeLocale } from './knowledge.table.js';

/** An article as the services hand it out (the search vector is left in the database). */
export interface KnowledgeArticleRow {
  id: string;
  slug: string;
  locale: KnowledgeLocale;
  title: string;
  body: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

/**
 * How a search hit matched, best first: every word of the query (websearch syntax: quotes for
 * phrases, `-word` to exclude, `or`), some of its words, or only the beginning of a word (a word
 * typed halfway or with a typo after its first letters).
 */
export type KnowledgeMatch = 'ALL_WORDS' | 'SOME_WORDS' | 'PREFIX';

export interface KnowledgeHit {
  article: KnowledgeArticleRow;
  /** ts_rank_cd normalised to 0..1 (rank / (rank + 1)), within the hit's match kind. */
  rank: number;
  match: KnowledgeMatch;
}

export interface KnowledgeSearchInput {
  /** BCP 47 tag ('ru', 'en-GB', …); its primary language picks the articles. Absent: both languages, each in its own configuration. */
  locale?: string | null;
  /** Search text; absent or blank: the articles by title. */
  query?: string | null;
  /** 1..50, default 20. */
  first?: number | null;
}

export interface KnowledgeArticleUpsertInput {
  slug: string;
  locale: string;
  title: string;
  body: string;
  tags?: readonly string[] | null;
}

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MAX_SLUG = 100;
export const MAX_TITLE = 200;
export const MAX_BODY = 20_000;
export const MAX_TAG = 40;
export const MAX_FIRST = 50;
export const DEFAULT_FIRST = 20;
export const MAX_QUERY = 500;
/** Words of a query taken into the fallback (some words, prefixes). */
const MAX_FALLBACK_WORDS = 10;

/** Lengths in characters (code points), as PostgreSQL's char_length counts them. */
const chars = (s: string): number => [...s].length;

/** A BCP 47 language tag (primary language subtag, then subtags of 1 to 8 letters or digits). */
const BCP47 = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/i;

/**
 * The knowledge locale of a BCP 47 tag: its primary language subtag when that is ru or en
 * ('ru-RU' → 'ru'); 'INVALID' when it is not a language tag, 'UNSUPPORTED' for another language.
 */
export function knowledgeLocaleOf(tag: string): KnowledgeLocale | 'INVALID' | 'UNSUPPORTED' {
  const t = tag.trim();
  if (!BCP47.test(t)) return 'INVALID';
  const primary = t.split('-')[0]!.toLowerCase();
  return (KNOWLEDGE_LOCALES as readonly string[]).includes(primary) ? (primary as KnowledgeLocale) : 'UNSUPPORTED';
}

function localeOrError(e: ErrorList, tag: string, field: string[]): KnowledgeLocale | null {
  const l = knowledgeLocaleOf(tag);
  if (l === 'INVALID') e.add('INVALID', 'locale is a BCP 47 language tag, e.g. ru or en-GB.', field);
  else if (l === 'UNSUPPORTED') e.add('UNSUPPORTED_LOCALE', `The knowledge base is written in ${KNOWLEDGE_LOCALES.join(' and ')} only.`, field);
  else return l;
  return null;
}

const columns = {
  id: knowledgeArticles.id,
  slug: knowledgeArticles.slug,
  locale: knowledgeArticles.locale,
  title: knowledgeArticles.title,
  body: knowledgeArticles.body,
  tags: knowledgeArticles.tags,
  createdAt: knowledgeArticles.createdAt,
  updatedAt: knowledgeArticles.updatedAt,
};

/**
 * Creates the article of (slug, locale) or replaces its title, body and tags (createdAt stays).
 * Staff with write_support (FORBIDDEN otherwise: scripts run as admin). The locale may be any tag
 * of Russian or English ('ru-RU' is stored as 'ru'); the title and tags are trimmed, repeated tags
 * dropped; the body is stored as given (HTML too). Errors, all at once, nothing written: INVALID
 * (slug not lower-case words joined by hyphens or over 100 characters, locale not a language tag,
 * title empty or over 200 characters, body blank or over 20000, over 20 tags, a tag empty or over
 * 40 characters), UNSUPPORTED_LOCALE (a language other than ru and en).
 */
export async function upsertArticle(ctx: ServiceContext, input: KnowledgeArticleUpsertInput): Promise<KnowledgeArticleRow> {
  if (ctx.principal.kind !== 'STAFF' || !hasScope(ctx.principal, 'write_support')) {
    throw new AccessError('FORBIDDEN', 'Forbidden: requires a staff key with scope write_support.');
  }
  const e = new ErrorList();
  const slug = input.slug.trim();
  if (!SLUG_PATTERN.test(slug) || slug.length > MAX_SLUG) {
    e.add('INVALID', `slug is lower-case letters and digits in words joined by hyphens, at most ${MAX_SLUG} characters, e.g. delivery-times.`, ['input', 'slug']);
  }
  const locale = localeOrError(e, input.locale, ['input', 'locale']);
  const title = input.title.trim();
  if (!title || chars(title) > MAX_TITLE) e.add('INVALID', `title is 1 to ${MAX_TITLE} characters.`, ['input', 'title']);
  if (!input.body.trim() || chars(input.body) > MAX_BODY) e.add('INVALID', `body is 1 to ${MAX_BODY} characters, not only spaces.`, ['input', 'body']);
  const raw = input.tags ?? [];
  if (raw.length > MAX_TAGS) e.add('INVALID', `At most ${MAX_TAGS} tags.`, ['input', 'tags']);
  const tags: string[] = [];
  raw.forEach((t, i) => {
    const tag = t.trim();
    if (!tag || chars(tag) > MAX_TAG) e.add('INVALID', `A tag is 1 to ${MAX_TAG} characters.`, ['input', 'tags', i]);
    else if (!tags.includes(tag)) tags.push(tag);
  });
  e.throwIfAny();
  const now = ctx.clock.now();
  const [row] = await ctx.database.db
    .insert(knowledgeArticles)
    .values({ slug, locale: locale!, title, body: input.body, tags, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [knowledgeArticles.slug, knowledgeArticles.locale],
      set: { title, body: input.body, tags, updatedAt: now },
    })
    .returning(columns);
  return row as KnowledgeArticleRow;
}

/** The words of a query, lower-case, letters and digits only (safe inside to_tsquery syntax). */
function wordsOf(query: string): string[] {
  const out: string[] = [];
  for (const w of query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) if (!out.includes(w)) out.push(w);
  return out.slice(0, MAX_FALLBACK_WORDS);
}

/**
 * The beginning of a word that still finds it when the rest was mistyped or not typed yet: about
 * half of it, at least 3 characters ("достваки" → "дост", "returning" → "retu", "shipp" → "shi").
 * Null for words under 3 characters (too many matches).
 */
function prefixOf(word: string): string | null {
  const cps = [...word];
  if (cps.length < 3) return null;
  return cps.slice(0, Math.max(3, Math.floor(cps.length / 2))).join('');
}

function checkedSearch(input: KnowledgeSearchInput): { locales: KnowledgeLocale[]; query: string | null; first: number } {
  const e = new ErrorList();
  const first = input.first ?? DEFAULT_FIRST;
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) e.add('INVALID', `first is 1 to ${MAX_FIRST}.`, ['first']);
  let locales: KnowledgeLocale[] = [...KNOWLEDGE_LOCALES];
  if (input.locale != null) {
    const l = localeOrError(e, input.locale, ['locale']);
    if (l) locales = [l];
  }
  const query = input.query?.trim() || null;
  if (query && chars(query) > MAX_QUERY) e.add('INVALID', `query is at most ${MAX_QUERY} characters.`, ['query']);
  e.throwIfAny();
  return { locales, query, first };
}

/** Title weight 1, tags 0.4, body 0.1 (ts_rank_cd's order is D, C, B, A): a title hit outranks a few body mentions. */
const WEIGHTS = sql.raw(`'{0.05, 0.1, 0.4, 1.0}'::float4[]`);

interface SearchRow {
  id: string;
  slug: string;
  locale: KnowledgeLocale;
  title: string;
  body: string;
  tags: string[];
  created_at: Date | string;
  updated_at: Date | string;
  tier: number;
  rank: number | string;
}

const MATCHES: readonly KnowledgeMatch[] = ['ALL_WORDS', 'SOME_WORDS', 'PREFIX'];

/**
 * Searches (or lists) articles in one statement. With a query: articles matching every word
 * (websearch_to_tsquery in the article's language's configuration, so other word forms match:
 * "доставки курьером" finds "Доставка курьером", "returning shoes" finds "Returns … shoes") come
 * first, by rank; when fewer than `first` do, articles with some of the words follow, then
 * articles with a word beginning like one of the query's (prefix matching, for half-typed or
 * mistyped words); each group by ts_rank_cd with the title weighted over tags over body, ties by
 * title. Without a query: the articles by title (rank 0, match ALL_WORDS). Errors (BAD_USER_INPUT
 * over GraphQL): INVALID (first outside 1..50, a locale that is no language tag, a query over 500
 * characters), UNSUPPORTED_LOCALE. Public: the storefront's help page reads it.
 */
export async function searchArticles(ctx: ServiceContext, input: KnowledgeSearchInput): Promise<KnowledgeHit[]> {
  const { locales, query, first } = checkedSearch(input);
  const t = knowledgeArticles;
  if (!query) {
    const rows = await ctx.database.db
      .select(columns)
      .from(t)
      .where(inArray(t.locale, locales))
      .orderBy(asc(t.title), asc(t.locale))
      .limit(first);
    return rows.map((r) => ({ article: r as KnowledgeArticleRow, rank: 0, match: 'ALL_WORDS' as const }));
  }
  const words = wordsOf(query);
  if (!words.length) return [];
  const someWords = words.join(' | ');
  const prefixes = [...new Set(words.map(prefixOf).filter((p): p is string => p !== null))].map((p) => `${p}:*`).join(' | ');

  // Per language: its three queries, each a constant so the GIN index serves every @@.
  const per = locales.map((l) => {
    const cfg = sql.raw(`'${TS_CONFIG[l]}'::regconfig`);
    const all = sql`websearch_to_tsquery(${cfg}, ${query})`;
    const some = sql`to_tsquery(${cfg}, ${someWords})`;
    const prefix = prefixes ? sql`to_tsquery('simple'::regconfig, ${prefixes})` : null;
    return { l, all, some, prefix };
  });
  // Flat OR arms of (locale, one query): PostgreSQL turns them into a BitmapOr of GIN scans (nested ORs inside
  // an AND arm it does not, and falls back to the locale index; seen with EXPLAIN on 50k rows).
  const matches = (q: (typeof per)[number]): SQL =>
    sql.join(
      [q.all, q.some, q.prefix].filter((x): x is SQL => x !== null).map((x) => sql`(${t.locale} = ${q.l} and ${t.search} @@ ${x})`),
      sql` or `,
    );
  const byLocale = (f: (q: (typeof per)[number]) => SQL, otherwise: SQL): SQL =>
    sql`case ${t.locale} ${sql.join(per.map((q) => sql`when ${q.l} then ${f(q)}`), sql` `)} else ${otherwise} end`;
  const tier = byLocale((q) => sql`case when ${t.search} @@ ${q.all} then 0 when ${t.search} @@ ${q.some} then 1 else 2 end`, sql`2`);
  const rank = byLocale(
    (q) =>
      sql`case when ${t.search} @@ ${q.all} then ts_rank_cd(${WEIGHTS}, ${t.search}, ${q.all}, 32) when ${t.search} @@ ${q.some} then ts_rank_cd(${WEIGHTS}, ${t.search}, ${q.some}, 32) else ${
        q.prefix ? sql`ts_rank_cd(${WEIGHTS}, ${t.search}, ${q.prefix}, 32)` : sql`0`
      } end`,
    sql`0`,
  );
  const rows = await ctx.database.rows<SearchRow>(sql`
    select id, slug, locale, title, body, tags, created_at, updated_at, tier, rank
    from (
      select ${t.id} as id, ${t.slug} as slug, ${t.locale} as locale, ${t.title} as title, ${t.body} as body, ${t.tags} as tags,
             ${t.createdAt} as created_at, ${t.updatedAt} as updated_at, ${tier} as tier, ${rank}::float8 as rank
      from ${t}
      where ${sql.join(per.map(matches), sql` or `)}
    ) hits
    order by tier, rank desc, title, locale
    limit ${first}`);
  return rows.map((r) => ({
    article: {
      id: r.id,
      slug: r.slug,
      locale: r.locale,
      title: r.title,
      body: r.body,
      tags: r.tags,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
    },
    rank: Number(r.rank),
    match: MATCHES[Number(r.tier)]!,
  }));
}

/** The articles of one language with these slugs, in the order of `slugs` (unknown slugs left out). One statement. */
export async function articlesBySlugs(ctx: ServiceContext, locale: KnowledgeLocale, slugs: readonly string[]): Promise<KnowledgeArticleRow[]> {
  if (!slugs.length) return [];
  const rows = (await ctx.database.db
    .select(columns)
    .from(knowledgeArticles)
    .where(and(sql`${knowledgeArticles.locale} = ${locale}`, inArray(knowledgeArticles.slug, [...slugs])))) as KnowledgeArticleRow[];
  const bySlug = new Map(rows.map((r) => [r.slug, r]));
  return [...new Set(slugs)].flatMap((s) => bySlug.get(s) ?? []);
}

/** Articles by database id (any order; the loader puts them in key order). Public data. */
export async function articlesByIds(ctx: ServiceContext, ids: readonly string[]): Promise<KnowledgeArticleRow[]> {
  if (!ids.length) return [];
  return (await ctx.database.db.select(columns).from(knowledgeArticles).where(inArray(knowledgeArticles.id, [...ids]))) as KnowledgeArticleRow[];
}
