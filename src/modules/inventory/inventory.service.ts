/**
 * Inventory: the stock ledger and everything that changes on-hand (receive with putaway, move,
 * adjust, cycle count), channel stock, the allocation primitive (no overselling), availability
 * and slotting. Every change of on-hand writes InventoryMovement rows and an outbox event in the
 * same transaction; stock changes are conditional single-statement updates.
 */
import { and, asc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { outbox } from '../../events/outbox.table.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import type { EventWatching } from '../../events/relay.js';
import { KeyedCaches } from '../../shared/cache.js';
import { AccessError, BusinessError, ErrorList } from '../../shared/errors.js';
import { isValidGtin, normalizeGtin } from '../../shared/gs1.js';
import { isPlausibleDate } from '../../shared/plausible-date.js';
import { preparedQueries } from '../../db/prepared.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsByGtins, variantsBySkus, type VariantRow } from '../catalog/catalog.service.js';
import { binByBarcode, binSlots, listWarehouses, requireWarehouseAccess, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { binStock, channelStock, inboundLines, inventoryLevels, inventoryMovements, type MovementReasonValue } from './inventory.table.js';
import { isOversize, PutawayPlanner, type VelocityClass } from './putaway.js';
import { classify, recommendSlotting, type SlotMove } from './slotting.js';

export type LevelRow = typeof inventoryLevels.$inferSelect;
export type MovementRow = typeof inventoryMovements.$inferSelect;
export type BinStockRow = typeof binStock.$inferSelect;
export type ChannelStockRow = typeof channelStock.$inferSelect;

export const LEVEL_CHANGED = 'inventory.level_changed';

export interface LineInput {
  sku?: string | null;
  barcode?: string | null;
  quantity: number;
}

interface ResolvedLine {
  variant: VariantRow;
  quantity: number;
  index: number;
}

const MAX_LINES = 5000;

/**
 * Resolves lines given by SKU or scanned GTIN. Errors: INVALID (both/neither, quantity),
 * INVALID_BARCODE (bad check digit), NOT_FOUND (unknown SKU/GTIN).
 */
export async function resolveLines(
  ctx: ServiceContext,
  lines: readonly LineInput[],
  path: string[],
  opts: { allowZero?: boolean } = {},
): Promise<ResolvedLine[]> {
  const errors = new ErrorList();
  if (!lines.length && !opts.allowZero) errors.add('INVALID', 'At least one line is required.', path);
  if (lines.length > MAX_LINES) errors.add('INVALID', `At most ${MAX_LINES} lines per call.`, path);
  lines.forEach((l, i) => {
    const f = [...path, String(i)];
    if ((l.sku == null) === (l.barcode == null)) errors.add('INVALID', 'Give exactly one of sku or barcode.', f);
    else if (l.barcode != null && !isValidGtin(l.barcode.trim())) errors.add('INVALID_BARCODE', `"${l.barcode}" is not a valid GTIN (check digit).`, [...f, 'barcode']);
    const min = opts.allowZero ? 0 : 1;
    if (!Number.isInteger(l.quantity) || l.quantity < min || l.quantity > 1_000_000) {
      errors.add('INVALID', `Quantity must be a whole number from ${min} to 1,000,000.`, [...f, 'quantity']);
    }
  });
  errors.throwIfAny();
  const skus = [...new Set(lines.flatMap((l) => (l.sku != null ? [l.sku] : [])))];
  const gtins = [...new Set(lines.flatMap((l) => (l.barcode != null ? [l.barcode.trim()] : [])))];
  const [bySkuRows, byGtin] = await Promise.all([skus.length ? variantsBySkus(ctx, skus) : [], variantsByGtins(ctx, gtins)]);
  const bySku = new Map(bySkuRows.map((v) => [v.sku, v]));
  const out: ResolvedLine[] = [];
  lines.forEach((l, i) => {
    const variant = l.sku != null ? bySku.get(l.sku) : byGtin.get(normalizeGtin(l.barcode!.trim()));
    if (!variant) {
      errors.add('NOT_FOUND', l.sku != null ? `Unknown SKU ${l.sku}.` : `No product has barcode ${l.barcode}.`, [...path, String(i), l.sku != null ? 'sku' : 'barcode']);
    } else out.push({ variant, quantity: l.quantity, index: i });
  });
  errors.throwIfAny();
  return out;
}

/** Serialises capacity-affecting work (putaway, moves) within one warehouse. */
async function lockWarehouseStock(tx: Executor, warehouseId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'stock:' + warehouseId}, 0))`);
}

async function requireBin(ctx: ServiceContext, warehouse: WarehouseRow, barcode: string, field: string[]) {
  const bin = await binByBarcode(ctx, warehouse.id, barcode.trim());
  if (!bin) throw BusinessError.of('NOT_FOUND', `No bin with barcode ${barcode} in warehouse ${warehouse.code}.`, field);
  return bin;
}

/** Units in each of these bins (all SKUs). */
async function binUsage(tx: Executor, binIds: string[]): Promise<Map<string, number>> {
  if (!binIds.length) return new Map();
  const rows = await tx
    .select({ binId: binStock.binId, used: sql<number>`sum(${binStock.quantity})::int` })
    .from(binStock)
    .where(inArray(binStock.binId, binIds))
    .groupBy(binStock.binId);
  return new Map(rows.map((r) => [r.binId, Number(r.used)]));
}

interface Delta {
  variantId: string;
  binId: string | null;
  delta: number;
  reason: MovementReasonValue;
}

/**
 * Applies signed bin deltas, the matching level change and the ledger rows in the caller's
 * transaction, then emits one level-changed event per variant. Decrements are conditional:
 * a bin never goes below zero and on-hand never below allocated (INSUFFICIENT_STOCK).
 */
async function applyDeltas(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  warehouse: WarehouseRow,
  deltas: Delta[],
  meta: { reference?: string | null; field: string[] },
): Promise<MovementRow[]> {
  const actor = ctx.principal.name ?? ctx.principal.kind;
  const inc = deltas.filter((d) => d.delta > 0 && d.binId);
  const dec = deltas.filter((d) => d.delta < 0 && d.binId);
  for (const d of dec) {
    const rows = await tx
      .update(binStock)
      .set({ quantity: sql`${binStock.quantity} + ${d.delta}` })
      .where(and(eq(binStock.binId, d.binId!), eq(binStock.variantId, d.variantId), gte(binStock.quantity, -d.delta)))
      .returning({ q: binStock.quantity });
    if (!rows.length) throw BusinessError.of('INSUFFICIENT_STOCK', `The bin holds fewer than ${-d.delta} units of this item.`, meta.field);
  }
  if (inc.length) {
    const merged = new Map<string, { binId: string; variantId: string; quantity: number }>();
    for (const d of inc) {
      const k = `${d.binId}|${d.variantId}`;
      const m = merged.get(k) ?? { binId: d.binId!, variantId: d.variantId, quantity: 0 };
      m.quantity += d.delta;
      merged.set(k, m);
    }
    await tx
      .insert(binStock)
      .values([...merged.values()].map((m) => ({ ...m, warehouseId: warehouse.id })))
      .onConflictDoUpdate({ target: [binStock.binId, binStock.variantId], set: { quantity: sql`${binStock.quantity} + excluded.quantity` } });
  }
  const net = new Map<string, number>();
  for (const d of deltas) net.set(d.variantId, (net.get(d.variantId) ?? 0) + d.delta);
  const up = [...net].filter(([, n]) => n > 0);
  const down = [...net].filter(([, n]) => n < 0);
  if (up.length) {
    await tx
      .insert(inventoryLevels)
      .values(up.map(([variantId, n]) => ({ variantId, warehouseId: warehouse.id, onHand: n })))
      .onConflictDoUpdate({
        target: [inventoryLevels.variantId, inventoryLevels.warehouseId],
        set: { onHand: sql`${inventoryLevels.onHand} + excluded.on_hand`, updatedAt: sql`now()` },
      });
  }
  for (const [variantId, n] of down) {
    const rows = await tx
      .update(inventoryLevels)
      .set({ onHand: sql`${inventoryLevels.onHand} + ${n}`, updatedAt: sql`now()` })
      .where(and(eq(inventoryLevels.variantId, variantId), eq(inventoryLevels.warehouseId, warehouse.id), sql`${inventoryLevels.onHand} - ${inventoryLevels.allocated} >= ${-n}`))
      .returning({ q: inventoryLevels.onHand });
    if (!rows.length) throw BusinessError.of('INSUFFICIENT_STOCK', `Taking ${-n} units would leave less on hand than is allocated to orders.`, meta.field);
  }
  const movements = deltas.length
    ? await tx
        .insert(inventoryMovements)
        .values(
          deltas.map((d) => ({
            variantId: d.variantId,
            warehouseId: warehouse.id,
            binId: d.binId,
            quantityDelta: d.delta,
            reason: d.reason,
            reference: meta.reference ?? null,
            actor,
          })),
        )
        .returning()
    : [];
  await emitLevelChanges(events, warehouse, [...net.keys()]);
  return movements;
}

async function emitLevelChanges(events: EventWriter, warehouse: Pick<WarehouseRow, 'id' | 'code'>, variantIds: string[]): Promise<void> {
  await events.emit(...levelChangedEvents(warehouse, variantIds));
}

/** The level-changed events for a set of variants of a warehouse (for callers changing levels in their own transaction). */
export function levelChangedEvents(warehouse: Pick<WarehouseRow, 'id' | 'code'>, variantIds: string[]) {
  return [...new Set(variantIds)].map((variantId) => ({ topic: LEVEL_CHANGED, payload: { variantId, warehouseId: warehouse.id, warehouseCode: warehouse.code } }));
}

/** Available units (onHand - allocated > 0) per variant and warehouse, for allocation. */
const preparedAvailability = preparedQueries((db) =>
  db
    .select({ variantId: inventoryLevels.variantId, warehouseId: inventoryLevels.warehouseId, available: sql<number>`(${inventoryLevels.onHand} - ${inventoryLevels.allocated})::int` })
    .from(inventoryLevels)
    .where(and(sql`${inventoryLevels.variantId} = any(${sql.placeholder('variantIds')})`, sql`${inventoryLevels.onHand} > ${inventoryLevels.allocated}`))
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

/**
 * Takes picked units out of a bin into the warehouse's picked staging (still on hand, still
 * allocated, until shipped): a PICK movement out of the bin and one into staging (no bin), so the
 * ledger stays whole. Joins the caller's transaction. Errors: INSUFFICIENT_STOCK (the bin holds less).
 */
export async function pickFromBin(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  warehouse: WarehouseRow,
  move: { binId: string; variantId: string; quantity: number; reference: string },
  field: string[],
): Promise<MovementRow[]> {
  return applyDeltas(
    ctx,
    tx,
    events,
    warehouse,
    [
      { variantId: move.variantId, binId: move.binId, delta: -move.quantity, reason: 'PICK' },
      { variantId: move.variantId, binId: null, delta: move.quantity, reason: 'PICK' },
    ],
    { reference: move.reference, field },
  );
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

export interface ReceiveInput {
  warehouseCode: string;
  binBarcode?: string | null;
  reference?: string | null;
  lines: LineInput[];
}

/**
 * Receives stock into a named bin, or into bins chosen by putaway (same SKU first, then the
 * zone of its velocity class, nearest to dispatch, within capacity). Errors: NOT_FOUND,
 * INVALID, INVALID_BARCODE, BIN_FULL, NO_BIN_AVAILABLE.
 */
export async function receiveInventory(ctx: ServiceContext, input: ReceiveInput): Promise<MovementRow[]> {
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  const lines = await resolveLines(ctx, input.lines, ['input', 'lines']);
  const named = input.binBarcode != null ? await requireBin(ctx, warehouse, input.binBarcode, ['input', 'binBarcode']) : null;
  return transact(ctx, async (tx, events) => {
    await lockWarehouseStock(tx, warehouse.id);
    const deltas: Delta[] = [];
    if (named) {
      const total = lines.reduce((s, l) => s + l.quantity, 0);
      const used = (await binUsage(tx, [named.id])).get(named.id) ?? 0;
      if (named.capacityUnits != null && used + total > named.capacityUnits) {
        throw BusinessError.of('BIN_FULL', `Bin ${named.code} holds ${used} of ${named.capacityUnits} units; ${total} more do not fit.`, ['input', 'binBarcode']);
      }
      for (const l of lines) deltas.push({ variantId: l.variant.id, binId: named.id, delta: l.quantity, reason: 'RECEIPT' });
    } else {
      const slots = await binSlots(ctx, warehouse.id, tx);
      const stock = await tx
        .select({ binId: binStock.binId, variantId: binStock.variantId, quantity: binStock.quantity })
        .from(binStock)
        .where(and(eq(binStock.warehouseId, warehouse.id), sql`${binStock.quantity} > 0`));
      const planner = new PutawayPlanner(slots.map((s) => ({ ...s, used: 0, holdsSku: 0 })), stock);
      const velocity = classify(await picksByVariant(ctx, warehouse.id, 30, tx));
      for (const l of lines) {
        const bin = planner.place(l.variant.id, { velocity: (velocity.get(l.variant.id) ?? 'C') as VelocityClass, oversize: isOversize(l.variant), quantity: l.quantity });
        if (!bin) {
          throw BusinessError.of('NO_BIN_AVAILABLE', `No bin in ${warehouse.code} can take ${l.quantity} units of ${l.variant.sku}.`, ['input', 'lines', String(l.index)]);
        }
        deltas.push({ variantId: l.variant.id, binId: bin.id, delta: l.quantity, reason: 'RECEIPT' });
      }
    }
    if (input.reference) await consumeInbound(tx, warehouse.id, input.reference, lines);
    return applyDeltas(ctx, tx, events, warehouse, deltas, { reference: input.reference, field: ['input', 'lines'] });
  });
}

/** A receipt against a reference reduces the open expected quantities (and `incoming`), oldest line first. */
async function consumeInbound(tx: Executor, warehouseId: string, reference: string, lines: ResolvedLine[]): Promise<void> {
  const open = await tx
    .select()
    .from(inboundLines)
    .where(and(eq(inboundLines.warehouseId, warehouseId), eq(inboundLines.reference, reference), sql`${inboundLines.received} < ${inboundLines.expected}`))
    .orderBy(asc(inboundLines.id))
    .for('update');
  if (!open.length) return;
  const arriving = new Map<string, number>();
  for (const l of lines) arriving.set(l.variant.id, (arriving.get(l.variant.id) ?? 0) + l.quantity);
  const consumed = new Map<string, number>();
  for (const line of open) {
    const left = arriving.get(line.variantId) ?? 0;
    const take = Math.min(left, line.expected - line.received);
    if (take <= 0) continue;
    arriving.set(line.variantId, left - take);
    consumed.set(line.variantId, (consumed.get(line.variantId) ?? 0) + take);
    await tx.update(inboundLines).set({ received: sql`${inboundLines.received} + ${take}` }).where(eq(inboundLines.id, line.id));
  }
  for (const [variantId, n] of consumed) {
    await tx
      .update(inventoryLevels)
      .set({ incoming: sql`greatest(${inventoryLevels.incoming} - ${n}, 0)` })
      .where(and(eq(inventoryLevels.variantId, variantId), eq(inventoryLevels.warehouseId, warehouseId)));
  }
}

export interface InboundInput {
  warehouseCode: string;
  reference: string;
  expectedAt?: Date | null;
  lines: LineInput[];
}

/**
 * Announces goods on their way (purchase order, transfer or ASN): they count as `incoming` until
 * received with the same reference. Errors: NOT_FOUND, INVALID, INVALID_BARCODE.
 */
export async function createInbound(ctx: ServiceContext, input: InboundInput): Promise<number> {
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  const reference = input.reference.trim();
  if (!reference || reference.length > 100) throw BusinessError.of('INVALID', 'Reference must be 1 to 100 characters.', ['input', 'reference']);
  if (input.expectedAt && !isPlausibleDate(input.expectedAt)) {
    throw BusinessError.of('INVALID', 'expectedAt must be between 2000-01-01 and 2100-01-01 (UTC).', ['input', 'expectedAt']);
  }
  const lines = await resolveLines(ctx, input.lines, ['input', 'lines']);
  return transact(ctx, async (tx, events) => {
    await tx.insert(inboundLines).values(
      lines.map((l) => ({ warehouseId: warehouse.id, variantId: l.variant.id, reference, expected: l.quantity, expectedAt: input.expectedAt ?? null })),
    );
    const total = new Map<string, number>();
    for (const l of lines) total.set(l.variant.id, (total.get(l.variant.id) ?? 0) + l.quantity);
    await tx
      .insert(inventoryLevels)
      .values([...total].map(([variantId, n]) => ({ variantId, warehouseId: warehouse.id, incoming: n })))
      .onConflictDoUpdate({
        target: [inventoryLevels.variantId, inventoryLevels.warehouseId],
        set: { incoming: sql`${inventoryLevels.incoming} + excluded.incoming`, updatedAt: sql`now()` },
      });
    await emitLevelChanges(events, warehouse, [...total.keys()]);
    return lines.length;
  });
}

export interface MoveInput {
  warehouseCode: string;
  fromBinBarcode: string;
  toBinBarcode: string;
  lines: LineInput[];
}

/** Moves units between two bins of one warehouse. Errors: NOT_FOUND, INVALID, INSUFFICIENT_STOCK, BIN_FULL. */
export async function moveInventory(ctx: ServiceContext, input: MoveInput): Promise<MovementRow[]> {
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  const from = await requireBin(ctx, warehouse, input.fromBinBarcode, ['input', 'fromBinBarcode']);
  const to = await requireBin(ctx, warehouse, input.toBinBarcode, ['input', 'toBinBarcode']);
  if (from.id === to.id) throw BusinessError.of('INVALID', 'From and to are the same bin.', ['input', 'toBinBarcode']);
  const lines = await resolveLines(ctx, input.lines, ['input', 'lines']);
  return transact(ctx, async (tx, events) => {
    await lockWarehouseStock(tx, warehouse.id);
    const total = lines.reduce((s, l) => s + l.quantity, 0);
    const used = (await binUsage(tx, [to.id])).get(to.id) ?? 0;
    if (to.capacityUnits != null && used + total > to.capacityUnits) {
      throw BusinessError.of('BIN_FULL', `Bin ${to.code} holds ${used} of ${to.capacityUnits} units; ${total} more do not fit.`, ['input', 'toBinBarcode']);
    }
    const deltas: Delta[] = lines.flatMap((l) => [
      { variantId: l.variant.id, binId: from.id, delta: -l.quantity, reason: 'MOVE' as const },
      { variantId: l.variant.id, binId: to.id, delta: l.quantity, reason: 'MOVE' as const },
    ]);
    return applyDeltas(ctx, tx, events, warehouse, deltas, { field: ['input', 'lines'] });
  });
}

export interface AdjustInput {
  warehouseCode: string;
  binBarcode: string;
  sku: string;
  quantityDelta: number;
  reason: MovementReasonValue;
  reference?: string | null;
}

const ADJUST_REASONS: MovementReasonValue[] = ['ADJUSTMENT', 'WRITE_OFF', 'RETURN_RESTOCK'];

/** Corrects a bin's quantity with a reason. Errors: NOT_FOUND, INVALID, INSUFFICIENT_STOCK, BIN_FULL. */
export async function adjustInventory(ctx: ServiceContext, input: AdjustInput): Promise<MovementRow> {
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  const errors = new ErrorList();
  if (!Number.isInteger(input.quantityDelta) || input.quantityDelta === 0 || Math.abs(input.quantityDelta) > 1_000_000) {
    errors.add('INVALID', 'quantityDelta must be a non-zero whole number.', ['input', 'quantityDelta']);
  }
  if (!ADJUST_REASONS.includes(input.reason)) errors.add('INVALID', `Reason must be one of ${ADJUST_REASONS.join(', ')}.`, ['input', 'reason']);
  if (input.reason === 'WRITE_OFF' && input.quantityDelta > 0) errors.add('INVALID', 'A write-off removes units: quantityDelta must be negative.', ['input', 'quantityDelta']);
  errors.throwIfAny();
  const bin = await requireBin(ctx, warehouse, input.binBarcode, ['input', 'binBarcode']);
  // `sku` also takes a scanned GTIN: handhelds send whatever the label carries.
  const [known] = await variantsBySkus(ctx, [input.sku]);
  const asBarcode = !known && /^\d{8,14}$/.test(input.sku.trim());
  const [line] = await resolveLines(ctx, [{ sku: asBarcode ? null : input.sku, barcode: asBarcode ? input.sku : null, quantity: Math.abs(input.quantityDelta) }], ['input']).catch((err) => {
    if (err instanceof BusinessError) throw new BusinessError(err.errors.map((e) => ({ ...e, field: ['input', 'sku'] })));
    throw err;
  });
  return transact(ctx, async (tx, events) => {
    await lockWarehouseStock(tx, warehouse.id);
    if (input.quantityDelta > 0 && bin.capacityUnits != null) {
      const used = (await binUsage(tx, [bin.id])).get(bin.id) ?? 0;
      if (used + input.quantityDelta > bin.capacityUnits) throw BusinessError.of('BIN_FULL', `Bin ${bin.code} is full.`, ['input', 'quantityDelta']);
    }
    const [m] = await applyDeltas(ctx, tx, events, warehouse, [{ variantId: line!.variant.id, binId: bin.id, delta: input.quantityDelta, reason: input.reason }], {
      reference: input.reference,
      field: ['input', 'quantityDelta'],
    });
    return m!;
  });
}

export interface CycleCountInput {
  warehouseCode: string;
  binBarcode: string;
  counts: LineInput[];
}

/**
 * Records a physical count of one bin: SKUs absent from the list count as 0. Differences
 * become CYCLE_COUNT movements. Errors: NOT_FOUND, INVALID, COUNT_BELOW_ALLOCATED.
 */
export async function submitCycleCount(
  ctx: ServiceContext,
  input: CycleCountInput,
): Promise<{ discrepancies: { variantId: string; expected: number; counted: number }[]; movements: MovementRow[] }> {
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  const bin = await requireBin(ctx, warehouse, input.binBarcode, ['input', 'binBarcode']);
  const lines = await resolveLines(ctx, input.counts, ['input', 'counts'], { allowZero: true });
  return transact(ctx, async (tx, events) => {
    await lockWarehouseStock(tx, warehouse.id);
    const current = await tx.select().from(binStock).where(eq(binStock.binId, bin.id));
    const counted = new Map<string, number>();
    for (const l of lines) counted.set(l.variant.id, (counted.get(l.variant.id) ?? 0) + l.quantity);
    const ids = new Set([...current.map((c) => c.variantId), ...counted.keys()]);
    const discrepancies: { variantId: string; expected: number; counted: number }[] = [];
    for (const id of ids) {
      const expected = current.find((c) => c.variantId === id)?.quantity ?? 0;
      const c = counted.get(id) ?? 0;
      if (expected !== c) discrepancies.push({ variantId: id, expected, counted: c });
    }
    let movements: MovementRow[] = [];
    if (discrepancies.length) {
      try {
        movements = await applyDeltas(
          ctx,
          tx,
          events,
          warehouse,
          discrepancies.map((d) => ({ variantId: d.variantId, binId: bin.id, delta: d.counted - d.expected, reason: 'CYCLE_COUNT' as const })),
          { reference: `count:${bin.code}`, field: ['input', 'counts'] },
        );
      } catch (err) {
        if (err instanceof BusinessError && err.errors[0]?.code === 'INSUFFICIENT_STOCK') {
          throw BusinessError.of('COUNT_BELOW_ALLOCATED', 'The count leaves less on hand than is allocated to orders; resolve those allocations first.', ['input', 'counts']);
        }
        throw err;
      }
    }
    return { discrepancies, movements };
  });
}

export interface ChannelSyncInput {
  channel: string;
  lines: LineInput[];
}

/**
 * Replaces the reported quantity of each SKU in an external channel. Errors: INVALID, NOT_FOUND,
 * INVALID_BARCODE. Channel stock is one figure per SKU, not per warehouse, so a key restricted to
 * warehouses may not write it (thrown FORBIDDEN): limiting it to "SKUs stocked in its warehouses"
 * would still let it overwrite figures that other warehouses' partners rely on.
 */
export async function syncChannelStock(ctx: ServiceContext, input: ChannelSyncInput): Promise<number> {
  if (ctx.principal.warehouseCodes) throw new AccessError('FORBIDDEN', 'Forbidden: channel stock spans every warehouse; a key restricted to warehouses may not sync it.');
  const channel = input.channel.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(channel)) throw BusinessError.of('INVALID', 'Channel is 1 to 64 letters, digits, "_", ".", ":" or "-".', ['input', 'channel']);
  const lines = await resolveLines(ctx, input.lines, ['input', 'lines'], { allowZero: true });
  const latest = new Map<string, number>();
  for (const l of lines) latest.set(l.variant.id, l.quantity);
  return transact(ctx, async (tx, events) => {
    const now = ctx.clock.now();
    await tx
      .insert(channelStock)
      .values([...latest].map(([variantId, quantity]) => ({ channel, variantId, quantity, updatedAt: now })))
      .onConflictDoUpdate({ target: [channelStock.channel, channelStock.variantId], set: { quantity: sql`excluded.quantity`, updatedAt: sql`excluded.updated_at` } });
    await events.emit(...[...latest.keys()].map((variantId) => ({ topic: 'inventory.channel_stock_changed', payload: { variantId, channel } })));
    return latest.size;
  });
}

/**
 * Reserves `quantity` of a variant in a warehouse, atomically: one conditional UPDATE, so
 * concurrent reservations can never allocate more than is on hand. Joins the caller's
 * transaction. Throws BusinessError INSUFFICIENT_STOCK when there is not enough available.
 */
export async function reserveStock(tx: Executor, variantId: string, warehouseId: string, quantity: number): Promise<void> {
  const rows = await tx
    .update(inventoryLevels)
    .set({ allocated: sql`${inventoryLevels.allocated} + ${quantity}`, updatedAt: sql`now()` })
    .where(and(eq(inventoryLevels.variantId, variantId), eq(inventoryLevels.warehouseId, warehouseId), sql`${inventoryLevels.onHand} - ${inventoryLevels.allocated} >= ${quantity}`))
    .returning({ allocated: inventoryLevels.allocated });
  if (!rows.length) throw BusinessError.of('INSUFFICIENT_STOCK', `Not enough stock available (${quantity} requested).`, null as never);
}

/**
 * Reserves several (variant, warehouse, quantity) at once, all or nothing, in ONE statement: the
 * level rows are locked in a fixed order (warehouse, then variant: `ORDER BY ... FOR UPDATE`
 * locks as rows leave the sort, so concurrent callers cannot deadlock), checked against their
 * latest committed values, and updated only if every one has enough available. Returns false
 * (and changes nothing) when any is short, so the caller can re-plan without a savepoint.
 * Joins the caller's transaction.
 */
export async function reserveAll(
  ctx: Pick<ServiceContext, 'database'>,
  tx: Executor,
  reservations: readonly { variantId: string; warehouseId: string; quantity: number }[],
): Promise<boolean> {
  const merged = new Map<string, { variantId: string; warehouseId: string; quantity: number }>();
  for (const r of reservations) {
    const k = `${r.warehouseId}|${r.variantId}`;
    const m = merged.get(k);
    if (m) m.quantity += r.quantity;
    else merged.set(k, { ...r });
  }
  const want = [...merged.values()];
  if (!want.length) return true;
  const values = sql.join(
    want.map((r) => sql`(${r.variantId}::uuid, ${r.warehouseId}::uuid, ${r.quantity}::int)`),
    sql`, `,
  );
  const rows = await ctx.database.rows<{ variant_id: string }>(
    sql`
    with want (variant_id, warehouse_id, quantity) as (values ${values}),
    locked as (
      select l.variant_id, l.warehouse_id, l.on_hand - l.allocated as available
      from ${inventoryLevels} l join want w on w.variant_id = l.variant_id and w.warehouse_id = l.warehouse_id
      order by l.warehouse_id, l.variant_id
      for update of l
    ),
    verdict as (
      select count(*) = ${want.length}::int and coalesce(bool_and(k.available >= w.quantity), false) as ok
      from locked k join want w on w.variant_id = k.variant_id and w.warehouse_id = k.warehouse_id
    )
    update ${inventoryLevels} l set allocated = l.allocated + w.quantity, updated_at = now()
    from want w, verdict v
    where v.ok and l.variant_id = w.variant_id and l.warehouse_id = w.warehouse_id and l.on_hand - l.allocated >= w.quantity
    returning l.variant_id`,
    tx,
  );
  const n = rows.length;
  if (n === 0) return false;
  // Every row was locked and checked above; a partial update would be a bug, never a race: abort the transaction.
  if (n !== want.length) throw new Error(`reserveAll updated ${n} of ${want.length} stock levels`);
  return true;
}

/** Releases a reservation (never below zero). */
export async function releaseStock(tx: Executor, variantId: string, warehouseId: string, quantity: number): Promise<void> {
  const rows = await tx
    .update(inventoryLevels)
    .set({ allocated: sql`${inventoryLevels.allocated} - ${quantity}`, updatedAt: sql`now()` })
    .where(and(eq(inventoryLevels.variantId, variantId), eq(inventoryLevels.warehouseId, warehouseId), gte(inventoryLevels.allocated, quantity)))
    .returning({ allocated: inventoryLevels.allocated });
  if (!rows.length) throw BusinessError.of('INVALID', `Cannot release ${quantity} units: not that many allocated.`, null as never);
}

/**
 * Stock leaves the building: on-hand and allocated both drop by `quantity` (the units were picked
 * to staging, so no bin changes) and a SHIPMENT movement records it, in the caller's transaction.
 * Throws BusinessError INVALID when fewer units are allocated (never drives the ledger negative).
 */
export async function shipStock(
  tx: Executor,
  move: { variantId: string; warehouseId: string; quantity: number; reference: string; actor: string | null },
): Promise<void> {
  const rows = await tx
    .update(inventoryLevels)
    .set({ onHand: sql`${inventoryLevels.onHand} - ${move.quantity}`, allocated: sql`${inventoryLevels.allocated} - ${move.quantity}`, updatedAt: sql`now()` })
    .where(and(eq(inventoryLevels.variantId, move.variantId), eq(inventoryLevels.warehouseId, move.warehouseId), gte(inventoryLevels.allocated, move.quantity), gte(inventoryLevels.onHand, move.quantity)))
    .returning({ onHand: inventoryLevels.onHand });
  if (!rows.length) throw BusinessError.of('INVALID', `Cannot ship ${move.quantity} units: not that many allocated.`, null as never);
  await tx.insert(inventoryMovements).values({
    variantId: move.variantId,
    warehouseId: move.warehouseId,
    binId: null,
    quantityDelta: -move.quantity,
    reason: 'SHIPMENT',
    reference: move.reference,
    actor: move.actor,
  });
}

/** Reserve in its own transaction with the level-changed event (the API of the allocation primitive for callers without a transaction). */
export async function reserve(ctx: ServiceContext, input: { variantId: string; warehouse: WarehouseRow; quantity: number }): Promise<void> {
  const ok = await changeAllocatedWithEvent(ctx, input, input.quantity);
  if (!ok) throw BusinessError.of('INSUFFICIENT_STOCK', `Not enough stock available (${input.quantity} requested).`, null as never);
}

export async function release(ctx: ServiceContext, input: { variantId: string; warehouse: WarehouseRow; quantity: number }): Promise<void> {
  const ok = await changeAllocatedWithEvent(ctx, input, -input.quantity);
  if (!ok) throw BusinessError.of('INVALID', `Cannot release ${input.quantity} units: not that many allocated.`, null as never);
}

/**
 * The conditional allocation change and its outbox row as ONE statement (a data-modifying CTE):
 * atomic without BEGIN/COMMIT, one round trip, and the hot row is locked only for the statement.
 * Under contention this is what lets reservations approach the bare UPDATE's rate.
 */
async function changeAllocatedWithEvent(ctx: ServiceContext, input: { variantId: string; warehouse: WarehouseRow }, delta: number): Promise<boolean> {
  const guard = delta > 0 ? sql`${inventoryLevels.onHand} - ${inventoryLevels.allocated} >= ${delta}` : sql`${inventoryLevels.allocated} >= ${-delta}`;
  const [event] = levelChangedEvents(input.warehouse, [input.variantId]);
  const rows = await ctx.database.rows<{ id: string }>(sql`
    with u as (
      update ${inventoryLevels} set allocated = allocated + ${delta}, updated_at = now()
      where ${inventoryLevels.variantId} = ${input.variantId} and ${inventoryLevels.warehouseId} = ${input.warehouse.id} and ${guard}
      returning 1
    )
    insert into ${outbox} (id, topic, payload) select ${newId()}, ${event!.topic}, ${JSON.stringify(event!.payload)}::jsonb from u
    returning id`);
  if (rows.length) ctx.relay.committed([event!]);
  return rows.length > 0;
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

export async function channelStockByVariantIds(ctx: ServiceContext, variantIds: readonly string[]): Promise<ChannelStockRow[]> {
  return ctx.database.db.select().from(channelStock).where(inArray(channelStock.variantId, [...variantIds])).orderBy(asc(channelStock.channel));
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

