/**
 * The ledger's core, shared by every path that changes on-hand (ledger.service.ts: picks, moves,
 * adjustments, counts, returned units; inbound.service.ts: receipts and goods on their way;
 * planning's purchase orders and transfers through inbound.service.ts): the per-warehouse stock
 * lock, bin lookup and usage, putaway inside a transaction, and applyDeltas, the one place that
 * writes bin stock, levels and movement rows together.
 */
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import { BusinessError } from '../../shared/errors.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { binByBarcode, binSlots, zoneKindsOfBins, type WarehouseRow, type ZoneKindValue } from '../warehouse/warehouse.service.js';
import { picksByVariant } from './availability.service.js';
import { levelChangedEvents } from './inventory.events.js';
import { binStock, inventoryLevels, inventoryMovements, type MovementReasonValue, type MovementRow } from './inventory.table.js';
import { isOversize, PutawayPlanner, type VelocityClass } from './putaway.js';
import { classify } from './slotting.js';

/**
 * Zones whose stock is on hand but never sellable: returned units waiting for inspection, or kept
 * there for repair or to go back to the vendor. Availability leaves them out (levels' `unsellable`),
 * picking never plans them, putaway never chooses them.
 */
export const UNSELLABLE_ZONE_KINDS: readonly ZoneKindValue[] = Object.freeze(['RETURNS']);
export const isUnsellableZone = (kind: ZoneKindValue | undefined): boolean => !!kind && UNSELLABLE_ZONE_KINDS.includes(kind);

