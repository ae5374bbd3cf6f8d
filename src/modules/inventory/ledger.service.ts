/**
 * The stock ledger: what changes on-hand inside a warehouse (move, adjust, cycle count, picks into
 * staging, returned units); receipts and inbound announcements are in inbound.service.ts, the
 * shared core (applyDeltas, the stock lock, putaway) in ledger.core.ts. Every change of on-hand writes InventoryMovement
 * rows and the level-changed events in the same transaction; decrements are conditional
 * single-statement updates. Reservations (allocated) are in reservation.service.ts, reads in
 * availability.service.ts.
 */
import { and, asc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { isPlausibleDate } from '../../shared/plausible-date.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsBySkus } from '../catalog/catalog.service.js';
import { binByBarcode, binsByIds, binSlots, requireWarehouseAccess, zoneKindsOfBins, type BinSlot, type WarehouseRow, type ZoneKindValue } from '../warehouse/warehouse.service.js';
import { picksByVariant } from './availability.service.js';
import { levelChangedEvents } from './inventory.events.js';
import { resolveLines, type LineInput, type ResolvedLine } from './lines.service.js';
import { binStock, inboundLines, inventoryLevels, inventoryMovements, type MovementReasonValue, type MovementRow } from './inventory.table.js';
import { isOversize, PutawayPlanner, type VelocityClass } from './putaway.js';
import { classify } from './slotting.js';

import { applyDeltas, binUsage, lockWarehouseStock, putawayIn, requireBin, type Delta } from './ledger.core.js';
import { isUnsellableZone } from './ledger.core.js';
export { isUnsellableZone, UNSELLABLE_ZONE_KINDS } from './ledger.core.js';

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

/**
 * Puts picked units no order needs any more (their fulfillment order was cancelled) back from the
 * staging into bins: a MOVE out of staging (no bin) and one into the bin, so they are pickable
 * again. On-hand does not change. Joins the caller's transaction.
 */
export async function unstagePicked(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  warehouse: WarehouseRow,
  units: readonly { variantId: string; binId: string; quantity: number }[],
  reference: string,
): Promise<MovementRow[]> {
  const deltas = units
    .filter((u) => u.quantity > 0)
    .flatMap((u) => [
      { variantId: u.variantId, binId: null, delta: -u.quantity, reason: 'MOVE' as const },
      { variantId: u.variantId, binId: u.binId, delta: u.quantity, reason: 'MOVE' as const },
    ]);
  if (!deltas.length) return [];
  return applyDeltas(ctx, tx, events, warehouse, deltas, { reference, field: ['input', 'id'] });
}

export interface RecordedPick {
  variantId: string;
  binId: string;
  quantity: number;
  reference: string;
  /** When the pick happened: not after ctx.clock.now(). */
  at: Date;
}

/**
 * Records picks that already left the building (units out of a bin and out of on-hand, one PICK
 * movement each, with its own time and reference): history imported from another system, or the
 * demo seed's pick history. Lines are applied in one transaction through the same ledger path as
 * every other change (conditional decrements: never below zero in a bin, never below allocated;
 * one level-changed event per SKU), so the movements still sum to on hand.
 * Errors: NOT_FOUND, INVALID (a time in the future or implausible), INSUFFICIENT_STOCK.
 */
export async function recordPicks(ctx: ServiceContext, input: { warehouseCode: string; picks: readonly RecordedPick[] }): Promise<MovementRow[]> {
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  if (!input.picks.length) return [];
  const now = ctx.clock.now().getTime();
  const errors = new ErrorList();
  input.picks.forEach((p, i) => {
    if (!Number.isInteger(p.quantity) || p.quantity <= 0) errors.add('INVALID', 'Quantity must be a positive whole number.', ['input', 'picks', String(i), 'quantity']);
    if (!isPlausibleDate(p.at) || p.at.getTime() > now) errors.add('INVALID', 'A recorded pick cannot be in the future.', ['input', 'picks', String(i), 'at']);
  });
  const binIds = [...new Set(input.picks.map((p) => p.binId))];
  const ours = new Set((await binsByIds(ctx, binIds)).filter((b) => b.warehouseId === warehouse.id).map((b) => b.id));
  input.picks.forEach((p, i) => {
    if (!ours.has(p.binId)) errors.add('NOT_FOUND', `No such bin in warehouse ${warehouse.code}.`, ['input', 'picks', String(i), 'binId']);
  });
  errors.throwIfAny();
  return transact(ctx, (tx, events) =>
    applyDeltas(
      ctx,
      tx,
      events,
      warehouse,
      input.picks.map((p) => ({ variantId: p.variantId, binId: p.binId, delta: -p.quantity, reason: 'PICK' as const, reference: p.reference, at: p.at })),
      { field: ['input', 'picks'] },
    ),
  );
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
  // No counts at all is a count too: the bin was found empty.
  const lines = await resolveLines(ctx, input.counts, ['input', 'counts'], { allowZero: true, allowEmpty: true });
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

// ---------------------------------------------------------------------------------------------
// Returned units: received into the RETURNS zone (on hand, never available), then moved on by
// inspection. Both join the caller's transaction (the return's status change commits with them).

export interface ReturnedUnits {
  variantId: string;
  quantity: number;
}

/** Bins of the warehouse's non-sellable (RETURNS) zones, nearest to dispatch first. */
async function returnsBins(ctx: ServiceContext, tx: Executor, warehouseId: string): Promise<BinSlot[]> {
  return (await binSlots(ctx, warehouseId, tx)).filter((b) => isUnsellableZone(b.zoneKind)).sort((a, b) => a.distanceRank - b.distanceRank || a.pickSequence - b.pickSequence);
}

/** True when the warehouse has at least one bin in a RETURNS zone (where returned parcels are scanned in). */
export async function hasReturnsBin(ctx: ServiceContext, warehouseId: string): Promise<boolean> {
  return (await returnsBins(ctx, ctx.database.db, warehouseId)).length > 0;
}

/**
 * Returned units scanned out of a parcel: into the nearest bin of the warehouse's RETURNS zone
 * that has room for all of them, one RECEIPT movement per SKU with `reference` (the return's
 * number). The units are on hand and counted in `unsellable`, so never available, until
 * inspection moves them on. Errors: NO_RETURNS_ZONE, NO_BIN_AVAILABLE.
 */
export async function receiveReturnedUnits(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  warehouse: WarehouseRow,
  input: { reference: string; units: readonly ReturnedUnits[] },
  field: string[],
): Promise<MovementRow[]> {
  const units = input.units.filter((u) => u.quantity > 0);
  await lockWarehouseStock(tx, warehouse.id);
  const bins = await returnsBins(ctx, tx, warehouse.id);
  if (!bins.length) throw BusinessError.of('NO_RETURNS_ZONE', `Warehouse ${warehouse.code} has no bin in a RETURNS zone to receive returns into.`, ['input', 'warehouseCode']);
  if (!units.length) return [];
  const total = units.reduce((s, u) => s + u.quantity, 0);
  const used = await binUsage(
    tx,
    bins.map((b) => b.id),
  );
  const bin = bins.find((b) => b.capacityUnits == null || (used.get(b.id) ?? 0) + total <= b.capacityUnits);
  if (!bin) throw BusinessError.of('NO_BIN_AVAILABLE', `No RETURNS bin in ${warehouse.code} has room for ${total} more units.`, field);
  return applyDeltas(
    ctx,
    tx,
    events,
    warehouse,
    units.map((u) => ({ variantId: u.variantId, binId: bin.id, delta: u.quantity, reason: 'RECEIPT' as const })),
    { reference: input.reference, field },
  );
}

/** What inspection decided for returned units of one SKU. */
export interface ReturnedUnitsDisposition {
  /** The variant row (putaway needs its weight and size). */
  variant: { id: string; sku: string; weightGrams: number; lengthMm: number | null; widthMm: number | null; heightMm: number | null };
  quantity: number;
  /** RESTOCK: into sellable stock by putaway; WRITE_OFF: out of on-hand; KEEP: stays in the RETURNS zone (repair, vendor). */
  action: 'RESTOCK' | 'WRITE_OFF' | 'KEEP';
  /** Why it is kept (REFURBISH, RETURN_TO_VENDOR): added to the movement's reference. */
  label?: string;
}

/**
 * Moves inspected returned units on from the RETURNS bins (those that the return's receipts,
 * by `reference`, went into first, then any other RETURNS bin holding the SKU):
 * - RESTOCK: a RETURN_RESTOCK movement out of the RETURNS bin and one into the bin putaway
 *   chooses (sellable: available again, and the level-changed event wakes the backorder allocator);
 * - WRITE_OFF: a WRITE_OFF movement out of the RETURNS bin (on-hand drops);
 * - KEEP: the units stay where they are; a MOVE out of and back into the same bin records,
 *   with the reference `<reference> <label>`, that they were found there and what they are kept
 *   for, without changing any quantity (an ADJUSTMENT of zero would say nothing about units).
 * Errors: INSUFFICIENT_STOCK (the RETURNS bins hold fewer units: moved or counted meanwhile),
 * NO_BIN_AVAILABLE (no sellable bin can take restocked units).
 */
export async function disposeReturnedUnits(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  warehouse: WarehouseRow,
  input: { reference: string; dispositions: readonly ReturnedUnitsDisposition[] },
  field: string[],
): Promise<MovementRow[]> {
  const wanted = input.dispositions.filter((d) => d.quantity > 0);
  if (!wanted.length) return [];
  await lockWarehouseStock(tx, warehouse.id);
  const bins = await returnsBins(ctx, tx, warehouse.id);
  const variantIds = [...new Set(wanted.map((d) => d.variant.id))];
  const held = bins.length
    ? await tx
        .select({ binId: binStock.binId, variantId: binStock.variantId, quantity: binStock.quantity })
        .from(binStock)
        .where(and(inArray(binStock.binId, bins.map((b) => b.id)), inArray(binStock.variantId, variantIds), sql`${binStock.quantity} > 0`))
    : [];
  const receipts = await tx
    .select({ binId: inventoryMovements.binId, variantId: inventoryMovements.variantId })
    .from(inventoryMovements)
    .where(and(eq(inventoryMovements.warehouseId, warehouse.id), eq(inventoryMovements.reference, input.reference), eq(inventoryMovements.reason, 'RECEIPT'), inArray(inventoryMovements.variantId, variantIds)));
  const own = new Set(receipts.map((r) => `${r.binId}|${r.variantId}`));
  const rank = new Map(bins.map((b, i) => [b.id, i]));
  const sources = held.sort((a, b) => Number(own.has(`${b.binId}|${b.variantId}`)) - Number(own.has(`${a.binId}|${a.variantId}`)) || rank.get(a.binId)! - rank.get(b.binId)!);
  const putaway = wanted.some((d) => d.action === 'RESTOCK') ? await putawayIn(ctx, tx, warehouse.id) : null;
  const deltas: Delta[] = [];
  for (const d of wanted) {
    let left = d.quantity;
    for (const src of sources) {
      if (left === 0) break;
      if (src.variantId !== d.variant.id || src.quantity === 0) continue;
      const take = Math.min(left, src.quantity);
      src.quantity -= take;
      left -= take;
      if (d.action === 'WRITE_OFF') deltas.push({ variantId: d.variant.id, binId: src.binId, delta: -take, reason: 'WRITE_OFF' });
      else if (d.action === 'KEEP') {
        const reference = `${input.reference} ${d.label ?? 'KEPT'}`;
        deltas.push({ variantId: d.variant.id, binId: src.binId, delta: -take, reason: 'MOVE', reference }, { variantId: d.variant.id, binId: src.binId, delta: take, reason: 'MOVE', reference });
      } else {
        const bin = putaway!.place(d.variant, take);
        if (!bin) throw BusinessError.of('NO_BIN_AVAILABLE', `No sellable bin in ${warehouse.code} can take ${take} units of ${d.variant.sku}.`, field);
        deltas.push({ variantId: d.variant.id, binId: src.binId, delta: -take, reason: 'RETURN_RESTOCK' }, { variantId: d.variant.id, binId: bin.id, delta: take, reason: 'RETURN_RESTOCK' });
      }
    }
    if (left > 0) throw BusinessError.of('INSUFFICIENT_STOCK', `The RETURNS bins of ${warehouse.code} hold ${d.quantity - left} of the ${d.quantity} returned units of ${d.variant.sku}; find or count them first.`, field);
  }
  return applyDeltas(ctx, tx, events, warehouse, deltas, { reference: input.reference, field });
}
