import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { payload } from '../../graphql/user-error.js';
import { ReorderPolicySetInput, ReplenishmentRunInput } from './planning.inputs.js';
import { ReorderPolicyPayload, ReplenishmentRunPayload } from './planning.payloads.js';
import { PurchaseOrder, ReorderPolicy, ReplenishmentSuggestion, TransferOrder } from './planning.types.js';
import { getReorderPolicy, setReorderPolicy, type ComputedPolicy } from './reorder-policy.service.js';
import { replenishmentSuggestions, runReplenishment, type Suggestion } from './replenishment.service.js';

const policyOf = (p: ComputedPolicy): ReorderPolicy => ({
  variantDbId: p.variantId,
  warehouseDbId: p.warehouseId,
  serviceLevel: p.serviceLevel,
  leadTimeDays: p.leadTimeDays,
  safetyStock: p.safetyStock,
  reorderPoint: p.reorderPoint,
  orderUpTo: p.orderUpTo,
  economicOrderQuantity: p.economicOrderQuantity,
});

const suggestionOf = (s: Suggestion): ReplenishmentSuggestion => ({
  variantDbId: s.variantId,
  warehouseDbId: s.warehouseId,
  supplierDbId: s.supplier?.id ?? null,
  transferFromDbId: s.transferFrom?.id ?? null,
  available: s.available,
  incoming: s.incoming,
  policy: policyOf(s.policy),
  quantity: s.quantity,
  stockoutDate: s.stockoutDate,
});

@Resolver(() => ReorderPolicy)
export class ReplenishmentResolver {
  @Authorized('read_inventory')
  @Query(() => ReorderPolicy, {
    nullable: true,
    description:
      "The reorder policy of a SKU in a warehouse with its figures, computed from the SKU's demand forecast and the preferred supplier's lead time: the one set with reorderPolicySet, else the default (serviceLevel 0.95, 7-day review, no costs; 14 days of lead time without a preferred supplier). Requires read_inventory. An unknown SKU or warehouse (or one hidden from a restricted PARTNER key) is BAD_USER_INPUT.",
  })
  reorderPolicy(
    @Arg('sku', () => String, { description: 'The variant.' }) sku: string,
    @Arg('warehouseCode', () => String, { description: 'The warehouse.' }) warehouseCode: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return getReorderPolicy(ctx.services, sku, warehouseCode).then(policyOf);
  }

  @Authorized('read_inventory')
  @Query(() => [ReplenishmentSuggestion], {
    description:
      'Variants of the warehouse at or below their reorder point, most urgent first (earliest stockout date, then furthest below the reorder point). The stock position is available + incoming + what DRAFT purchase orders and transfers into the warehouse already cover; variants without forecast demand are left out. Requires read_inventory. Errors (BAD_USER_INPUT): NOT_FOUND, INVALID (first outside 1..500).',
  })
  replenishmentSuggestions(
    @Arg('warehouseCode', () => String, { description: 'The warehouse.' }) warehouseCode: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: 'At most this many, 1..500.' }) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return replenishmentSuggestions(ctx.services, warehouseCode, first ?? 50).then((rows) => rows.map(suggestionOf));
  }

  @Authorized('write_inventory')
  @Mutation(() => ReorderPolicyPayload, {
    description:
      'Sets how a SKU is replenished in a warehouse (write_inventory) and returns the figures. Errors: NOT_FOUND (SKU, warehouse), SERVICE_LEVEL_OUT_OF_RANGE, NEGATIVE_COST, INVALID.',
  })
  reorderPolicySet(@Arg('input', () => ReorderPolicySetInput, { description: 'The SKU, the warehouse and the settings.' }) input: ReorderPolicySetInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => setReorderPolicy(ctx.services, input), (p) => ({ reorderPolicy: policyOf(p) }));
  }

  @Authorized('write_inventory')
  @Mutation(() => ReplenishmentRunPayload, {
    description:
      "Creates, for each variant of the warehouse at or below its reorder point, a DRAFT transfer from another warehouse whose available stock exceeds its own orderUpTo by the need, else a DRAFT purchase order line with the variant's preferred supplier (rounded to pack size and minimum order); one purchase order per supplier, one transfer per source warehouse. Run again while those are open, it creates nothing new. Variants with neither a source nor a preferred supplier stay in replenishmentSuggestions. Requires write_inventory. Errors: NOT_FOUND.",
  })
  replenishmentRun(@Arg('input', () => ReplenishmentRunInput, { description: 'The warehouse.' }) input: ReplenishmentRunInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => runReplenishment(ctx.services, input),
      (r) => ({ purchaseOrders: r.purchaseOrders.map(PurchaseOrder.from), transferOrders: r.transferOrders.map(TransferOrder.from) }),
      { purchaseOrders: [], transferOrders: [] },
    );
  }
}
