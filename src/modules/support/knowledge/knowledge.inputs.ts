import { Field, InputType } from 'type-graphql';

@InputType('KnowledgeArticleUpsertInput', { description: 'An article in one language; (slug, locale) names it, so the same pair again replaces it.' })
export class KnowledgeArticleUpsertInput {
  @Field(() => String, { description: 'Lower-case letters and digits in words joined by hyphens, at most 100 characters, e.g. delivery-times; the same slug in each language.' })
  slug!: string;
  @Field(() => String, { description: 'BCP 47 tag of the text; its primary language must be ru or en (ru-RU is stored as ru).' })
  locale!: string;
  @Field(() => String, { description: 'Title, 1 to 200 characters (trimmed).' })
  title!: string;
  @Field(() => String, { description: 'The text, 1 to 20000 characters, plain or HTML; stored as given.' })
  body!: string;
  @Field(() => [String], { nullable: true, description: 'Up to 20 keywords of 1 to 40 characters each (trimmed, repeats dropped); absent: none.' })
  tags?: string[] | null;
}
