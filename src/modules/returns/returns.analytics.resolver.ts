import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { DateTime } from '../../graphql/scalars.js';
import { returnAnalytics } from './returns.analytics.js';
import { ReturnAnalyticsGroupBy, ReturnReasonStat, type ReturnAnalyticsGroupByValue } from './returns.types.js';

@Resolver(() => ReturnReasonStat)
export class ReturnAnalyticsResolver {
  @Authorized('read_returns')
  @Query(() => [ReturnReasonStat], {
    description:
      'Overall rate first (key "ALL"), then the groups, highest rate first: units shipped in [from, to) by the outbound shipment\'s creation, and of those the units in returns that are not REJECTED or CANCELLED, with 95% Wilson intervals. A period of at most 366 days. Requires read_returns; a PARTNER restricted to warehouses sees only its warehouses\' shipments and their returns.',
  })
  async returnAnalytics(
    @Arg('from', () => DateTime, { description: 'Start, inclusive (outbound shipments created at or after).' }) from: Date,
    @Arg('to', () => DateTime, { description: 'End, exclusive; after from, at most 366 days later.' }) to: Date,
    @Arg('groupBy', () => ReturnAnalyticsGroupBy, { description: 'SKU, product category, return reason, carrier code of the outbound shipment, or code of the shipping warehouse.' })
    groupBy: ReturnAnalyticsGroupByValue,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ReturnReasonStat[]> {
    return returnAnalytics(ctx.services, from, to, groupBy);
  }
}
