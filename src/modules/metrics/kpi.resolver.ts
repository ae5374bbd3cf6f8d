/** Query.kpis (contract 10-metrics): thin over kpi.service.ts. */
import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { DateTime } from '../../graphql/scalars.js';
import type { KpiGranularity } from './kpi.period.js';
import { kpis } from './kpi.service.js';
import { KpiReport, MetricsFilter, MetricsGranularity } from './kpi.types.js';

@Resolver()
export class KpiResolver {
  @Authorized('read_metrics')
  @Query(() => KpiReport, {
    description:
      "KPIs of [from, to) with a series by granularity, in the store's time zone (STORE_TIMEZONE). Requires read_metrics. BAD_USER_INPUT: `from` not before `to`, more than 10,000 buckets, an unknown (or, for a restricted key, hidden) warehouse or carrier code, more than 100 values in a filter list.",
  })
  kpis(
    @Arg('from', () => DateTime, { description: 'Start of the period (inclusive).' }) from: Date,
    @Arg('to', () => DateTime, { description: 'End of the period (exclusive).' }) to: Date,
    @Arg('granularity', () => MetricsGranularity, { nullable: true, defaultValue: 'DAY', description: 'Bucket size of the series.' }) granularity: KpiGranularity | null,
    @Arg('filter', () => MetricsFilter, { nullable: true, description: 'Narrows every figure.' }) filter: MetricsFilter | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<KpiReport> {
    return kpis(ctx.services, { from, to, granularity: granularity ?? 'DAY', filter });
  }
}
