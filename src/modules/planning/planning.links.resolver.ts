/**
 * Links from planning objects to variants, warehouses and suppliers, and the lines of purchase
 * orders and transfers: field resolvers over per-request loaders, so a list of any size costs one
 * query per linked table.
 */
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Money } from '../../graphql/common.types.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { linesTotal, money } from '../../shared/money.js';
import { catalogLoaders } from '../catalog/catalog.loaders.js';
import { ProductVariant } from '../catalog/catalog.types.js';
import { warehouseLoaders } from '../warehouse/warehouse.loaders.js';
import { Warehouse } from '../warehouse/warehouse.types.js';
import { planningLoaders } from './planning.loaders.js';
import { DemandForecast, PurchaseOrder, PurchaseOrderLine, ReorderPolicy, ReplenishmentSuggestion, Supplier, SupplierProduct, TransferLine, TransferOrder } from './planning.types.js';

async function variantOf(ctx: GraphQLContext, id: string): Promise<ProductVariant> {
  return ProductVariant.from((await ctx.loaders.get(catalogLoaders).variantById.load(id))!);
}
async function warehouseOf(ctx: GraphQLContext, id: string): Promise<Warehouse> {
  return Warehouse.from((await ctx.loaders.get(warehouseLoaders).warehouseById.load(id))!);
}
/** A supplier with its lead time learnt from received purchase orders, when there are some. */
export async function supplierOf(ctx: GraphQLContext, id: string): Promise<Supplier> {
  const l = ctx.loaders.get(planningLoaders);
  const [row, learnt] = await Promise.all([l.supplierById.load(id), l.leadTimeBySupplierId.load(id)]);
  return Supplier.from(row!, learnt);
}

@Resolver(() => DemandForecast)
export class DemandForecastLinksResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  variant(@Root() f: DemandForecast, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, f.variantDbId);
  }
  @FieldResolver(() => Warehouse, { description: 'The warehouse.' })
  warehouse(@Root() f: DemandForecast, @Ctx() ctx: GraphQLContext) {
    return warehouseOf(ctx, f.warehouseDbId);
  }
}

@Resolver(() => SupplierProduct)
export class SupplierProductLinksResolver {
  @FieldResolver(() => Supplier, { description: 'The supplier.' })
  supplier(@Root() p: SupplierProduct, @Ctx() ctx: GraphQLContext) {
    return supplierOf(ctx, p.supplierDbId);
  }
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  variant(@Root() p: SupplierProduct, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, p.variantDbId);
  }
}

@Resolver(() => ReorderPolicy)
export class ReorderPolicyLinksResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  variant(@Root() p: ReorderPolicy, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, p.variantDbId);
  }
  @FieldResolver(() => Warehouse, { description: 'The warehouse.' })
  warehouse(@Root() p: ReorderPolicy, @Ctx() ctx: GraphQLContext) {
    return warehouseOf(ctx, p.warehouseDbId);
  }
}

@Resolver(() => ReplenishmentSuggestion)
export class ReplenishmentSuggestionLinksResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  variant(@Root() s: ReplenishmentSuggestion, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, s.variantDbId);
  }
  @FieldResolver(() => Warehouse, { description: 'The warehouse to replenish.' })
  warehouse(@Root() s: ReplenishmentSuggestion, @Ctx() ctx: GraphQLContext) {
    return warehouseOf(ctx, s.warehouseDbId);
  }
  @FieldResolver(() => Supplier, { nullable: true, description: 'The supplier to order from (the preferred one), when the units do not come by transfer.' })
  supplier(@Root() s: ReplenishmentSuggestion, @Ctx() ctx: GraphQLContext) {
    return s.supplierDbId ? supplierOf(ctx, s.supplierDbId) : null;
  }
  @FieldResolver(() => Warehouse, { nullable: true, description: 'The warehouse with excess stock to transfer from, when there is one.' })
  transferFrom(@Root() s: ReplenishmentSuggestion, @Ctx() ctx: GraphQLContext) {
    return s.transferFromDbId ? warehouseOf(ctx, s.transferFromDbId) : null;
  }
}

@Resolver(() => PurchaseOrder)
export class PurchaseOrderLinksResolver {
  @FieldResolver(() => Supplier, { description: 'The supplier.' })
  supplier(@Root() o: PurchaseOrder, @Ctx() ctx: GraphQLContext) {
    return supplierOf(ctx, o.supplierDbId);
  }
  @FieldResolver(() => Warehouse, { description: 'Where the goods are delivered.' })
  warehouse(@Root() o: PurchaseOrder, @Ctx() ctx: GraphQLContext) {
    return warehouseOf(ctx, o.warehouseDbId);
  }
  @FieldResolver(() => [PurchaseOrderLine], { description: 'What is ordered, in the order given.' })
  async lines(@Root() o: PurchaseOrder, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(planningLoaders).linesByPurchaseOrderId.load(o.dbId)).map((l) => PurchaseOrderLine.from(l, o.currency));
  }
  @FieldResolver(() => Money, { description: 'Sum of quantity × unitCost over the lines.' })
  async total(@Root() o: PurchaseOrder, @Ctx() ctx: GraphQLContext) {
    const lines = await ctx.loaders.get(planningLoaders).linesByPurchaseOrderId.load(o.dbId);
    // Purchase orders are created with totals checked against the safe integers (linesTotal), so null cannot occur here.
    return linesTotal(lines.map((l) => ({ unitPrice: money(l.unitCostMinor, o.currency), quantity: l.quantity })), o.currency)!;
  }
}

@Resolver(() => PurchaseOrderLine)
export class PurchaseOrderLineLinksResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  variant(@Root() l: PurchaseOrderLine, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, l.variantDbId);
  }
}

@Resolver(() => TransferOrder)
export class TransferOrderLinksResolver {
  @FieldResolver(() => Warehouse, { description: 'Where the units leave from.' })
  fromWarehouse(@Root() t: TransferOrder, @Ctx() ctx: GraphQLContext) {
    return warehouseOf(ctx, t.fromWarehouseDbId);
  }
  @FieldResolver(() => Warehouse, { description: 'Where they go.' })
  toWarehouse(@Root() t: TransferOrder, @Ctx() ctx: GraphQLContext) {
    return warehouseOf(ctx, t.toWarehouseDbId);
  }
  @FieldResolver(() => [TransferLine], { description: 'What moves, in the order given.' })
  async lines(@Root() t: TransferOrder, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(planningLoaders).linesByTransferId.load(t.dbId)).map(TransferLine.from);
  }
}

@Resolver(() => TransferLine)
export class TransferLineLinksResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  variant(@Root() l: TransferLine, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, l.variantDbId);
  }
}
