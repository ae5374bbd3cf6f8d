/**
 * Goods coming into a warehouse: receipts (into a named bin or by putaway, RECEIPT movements) and
 * announcements of goods on their way (`incoming` until received with the same reference). The
 * in-transaction variants (receiveInto, announceInbound, withdrawUnits) are what purchase orders
 * and transfers build on, so there is one receiving path.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import { BusinessError } from '../../shared/errors.js';
import { isPlausibleDate } from '../../shared/plausible-date.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { requireWarehouseAccess, type WarehouseRow, type ZoneKindValue } from '../warehouse/warehouse.service.js';
import { pickableStock } from './availability.service.js';
import { applyDeltas, binUsage, emitLevelChanges, lockWarehouseStock, putawayIn, requireBin, type Delta } from './ledger.core.js';
import { resolveLines, type LineInput, type ResolvedLine } from './lines.service.js';
import { inboundLines, inventoryLevels, type MovementRow } from './inventory.table.js';

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
  const bin = input.binBarcode != null ? await requireReceivingBin(ctx, warehouse, input.binBarcode, ['input', 'binBarcode']) : null;
  return transact(ctx, (tx, events) => receiveInto(ctx, tx, events, warehouse, { bin, reference: input.reference ?? null, lines }));
}

/** The bin a receipt names, by barcode. Errors: NOT_FOUND. */
export const requireReceivingBin = requireBin;
export type ReceivingBin = Awaited<ReturnType<typeof requireBin>>;

/**
 * A receipt inside the caller's transaction (purchase orders and transfers receive through this):
 * takes the warehouse's stock lock, puts the units into `bin` or by putaway, consumes the open
 * inbound lines of `reference` (lowering `incoming` by what arrived), and writes the movements
 * (`reason`, RECEIPT by default) and level events. Errors: BIN_FULL, NO_BIN_AVAILABLE.
 */
export async function receiveInto(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  warehouse: WarehouseRow,
  input: {
    bin: ReceivingBin | null;
    reference: string | null;
    lines: readonly ResolvedLine[];
    reason?: 'RECEIPT' | 'TRANSFER';
    /** Where BIN_FULL is reported: the caller's name of the bin input (default ['input', 'binBarcode']). */
    binField?: string[];
  },
): Promise<MovementRow[]> {
  const reason = input.reason ?? 'RECEIPT';
  const lines = input.lines;
  const named = input.bin;
  await lockWarehouseStock(tx, warehouse.id);
  const deltas: Delta[] = [];
  if (named) {
    const total = lines.reduce((s, l) => s + l.quantity, 0);
    const used = (await binUsage(tx, [named.id])).get(named.id) ?? 0;
    if (named.capacityUnits != null && used + total > named.capacityUnits) {
      throw BusinessError.of('BIN_FULL', `Bin ${named.code} holds ${used} of ${named.capacityUnits} units; ${total} more do not fit.`, input.binField ?? ['input', 'binBarcode']);
    }
    for (const l of lines) deltas.push({ variantId: l.variant.id, binId: named.id, delta: l.quantity, reason });
  } else {
    const putaway = await putawayIn(ctx, tx, warehouse.id);
    for (const l of lines) {
      const bin = putaway.place(l.variant, l.quantity);
      if (!bin) {
        throw BusinessError.of('NO_BIN_AVAILABLE', `No bin in ${warehouse.code} can take ${l.quantity} units of ${l.variant.sku}.`, ['input', 'lines', String(l.index)]);
      }
      deltas.push({ variantId: l.variant.id, binId: bin.id, delta: l.quantity, reason });
    }
  }
  if (input.reference) await consumeInbound(tx, warehouse.id, input.reference, lines);
  return applyDeltas(ctx, tx, events, warehouse, deltas, { reference: input.reference, field: ['input', 'lines'] });
}

/** A receipt against a reference reduces the open expected quantities (and `incoming`), oldest line first. */
async function consumeInbound(tx: Executor, warehouseId: string, reference: string, lines: readonly ResolvedLine[]): Promise<void> {
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
  await transact(ctx, (tx, events) =>
    announceInbound(tx, events, warehouse, { reference, expectedAt: input.expectedAt ?? null, lines: lines.map((l) => ({ variantId: l.variant.id, quantity: l.quantity })) }),
  );
  return lines.length;
}

