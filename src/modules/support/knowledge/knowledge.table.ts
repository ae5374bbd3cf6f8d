/**
 * The help centre's knowledge base: one row per article and language, (slug, locale) unique, so
 * the same slug names the Russian and the English text of one article.
 *
 * Full-text search: `search` is a stored generated tsvector in the article's own language's
 * configuration (`russian` or `english`: stemming, so "доставки курьером" meets "Доставка
 * курьером"), weighted title A, tags B, body C, behind a GIN index. Everything is declared here so
 * drizzle-kit generates the whole DDL.
 */
import { sql } from 'drizzle-orm';
import { check, customType, index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../../db/columns.js';

/** The languages the knowledge base is written in (BCP 47 primary tags) and their text search configurations. */
export const KNOWLEDGE_LOCALES = ['ru', 'en'] as const;
export type KnowledgeLocale = (typeof KNOWLEDGE_LOCALES)[number];
export const TS_CONFIG: Readonly<Record<KnowledgeLocale, 'russian' | 'english'>> = Object.freeze({ ru: 'russian', en: 'english' });

/** At most this many tags per article: the generated column indexes exactly this many (see below). */
export const MAX_TAGS = 20;

const tsvector = customType<{ data: string }>({
  dataType: () => 'tsvector',
});

/*
 * A generated column's expression must be immutable, and array_to_string (like every array to
 * text conversion) is only stable; so the tags are concatenated element by element, up to
 * MAX_TAGS, which the check constraint below makes the whole array. The configuration comes from a
 * CASE over the locale (a regconfig constant per branch, which keeps the expression immutable).
 */
const tagText = Array.from({ length: MAX_TAGS }, (_, i) => `coalesce("tags"[${i + 1}], '')`).join(` || ' ' || `);
const config = `(case "locale" when 'ru' then 'russian'::regconfig else 'english'::regconfig end)`;
const searchExpression =
  `setweight(to_tsvector(${config}, "title"), 'A') || ` + `setweight(to_tsvector(${config}, ${tagText}), 'B') || ` + `setweight(to_tsvector(${config}, "body"), 'C')`;

export const knowledgeArticles = pgTable(
  'knowledge_articles',
  {
    id: idColumn(),
    /** Lower-case words joined by hyphens, e.g. "delivery-times". */
    slug: text('slug').notNull(),
    /** BCP 47 primary tag: 'ru' or 'en'. */
    locale: text('locale').notNull().$type<KnowledgeLocale>(),
    title: text('title').notNull(),
    /** Plain text or HTML, stored as given (the storefront renders it). */
    body: text('body').notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(sql.raw(searchExpression)),
    createdAt: createdAt(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('knowledge_articles_slug_locale').on(t.slug, t.locale),
    index('knowledge_articles_locale_title').on(t.locale, t.title),
    index('knowledge_articles_search').using('gin', t.search),
    check('knowledge_articles_locale_known', sql`${t.locale} in ('ru', 'en')`),
    check('knowledge_articles_slug_format', sql`${t.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(${t.slug}) <= 100`),
    check('knowledge_articles_tags_max', sql`cardinality(${t.tags}) <= ${sql.raw(String(MAX_TAGS))}`),
  ],
);
