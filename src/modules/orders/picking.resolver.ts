import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { ConnectionArgs, idOfType, pageArgs, toConnection } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import { payload } from '../../graphql/user-error.js';
import { BusinessError } from '../../shared/errors.js';
import { catalogLoaders } from '../catalog/catalog.loaders.js';
import { ProductVariant } from '../catalog/catalog.types.js';
import { warehouseLoaders } from '../warehouse/warehouse.loaders.js';
import { BinLocation, Warehouse } from '../warehouse/warehouse.types.js';
import { createPickList, packFulfillmentOrder, pickListById, pickListLinesOf, pickListOrdersOf, scanPick } from './picking.service.js';
import { orderLoaders } from './order.loaders.js';
import { FulfillmentOrder } from './order.types.js';
import { listScans } from './scans.service.js';
import {
  FulfillmentOrderPackInput,
  FulfillmentOrderPackPayload,
  PickList,
  PickListCreateInput,
  PickListCreatePayload,
  PickListLine,
  PickListScanInput,
  PickListScanPayload,
  WarehouseScan,
  WarehouseScanConnection,
} from './picking.types.js';

@Resolver(() => PickList)
export class PickListResolver {
  @Authorized('read_fulfillment')
  @Query(() => PickList, { nullable: true, description: 'A pick list by global ID.' })
  async pickList(@Arg('id', () => ID, { description: 'Pick list global ID.' }) id: string, @Ctx() ctx: GraphQLContext) {
    const dbId = idOfType(id, 'PickList');
    const row = dbId ? await pickListById(ctx.services, dbId) : null;
    return row ? PickList.from(row) : null;
  }

  @Authorized('write_fulfillment')
  @Mutation(() => PickListCreatePayload, { description: 'Batches open fulfillment orders of a warehouse into one pick walk sorted by pickSequence.' })
  pickListCreate(@Arg('input', () => PickListCreateInput) input: PickListCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => createPickList(ctx.services, input), (row) => ({ pickList: PickList.from(row) }));
  }

  @Authorized('write_fulfillment')
  @Mutation(() => PickListScanPayload, { description: 'Records a scan during picking; a wrong bin or item is refused and changes nothing.' })
  pickListScan(@Arg('input', () => PickListScanInput) input: PickListScanInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => {
        const id = idOfType(input.pickListId, 'PickList');
        if (!id) throw BusinessError.of('NOT_FOUND', 'No such pick list.', ['input', 'pickListId']);
        return scanPick(ctx.services, { ...input, pickListId: id });
      },
      (row) => ({ pickList: PickList.from(row) }),
    );
  }

  @Authorized('write_fulfillment')
  @Mutation(() => FulfillmentOrderPackPayload, { description: 'Packs a picked fulfillment order after checking every scanned unit against the picked lines.' })
  fulfillmentOrderPack(@Arg('input', () => FulfillmentOrderPackInput) input: FulfillmentOrderPackInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => {
        const id = idOfType(input.fulfillmentOrderId, 'FulfillmentOrder');
        if (!id) throw BusinessError.of('NOT_FOUND', 'No such fulfillment order.', ['input', 'fulfillmentOrderId']);
        return packFulfillmentOrder(ctx.services, { ...input, fulfillmentOrderId: id });
      },
      (row) => ({ fulfillmentOrder: FulfillmentOrder.from(row) }),
    );
  }

  @FieldResolver(() => Warehouse, { description: 'The warehouse.' })
  async warehouse(@Root() p: PickList, @Ctx() ctx: GraphQLContext) {
    return Warehouse.from((await ctx.loaders.get(warehouseLoaders).warehouseById.load(p.warehouseDbId))!);
  }

  @FieldResolver(() => [PickListLine], { description: "Sorted by the bins' pickSequence: one walk through the warehouse serves the whole batch." })
  async lines(@Root() p: PickList, @Ctx() ctx: GraphQLContext) {
    return (await pickListLinesOf(ctx.services, [p.dbId])).map(PickListLine.from);
  }

  @FieldResolver(() => [FulfillmentOrder], { description: 'The fulfillment orders this walk serves.' })
  async fulfillmentOrders(@Root() p: PickList, @Ctx() ctx: GraphQLContext) {
    return (await pickListOrdersOf(ctx.services, [p.dbId])).map((r) => FulfillmentOrder.from(r.fo));
  }
}

@Resolver(() => PickListLine)
export class PickListLineResolver {
  @FieldResolver(() => BinLocation, { description: 'Where to take it from.' })
  async bin(@Root() l: PickListLine, @Ctx() ctx: GraphQLContext) {
    return BinLocation.from((await ctx.loaders.get(warehouseLoaders).binById.load(l.binDbId))!);
  }
  @FieldResolver(() => ProductVariant, { description: 'What to take.' })
  async variant(@Root() l: PickListLine, @Ctx() ctx: GraphQLContext) {
    return ProductVariant.from((await ctx.loaders.get(catalogLoaders).variantById.load(l.variantDbId))!);
  }
}

@Resolver(() => WarehouseScan)
export class WarehouseScanResolver {
  @Authorized('read_fulfillment')
  @Query(() => WarehouseScanConnection, {
    description:
      'The pick and pack scans of a warehouse, newest first, optionally with scannedAt in [from, to): what pickAccuracy and unitsPickedPerHour are computed from. Requires read_fulfillment; an unknown warehouse, or one hidden from a restricted key, has none.',
  })
  async warehouseScans(
    @Arg('warehouseCode', () => String, { description: 'Warehouse code.' }) warehouseCode: string,
    @Arg('from', () => DateTime, { nullable: true, description: 'Scanned at or after this instant.' }) from: Date | null,
    @Arg('to', () => DateTime, { nullable: true, description: 'Scanned before this instant.' }) to: Date | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await listScans(ctx.services, { ...pageArgs(args), warehouseCode, from, to }), WarehouseScan.from);
  }

  @FieldResolver(() => Warehouse, { description: 'The warehouse scanned in.' })
  async warehouse(@Root() s: WarehouseScan, @Ctx() ctx: GraphQLContext) {
    return Warehouse.from((await ctx.loaders.get(warehouseLoaders).warehouseById.load(s.warehouseDbId))!);
  }

  @FieldResolver(() => FulfillmentOrder, { nullable: true, description: 'PACK: the fulfillment order packed.' })
  async fulfillmentOrder(@Root() s: WarehouseScan, @Ctx() ctx: GraphQLContext) {
    if (!s.fulfillmentOrderDbId) return null;
    const row = await ctx.loaders.get(orderLoaders).fulfillmentOrderById.load(s.fulfillmentOrderDbId);
    return row ? FulfillmentOrder.from(row) : null;
  }

  @FieldResolver(() => ProductVariant, { nullable: true, description: 'The variant the item barcode names; null when none has it.' })
  async variant(@Root() s: WarehouseScan, @Ctx() ctx: GraphQLContext) {
    if (!s.variantDbId) return null;
    const row = await ctx.loaders.get(catalogLoaders).variantById.load(s.variantDbId);
    return row ? ProductVariant.from(row) : null;
  }
}
