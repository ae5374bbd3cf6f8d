/**
 * The knowledge base over GraphQL (contract 08): the public list and search the storefront's help
 * page reads, the staff upsert (write_support), and node(id) for KnowledgeArticle
 * (`knowledgeArticleNode`, registered by the composition root).
 */
import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../../graphql/context.js';
import { payload } from '../../../graphql/user-error.js';
import { KnowledgeArticleUpsertInput } from './knowledge.inputs.js';
import { knowledgeLoaders } from './knowledge.loaders.js';
import { KnowledgeArticlePayload } from './knowledge.payloads.js';
import { searchArticles, upsertArticle } from './knowledge.service.js';
import { KnowledgeArticle } from './knowledge.types.js';

/** node(id) for KnowledgeArticle: articles are public, so anyone node() lets through sees them. */
export async function knowledgeArticleNode(ctx: GraphQLContext, id: string): Promise<KnowledgeArticle | null> {
  const row = await ctx.loaders.get(knowledgeLoaders).articleById.load(id);
  return row && KnowledgeArticle.from(row);
}

@Resolver(() => KnowledgeArticle)
export class KnowledgeArticleResolver {
  @Query(() => [KnowledgeArticle], {
    description:
      "Help articles, public (the storefront's help page). Without query: the articles by title. With query: articles with every word first (other word forms count: Russian and English morphology, each article in its own language; websearch syntax: \"a phrase\", -word, or), then, to fill `first`, articles with some of the words, then articles with a word beginning like one of the query's (half-typed or mistyped words); each group best ranked first, the title weighing more than tags and tags more than the body. BAD_USER_INPUT: first outside 1..50, locale not a language tag or not ru/en, query over 500 characters.",
  })
  knowledgeArticles(
    @Arg('locale', () => String, { nullable: true, description: 'BCP 47 tag whose primary language (ru or en) picks the articles, e.g. ru, en-GB; absent: both languages.' }) locale: string | null,
    @Arg('query', () => String, { nullable: true, description: 'Search text (at most 500 characters); absent or blank: list by title.' }) query: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: 'At most this many, 1 to 50.' }) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<KnowledgeArticle[]> {
    return searchArticles(ctx.services, { locale, query, first }).then((hits) => hits.map((h) => KnowledgeArticle.from(h.article)));
  }

  @Authorized('write_support')
  @Mutation(() => KnowledgeArticlePayload, {
    description:
      'Creates the article of (slug, locale) or replaces its title, body and tags. Staff keys with write_support (FORBIDDEN otherwise). Errors, all at once and nothing written: INVALID (slug not lower-case words joined by hyphens or over 100 characters, locale not a language tag, title not 1 to 200 characters, body blank or over 20000, over 20 tags, a tag not 1 to 40 characters), UNSUPPORTED_LOCALE (not ru or en).',
  })
  knowledgeArticleUpsert(@Arg('input', () => KnowledgeArticleUpsertInput, { description: 'The article.' }) input: KnowledgeArticleUpsertInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => upsertArticle(ctx.services, input),
      (row) => ({ article: KnowledgeArticle.from(row) }),
    );
  }
}
