import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { ConnectionArgs, pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { createCustomer, listCustomers } from './customer.service.js';
import { CustomerCreateInput } from './customer.inputs.js';
import { CustomerConnection, CustomerCreatePayload } from './customer.payloads.js';
import { Customer } from './customer.types.js';

@Resolver()
export class CustomerResolver {
  @Authorized('write_customers')
  @Mutation(() => CustomerCreatePayload, { description: 'Creates a customer (storefront back ends, staff). Requires write_customers.' })
  customerCreate(@Arg('input', () => CustomerCreateInput) input: CustomerCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => createCustomer(ctx.services, input), (row) => ({ customer: Customer.from(row) }));
  }

  @Authorized('read_customers')
  @Query(() => CustomerConnection, { description: 'Customers, newest first; `query` matches e-mail or name. Requires read_customers.' })
  async customers(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('query', () => String, { nullable: true, description: 'Substring of e-mail or name; at most 200 characters (`%` and `_` match themselves).' }) query: string | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    const page = await listCustomers(ctx.services, { ...pageArgs(args), query });
    return toConnection(page, Customer.from);
  }
}
