/**
 * Replenishment: which variants of a warehouse are at or below their reorder point (most urgent
 * first, with the date they run out at forecast demand), and the run that turns those into DRAFT
 * transfers (from a warehouse with stock above its own order-up-to level) or DRAFT purchase orders
 * (one per preferred supplier, rounded to pack size and minimum order).
 *
 * The stock position counts what is available, what is on its way (`incoming`: sent purchase
 * orders, transfers in transit, announced inbound goods) and what DRAFT purchase orders and
 * transfers into the warehouse already cover, so a second run creates nothing while the first
 * run's orders are open.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { transact } from '../../events/outbox.js';
import { BusinessError } from '../../shared/errors.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { requireInventoryRead } from './planning.access.js';
import { levelsByVariantIds, levelsOfWarehouse } from '../inventory/availability.service.js';
import { listAllWarehousesCached, requireWarehouseAccess, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { createDraftPurchaseOrderIn } from './purchasing.service.js';
import type { PurchaseOrderRow, TransferOrderRow } from './planning.state.js';
import { demandHistory, purchaseOrderLines, purchaseOrders, transferLines, transferOrders } from './planning.table.js';
import { computePolicies, configuredVariantIds, type ComputedPolicy } from './reorder-policy.service.js';
import { suggestedOrderQuantity } from './reorder.js';
import type { SupplierRow } from './planning.reads.js';
import { createDraftTransferIn } from './transfer.service.js';

const DAY_MS = 86_400_000;
export const MAX_SUGGESTIONS = 500;

export interface Suggestion {
  variantId: string;
  warehouseId: string;
  available: number;
  incoming: number;
  /** Units DRAFT purchase orders and transfers into the warehouse already cover. */
  drafted: number;
  policy: ComputedPolicy;
  quantity: number;
  supplier: SupplierRow | null;
  /** The preferred supplier's price per unit (minor units of its currency), when ordering from it. */
  unitCostMinor: number | null;
  transferFrom: WarehouseRow | null;
  stockoutDate: Date | null;
}

const key = (variantId: string, warehouseId: string) => `${variantId}|${warehouseId}`;

/** Units of DRAFT purchase orders and DRAFT transfers into the warehouse, per variant (not in `incoming` yet). */
async function draftedQuantities(executor: Executor, warehouseId: string): Promise<Map<string, number>> {
  const po = await executor
    .select({ variantId: purchaseOrderLines.variantId, n: sql<number>`sum(${purchaseOrderLines.quantity})::int` })
    .from(purchaseOrderLines)
    .innerJoin(purchaseOrders, eq(purchaseOrders.id, purchaseOrderLines.purchaseOrderId))
    .where(and(eq(purchaseOrders.warehouseId, warehouseId), eq(purchaseOrders.status, 'DRAFT')))
    .groupBy(purchaseOrderLines.variantId);
  const tr = await executor
    .select({ variantId: transferLines.variantId, n: sql<number>`sum(${transferLines.quantity})::int` })
    .from(transferLines)
    .innerJoin(transferOrders, eq(transferOrders.id, transferLines.transferOrderId))
    .where(and(eq(transferOrders.toWarehouseId, warehouseId), eq(transferOrders.status, 'DRAFT')))
    .groupBy(transferLines.variantId);
  const out = new Map<string, number>();
  for (const r of [...po, ...tr]) out.set(r.variantId, (out.get(r.variantId) ?? 0) + Number(r.n));
  return out;
}

/** Units of DRAFT transfers out of each of these warehouses, per `${variantId}|${warehouseId}` (already promised elsewhere). */
async function draftedOutgoing(executor: Executor, warehouseIds: readonly string[]): Promise<Map<string, number>> {
  if (!warehouseIds.length) return new Map();
  const rows = await executor
    .select({ variantId: transferLines.variantId, warehouseId: transferOrders.fromWarehouseId, n: sql<number>`sum(${transferLines.quantity})::int` })
    .from(transferLines)
    .innerJoin(transferOrders, eq(transferOrders.id, transferLines.transferOrderId))
    .where(and(inArray(transferOrders.fromWarehouseId, [...warehouseIds]), eq(transferOrders.status, 'DRAFT')))
    .groupBy(transferLines.variantId, transferOrders.fromWarehouseId);
  return new Map(rows.map((r) => [key(r.variantId, r.warehouseId), Number(r.n)]));
}

/** Variants with imported demand history in the warehouse (they may have no stock row yet). */
async function importedVariantIds(ctx: Pick<ServiceContext, 'database'>, warehouseId: string): Promise<string[]> {
  const rows = await ctx.database.db.selectDistinct({ v: demandHistory.variantId }).from(demandHistory).where(eq(demandHistory.warehouseId, warehouseId));
  return rows.map((r) => r.v);
}

