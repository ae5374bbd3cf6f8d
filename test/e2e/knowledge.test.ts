/**
 * The knowledge base over HTTP: upsert by (slug, locale) with validation, who may write, the public
 * list and full-text search (Russian and English morphology, ranking, locale filter, the fallback
 * for half-typed and mistyped words), node(id), one SQL statement per list; and the service the
 * assistant calls directly.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedKnowledge } from '../../scripts/seed-knowledge.js';
import { DEMO_CARRIERS } from '../../scripts/seed-shipping.js';
import { articlesBySlugs, searchArticles } from '../../src/modules/support/knowledge/knowledge.service.js';
import {
  KnowledgeApiKeyCreateDocument,
  KnowledgeArticlesDefaultFirstDocument,
  KnowledgeArticlesDocument,
  KnowledgeArticleUpsertDocument,
  KnowledgeCustomerCreateDocument,
  KnowledgeCustomerTokenDocument,
  KnowledgeNodeDocument,
  type KnowledgeArticleUpsertInput,
} from '../generated/graphql.js';
import { startApp, type TestApp } from '../harness.js';

let t: TestApp;
let editor: string;
let gateway: string;
let customer: string;

const ARTICLES: KnowledgeArticleUpsertInput[] = [
  {
    slug: 'courier-delivery',
    locale: 'ru',
    title: 'Доставка курьером',
    body: 'Курьер привозит заказ до двери в выбранный интервал и звонит за час до приезда.',
    tags: ['курьер', 'доставка'],
  },
  { slug: 'courier-delivery', locale: 'en', title: 'Courier delivery', body: 'A courier brings the order to your door in the time slot you chose.', tags: ['courier'] },
  { slug: 'pickup-points', locale: 'ru', title: 'Пункты выдачи', body: 'Заказ хранится в пункте выдачи семь дней; возьмите паспорт.', tags: ['пвз'] },
  {
    slug: 'returns',
    locale: 'en',
    title: 'Returns',
    body: '<p>Return shoes, clothes and gadgets within 14 days of delivery.</p>',
    tags: ['refund'],
  },
  { slug: 'shoe-sizes', locale: 'en', title: 'Shoe sizes', body: 'Our size chart in EU, UK and US sizes, with the foot length for each.', tags: ['fit'] },
  { slug: 'gift-cards', locale: 'en', title: 'Gift cards', body: 'Gift cards never expire.', tags: [] },
];

const upsert = (input: KnowledgeArticleUpsertInput, token: string | null = editor) => t.gql(KnowledgeArticleUpsertDocument, { input }, { token });
const search = async (variables: { locale?: string | null; query?: string | null; first?: number | null }, token: string | null = null) => {
  const r = await t.gql(KnowledgeArticlesDocument, variables, { token });
  expect(r.errors).toBeUndefined();
  return r.data!.knowledgeArticles;
};
const keys = (list: { slug: string; locale: string }[]) => list.map((a) => `${a.locale}:${a.slug}`);
const count = async () => Number((await t.app.database.rows<{ n: string | number }>(sql`select count(*) as n from knowledge_articles`))[0]!.n);

beforeAll(async () => {
  t = await startApp();
  const key = async (kind: 'STAFF' | 'PARTNER', scopes: string[]) => {
    const r = await t.admin(KnowledgeApiKeyCreateDocument, { input: { name: `kb-${kind}-${scopes.join('-')}`, kind, scopes } });
    expect(r.apiKeyCreate.userErrors).toEqual([]);
    return r.apiKeyCreate.secret!;
  };
  editor = await key('STAFF', ['write_support']);
  gateway = await key('PARTNER', ['write_support']);
  const c = await t.admin(KnowledgeCustomerCreateDocument, { input: { email: 'kb-reader@example.com', password: 'correct horse battery', locale: 'ru' } });
  expect(c.customerCreate.userErrors).toEqual([]);
  const tok = await t.gql(KnowledgeCustomerTokenDocument, { input: { email: 'kb-reader@example.com', password: 'correct horse battery' } }, { token: null });
  customer = tok.data!.customerAccessTokenCreate.accessToken!;
  for (const a of ARTICLES) {
    const r = await upsert(a);
    expect(r.errors).toBeUndefined();
    expect(r.data!.knowledgeArticleUpsert.userErrors).toEqual([]);
  }
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('knowledgeArticles: search', () => {
  it('finds a Russian article by other word forms (morphology), anonymously', async () => {
    const hits = await search({ locale: 'ru', query: 'доставки курьером' });
    expect(keys(hits)[0]).toBe('ru:courier-delivery');
    expect(hits[0]!.title).toBe('Доставка курьером');
  });

  it('finds an English article by other word forms: "returning shoes" finds Returns', async () => {
    const hits = await search({ locale: 'en', query: 'returning shoes' });
    expect(keys(hits)[0]).toBe('en:returns');
  });

  it('ranks a title hit before a body hit', async () => {
    // "shoe" is the title of shoe-sizes and only in the body of returns.
    expect(keys(await search({ locale: 'en', query: 'shoes' })).slice(0, 2)).toEqual(['en:shoe-sizes', 'en:returns']);
    // And the other way round: "return" is the title of returns, nowhere in shoe-sizes.
    expect(keys(await search({ locale: 'en', query: 'return' }))[0]).toBe('en:returns');
  });

  it('filters by locale (any tag of the language), and searches both languages in their own configurations without one', async () => {
    expect(keys(await search({ locale: 'en-GB', query: 'courier' }))).toEqual(['en:courier-delivery']);
    expect(keys(await search({ locale: 'ru', query: 'courier' })).some((k) => k.startsWith('en:'))).toBe(false);
    // No locale: the Russian stemmer for the Russian article, the English one for the English article.
    const both = keys(await search({ query: 'курьером' }));
    expect(both[0]).toBe('ru:courier-delivery');
    expect(keys(await search({ query: 'couriers' }))[0]).toBe('en:courier-delivery');
  });

  it('still finds something sensible for a half-typed or mistyped word (prefix fallback), after the exact hits', async () => {
    expect(keys(await search({ locale: 'ru', query: 'достваки' }))).toContain('ru:courier-delivery'); // a typo
    expect(keys(await search({ locale: 'en', query: 'retur' }))[0]).toBe('en:returns'); // typed halfway
    // A word the texts lack does not hide the article that has the other word.
    expect(keys(await search({ locale: 'en', query: 'return bicycle' }))[0]).toBe('en:returns');
    // Nothing like the query: nothing.
    expect(await search({ locale: 'en', query: 'zzzqqq' })).toEqual([]);
  });

  it('without a query lists the locale by title; first limits and is checked', async () => {
    const en = await search({ locale: 'en' });
    expect(en.map((a) => a.title)).toEqual(['Courier delivery', 'Gift cards', 'Returns', 'Shoe sizes']);
    expect((await search({ locale: 'en', first: 2 })).map((a) => a.title)).toEqual(['Courier delivery', 'Gift cards']);
    expect((await search({})).length).toBe(ARTICLES.length);
    expect((await t.gql(KnowledgeArticlesDefaultFirstDocument, { locale: 'ru' }, { token: null })).data!.knowledgeArticles.map((a) => a.slug)).toEqual(['courier-delivery', 'pickup-points']);
    for (const first of [0, 51]) {
      expect((await t.gql(KnowledgeArticlesDocument, { first }, { token: null })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    for (const locale of ['de', 'not a tag']) {
      expect((await t.gql(KnowledgeArticlesDocument, { locale, query: 'x' }, { token: null })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('answers a list or a search in one SQL statement, whatever first is', async () => {
    for (const variables of [{ locale: 'en', first: 1 }, { locale: 'en', first: 50 }, { query: 'доставка курьер', first: 50 }, { query: 'retur', first: 1 }]) {
      const r = await t.gql(KnowledgeArticlesDocument, variables, { token: null });
      expect(r.errors).toBeUndefined();
      expect(r.headers.get('x-sql-statements')).toBe('1');
    }
  });
});

describe('knowledgeArticleUpsert', () => {
  it('replaces the article of the same (slug, locale): same id, new text, old words no longer found, the other language untouched', async () => {
    const before = (await search({ locale: 'en', query: 'gift cards' }))[0]!;
    const n = await count();
    const r = await upsert({ slug: 'gift-cards', locale: 'en-US', title: 'Gift certificates', body: 'Certificates are valid for a year.', tags: [' present ', 'present'] });
    expect(r.data!.knowledgeArticleUpsert.userErrors).toEqual([]);
    expect(r.data!.knowledgeArticleUpsert.article).toMatchObject({ id: before.id, slug: 'gift-cards', locale: 'en', title: 'Gift certificates', tags: ['present'] });
    expect(await count()).toBe(n);
    expect(keys(await search({ locale: 'en', query: 'certificates valid' }))).toEqual(['en:gift-cards']);
    expect(keys(await search({ locale: 'en', query: 'expire' }))).toEqual([]);
    // The same slug in the other language is another article.
    const ru = await upsert({ slug: 'gift-cards', locale: 'ru', title: 'Подарочные сертификаты', body: 'Сертификат действует год.' });
    expect(ru.data!.knowledgeArticleUpsert.article!.id).not.toBe(before.id);
    expect(await count()).toBe(n + 1);
  });

  it('stores HTML as text', async () => {
    const [returns] = await search({ locale: 'en', query: 'returns' });
    expect(returns!.body).toBe('<p>Return shoes, clothes and gadgets within 14 days of delivery.</p>');
  });

  it('refuses bad input with every error at once and writes nothing', async () => {
    const n = await count();
    const r = await upsert({ slug: 'Bad Slug', locale: 'xx!', title: ' ', body: 'x'.repeat(20_001), tags: [...Array.from({ length: 20 }, (_, i) => `t${i}`), 'y'.repeat(41)] });
    const errors = r.data!.knowledgeArticleUpsert.userErrors;
    expect(r.data!.knowledgeArticleUpsert.article).toBeNull();
    expect(errors.map((e) => [e.code, e.field!.join('.')])).toEqual([
      ['INVALID', 'input.slug'],
      ['INVALID', 'input.locale'],
      ['INVALID', 'input.title'],
      ['INVALID', 'input.body'],
      ['INVALID', 'input.tags'],
      ['INVALID', 'input.tags.20'],
    ]);
    const de = await upsert({ slug: 'lieferung', locale: 'de-DE', title: 'Lieferung', body: 'Text' });
    expect(de.data!.knowledgeArticleUpsert.userErrors.map((e) => e.code)).toEqual(['UNSUPPORTED_LOCALE']);
    const limits = await upsert({ slug: 'a'.repeat(101), locale: 'en', title: 'т'.repeat(201), body: 'ok', tags: [''] });
    expect(limits.data!.knowledgeArticleUpsert.userErrors.map((e) => e.field!.join('.'))).toEqual(['input.slug', 'input.title', 'input.tags.0']);
    // At the limits it is accepted (lengths in characters, Cyrillic included).
    const edge = await upsert({ slug: 'limits', locale: 'ru', title: 'т'.repeat(200), body: 'ж'.repeat(20_000), tags: Array.from({ length: 20 }, (_, i) => `${'я'.repeat(38)}${i}`) });
    expect(edge.data!.knowledgeArticleUpsert.userErrors).toEqual([]);
    expect(await count()).toBe(n + 1);
    expect(keys(await search({ query: 'lieferung' }))).toEqual([]);
  });

  it('is for staff keys with write_support: a customer, a partner gateway and a read-only key are FORBIDDEN, anonymous UNAUTHENTICATED; nothing written', async () => {
    const n = await count();
    const input = { slug: 'returns', locale: 'en', title: 'Hacked', body: 'No returns.' };
    const reader = (await t.admin(KnowledgeApiKeyCreateDocument, { input: { name: 'kb-reader', kind: 'STAFF', scopes: ['read_support'] } })).apiKeyCreate.secret!;
    for (const token of [customer, gateway, reader]) {
      const r = await upsert(input, token);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await upsert(input, null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await count()).toBe(n);
    expect((await search({ locale: 'en', query: 'returns' }))[0]!.title).toBe('Returns');
  });
});

describe('node(id) and the service', () => {
  it('resolves a KnowledgeArticle by its global id for a customer and for staff', async () => {
    const [a] = await search({ locale: 'ru', query: 'пункты выдачи' });
    for (const token of [customer, editor]) {
      const r = await t.gql(KnowledgeNodeDocument, { id: a!.id }, { token });
      expect(r.data!.node).toMatchObject({ id: a!.id, slug: 'pickup-points', locale: 'ru', title: 'Пункты выдачи', tags: ['пвз'] });
    }
  });

  it('searchArticles gives ranks and match kinds; articlesBySlugs keeps the order asked for', async () => {
    const ctx = t.app.context({ kind: 'ANONYMOUS', name: null, scopes: [] }).services;
    const hits = await searchArticles(ctx, { locale: 'en', query: 'shoes' });
    expect(hits.map((h) => h.match).slice(0, 2)).toEqual(['ALL_WORDS', 'ALL_WORDS']);
    expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank);
    expect(hits.every((h) => h.rank > 0 && h.rank < 1)).toBe(true);
    const loose = await searchArticles(ctx, { locale: 'ru', query: 'достваки' });
    expect(loose.find((h) => h.article.slug === 'courier-delivery')!.match).toBe('PREFIX');
    const some = await searchArticles(ctx, { locale: 'en', query: 'return bicycle' });
    expect(some[0]).toMatchObject({ match: 'SOME_WORDS', article: { slug: 'returns' } });
    const bySlug = await articlesBySlugs(ctx, 'ru', ['pickup-points', 'nope', 'courier-delivery']);
    expect(bySlug.map((a) => [a.slug, a.locale])).toEqual([
      ['pickup-points', 'ru'],
      ['courier-delivery', 'ru'],
    ]);
  });
});

describe('the demo seed (scripts/seed-knowledge.ts)', () => {
  it('writes the same slugs in ru and en through the service, quotes the store figures, and a second run writes nothing', async () => {
    const app = await startApp();
    try {
      const ctx = app.app.context({ kind: 'STAFF', name: 'cli', scopes: ['admin'] }).services;
      const first = await seedKnowledge(ctx);
      expect(first.updated + first.unchanged).toBe(0);
      expect(first.created).toBeGreaterThanOrEqual(44);
      expect(await seedKnowledge(ctx)).toEqual({ created: 0, updated: 0, unchanged: first.created });
      const list = async (locale: string) => (await app.gql(KnowledgeArticlesDocument, { locale, first: 50 }, { token: null })).data!.knowledgeArticles;
      const [ru, en] = [await list('ru'), await list('en')];
      expect(ru.length).toBeGreaterThanOrEqual(22);
      expect(ru.map((a) => a.slug).sort()).toEqual(en.map((a) => a.slug).sort());
      const bySlug = (xs: typeof ru, slug: string) => xs.find((a) => a.slug === slug)!;
      // The default return policy (no stored one): 14 days, no fee; loyalty defaults: 30% cap, 365 days.
      expect(bySlug(en, 'returns-policy').body).toContain('within 14 days');
      expect(bySlug(en, 'returns-policy').body).toContain('no restocking fee');
      expect(bySlug(ru, 'loyalty-redeem').body).toContain('до 30%');
      expect(bySlug(en, 'loyalty-program').body).toContain('365 days');
      // The rate card's own figure: CDEK courier, Moscow, up to 1 kg.
      const cdek = DEMO_CARRIERS.find((c) => c.code === 'CDEK')!.services.find((x) => x.code === 'CDEK_COURIER')!;
      const rub = cdek.rates.find((r) => r.region === 'Москва' && r.maxWeightGrams === 1000)!.price.amountMinor / 100;
      expect(bySlug(ru, 'delivery-prices').body).toMatch(new RegExp(`${rub}(,00)?\\s₽`));
      // The assistant's questions find them.
      const top = async (locale: string, query: string) => (await searchArticles(ctx, { locale, query, first: 3 }))[0]?.article.slug;
      expect(await top('ru', 'сколько стоит доставка')).toBe('delivery-prices');
      expect(await top('ru', 'как вернуть деньги')).toBe('refunds');
      expect(await top('en', 'track my parcel')).toBe('order-tracking');
      expect(await top('en', 'cancel my order')).toBe('order-cancellation');
    } finally {
      await app.close();
    }
  }, 60_000);
});
