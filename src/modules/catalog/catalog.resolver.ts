import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { ConnectionArgs, pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import type { EventMessage } from '../../events/pubsub.js';
import { createProduct, listProducts } from './catalog.service.js';
import { catalogLoaders } from './catalog.loaders.js';
import { ProductCreateInput } from './catalog.inputs.js';
import { ProductConnection, ProductCreatePayload } from './catalog.payloads.js';
import { Product, ProductVariant } from './catalog.types.js';

@Resolver(() => Product)
export class ProductResolver {
  @Authorized('read_catalog')
  @Query(() => ProductConnection, { description: 'Products, newest first; `query` matches title, SKU or GTIN. Open to CUSTOMER tokens.' })
  async products(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('query', () => String, { nullable: true, description: 'Substring of the title or SKU, or an exact GTIN; at most 200 characters (`%` and `_` match themselves).' }) query: string | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await listProducts(ctx.services, { ...pageArgs(args), query }), Product.from);
  }

  @Authorized('read_catalog')
  @Query(() => ProductVariant, { nullable: true, description: 'The variant with this SKU, or null. Open to CUSTOMER tokens.' })
  async productVariant(@Arg('sku', () => String, { description: 'Exact SKU.' }) sku: string, @Ctx() ctx: GraphQLContext) {
    const row = await ctx.loaders.get(catalogLoaders).variantBySku.load(sku);
    return row ? ProductVariant.from(row) : null;
  }

  @Authorized('write_catalog')
  @Mutation(() => ProductCreatePayload, { description: 'Creates a product with its variants. Requires write_catalog.' })
  productCreate(@Arg('input', () => ProductCreateInput) input: ProductCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => createProduct(ctx.services, input), (row) => ({ product: Product.from(row) }));
  }

  @FieldResolver(() => [ProductVariant], { description: 'Variants in their given order.' })
  async variants(@Root() product: Product, @Ctx() ctx: GraphQLContext) {
    const rows = await ctx.loaders.get(catalogLoaders).variantsByProductId.load(product.dbId);
    return rows.map(ProductVariant.from);
  }

  @Authorized('read_catalog')
  @Subscription(() => Product, {
    topics: 'catalog.product_created',
    description: 'Fires after a product is created (committed), on whichever instance it was created. Requires read_catalog.',
  })
  async productCreated(@Root() event: EventMessage, @Ctx() ctx: GraphQLContext): Promise<Product> {
    const row = await ctx.loaders.get(catalogLoaders).productById.load(String(event.productId));
    if (!row) throw new Error('product vanished');
    return Product.from(row);
  }
}

@Resolver(() => ProductVariant)
export class ProductVariantResolver {
  @FieldResolver(() => Product, { description: 'The product this variant belongs to.' })
  async product(@Root() variant: ProductVariant, @Ctx() ctx: GraphQLContext) {
    const row = await ctx.loaders.get(catalogLoaders).productById.load(variant.productDbId);
    return Product.from(row!);
  }
}
