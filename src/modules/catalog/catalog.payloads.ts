import { Field, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/relay.js';
import { UserError } from '../../graphql/user-error.js';
import { Product } from './catalog.types.js';

@ObjectType('ProductCreatePayload', { description: 'Result of productCreate.' })
export class ProductCreatePayload {
  @Field(() => Product, { nullable: true, description: 'The new product.' })
  product?: Product | null;
  @Field(() => [UserError], { description: 'Why nothing was created, if so.' })
  userErrors!: UserError[];
}

@ObjectType('ProductConnection', { description: 'A page of products.' })
export class ProductConnection extends Connection('Product', () => Product) {}