/**
 * Goods on their way, inside the caller's transaction (a purchase order sent, a transfer shipped):
 * one inbound line per entry under `reference`, and `incoming` of the warehouse raised by as much.
 */
export async function announceInbound(
  tx: Executor,
  events: EventWriter,
  warehouse: Pick<WarehouseRow, 'id' | 'code'>,
  input: { reference: string; expectedAt: Date | null; lines: readonly { variantId: string; quantity: number }[] },
): Promise<void> {
  const lines = input.lines.filter((l) => l.quantity > 0);
  if (!lines.length) return;
  await tx.insert(inboundLines).values(lines.map((l) => ({ warehouseId: warehouse.id, variantId: l.variantId, reference: input.reference, expected: l.quantity, expectedAt: input.expectedAt })));
  const total = new Map<string, number>();
  for (const l of lines) total.set(l.variantId, (total.get(l.variantId) ?? 0) + l.quantity);
  await tx
    .insert(inventoryLevels)
    .values([...total].map(([variantId, n]) => ({ variantId, warehouseId: warehouse.id, incoming: n })))
    .onConflictDoUpdate({
      target: [inventoryLevels.variantId, inventoryLevels.warehouseId],
      set: { incoming: sql`${inventoryLevels.incoming} + excluded.incoming`, updatedAt: sql`now()` },
    });
  await emitLevelChanges(events, warehouse, [...total.keys()]);
}

/**
 * Calls off what is still expected under `reference` (a purchase order cancelled after it was sent):
 * the open quantities leave `incoming`, and the inbound lines end at what was received. Returns the
 * units withdrawn per variant.
 */
export async function withdrawInbound(tx: Executor, events: EventWriter, warehouse: Pick<WarehouseRow, 'id' | 'code'>, reference: string): Promise<Map<string, number>> {
  const open = await tx
    .select()
    .from(inboundLines)
    .where(and(eq(inboundLines.warehouseId, warehouse.id), eq(inboundLines.reference, reference), sql`${inboundLines.received} < ${inboundLines.expected}`))
    .for('update');
  const withdrawn = new Map<string, number>();
  for (const line of open) {
    withdrawn.set(line.variantId, (withdrawn.get(line.variantId) ?? 0) + line.expected - line.received);
    // A line with nothing received goes; one received in part now expects only what came.
    if (line.received === 0) await tx.delete(inboundLines).where(eq(inboundLines.id, line.id));
    else await tx.update(inboundLines).set({ expected: line.received }).where(eq(inboundLines.id, line.id));
  }
  for (const [variantId, n] of withdrawn) {
    await tx
      .update(inventoryLevels)
      .set({ incoming: sql`greatest(${inventoryLevels.incoming} - ${n}, 0)`, updatedAt: sql`now()` })
      .where(and(eq(inventoryLevels.variantId, variantId), eq(inventoryLevels.warehouseId, warehouse.id)));
  }
  if (withdrawn.size) await emitLevelChanges(events, warehouse, [...withdrawn.keys()]);
  return withdrawn;
}

/** Zone kinds a transfer takes units from, in this order: reserve stock first, pick faces last. Never RETURNS (unsellable). */
const WITHDRAW_ORDER: readonly ZoneKindValue[] = ['BULK', 'OVERSIZE', 'RECEIVING', 'PICK', 'FAST_PICK', 'DISPATCH'];

/**
 * Takes sellable units out of a warehouse inside the caller's transaction (a transfer shipped):
 * under the warehouse's stock lock, the level rows of its variants are locked in a fixed order
 * (warehouse, variant: the order reserveAll locks in, so order intake and a withdrawal cannot
 * deadlock) and checked first, so a shortfall names the SKU and what orders hold; then the units
 * leave reserve bins first, then the largest holdings, with `reason` movements. The ledger's
 * conditional decrements keep what is allocated to orders on hand as well, so a withdrawal never
 * oversells the source. Errors: INSUFFICIENT_STOCK (field `input.field` when given, else
 * ['input', 'lines', i] of the variant's line).
 */
