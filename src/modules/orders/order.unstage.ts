/**
 * Cancelled fulfillment orders on pick lists. Their picked units: where they go back. Picking moves units out of a
 * bin into the warehouse's staging (on hand, allocated, in no bin) until they ship; when the order
 * is cancelled first its allocation is released, and units left in staging would be available to
 * new orders while no bin holds them, so no pick list could ever take them. They go back to the
 * bins the pick lists of those fulfillment orders took them from (a bin that held the SKU), in
 * walking order.
 */
import { and, asc, desc, eq, gt, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import { transition } from '../../shared/lifecycle.js';
import { pickListLifecycle } from './order.state.js';
import { fulfillmentLines, pickListLines, pickListOrders, pickLists } from './order.table.js';

type FulfillmentLineRow = typeof fulfillmentLines.$inferSelect;

export interface StagedUnits {
  variantId: string;
  binId: string;
  quantity: number;
}

/** The picked units of `fos` (their lines `fls`) and the bins they return to, per warehouse id. */
export async function stagedUnitsOf(tx: Executor, fos: readonly { id: string; warehouseId: string }[], fls: readonly FulfillmentLineRow[]): Promise<Map<string, StagedUnits[]>> {
  const out = new Map<string, StagedUnits[]>();
  const picked = fls.filter((l) => l.pickedQuantity > 0);
  if (!picked.length) return out;
  const foIds = [...new Set(picked.map((l) => l.fulfillmentOrderId))];
  const lists = await tx.select({ pickListId: pickListOrders.pickListId, foId: pickListOrders.fulfillmentOrderId }).from(pickListOrders).where(inArray(pickListOrders.fulfillmentOrderId, foIds));
  const sources = lists.length
    ? await tx
        .select()
        .from(pickListLines)
        .where(and(inArray(pickListLines.pickListId, [...new Set(lists.map((l) => l.pickListId))]), gt(pickListLines.pickedQuantity, 0)))
        .orderBy(asc(pickListLines.pickSequence))
    : [];
  const warehouseOf = new Map(fos.map((f) => [f.id, f.warehouseId]));
  // What each source line can still give back (several orders' picks share a line).
  const left = new Map(sources.map((s) => [s.id, s.pickedQuantity]));
  for (const l of picked) {
    const mine = new Set(lists.filter((x) => x.foId === l.fulfillmentOrderId).map((x) => x.pickListId));
    const lines = sources.filter((s) => mine.has(s.pickListId) && s.variantId === l.variantId);
    if (!lines.length) throw new Error(`picked units of fulfillment line ${l.id} have no pick list line`);
    let need = l.pickedQuantity;
    for (const s of lines) {
      const take = Math.min(need, left.get(s.id)!);
      if (take <= 0) continue;
      left.set(s.id, left.get(s.id)! - take);
      need -= take;
      push(out, warehouseOf.get(l.fulfillmentOrderId)!, { variantId: l.variantId, binId: s.binId, quantity: take });
      if (!need) break;
    }
    // More picked than the lines recorded (never expected): the first bin they came from takes the rest.
    if (need > 0) push(out, warehouseOf.get(l.fulfillmentOrderId)!, { variantId: l.variantId, binId: lines[0]!.binId, quantity: need });
  }
  return out;
}

function push(m: Map<string, StagedUnits[]>, warehouseId: string, u: StagedUnits) {
  const list = m.get(warehouseId) ?? [];
  const same = list.find((x) => x.variantId === u.variantId && x.binId === u.binId);
  if (same) same.quantity += u.quantity;
  else list.push(u);
  m.set(warehouseId, list);
}

/**
 * Takes cancelled fulfillment orders' unpicked units off their open pick lists (the lines are merged
 * per bin and SKU over the list's orders: each line of the SKU gives up what is left of it, last
 * in walking order first; emptied lines go), and completes a list that has nothing left to pick.
 * Otherwise the list would wait for picks no order needs, and a scan would move units into staging
 * for a cancelled order.
 */
export async function dropFromPickLists(tx: Executor, events: EventWriter, fls: readonly FulfillmentLineRow[], at: Date): Promise<void> {
  const foIds = [...new Set(fls.map((l) => l.fulfillmentOrderId))];
  if (!foIds.length) return;
  const memberships = await tx.select().from(pickListOrders).where(inArray(pickListOrders.fulfillmentOrderId, foIds));
  const listIds = [...new Set(memberships.map((m) => m.pickListId))].sort();
  if (!listIds.length) return;
  const open = await tx.select().from(pickLists).where(and(inArray(pickLists.id, listIds), eq(pickLists.status, 'OPEN'))).orderBy(asc(pickLists.id)).for('update');
  for (const list of open) {
    const members = new Set(memberships.filter((m) => m.pickListId === list.id).map((m) => m.fulfillmentOrderId));
    const unpicked = new Map<string, number>();
    for (const l of fls) if (members.has(l.fulfillmentOrderId)) unpicked.set(l.variantId, (unpicked.get(l.variantId) ?? 0) + l.quantity - l.pickedQuantity);
    const lines = await tx.select().from(pickListLines).where(eq(pickListLines.pickListId, list.id)).orderBy(desc(pickListLines.pickSequence)).for('update');
    for (const line of lines) {
      const take = Math.min(unpicked.get(line.variantId) ?? 0, line.quantity - line.pickedQuantity);
      if (take <= 0) continue;
      unpicked.set(line.variantId, unpicked.get(line.variantId)! - take);
      line.quantity -= take;
      if (line.quantity === 0) await tx.delete(pickListLines).where(eq(pickListLines.id, line.id));
      else await tx.update(pickListLines).set({ quantity: line.quantity }).where(eq(pickListLines.id, line.id));
    }
    if (lines.every((l) => l.pickedQuantity >= l.quantity)) {
      await transition(tx, events, pickListLifecycle, list, 'COMPLETED', { at, message: 'Nothing left to pick: its other orders were cancelled', set: { completedAt: at } });
    }
  }
}
