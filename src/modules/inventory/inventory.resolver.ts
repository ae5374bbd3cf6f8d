import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { ConnectionArgs, pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import type { EventMessage } from '../../events/pubsub.js';
import { catalogLoaders } from '../catalog/catalog.loaders.js';
import { ProductVariant } from '../catalog/catalog.types.js';
import { mayViewWarehouse } from '../warehouse/warehouse.service.js';
import { warehouseLoaders } from '../warehouse/warehouse.loaders.js';
import { BinLocation, Warehouse } from '../warehouse/warehouse.types.js';
import { levelOf, listLevels, listMovements, slottingRecommendations } from './availability.service.js';
import { syncChannelStock } from './channel-stock.service.js';
import { LEVEL_CHANGED } from './inventory.events.js';
import { createInbound, receiveInventory } from './inbound.service.js';
import { adjustInventory, moveInventory, submitCycleCount } from './ledger.service.js';
import { inventoryLoaders } from './inventory.loaders.js';
import { ChannelStockSyncInput, CycleCountInput, InventoryAdjustInput, InventoryInboundCreateInput, InventoryMoveInput, InventoryReceiveInput } from './inventory.inputs.js';
import {
  ChannelStockSyncPayload,
  CycleCountPayload,
  InventoryAdjustPayload,
  InventoryInboundCreatePayload,
  InventoryMovementConnection,
  InventoryMovePayload,
  InventoryReceivePayload,
} from './inventory.payloads.js';
import {
  BinQuantity,
  ChannelStock,
  CycleCountDiscrepancy,
  InventoryLevel,
  InventoryLevelEvent,
  InventoryMovement,
  SlottingRecommendation,
  StockSummary,
} from './inventory.types.js';

const levelCursor = (l: { variantDbId: string; warehouseDbId: string }) => Buffer.from(`${l.variantDbId}|${l.warehouseDbId}`).toString('base64url');

async function variantOf(ctx: GraphQLContext, id: string): Promise<ProductVariant> {
  return ProductVariant.from((await ctx.loaders.get(catalogLoaders).variantById.load(id))!);
}
async function warehouseOf(ctx: GraphQLContext, id: string): Promise<Warehouse> {
  return Warehouse.from((await ctx.loaders.get(warehouseLoaders).warehouseById.load(id))!);
}
async function binOf(ctx: GraphQLContext, id: string): Promise<BinLocation> {
  return BinLocation.from((await ctx.loaders.get(warehouseLoaders).binById.load(id))!);
}

@Resolver()
export class InventoryResolver {
  @Authorized('read_inventory')
  @Query(() => [InventoryLevel], { description: 'Levels per variant and warehouse, filtered by SKU and/or warehouse; `after` is the cursor of the last level seen.' })
  async inventoryLevels(
    @Arg('sku', () => String, { nullable: true, description: 'Exact SKU.' }) sku: string | null,
    @Arg('warehouseCode', () => String, { nullable: true, description: 'Warehouse code.' }) warehouseCode: string | null,
    @Arg('first', () => Int, { nullable: true, description: 'At most 100; default 50.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Continue after this level (an opaque cursor from a previous page).' }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    const decoded = after ? Buffer.from(after, 'base64url').toString('utf8') : null;
    const rows = await listLevels(ctx.services, { sku, warehouseCode, first, after: decoded && /^[0-9a-f-]{36}\|[0-9a-f-]{36}$/.test(decoded) ? decoded : null });
    return rows.map(InventoryLevel.from);
  }

  @Authorized('read_inventory')
  @Query(() => InventoryMovementConnection, { description: 'The stock ledger, newest first.' })
  async inventoryMovements(
    @Arg('sku', () => String, { nullable: true, description: 'Exact SKU.' }) sku: string | null,
    @Arg('warehouseCode', () => String, { nullable: true, description: 'Warehouse code.' }) warehouseCode: string | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await listMovements(ctx.services, { ...pageArgs(args), sku, warehouseCode }), InventoryMovement.from);
  }

  @Authorized('read_inventory')
  @Query(() => [SlottingRecommendation], { description: 'ABC analysis of picks over the last `days`; moves fast movers to bins closer to dispatch.' })
  async slottingRecommendations(
    @Arg('warehouseCode', () => String, { description: 'Warehouse code.' }) warehouseCode: string,
    @Arg('days', () => Int, { nullable: true, defaultValue: 30, description: 'Window of picks analysed.' }) days: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SlottingRecommendation[]> {
    const moves = await slottingRecommendations(ctx.services, warehouseCode, days ?? 30);
    return moves.map((m) => ({ variantDbId: m.variantId, fromBinDbId: m.fromBinId, toBinDbId: m.toBinId, velocityClass: m.velocityClass, picksInWindow: m.picksInWindow, reason: m.reason }));
  }

  @Authorized('write_inventory')
  @Mutation(() => InventoryReceivePayload, { description: 'Receives goods into a bin, or into bins chosen by putaway.' })
  inventoryReceive(@Arg('input', () => InventoryReceiveInput) input: InventoryReceiveInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => receiveInventory(ctx.services, input), (rows) => ({ movements: rows.map(InventoryMovement.from) }), { movements: [] });
  }

  @Authorized('write_inventory')
  @Mutation(() => InventoryInboundCreatePayload, { description: 'Announces goods on their way; they count as `incoming` until received with the same reference.' })
  inventoryInboundCreate(@Arg('input', () => InventoryInboundCreateInput) input: InventoryInboundCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => createInbound(ctx.services, input), (lines) => ({ lines }), { lines: 0 });
  }

  @Authorized('write_inventory')
  @Mutation(() => InventoryMovePayload, { description: 'Moves units between two bins of a warehouse.' })
  inventoryMove(@Arg('input', () => InventoryMoveInput) input: InventoryMoveInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => moveInventory(ctx.services, input), (rows) => ({ movements: rows.map(InventoryMovement.from) }), { movements: [] });
  }

  @Authorized('write_inventory')
  @Mutation(() => InventoryAdjustPayload, { description: 'Corrects one bin with a reason.' })
  inventoryAdjust(@Arg('input', () => InventoryAdjustInput) input: InventoryAdjustInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => adjustInventory(ctx.services, input), (row) => ({ movement: InventoryMovement.from(row) }));
  }

  @Authorized('write_inventory')
  @Mutation(() => CycleCountPayload, { description: 'Submits a physical count of one bin; differences become CYCLE_COUNT movements.' })
  cycleCountSubmit(@Arg('input', () => CycleCountInput) input: CycleCountInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => submitCycleCount(ctx.services, input),
      (r) => ({
        discrepancies: r.discrepancies.map((d) => ({ variantDbId: d.variantId, expected: d.expected, counted: d.counted })),
        movements: r.movements.map(InventoryMovement.from),
      }),
      { discrepancies: [], movements: [] },
    );
  }

  @Authorized('write_inventory')
  @Mutation(() => ChannelStockSyncPayload, {
    description:
      "Replaces an external channel's reported quantity per SKU. Channel stock is one figure per SKU across all warehouses, so it requires a key without a warehouse restriction: a PARTNER key restricted to warehouses gets FORBIDDEN. Requires write_inventory.",
  })
  channelStockSync(@Arg('input', () => ChannelStockSyncInput) input: ChannelStockSyncInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => syncChannelStock(ctx.services, input), (updated) => ({ updated }), { updated: 0 });
  }

  @Authorized('read_inventory')
  @Subscription(() => InventoryLevelEvent, {
    topics: LEVEL_CHANGED,
    filter: ({ payload: e, args, context }: { payload: EventMessage; args: { sku?: string | null; warehouseCode?: string | null }; context: GraphQLContext }) =>
      (args.warehouseCode == null || e.warehouseCode === args.warehouseCode) && mayViewWarehouse(context.services, String(e.warehouseCode)),
    description: 'Fires after every committed change of a level; filter by SKU and/or warehouse.',
  })
  async inventoryLevelChanged(
    @Root() e: EventMessage,
    @Arg('sku', () => String, { nullable: true, description: 'Only this SKU.' }) sku: string | null,
    @Arg('warehouseCode', () => String, { nullable: true, description: 'Only this warehouse.' }) _warehouseCode: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<InventoryLevelEvent> {
    // Read fresh: a subscription's loaders live as long as the subscription.
    const level = await levelOf(ctx.services, String(e.variantId), String(e.warehouseId));
    void sku;
    return {
      level: InventoryLevel.from(level ?? { variantId: String(e.variantId), warehouseId: String(e.warehouseId), onHand: 0, allocated: 0, incoming: 0, unsellable: 0, updatedAt: new Date() }),
      occurredAt: new Date(),
    };
  }
}