/**
 * When `stock` units run out at the forecast's weekly means, starting now: the current week at the
 * first forecast week's rate, then week by week; null when they last past the horizon.
 */
export function stockoutDate(now: Date, stock: number, weekStarts: readonly Date[], weeklyMeans: readonly number[]): Date | null {
  if (stock <= 0) return now;
  let left = stock;
  let t = now.getTime();
  for (let i = 0; i < weekStarts.length; i++) {
    const end = i + 1 < weekStarts.length ? weekStarts[i + 1]!.getTime() : weekStarts[i]!.getTime() + 7 * DAY_MS;
    if (end <= t) continue;
    const perMs = (weeklyMeans[i] ?? 0) / (7 * DAY_MS);
    const need = perMs * (end - t);
    if (perMs > 0 && need >= left) return new Date(t + left / perMs);
    left -= need;
    t = end;
  }
  return null;
}

/** Every suggestion of a warehouse, most urgent first. Reads only; no transaction. */
async function computeSuggestions(ctx: ServiceContext, warehouse: WarehouseRow): Promise<Suggestion[]> {
  const [levels, configured, imported, drafted] = await Promise.all([
    levelsOfWarehouse(ctx, warehouse.id),
    configuredVariantIds(ctx, warehouse.id),
    importedVariantIds(ctx, warehouse.id),
    draftedQuantities(ctx.database.db, warehouse.id),
  ]);
  const levelOf = new Map(levels.map((l) => [l.variantId, l]));
  const variantIds = [...new Set([...levels.map((l) => l.variantId), ...configured, ...imported])];
  const policies = await computePolicies(
    ctx,
    variantIds.map((variantId) => ({ variantId, warehouseId: warehouse.id })),
  );
  const now = ctx.clock.now();
  const due: { variantId: string; policy: ComputedPolicy; available: number; incoming: number; drafted: number; position: number }[] = [];
  for (const variantId of variantIds) {
    const policy = policies.get(key(variantId, warehouse.id))!;
    // No expected demand: nothing to replenish, whatever the (zero) reorder point says.
    if (!policy.outlook.forecast.mean.some((m) => m > 0)) continue;
    const l = levelOf.get(variantId);
    const available = l ? l.onHand - l.allocated - l.unsellable : 0;
    const incoming = l?.incoming ?? 0;
    const d = drafted.get(variantId) ?? 0;
    const position = available + incoming + d;
    if (position > policy.reorderPoint) continue;
    due.push({ variantId, policy, available, incoming, drafted: d, position });
  }
  if (!due.length) return [];
  // Transfer sources: other warehouses' stock of the due variants, against their own policies.
  const elsewhere = (await levelsByVariantIds(ctx, due.map((x) => x.variantId))).filter((l) => l.warehouseId !== warehouse.id && l.onHand - l.allocated - l.unsellable > 0);
  const [otherPolicies, outgoing, warehouses] = await Promise.all([
    computePolicies(ctx, elsewhere.map((l) => ({ variantId: l.variantId, warehouseId: l.warehouseId }))),
    draftedOutgoing(ctx.database.db, [...new Set(elsewhere.map((l) => l.warehouseId))]),
    listAllWarehousesCached(ctx),
  ]);
  const warehouseById = new Map(warehouses.map((w) => [w.id, w]));
  const elsewhereByVariant = new Map<string, typeof elsewhere>();
  for (const l of elsewhere) (elsewhereByVariant.get(l.variantId) ?? elsewhereByVariant.set(l.variantId, []).get(l.variantId)!).push(l);
  const out: Suggestion[] = [];
  for (const x of due) {
    // Order up to orderUpTo, and at least one unit past the reorder point: with orderUpTo equal to
    // it (no review period, or a slow mover whose ceilings coincide) a position raised only to
    // orderUpTo would still be "at" the reorder point, and the next run would order again.
    const target = Math.max(x.policy.orderUpTo, x.policy.reorderPoint + 1);
    const need = target - x.position;
    let source: { warehouse: WarehouseRow; excess: number } | null = null;
    for (const l of elsewhereByVariant.get(x.variantId) ?? []) {
      const p = otherPolicies.get(key(l.variantId, l.warehouseId))!;
      const excess = l.onHand - l.allocated - l.unsellable - (outgoing.get(key(l.variantId, l.warehouseId)) ?? 0) - p.orderUpTo;
      const w = warehouseById.get(l.warehouseId);
      if (w && excess >= need && (!source || excess > source.excess)) source = { warehouse: w, excess };
    }
    const quantity = source
      ? need
      : suggestedOrderQuantity({ position: x.position, policy: { ...x.policy, orderUpTo: target }, packSize: x.policy.packSize, minOrderQuantity: x.policy.minOrderQuantity });
    out.push({
      variantId: x.variantId,
      warehouseId: warehouse.id,
      available: x.available,
      incoming: x.incoming,
      drafted: x.drafted,
      policy: x.policy,
      quantity,
      supplier: source ? null : x.policy.supplier,
      unitCostMinor: source ? null : x.policy.unitCostMinor,
      transferFrom: source?.warehouse ?? null,
      stockoutDate: stockoutDate(now, x.available + x.incoming, x.policy.outlook.weekStarts, x.policy.outlook.forecast.mean),
    });
  }
  const far = Number.MAX_SAFE_INTEGER;
  return out.sort(
    (a, b) =>
      (a.stockoutDate?.getTime() ?? far) - (b.stockoutDate?.getTime() ?? far) ||
      a.available + a.incoming + a.drafted - a.policy.reorderPoint - (b.available + b.incoming + b.drafted - b.policy.reorderPoint) ||
      (a.variantId < b.variantId ? -1 : 1),
  );
}

