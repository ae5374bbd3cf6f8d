import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { catalogLoaders } from '../catalog/catalog.loaders.js';
import { ProductVariant } from '../catalog/catalog.types.js';
import { binsByWarehouse, createBinGrid, createWarehouse, createZone, listWarehouses, scanBarcode, warehouseByCode } from './warehouse.service.js';
import { warehouseLoaders } from './warehouse.loaders.js';
import { BinLocationsCreateInput, WarehouseCreateInput, ZoneCreateInput } from './warehouse.inputs.js';
import { BinLocationConnection, BinLocationsCreatePayload, WarehouseCreatePayload, ZoneCreatePayload } from './warehouse.payloads.js';
import { BinLocation, ScanResult, Warehouse, Zone } from './warehouse.types.js';

@Resolver(() => Warehouse)
export class WarehouseResolver {
  @Authorized('read_inventory')
  @Query(() => [Warehouse], { description: 'Warehouses by code; a PARTNER key restricted to warehouses sees only those. Requires read_inventory.' })
  async warehouses(@Ctx() ctx: GraphQLContext) {
    return (await listWarehouses(ctx.services)).map(Warehouse.from);
  }

  @Authorized('read_inventory')
  @Query(() => Warehouse, { nullable: true, description: 'The warehouse with this code; null if none or hidden from a restricted PARTNER key. Requires read_inventory.' })
  async warehouse(@Arg('code', () => String, { description: 'Warehouse code, e.g. MSK1.' }) code: string, @Ctx() ctx: GraphQLContext) {
    const row = await warehouseByCode(ctx.services, code);
    return row && Warehouse.from(row);
  }

  @Authorized('write_inventory')
  @Mutation(() => WarehouseCreatePayload, { description: 'Creates a warehouse. Errors: INVALID, CODE_TAKEN. Requires write_inventory.' })
  warehouseCreate(@Arg('input', () => WarehouseCreateInput, { description: 'The new warehouse.' }) input: WarehouseCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => createWarehouse(ctx.services, input),
      (row) => {
        ctx.loaders.get(warehouseLoaders).warehouseById.prime(row.id, row);
        return { warehouse: Warehouse.from(row) };
      },
    );
  }

  @Authorized('write_inventory')
  @Mutation(() => ZoneCreatePayload, {
    description: 'Creates a zone in a warehouse. Errors: NOT_FOUND, INVALID, CODE_TAKEN; a warehouse outside the warehouses of a restricted key is NOT_FOUND, as if it did not exist. Requires write_inventory.',
  })
  zoneCreate(@Arg('input', () => ZoneCreateInput, { description: 'The new zone.' }) input: ZoneCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => createZone(ctx.services, input),
      (row) => {
        ctx.loaders.get(warehouseLoaders).zoneById.prime(row.id, row);
        return { zone: Zone.from(row) };
      },
    );
  }

  @Authorized('write_inventory')
  @Mutation(() => BinLocationsCreatePayload, {
    description:
      'Creates a grid of bins (up to 20,000) in a zone, numbered in serpentine pick order after the existing bins. Errors: NOT_FOUND, INVALID, BIN_EXISTS; a warehouse outside the warehouses of a restricted key is NOT_FOUND, as if it did not exist. Requires write_inventory.',
  })
  async binLocationsCreate(
    @Arg('input', () => BinLocationsCreateInput, { description: 'The grid.' }) input: BinLocationsCreateInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    const p = await payload(
      () => createBinGrid(ctx.services, input),
      (rows) => {
        const loader = ctx.loaders.get(warehouseLoaders).binById;
        for (const r of rows) loader.prime(r.id, r);
        return { bins: rows.map(BinLocation.from) };
      },
    );
    // On userErrors `payload` leaves `bins` out; the field is non-null, so it is an empty list.
    return { bins: p.bins ?? [], userErrors: p.userErrors };
  }

  @FieldResolver(() => [Zone], { description: 'Zones, nearest to dispatch first.' })
  async zones(@Root() warehouse: Warehouse, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(warehouseLoaders).zonesByWarehouseId.load(warehouse.dbId)).map(Zone.from);
  }

  @FieldResolver(() => BinLocationConnection, { description: 'Bin locations in pick order.' })
  async bins(
    @Root() warehouse: Warehouse,
    @Arg('first', () => Int, { nullable: true, description: 'Bins after `after`, at most 100; default 20.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to start after.' }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await binsByWarehouse(ctx.services, warehouse.dbId, pageArgs({ first, after })), BinLocation.from);
  }
}

@Resolver(() => Zone)
export class ZoneResolver {
  @FieldResolver(() => Warehouse, { description: 'The warehouse of this zone.' })
  async warehouse(@Root() zone: Zone, @Ctx() ctx: GraphQLContext) {
    const row = await ctx.loaders.get(warehouseLoaders).warehouseById.load(zone.warehouseDbId);
    return Warehouse.from(row!);
  }
}

@Resolver(() => BinLocation)
export class BinLocationResolver {
  @FieldResolver(() => Zone, { description: 'The zone this bin belongs to.' })
  async zone(@Root() bin: BinLocation, @Ctx() ctx: GraphQLContext) {
    const row = await ctx.loaders.get(warehouseLoaders).zoneById.load(bin.zoneDbId);
    return Zone.from(row!);
  }
}

@Resolver(() => ScanResult)
export class ScanResultResolver {
  @Authorized('read_inventory')
  @Query(() => ScanResult, {
    description:
      'Identifies a code exactly as a scanner sent it in a warehouse: a product GTIN, a bin label of this warehouse, or UNKNOWN. Never fails on a malformed code (mutations report INVALID_BARCODE). Requires read_inventory.',
  })
  async scanBarcode(
    @Arg('warehouseCode', () => String, { description: 'Warehouse where the scan happened.' }) warehouseCode: string,
    @Arg('barcode', () => String, { description: 'The raw scanned text.' }) barcode: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ScanResult.from(await scanBarcode(ctx.services, warehouseCode, barcode));
  }

  @FieldResolver(() => ProductVariant, { nullable: true, description: 'The variant, when kind is PRODUCT.' })
  async variant(@Root() scan: ScanResult, @Ctx() ctx: GraphQLContext) {
    if (!scan.variantDbId) return null;
    const row = await ctx.loaders.get(catalogLoaders).variantById.load(scan.variantDbId);
    return row && ProductVariant.from(row);
  }

  @FieldResolver(() => BinLocation, { nullable: true, description: 'The bin, when kind is BIN.' })
  async bin(@Root() scan: ScanResult, @Ctx() ctx: GraphQLContext) {
    if (!scan.binDbId) return null;
    const row = await ctx.loaders.get(warehouseLoaders).binById.load(scan.binDbId);
    return row && BinLocation.from(row);
  }
}