@Resolver(() => InventoryLevel)
export class InventoryLevelResolver {
  @FieldResolver(() => Warehouse, { description: 'The warehouse.' })
  warehouse(@Root() l: InventoryLevel, @Ctx() ctx: GraphQLContext) {
    return warehouseOf(ctx, l.warehouseDbId);
  }
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  variant(@Root() l: InventoryLevel, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, l.variantDbId);
  }
  @FieldResolver(() => [BinQuantity], { description: 'Where the units are.' })
  async bins(@Root() l: InventoryLevel, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(inventoryLoaders).binsByLevel.load(`${l.variantDbId}|${l.warehouseDbId}`)).map(BinQuantity.from);
  }
  @FieldResolver(() => String, { description: 'Opaque cursor of this level, for `inventoryLevels(after:)`.' })
  cursor(@Root() l: InventoryLevel) {
    return levelCursor(l);
  }
}

@Resolver(() => BinQuantity)
export class BinQuantityResolver {
  @FieldResolver(() => BinLocation, { description: 'The bin.' })
  bin(@Root() q: BinQuantity, @Ctx() ctx: GraphQLContext) {
    return binOf(ctx, q.binDbId);
  }
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  variant(@Root() q: BinQuantity, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, q.variantDbId);
  }
}

@Resolver(() => InventoryMovement)
export class InventoryMovementResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  variant(@Root() m: InventoryMovement, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, m.variantDbId);
  }
  @FieldResolver(() => Warehouse, { description: 'The warehouse.' })
  warehouse(@Root() m: InventoryMovement, @Ctx() ctx: GraphQLContext) {
    return warehouseOf(ctx, m.warehouseDbId);
  }
  @FieldResolver(() => BinLocation, { nullable: true, description: 'The bin, when the movement concerns one.' })
  bin(@Root() m: InventoryMovement, @Ctx() ctx: GraphQLContext) {
    return m.binDbId ? binOf(ctx, m.binDbId) : null;
  }
}

