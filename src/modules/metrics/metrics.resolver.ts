import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { payload } from '../../graphql/user-error.js';
import { getCostModel, updateCostModel, type CostRate } from './cost-model.service.js';
import { CostModel, CostModelInput, CostModelPayload } from './metrics.types.js';

@Resolver(() => CostModel)
export class CostModelResolver {
  @Authorized('read_metrics')
  @Query(() => CostModel, { description: 'The warehousing cost model (read_metrics); rates not configured are null.' })
  async costModel(@Ctx() ctx: GraphQLContext) {
    return CostModel.from(await getCostModel(ctx.services));
  }

  @Authorized('admin')
  @Mutation(() => CostModelPayload, {
    description:
      'Changes the cost model (scope admin): a rate left out stays, an explicit null clears it. Errors (all at once, nothing changed): INVALID (negative, fractional or too large), INVALID_CURRENCY (unknown, or not the currency of the other rates).',
  })
  costModelUpdate(@Arg('input', () => CostModelInput, { description: 'The changes.' }) input: CostModelInput, @Ctx() ctx: GraphQLContext) {
    const changes: Partial<Record<CostRate, { amountMinor: number; currency: string } | null>> = {};
    // Only the keys the client sent: absent stays, null clears.
    for (const key of ['perOrderHandled', 'perUnitPicked', 'storagePerBinDay'] as const) {
      if (key in input && input[key] !== undefined) changes[key] = input[key] ? { amountMinor: input[key]!.amountMinor, currency: input[key]!.currency } : null;
    }
    return payload(() => updateCostModel(ctx.services, changes), (v) => ({ costModel: CostModel.from(v) }));
  }
}