export async function withdrawUnits(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  warehouse: WarehouseRow,
  input: {
    reference: string;
    reason: 'TRANSFER' | 'WRITE_OFF';
    lines: readonly { variantId: string; quantity: number; index: number; sku: string }[];
    /** Where a shortfall is reported (e.g. ['input', 'id'] for a transfer shipped by id). */
    field?: string[];
    /**
     * The warehouse the units go to (a transfer): its level rows of these variants are locked
     * together with the source's, in the same global order, so raising its `incoming` afterwards
     * (announceInbound) cannot deadlock with order intake allocating in both warehouses.
     */
    destinationWarehouseId?: string;
  },
): Promise<MovementRow[]> {
  const fieldOf = (index: number) => input.field ?? ['input', 'lines', String(index)];
  await lockWarehouseStock(tx, warehouse.id);
  const variantIds = [...new Set(input.lines.map((l) => l.variantId))];
  const wanted = new Map<string, number>();
  for (const l of input.lines) wanted.set(l.variantId, (wanted.get(l.variantId) ?? 0) + l.quantity);
  const warehouseIds = input.destinationWarehouseId ? [warehouse.id, input.destinationWarehouseId] : [warehouse.id];
  const levels = variantIds.length
    ? await tx
        .select({
          warehouseId: inventoryLevels.warehouseId,
          variantId: inventoryLevels.variantId,
          onHand: inventoryLevels.onHand,
          allocated: inventoryLevels.allocated,
          unsellable: inventoryLevels.unsellable,
        })
        .from(inventoryLevels)
        .where(and(inArray(inventoryLevels.warehouseId, warehouseIds), inArray(inventoryLevels.variantId, variantIds)))
        .orderBy(asc(inventoryLevels.warehouseId), asc(inventoryLevels.variantId))
        .for('update')
    : [];
  const levelOf = new Map(levels.filter((l) => l.warehouseId === warehouse.id).map((l) => [l.variantId, l]));
  for (const line of input.lines) {
    const l = levelOf.get(line.variantId);
    const available = l ? l.onHand - l.allocated - l.unsellable : 0;
    const want = wanted.get(line.variantId)!;
    if (available < want) {
      const held = l?.allocated ? ` (${l.onHand} on hand, ${l.allocated} allocated to orders${l.unsellable ? `, ${l.unsellable} unsellable` : ''})` : '';
      throw BusinessError.of('INSUFFICIENT_STOCK', `${warehouse.code} has ${Math.max(0, available)} available unit(s) of ${line.sku}${held}; ${want} are needed.`, fieldOf(line.index));
    }
  }
  const stock = await pickableStock(ctx, tx, warehouse.id, variantIds);
  const rank = (k: ZoneKindValue) => {
    const i = WITHDRAW_ORDER.indexOf(k);
    return i < 0 ? Infinity : i;
  };
  const deltas: Delta[] = [];
  for (const line of input.lines) {
    const bins = stock
      .filter((b) => b.variantId === line.variantId && rank(b.slot.zoneKind) < Infinity)
      .sort((a, b) => rank(a.slot.zoneKind) - rank(b.slot.zoneKind) || b.quantity - a.quantity || (a.binId < b.binId ? -1 : 1));
    let left = line.quantity;
    for (const b of bins) {
      if (left === 0) break;
      const take = Math.min(left, b.quantity);
      b.quantity -= take;
      left -= take;
      deltas.push({ variantId: line.variantId, binId: b.binId, delta: -take, reason: input.reason });
    }
    if (left > 0) {
      throw BusinessError.of('INSUFFICIENT_STOCK', `${warehouse.code} holds too few sellable units of ${line.sku} in its bins for ${line.quantity}.`, fieldOf(line.index));
    }
  }
  return applyDeltas(ctx, tx, events, warehouse, deltas, { reference: input.reference, field: input.field ?? ['input', 'lines'] });
}
