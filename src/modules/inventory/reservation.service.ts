/**
 * Reservations: the primitives order intake, cancellation and shipping call in their own
 * transactions. Each changes the levels in one conditional statement (row locks taken in a fixed
 * order), so concurrent callers can never allocate more than is on hand nor drive a level negative. The
 * caller emits the level-changed events (levelChangedEvents) with the rest of its outbox rows.
 */
import { and, eq, gte, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { BusinessError } from '../../shared/errors.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { inventoryLevels, inventoryMovements } from './inventory.table.js';

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
      select l.variant_id, l.warehouse_id, l.on_hand - l.allocated - l.unsellable as available
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
    where v.ok and l.variant_id = w.variant_id and l.warehouse_id = w.warehouse_id and l.on_hand - l.allocated - l.unsellable >= w.quantity
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
 * `at`: the movement's time (the caller's ctx.clock; the database's now() without it).
 */
export async function shipStock(
  tx: Executor,
  move: { variantId: string; warehouseId: string; quantity: number; reference: string; actor: string | null; at?: Date },
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
    ...(move.at ? { createdAt: move.at } : {}),
  });
}
