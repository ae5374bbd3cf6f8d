/**
 * Availability and the reads of inventory: available units per variant and warehouse (read and
 * locked by allocation; cached per instance for previews, the cache kept true by level-changed
 * events), levels, bin contents, the ledger's movements, pick facts and slotting recommendations.
 * Nothing here writes.
 */
import { and, asc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import type { EventWatching } from '../../events/relay.js';
import { KeyedCaches } from '../../shared/cache.js';
import { BusinessError } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import { preparedQueries } from '../../db/prepared.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsBySkus } from '../catalog/catalog.service.js';
import { binSlots, listWarehouses, requireWarehouseAccess, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { LEVEL_CHANGED } from './inventory.events.js';
import { binStock, inventoryLevels, inventoryMovements, type BinStockRow, type LevelRow, type MovementRow } from './inventory.table.js';
import { recommendSlotting, type SlotMove } from './slotting.js';

/** Available units (onHand - allocated - unsellable > 0) per variant and warehouse, for allocation. */
const preparedAvailability = preparedQueries((db) =>
  db
    .select({ variantId: inventoryLevels.variantId, warehouseId: inventoryLevels.warehouseId, available: sql<number>`(${inventoryLevels.onHand} - ${inventoryLevels.allocated} - ${inventoryLevels.unsellable})::int` })
    .from(inventoryLevels)
    .where(and(sql`${inventoryLevels.variantId} = any(${sql.placeholder('variantIds')})`, sql`${inventoryLevels.onHand} - ${inventoryLevels.unsellable} > ${inventoryLevels.allocated}`))
    .prepare('inventory_availability_by_variants'),
);

export interface Availability {
  variantId: string;
  warehouseId: string;
  available: number;
}

export async function availabilityByVariants(tx: Executor, variantIds: readonly string[]): Promise<Availability[]> {
  if (!variantIds.length) return [];
  return preparedAvailability(tx).execute({ variantIds: [...variantIds] });
}

const availabilityCaches = new KeyedCaches<Database, string, Availability[]>(100_000);

/**
 * availabilityByVariants for previews (checkout's deliveryOptions), from this instance's cache of
 * availability per variant: every committed level change drops its variant at once
 * (watchAvailability), no entry is served once CHECKOUT_CACHE_TTL_MS old, and nothing is cached while
 * the pub/sub is down (other instances' changes could go unheard). Allocation itself
 * (orderCreate, reservations) always reads and locks the rows.
 */
export async function availabilityForPreview(ctx: ServiceContext, variantIds: readonly string[]): Promise<Availability[]> {
  const cache = availabilityCaches.of(ctx.database, ctx.config.CHECKOUT_CACHE_TTL_MS);
  if (!cache) return availabilityByVariants(ctx.database.db, variantIds);
  const got = await cache.getMany(variantIds, async (missing) => {
    const byVariant = new Map<string, Availability[]>(missing.map((id) => [id, []]));
    for (const r of await availabilityByVariants(ctx.database.db, missing)) byVariant.get(r.variantId)!.push(r);
    return byVariant;
  });
  return variantIds.flatMap((id) => got.get(id) ?? []);
}

/**
 * Keeps availabilityForPreview true on this instance: a committed level change (from any instance)
 * drops its variant; while other instances' changes may go unheard (pub/sub down) nothing is cached.
 */
export function watchAvailability(relay: EventWatching, database: Database): void {
  relay.watch(LEVEL_CHANGED, (e) => availabilityCaches.invalidate(database, [String(e.variantId)]));
  availabilityCaches.followReliability(database, relay);
}

/** Units of these variants per bin of a warehouse, with the bins' slot facts (for pick planning). */
export async function pickableStock(ctx: ServiceContext, tx: Executor, warehouseId: string, variantIds: string[]) {
  const slots = new Map((await binSlots(ctx, warehouseId, tx)).map((s) => [s.id, s]));
  const rows = await tx
    .select()
    .from(binStock)
    .where(and(eq(binStock.warehouseId, warehouseId), inArray(binStock.variantId, variantIds), sql`${binStock.quantity} > 0`));
  return rows.flatMap((r) => {
    const s = slots.get(r.binId);
    return s ? [{ ...r, slot: s }] : [];
  });
}

/** Picks per variant in a warehouse over the last `days` (units taken out of bins by PICK movements). */
export async function picksByVariant(ctx: ServiceContext, warehouseId: string, days: number, tx: Executor = ctx.database.db): Promise<Map<string, number>> {
  const since = new Date(ctx.clock.now().getTime() - days * 86_400_000);
  const rows = await tx
    .select({ variantId: inventoryMovements.variantId, picks: sql<number>`sum(-${inventoryMovements.quantityDelta})::int` })
    .from(inventoryMovements)
    .where(
      and(
        eq(inventoryMovements.warehouseId, warehouseId),
        eq(inventoryMovements.reason, 'PICK'),
        sql`${inventoryMovements.quantityDelta} < 0`,
        gte(inventoryMovements.createdAt, since),
      ),
    )
    .groupBy(inventoryMovements.variantId);
  return new Map(rows.map((r) => [r.variantId, Number(r.picks)]));
}

/** Warehouses the caller may see, by id. */
async function visibleWarehouses(ctx: ServiceContext): Promise<Map<string, WarehouseRow>> {
  return new Map((await listWarehouses(ctx)).map((w) => [w.id, w]));
}

/** Levels by variant ids over the warehouses the caller may see (for StockSummary). */
export async function levelsByVariantIds(ctx: ServiceContext, variantIds: readonly string[]): Promise<LevelRow[]> {
  const rows = await ctx.database.db.select().from(inventoryLevels).where(inArray(inventoryLevels.variantId, [...variantIds]));
  if (ctx.principal.warehouseCodes) {
    const visible = await visibleWarehouses(ctx);
    return rows.filter((r) => visible.has(r.warehouseId));
  }
  return rows;
}

export async function binStockByBinIds(ctx: ServiceContext, binIds: readonly string[]): Promise<BinStockRow[]> {
  return ctx.database.db.select().from(binStock).where(and(inArray(binStock.binId, [...binIds]), sql`${binStock.quantity} > 0`)).orderBy(asc(binStock.variantId));
}

export async function binStockByLevelKeys(ctx: ServiceContext, keys: readonly string[]): Promise<BinStockRow[]> {
  const pairs = keys.map((k) => k.split('|') as [string, string]);
  const variantIds = [...new Set(pairs.map((p) => p[0]))];
  const rows = await ctx.database.db.select().from(binStock).where(and(inArray(binStock.variantId, variantIds), sql`${binStock.quantity} > 0`));
  const wanted = new Set(keys);
  return rows.filter((r) => wanted.has(`${r.variantId}|${r.warehouseId}`));
}

/** One level, read fresh (subscriptions); null if the variant was never stocked there. */
export async function levelOf(ctx: ServiceContext, variantId: string, warehouseId: string): Promise<LevelRow | null> {
  const [row] = await ctx.database.db
    .select()
    .from(inventoryLevels)
    .where(and(eq(inventoryLevels.variantId, variantId), eq(inventoryLevels.warehouseId, warehouseId)));
  return row ?? null;
}

/** Levels filtered by SKU and/or warehouse (visible ones only), in a stable order, keyset-paged by (variant, warehouse). */
export async function listLevels(
  ctx: ServiceContext,
  args: { sku?: string | null; warehouseCode?: string | null; first?: number | null; after?: string | null },
): Promise<LevelRow[]> {
  const conds: SQL[] = [];
  const visible = await visibleWarehouses(ctx);
  if (args.warehouseCode != null) {
    const w = [...visible.values()].find((x) => x.code === args.warehouseCode);
    if (!w) return [];
    conds.push(eq(inventoryLevels.warehouseId, w.id));
  } else if (ctx.principal.warehouseCodes) {
    if (!visible.size) return [];
    conds.push(inArray(inventoryLevels.warehouseId, [...visible.keys()]));
  }
  if (args.sku != null) {
    const [v] = await variantsBySkus(ctx, [args.sku]);
    if (!v) return [];
    conds.push(eq(inventoryLevels.variantId, v.id));
  }
  if (args.after) {
    const [variantId, warehouseId] = args.after.split('|');
    conds.push(sql`(${inventoryLevels.variantId}, ${inventoryLevels.warehouseId}) > (${variantId}::uuid, ${warehouseId}::uuid)`);
  }
  return ctx.database.db
    .select()
    .from(inventoryLevels)
    .where(and(...conds))
    .orderBy(asc(inventoryLevels.variantId), asc(inventoryLevels.warehouseId))
    .limit(Math.min(args.first ?? 50, 100));
}

/** The ledger, newest first, filtered by SKU and/or warehouse. */
export async function listMovements(
  ctx: ServiceContext,
  args: PageArgs & { sku?: string | null; warehouseCode?: string | null },
): Promise<Page<MovementRow>> {
  const conds: SQL[] = [];
  const visible = await visibleWarehouses(ctx);
  const none = (): Page<MovementRow> => ({ items: [], hasNextPage: false, hasPreviousPage: false, totalCount: async () => 0 });
  if (args.warehouseCode != null) {
    const w = [...visible.values()].find((x) => x.code === args.warehouseCode);
    if (!w) return none();
    conds.push(eq(inventoryMovements.warehouseId, w.id));
  } else if (ctx.principal.warehouseCodes) {
    if (!visible.size) return none();
    conds.push(inArray(inventoryMovements.warehouseId, [...visible.keys()]));
  }
  if (args.sku != null) {
    const [v] = await variantsBySkus(ctx, [args.sku]);
    if (!v) return none();
    conds.push(eq(inventoryMovements.variantId, v.id));
  }
  const filter = conds.length ? and(...conds) : undefined;
  const plan = planPage(args, inventoryMovements.id, filter);
  const db = ctx.database.db;
  const rows = await db.select().from(inventoryMovements).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => db.$count(inventoryMovements, filter));
}

/** One ledger movement by id (node(id)): read_inventory, and only in a warehouse the caller may see; else null. */
export async function movementById(ctx: ServiceContext, id: string): Promise<MovementRow | null> {
  if (ctx.principal.kind === 'CUSTOMER' || !hasScope(ctx.principal, 'read_inventory')) return null;
  const [row] = await ctx.database.db.select().from(inventoryMovements).where(eq(inventoryMovements.id, id)).limit(1);
  return row && (await visibleWarehouses(ctx)).has(row.warehouseId) ? row : null;
}

/** Slotting moves for a warehouse from picks over the last `days`. */
export async function slottingRecommendations(ctx: ServiceContext, warehouseCode: string, days: number): Promise<SlotMove[]> {
  if (!Number.isInteger(days) || days < 1 || days > 365) throw BusinessError.of('INVALID', 'days must be 1 to 365.', ['days']);
  const warehouse = await requireWarehouseAccess(ctx, warehouseCode, 'read');
  const db = ctx.database.db;
  const picks = await picksByVariant(ctx, warehouse.id, days);
  const bins = await binSlots(ctx, warehouse.id);
  const stock = await db.select({ variantId: binStock.variantId, binId: binStock.binId, quantity: binStock.quantity }).from(binStock).where(eq(binStock.warehouseId, warehouse.id));
  return recommendSlotting(picks, bins, stock);
}


/** For each of these variants, the warehouses (ids) that hold some of it on hand. */
export async function warehousesHolding(ctx: ServiceContext, variantIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!variantIds.length) return out;
  const rows = await ctx.database.db
    .select({ variantId: inventoryLevels.variantId, warehouseId: inventoryLevels.warehouseId })
    .from(inventoryLevels)
    .where(and(inArray(inventoryLevels.variantId, [...variantIds]), sql`${inventoryLevels.onHand} > 0`));
  for (const r of rows) out.set(r.variantId, [...(out.get(r.variantId) ?? []), r.warehouseId]);
  return out;
}

/** Every level row of one warehouse (planning reads a warehouse's stock position of all its variants at once). */
export async function levelsOfWarehouse(ctx: Pick<ServiceContext, 'database'>, warehouseId: string): Promise<LevelRow[]> {
  return ctx.database.db.select().from(inventoryLevels).where(eq(inventoryLevels.warehouseId, warehouseId));
}
