import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../../graphql/user-error.js';
import { KnowledgeArticle } from './knowledge.types.js';

@ObjectType('KnowledgeArticlePayload', { description: 'Result of knowledgeArticleUpsert.' })
export class KnowledgeArticlePayload {
  @Field(() => KnowledgeArticle, { nullable: true, description: 'The article as stored now.' })
  article?: KnowledgeArticle | null;
  @Field(() => [UserError], { description: 'Why nothing was written.' })
  userErrors!: UserError[];
}
