import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { ConnectionArgs, idOfType, pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { BusinessError } from '../../shared/errors.js';
import { customerLoaders } from '../customers/customer.loaders.js';
import { Customer } from '../customers/customer.types.js';
import { createApiKey, createCustomerAccessToken, listApiKeys, revokeApiKey } from './auth.service.js';
import { ApiKeyCreateInput, ApiKeyRevokeInput, CustomerAccessTokenCreateInput } from './auth.inputs.js';
import { ApiKeyConnection, ApiKeyCreatePayload, ApiKeyRevokePayload, CustomerAccessTokenCreatePayload } from './auth.payloads.js';
import { ApiKey, Viewer } from './auth.types.js';

@Resolver(() => Viewer)
export class AuthResolver {
  @Query(() => Viewer, { description: 'The caller as the server sees it: who the token belongs to and what it may do.' })
  viewer(@Ctx() ctx: GraphQLContext): Viewer {
    const p = ctx.principal;
    return {
      kind: p.kind,
      name: p.name,
      scopes: [...p.scopes],
      warehouseCodes: p.warehouseCodes ? [...p.warehouseCodes] : null,
      carrierCodes: p.carrierCodes ? [...p.carrierCodes] : null,
      customerId: p.customerId,
    };
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'The customer, when the caller is a CUSTOMER.' })
  async customer(@Root() viewer: Viewer, @Ctx() ctx: GraphQLContext): Promise<Customer | null> {
    if (!viewer.customerId) return null;
    const row = await ctx.loaders.get(customerLoaders).customerById.load(viewer.customerId);
    return row ? Customer.from(row) : null;
  }

  @Authorized('admin')
  @Query(() => ApiKeyConnection, { description: 'API keys, newest first. Requires admin.' })
  async apiKeys(@Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: GraphQLContext) {
    return toConnection(await listApiKeys(ctx.services, pageArgs(args)), ApiKey.from);
  }

  @Authorized('admin')
  @Mutation(() => ApiKeyCreatePayload, {
    description:
      'Creates an API key; the secret is in the payload exactly once. Requires admin. The key can be no broader than the caller: userErrors FORBIDDEN (a STAFF key from a PARTNER key, no or a wider warehouse/carrier restriction than the caller has) and SCOPE_NOT_HELD (a scope the caller does not hold). Unknown warehouse or carrier codes are NOT_FOUND. Other errors: INVALID, INVALID_SCOPE.',
  })
  apiKeyCreate(@Arg('input', () => ApiKeyCreateInput) input: ApiKeyCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => createApiKey(ctx.services, input), (r) => ({ apiKey: ApiKey.from(r.apiKey), secret: r.secret }));
  }

  @Authorized('admin')
  @Mutation(() => ApiKeyRevokePayload, {
    description: 'Revokes an API key at once. Requires admin. Errors: NOT_FOUND; FORBIDDEN when the key is broader than the caller (kind, scopes or warehouse/carrier restriction).',
  })
  apiKeyRevoke(@Arg('input', () => ApiKeyRevokeInput) input: ApiKeyRevokeInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      async () => {
        const id = idOfType(input.id, 'ApiKey');
        if (!id) throw BusinessError.of('NOT_FOUND', 'No API key with this id.', ['input', 'id']);
        return revokeApiKey(ctx.services, id);
      },
      (row) => ({ apiKey: ApiKey.from(row) }),
    );
  }

  @Mutation(() => CustomerAccessTokenCreatePayload, { description: 'Exchanges customer credentials for an expiring bearer token. Public.' })
  customerAccessTokenCreate(
    @Arg('input', () => CustomerAccessTokenCreateInput) input: CustomerAccessTokenCreateInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return payload(() => createCustomerAccessToken(ctx.services, input, ctx.services.config.CUSTOMER_TOKEN_TTL_HOURS), (r) => r);
  }
}
