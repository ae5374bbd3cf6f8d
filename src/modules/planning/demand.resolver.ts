/** Query.demandForecast and Mutation.demandHistoryImport (contract 07): thin over demand.service.ts. */
import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { DateTime } from '../../graphql/scalars.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { payload } from '../../graphql/user-error.js';
import { demandForecast, demandHistoryImport, forecastSnapshots } from './demand.service.js';
import { DemandHistoryImportInput } from './planning.inputs.js';
import { DemandHistoryImportPayload } from './planning.payloads.js';
import { DemandForecast, ForecastSnapshot } from './planning.types.js';

@Resolver()
export class DemandResolver {
  @Authorized('read_inventory')
  @Query(() => DemandForecast, {
    nullable: true,
    description:
      'Weekly demand forecast of a SKU in a warehouse, from its shipments and imported history; an unknown SKU or warehouse (or one hidden from a restricted PARTNER key), or horizonWeeks outside 1 to 52, is BAD_USER_INPUT (NOT_FOUND / INVALID in extensions). Requires read_inventory.',
  })
  async demandForecast(
    @Arg('sku', () => String, { description: 'Exact SKU.' }) sku: string,
    @Arg('warehouseCode', () => String, { description: 'Warehouse code.' }) warehouseCode: string,
    @Arg('horizonWeeks', () => Int, { nullable: true, defaultValue: 8, description: 'Weeks ahead, starting with the week after the current one (1 to 52).' }) horizonWeeks: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DemandForecast | null> {
    const outlook = await demandForecast(ctx.services, { sku, warehouseCode, horizonWeeks: horizonWeeks ?? 8 });
    return outlook && DemandForecast.from(outlook);
  }

  @Authorized('read_inventory')
  @Query(() => [ForecastSnapshot], {
    description:
      "The forecasts kept for past and coming weeks of a warehouse (the latest one-week-ahead forecast made before each week started, per SKU) whose week's Monday is in [from, to), by week then SKU. An unknown or hidden warehouse is BAD_USER_INPUT. Requires read_inventory.",
  })
  async forecastSnapshots(
    @Arg('warehouseCode', () => String, { description: 'Warehouse code.' }) warehouseCode: string,
    @Arg('from', () => DateTime, { description: 'Weeks whose Monday is at or after this.' }) from: Date,
    @Arg('to', () => DateTime, { description: 'Weeks whose Monday is before this.' }) to: Date,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ForecastSnapshot[]> {
    return (await forecastSnapshots(ctx.services, { warehouseCode, from, to })).map((r) => ForecastSnapshot.from(r));
  }

  @Authorized('write_inventory')
  @Mutation(() => DemandHistoryImportPayload, { description: 'Sales history from before the store used Waybill, per SKU and week (at most 10,000 lines per call).' })
  demandHistoryImport(@Arg('input', () => DemandHistoryImportInput) input: DemandHistoryImportInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => demandHistoryImport(ctx.services, input), (r) => ({ imported: r.imported }), { imported: 0 });
  }
}
