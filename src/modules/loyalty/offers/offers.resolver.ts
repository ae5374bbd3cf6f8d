/** Customer.personalizedOffers and PersonalizedOffer.variant (contract 09): thin over offers.service.ts. */
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../../graphql/context.js';
import { AccessError } from '../../../shared/errors.js';
import { catalogLoaders } from '../../catalog/catalog.loaders.js';
import { ProductVariant } from '../../catalog/catalog.types.js';
import { Customer } from '../../customers/customer.types.js';
import { PersonalizedOffer } from '../loyalty.types.js';
import { offersLoaders } from './offers.loaders.js';
import { mayReadOffers, validateFirst } from './offers.service.js';

@Resolver(() => Customer)
export class CustomerOffersResolver {
  @FieldResolver(() => [PersonalizedOffer], {
    description:
      'Products this customer is likely to buy next, from co-purchases and category affinity; never ones bought in the last 30 days, never out of stock. A CUSTOMER its own (FORBIDDEN otherwise); staff with read_customers. `first` outside 1 to 50 is BAD_USER_INPUT.',
  })
  async personalizedOffers(
    @Root() customer: Customer,
    @Arg('first', () => Int, { nullable: true, defaultValue: 10, description: 'How many offers, 1 to 50.' }) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PersonalizedOffer[]> {
    const n = first ?? 10;
    validateFirst(n);
    if (!mayReadOffers(ctx.services, customer.dbId)) throw new AccessError('FORBIDDEN', "Forbidden: a customer's offers are theirs, or need read_customers.");
    const offers = await ctx.loaders.get(offersLoaders).offers.load(`${n}:${customer.dbId}`);
    return offers.map((o) => ({ variantDbId: o.variantId, reason: o.reason, score: o.score }));
  }
}

@Resolver(() => PersonalizedOffer)
export class PersonalizedOfferResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant offered.' })
  async variant(@Root() offer: PersonalizedOffer, @Ctx() ctx: GraphQLContext): Promise<ProductVariant> {
    const row = await ctx.loaders.get(catalogLoaders).variantById.load(offer.variantDbId);
    if (!row) throw new Error('offered variant vanished');
    return ProductVariant.from(row);
  }
}