@Resolver(() => CycleCountDiscrepancy)
export class CycleCountDiscrepancyResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  variant(@Root() d: CycleCountDiscrepancy, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, d.variantDbId);
  }
}

@Resolver(() => SlottingRecommendation)
export class SlottingRecommendationResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant to move.' })
  variant(@Root() s: SlottingRecommendation, @Ctx() ctx: GraphQLContext) {
    return variantOf(ctx, s.variantDbId);
  }
  @FieldResolver(() => BinLocation, { description: 'Where it is now.' })
  fromBin(@Root() s: SlottingRecommendation, @Ctx() ctx: GraphQLContext) {
    return binOf(ctx, s.fromBinDbId);
  }
  @FieldResolver(() => BinLocation, { description: 'Where it should go.' })
  toBin(@Root() s: SlottingRecommendation, @Ctx() ctx: GraphQLContext) {
    return binOf(ctx, s.toBinDbId);
  }
}

/** Adds `ProductVariant.stock`. */
@Resolver(() => ProductVariant)
export class VariantStockResolver {
  @Authorized('read_inventory')
  @FieldResolver(() => StockSummary, { description: 'Stock over all warehouses (those the caller may see), and external channels apart.' })
  async stock(@Root() v: ProductVariant, @Ctx() ctx: GraphQLContext): Promise<StockSummary> {
    const loaders = ctx.loaders.get(inventoryLoaders);
    const [levels, channels] = await Promise.all([loaders.levelsByVariantId.load(v.dbId), loaders.channelsByVariantId.load(v.dbId)]);
    const ls = levels.map(InventoryLevel.from);
    const total = (k: 'onHand' | 'allocated' | 'available' | 'incoming') => ls.reduce((s, l) => s + l[k], 0);
    return { onHand: total('onHand'), allocated: total('allocated'), available: total('available'), incoming: total('incoming'), levels: ls, channels: channels.map(ChannelStock.from) };
  }
}

/** Adds `BinLocation.contents`. */
@Resolver(() => BinLocation)
export class BinContentsResolver {
  @FieldResolver(() => [BinQuantity], { description: 'What the bin holds now.' })
  async contents(@Root() b: BinLocation, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(inventoryLoaders).contentsByBinId.load(b.dbId)).map(BinQuantity.from);
  }
}