/**
 * `replenishmentSuggestions(warehouseCode, first)`: read_inventory, the warehouse (a PARTNER's
 * own). Errors (BAD_USER_INPUT): NOT_FOUND, INVALID (first outside 1..500).
 */
export async function replenishmentSuggestions(ctx: ServiceContext, warehouseCode: string, first = 50): Promise<Suggestion[]> {
  requireInventoryRead(ctx);
  if (!Number.isInteger(first) || first < 1 || first > MAX_SUGGESTIONS) throw BusinessError.of('INVALID', `first must be from 1 to ${MAX_SUGGESTIONS}.`, ['first']);
  const warehouse = await requireWarehouseAccess(ctx, warehouseCode, 'read', ['warehouseCode']);
  return (await computeSuggestions(ctx, warehouse)).slice(0, first);
}

export interface ReplenishmentRunResult {
  purchaseOrders: PurchaseOrderRow[];
  transferOrders: TransferOrderRow[];
}

/**
 * Turns the warehouse's suggestions into DRAFT orders in one transaction: a transfer per source
 * warehouse, a purchase order per preferred supplier; variants with neither are left for a person.
 * Runs of one warehouse are serialised by an advisory lock, and the drafted quantities are read
 * again under it, so two runs at once never order the same need twice.
 * Errors: NOT_FOUND (warehouse).
 */
export async function runReplenishment(ctx: ServiceContext, input: { warehouseCode: string }): Promise<ReplenishmentRunResult> {
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  const suggestions = (await computeSuggestions(ctx, warehouse)).filter((s) => s.quantity > 0 && (s.transferFrom || s.supplier));
  if (!suggestions.length) return { purchaseOrders: [], transferOrders: [] };
  return transact(ctx, async (tx, events) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'replenish:' + warehouse.id}, 0))`);
    // A run that committed since the suggestions were read covered (part of) the same need.
    const drafted = await draftedQuantities(tx, warehouse.id);
    const open = suggestions.filter((s) => s.available + s.incoming + (drafted.get(s.variantId) ?? 0) <= s.policy.reorderPoint);
    const transfers = new Map<string, { from: WarehouseRow; lines: { variantId: string; quantity: number }[] }>();
    const orders = new Map<string, { supplier: SupplierRow; lines: { variantId: string; quantity: number; unitCostMinor: number }[] }>();
    for (const s of open) {
      if (s.transferFrom) {
        const t = transfers.get(s.transferFrom.id) ?? transfers.set(s.transferFrom.id, { from: s.transferFrom, lines: [] }).get(s.transferFrom.id)!;
        t.lines.push({ variantId: s.variantId, quantity: s.quantity });
      } else {
        if (!s.supplier || s.unitCostMinor == null) continue;
        const o = orders.get(s.supplier.id) ?? orders.set(s.supplier.id, { supplier: s.supplier, lines: [] }).get(s.supplier.id)!;
        o.lines.push({ variantId: s.variantId, quantity: s.quantity, unitCostMinor: s.unitCostMinor });
      }
    }
    const transferOrders: TransferOrderRow[] = [];
    for (const t of transfers.values()) {
      transferOrders.push(await createDraftTransferIn(ctx, tx, events, { from: t.from, to: warehouse, lines: t.lines, source: 'REPLENISHMENT' }));
    }
    const purchaseOrders: PurchaseOrderRow[] = [];
    for (const o of orders.values()) {
      purchaseOrders.push(await createDraftPurchaseOrderIn(ctx, tx, events, { supplier: o.supplier, warehouse, lines: o.lines, source: 'REPLENISHMENT' }));
    }
    return { purchaseOrders, transferOrders };
  });
}
