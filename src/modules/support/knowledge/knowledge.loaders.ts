import DataLoader from 'dataloader';
import { byKey } from '../../../graphql/loaders.js';
import type { ServiceContext } from '../../../shared/service-context.js';
import { articlesByIds, type KnowledgeArticleRow } from './knowledge.service.js';

/** Per-request loaders of the knowledge base (articles are public). */
export function knowledgeLoaders(ctx: ServiceContext) {
  return {
    articleById: new DataLoader<string, KnowledgeArticleRow | null>(async (ids) => byKey(ids, await articlesByIds(ctx, ids), (a) => a.id)),
  };
}
