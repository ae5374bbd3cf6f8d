/** GraphQL types of the knowledge base (contract 08): the article, a Node. */
import { Field, ID, ObjectType } from 'type-graphql';
import { Node, toGlobalId, typed } from '../../../graphql/relay.js';
import type { KnowledgeArticleRow } from './knowledge.service.js';

@ObjectType('KnowledgeArticle', { implements: Node, description: "A help-centre article in one language; the same slug names the article's other translations." })
export class KnowledgeArticle implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  @Field(() => String, { description: 'Stable name of the article across languages, lower-case words joined by hyphens, e.g. delivery-times.' })
  slug!: string;
  @Field(() => String, { description: 'Language of the text, a BCP 47 primary tag: ru or en.' })
  locale!: string;
  @Field(() => String, { description: 'Title, 1 to 200 characters.' })
  title!: string;
  @Field(() => String, { description: 'The text, plain or HTML, as it was written (render HTML the way the storefront renders trusted content).' })
  body!: string;
  @Field(() => [String], { description: 'Keywords that help search find the article (weighted between title and body).' })
  tags!: string[];

  static from(row: KnowledgeArticleRow): KnowledgeArticle {
    return typed('KnowledgeArticle', {
      id: toGlobalId('KnowledgeArticle', row.id),
      dbId: row.id,
      slug: row.slug,
      locale: row.locale,
      title: row.title,
      body: row.body,
      tags: row.tags,
    });
  }
}