/** Serialises capacity-affecting work (putaway, moves) within one warehouse. */
export async function lockWarehouseStock(tx: Executor, warehouseId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'stock:' + warehouseId}, 0))`);
}

export async function requireBin(ctx: ServiceContext, warehouse: WarehouseRow, barcode: string, field: string[]) {
  const bin = await binByBarcode(ctx, warehouse.id, barcode.trim());
  if (!bin) throw BusinessError.of('NOT_FOUND', `No bin with barcode ${barcode} in warehouse ${warehouse.code}.`, field);
  return bin;
}

/** Units in each of these bins (all SKUs). */
export async function binUsage(tx: Executor, binIds: string[]): Promise<Map<string, number>> {
  if (!binIds.length) return new Map();
  const rows = await tx
    .select({ binId: binStock.binId, used: sql<number>`sum(${binStock.quantity})::int` })
    .from(binStock)
    .where(inArray(binStock.binId, binIds))
    .groupBy(binStock.binId);
  return new Map(rows.map((r) => [r.binId, Number(r.used)]));
}

export interface Delta {
  variantId: string;
  binId: string | null;
  delta: number;
  reason: MovementReasonValue;
  /** This line's own reference and time (recorded picks); otherwise the call's reference and ctx.clock.now(). */
  reference?: string;
  at?: Date;
}

/**
 * Applies signed bin deltas, the matching level change and the ledger rows in the caller's
 * transaction, then emits one level-changed event per variant. Decrements are conditional:
 * a bin never goes below zero and the sellable part of on-hand never below allocated
 * (INSUFFICIENT_STOCK). Deltas in bins of non-sellable zones move `unsellable` with on-hand, so
 * units there are on hand but never available.
 */
export async function applyDeltas(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  warehouse: WarehouseRow,
  deltas: Delta[],
  meta: { reference?: string | null; field: string[] },
): Promise<MovementRow[]> {
  const actor = ctx.principal.name ?? ctx.principal.kind;
  const inc = deltas.filter((d) => d.delta > 0 && d.binId);
  // Decrements of one bin and SKU are merged: one conditional UPDATE for their total.
  const dec = new Map<string, { binId: string; variantId: string; quantity: number }>();
  for (const d of deltas) {
    if (d.delta >= 0 || !d.binId) continue;
    const k = `${d.binId}|${d.variantId}`;
    const m = dec.get(k) ?? { binId: d.binId, variantId: d.variantId, quantity: 0 };
    m.quantity -= d.delta;
    dec.set(k, m);
  }
  for (const d of dec.values()) {
    const rows = await tx
      .update(binStock)
      .set({ quantity: sql`${binStock.quantity} - ${d.quantity}` })
      .where(and(eq(binStock.binId, d.binId), eq(binStock.variantId, d.variantId), gte(binStock.quantity, d.quantity)))
      .returning({ q: binStock.quantity });
    if (!rows.length) throw BusinessError.of('INSUFFICIENT_STOCK', `The bin holds fewer than ${d.quantity} units of this item.`, meta.field);
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
  // Per variant: the change of on-hand (n) and of its unsellable part (u: deltas in bins of
  // non-sellable zones); what orders may take changes by s = n - u.
  const kinds = await zoneKindsOfBins(ctx, [...new Set(deltas.flatMap((d) => (d.binId ? [d.binId] : [])))], tx);
  const net = new Map<string, { n: number; u: number }>();
  for (const d of deltas) {
    const e = net.get(d.variantId) ?? { n: 0, u: 0 };
    e.n += d.delta;
    if (d.binId && isUnsellableZone(kinds.get(d.binId))) e.u += d.delta;
    net.set(d.variantId, e);
  }
  const changed = [...net].filter(([, e]) => e.n !== 0 || e.u !== 0);
  // Growing (or unchanged) sellable and unsellable parts: one upsert for all of them (the row may
  // not exist yet; a row inserted with these values already satisfies the checks).
  const up = changed.filter(([, e]) => e.n >= 0 && e.u >= 0 && e.n - e.u >= 0);
  if (up.length) {
    await tx
      .insert(inventoryLevels)
      .values(up.map(([variantId, e]) => ({ variantId, warehouseId: warehouse.id, onHand: e.n, unsellable: e.u })))
      .onConflictDoUpdate({
        target: [inventoryLevels.variantId, inventoryLevels.warehouseId],
        set: { onHand: sql`${inventoryLevels.onHand} + excluded.on_hand`, unsellable: sql`${inventoryLevels.unsellable} + excluded.unsellable`, updatedAt: sql`now()` },
      });
  }
  const upserted = new Set(up.map(([variantId]) => variantId));
  for (const [variantId, { n, u }] of changed.filter(([variantId]) => !upserted.has(variantId))) {
    const s = n - u;
    const set = { onHand: sql`${inventoryLevels.onHand} + ${n}`, unsellable: sql`${inventoryLevels.unsellable} + ${u}`, updatedAt: sql`now()` };
    const key = and(eq(inventoryLevels.variantId, variantId), eq(inventoryLevels.warehouseId, warehouse.id));
    if (s < 0) {
      // Fewer sellable units: only if what is left still covers the allocations.
      const rows = await tx
        .update(inventoryLevels)
        .set(set)
        .where(and(key, sql`${inventoryLevels.onHand} - ${inventoryLevels.allocated} - ${inventoryLevels.unsellable} >= ${-s}`))
        .returning({ q: inventoryLevels.onHand });
      if (!rows.length) throw BusinessError.of('INSUFFICIENT_STOCK', `Taking ${-s} sellable units would leave less on hand than is allocated to orders.`, meta.field);
    } else {
      // Units leave non-sellable bins (their bin decrement above succeeded, so the row exists).
      await tx.update(inventoryLevels).set(set).where(key);
    }
  }
  // One time for the call's rows: a pick's bin −q and staging +q must fall in the same demand week
  // (demand-history.service.ts nets PICK movements).
  const now = ctx.clock.now();
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
            reference: d.reference ?? meta.reference ?? null,
            actor,
            // The service clock, like every other service-written time (the seed's history runs on a ManualClock).
            createdAt: d.at ?? now,
          })),
        )
        .returning()
    : [];
  await emitLevelChanges(events, warehouse, [...net.keys()]);
  return movements;
}

export async function emitLevelChanges(events: EventWriter, warehouse: Pick<WarehouseRow, 'id' | 'code'>, variantIds: string[]): Promise<void> {
  await events.emit(...levelChangedEvents(warehouse, variantIds));
}

/**
 * Putaway for one warehouse inside the caller's transaction (its stock lock held): the planner over
 * the warehouse's bins and stock, with each SKU's velocity class from the last 30 days of picks.
 */
export async function putawayIn(ctx: ServiceContext, tx: Executor, warehouseId: string) {
  const slots = await binSlots(ctx, warehouseId, tx);
  const stock = await tx
    .select({ binId: binStock.binId, variantId: binStock.variantId, quantity: binStock.quantity })
    .from(binStock)
    .where(and(eq(binStock.warehouseId, warehouseId), sql`${binStock.quantity} > 0`));
  const planner = new PutawayPlanner(slots.map((s) => ({ ...s, used: 0, holdsSku: 0 })), stock);
  const velocity = classify(await picksByVariant(ctx, warehouseId, 30, tx));
  return {
    place: (variant: { id: string } & Parameters<typeof isOversize>[0], quantity: number) =>
      planner.place(variant.id, { velocity: (velocity.get(variant.id) ?? 'C') as VelocityClass, oversize: isOversize(variant), quantity }),
  };
}
