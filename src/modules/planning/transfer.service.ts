/**
 * Transfers between warehouses (contract 07): DRAFT (planned, reserves nothing) → IN_TRANSIT
 * (shipped: the units leave the source with TRANSFER movements, never below what orders hold there,
 * and count in the destination's `incoming`) → RECEIVED (every unit received into the destination,
 * into a named bin or by putaway); a DRAFT may be CANCELLED. Every status change goes through the
 * lifecycle kernel with `transferLifecycle`; the stock side through inventory's in-transaction
 * building blocks (withdrawUnits, announceInbound, receiveInto), so units over all warehouses plus
 * those in transit never change through a transfer.
 *
 * Visibility: a PARTNER key restricted to warehouses sees a transfer that touches one of them;
 * shipping and cancelling need the source, receiving the destination. Anything else answers as an
 * id that does not exist (NOT_FOUND).
 */
import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { begin, transition } from '../../shared/lifecycle.js';
import { hasScope, mayAccessWarehouse } from '../../shared/principal.js';
import { visibleWarehouseIds } from './planning.access.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsByIds } from '../catalog/catalog.service.js';
import { announceInbound, receiveInto, requireReceivingBin, withdrawUnits } from '../inventory/inbound.service.js';
import { resolveLines } from '../inventory/lines.service.js';
import { listAllWarehouses, requireWarehouseAccess, warehousesByIds, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { transferLifecycle, type TransferOrderRow } from './planning.state.js';
import { transferEvents, transferLines, transferOrders, type PlanningSourceValue, type TransferStatusValue } from './planning.table.js';

export type { TransferOrderRow };
export type TransferLineRow = typeof transferLines.$inferSelect;
export type TransferEventRow = typeof transferEvents.$inferSelect;

export const MAX_TRANSFER_LINES = 1000;
export const MAX_TRANSFER_QUANTITY = 1_000_000;

const noSuchTransfer = () => BusinessError.of('NOT_FOUND', 'No such transfer.', ['input', 'id']);

/** What every lifecycle event of a transfer carries: both warehouse codes (partner webhooks and subscriptions filter on `warehouseCodes`). */
function eventPayload(from: Pick<WarehouseRow, 'code'>, to: Pick<WarehouseRow, 'code'>): Record<string, unknown> {
  return { warehouseCodes: [from.code, to.code], fromWarehouseCode: from.code, toWarehouseCode: to.code };
}

// ---------------------------------------------------------------------------------------------
// Visibility

/** The condition limiting transfer_orders to what the caller may see; undefined: all; null: none (no read_inventory). */
async function visibility(ctx: ServiceContext): Promise<SQL | undefined | null> {
  if (!hasScope(ctx.principal, 'read_inventory')) return null;
  const ids = await visibleWarehouseIds(ctx);
  if (!ids) return undefined;
  return ids.length ? or(inArray(transferOrders.fromWarehouseId, ids), inArray(transferOrders.toWarehouseId, ids)) : sql`false`;
}

/** Transfers by id that the caller may see (read_inventory; a PARTNER restricted to warehouses: those touching one of them). */
export async function transferOrdersByIds(ctx: ServiceContext, ids: readonly string[]): Promise<TransferOrderRow[]> {
  if (!ids.length) return [];
  const cond = await visibility(ctx);
  if (cond === null) return [];
  return ctx.database.db.select().from(transferOrders).where(and(inArray(transferOrders.id, [...ids]), cond));
}

export interface TransferFilter {
  status?: TransferStatusValue[] | null;
}

/** Transfers newest first, limited to what the caller may see (none without read_inventory). */
export async function listTransferOrders(ctx: ServiceContext, args: PageArgs & { filter?: TransferFilter | null }): Promise<Page<TransferOrderRow>> {
  const cond = await visibility(ctx);
  const db = ctx.database.db;
  const conds: (SQL | undefined)[] = [cond === null ? sql`false` : cond];
  if (args.filter?.status?.length) conds.push(inArray(transferOrders.status, args.filter.status));
  const filter = and(...conds);
  const plan = planPage(args, transferOrders.id, filter);
  const rows = await db.select().from(transferOrders).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => db.$count(transferOrders, filter));
}

/** Timelines of these transfers (of transfers the caller already sees), oldest first. */
export async function transferEventsByTransferIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]): Promise<TransferEventRow[]> {
  if (!ids.length) return [];
  return ctx.database.db
    .select()
    .from(transferEvents)
    .where(inArray(transferEvents.objectId, [...ids]))
    .orderBy(asc(transferEvents.objectId), asc(transferEvents.sequence));
}

/**
 * The transfer and its two warehouses when the caller may act on it at `side` (read before any
 * transaction); NOT_FOUND otherwise, exactly as for an id that does not exist.
 */
async function actionable(ctx: ServiceContext, id: string | null, side: 'from' | 'to'): Promise<{ tr: TransferOrderRow; from: WarehouseRow; to: WarehouseRow }> {
  const [tr] = id ? await ctx.database.db.select().from(transferOrders).where(eq(transferOrders.id, id)) : [];
  if (!tr) throw noSuchTransfer();
  const whs = new Map((await warehousesByIds(ctx, [tr.fromWarehouseId, tr.toWarehouseId])).map((w) => [w.id, w]));
  const from = whs.get(tr.fromWarehouseId)!;
  const to = whs.get(tr.toWarehouseId)!;
  if (!mayAccessWarehouse(ctx.principal, (side === 'from' ? from : to).code)) throw noSuchTransfer();
  return { tr, from, to };
}

async function linesOf(executor: Executor, transferId: string): Promise<TransferLineRow[]> {
  return executor.select().from(transferLines).where(eq(transferLines.transferOrderId, transferId)).orderBy(asc(transferLines.position));
}

async function lockedTransfer(tx: Executor, id: string): Promise<TransferOrderRow> {
  const [row] = await tx.select().from(transferOrders).where(eq(transferOrders.id, id)).for('update');
  if (!row) throw noSuchTransfer();
  return row;
}

// ---------------------------------------------------------------------------------------------
// Create

/**
 * Inside the caller's transaction: a DRAFT transfer (source 'REPLENISHMENT' or 'MANUAL'); begins
 * its lifecycle (history row 1 and the TRANSFER_ORDER_UPDATED event). A DRAFT reserves nothing: the
 * source's stock is checked when it ships. Lines of the same variant are merged; quantities must
 * be 1..1,000,000 (INVALID otherwise), and the two warehouses must differ (INVALID).
 */
export async function createDraftTransferIn(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  input: { from: WarehouseRow; to: WarehouseRow; lines: readonly { variantId: string; quantity: number }[]; source: 'MANUAL' | 'REPLENISHMENT' },
): Promise<TransferOrderRow> {
  if (input.from.id === input.to.id) throw BusinessError.of('INVALID', 'A transfer goes to another warehouse than the one it leaves.', ['input', 'toWarehouseCode']);
  const merged = new Map<string, number>();
  for (const l of input.lines) merged.set(l.variantId, (merged.get(l.variantId) ?? 0) + l.quantity);
  if (!merged.size) throw BusinessError.of('INVALID', 'A transfer needs at least one line.', ['input', 'lines']);
  for (const q of merged.values()) {
    if (!Number.isInteger(q) || q < 1 || q > MAX_TRANSFER_QUANTITY) throw BusinessError.of('INVALID', 'Quantity must be a whole number from 1 to 1,000,000.', ['input', 'lines']);
  }
  const [{ n }] = (await ctx.database.rows<{ n: string }>(sql`select nextval('transfer_number_seq')::text as n`, tx)) as [{ n: string }];
  const now = ctx.clock.now();
  const id = newId();
  const source: PlanningSourceValue = input.source;
  const [row] = await tx
    .insert(transferOrders)
    .values({
      id,
      number: `TR-${n}`,
      fromWarehouseId: input.from.id,
      toWarehouseId: input.to.id,
      status: 'DRAFT',
      lastSequence: 1,
      source,
      createdBy: ctx.principal.name ?? ctx.principal.kind.toLowerCase(),
      createdAt: now,
    })
    .returning();
  await tx.insert(transferLines).values([...merged].map(([variantId, quantity], position) => ({ transferOrderId: id, variantId, quantity, position })));
  await begin(tx, events, transferLifecycle, [row!], {
    at: now,
    message: source === 'REPLENISHMENT' ? 'Created by a replenishment run' : 'Created',
    payload: eventPayload(input.from, input.to),
  });
  return row!;
}

export interface TransferOrderCreateInput {
  fromWarehouseCode: string;
  toWarehouseCode: string;
  lines: readonly { sku: string; quantity: number }[];
}

/**
 * A DRAFT transfer by hand (write_inventory, with access to both warehouses). It reserves nothing:
 * the source's stock is checked when it ships. Errors (nothing written): NOT_FOUND (warehouse or
 * SKU), INVALID (same warehouse twice, no line, more than 1,000 lines, a SKU twice, quantity
 * outside 1..1,000,000).
 */
export async function createTransferOrder(ctx: ServiceContext, input: TransferOrderCreateInput): Promise<TransferOrderRow> {
  const e = new ErrorList();
  const warehouse = async (code: string, key: string) => {
    try {
      return await requireWarehouseAccess(ctx, code.trim(), 'write', ['input', key]);
    } catch (err) {
      if (!(err instanceof BusinessError)) throw err;
      for (const x of err.errors) e.add(x.code, x.message, x.field ?? undefined);
      return null;
    }
  };
  const from = await warehouse(input.fromWarehouseCode, 'fromWarehouseCode');
  const to = await warehouse(input.toWarehouseCode, 'toWarehouseCode');
  if (from && to && from.id === to.id) e.add('INVALID', `A transfer goes from ${from.code} to another warehouse.`, ['input', 'toWarehouseCode']);
  if (input.lines.length > MAX_TRANSFER_LINES) e.add('INVALID', `At most ${MAX_TRANSFER_LINES} lines.`, ['input', 'lines']);
  const seen = new Set<string>();
  input.lines.forEach((l, i) => {
    if (seen.has(l.sku)) e.add('INVALID', `${l.sku} is on the transfer twice; give each SKU once.`, ['input', 'lines', i, 'sku']);
    seen.add(l.sku);
  });
  let lines: Awaited<ReturnType<typeof resolveLines>> = [];
  try {
    lines = await resolveLines(ctx, input.lines, ['input', 'lines']);
  } catch (err) {
    if (!(err instanceof BusinessError)) throw err;
    for (const x of err.errors) e.add(x.code, x.message, x.field ?? undefined);
  }
  e.throwIfAny();
  return transact(ctx, (tx, events) =>
    createDraftTransferIn(ctx, tx, events, { from: from!, to: to!, lines: lines.map((l) => ({ variantId: l.variant.id, quantity: l.quantity })), source: 'MANUAL' }),
  );
}

// ---------------------------------------------------------------------------------------------
// Ship, receive, cancel

/**
 * Ships a DRAFT transfer (write_inventory, access to the source): in one transaction it moves to
 * IN_TRANSIT, takes the units out of the source's bins with TRANSFER movements (under the
 * warehouse's stock lock, reserve stock first, never touching what is allocated to orders) and
 * adds them to the destination's `incoming` under the transfer's number. Errors (nothing written):
 * NOT_FOUND, INVALID_STATE_TRANSITION (not a DRAFT, or shipped/cancelled meanwhile),
 * INSUFFICIENT_STOCK (field ['input', 'id']).
 */
export async function shipTransferOrder(ctx: ServiceContext, input: { id: string | null }): Promise<TransferOrderRow> {
  const { tr, from, to } = await actionable(ctx, input.id, 'from');
  const lines = await linesOf(ctx.database.db, tr.id);
  const skus = new Map((await variantsByIds(ctx, lines.map((l) => l.variantId))).map((v) => [v.id, v.sku]));
  return transact(ctx, async (tx, events) => {
    // The status first: the conditional UPDATE serialises concurrent ships of the same transfer.
    const row = await transition(tx, events, transferLifecycle, tr, 'IN_TRANSIT', { at: ctx.clock.now(), message: 'Shipped', set: { shippedAt: ctx.clock.now() }, payload: eventPayload(from, to) });
    await withdrawUnits(ctx, tx, events, from, {
      reference: tr.number,
      reason: 'TRANSFER',
      lines: lines.map((l, index) => ({ variantId: l.variantId, quantity: l.quantity, index, sku: skus.get(l.variantId) ?? l.variantId })),
      field: ['input', 'id'],
      destinationWarehouseId: to.id,
    });
    await announceInbound(tx, events, to, { reference: tr.number, expectedAt: null, lines: lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })) });
    return row;
  });
}

export interface TransferOrderReceiveInput {
  id: string | null;
  lines: readonly { sku: string; quantity: number }[];
  binCode?: string | null;
}

/**
 * Receives units of an IN_TRANSIT transfer into the destination (write_inventory, access to the
 * destination): into the bin `binCode`, else by putaway, with TRANSFER movements; they leave
 * `incoming`. Lines of the same SKU add up. When every unit has arrived it is RECEIVED, otherwise it
 * stays IN_TRANSIT. Errors (nothing written): NOT_FOUND (transfer, SKU, bin, a SKU not on the
 * transfer), INVALID, INVALID_STATE_TRANSITION (not IN_TRANSIT), OVER_RECEIPT (more than shipped
 * and not yet received), BIN_FULL, NO_BIN_AVAILABLE.
 */
export async function receiveTransferOrder(ctx: ServiceContext, input: TransferOrderReceiveInput): Promise<TransferOrderRow> {
  const { tr, from, to } = await actionable(ctx, input.id, 'to');
  const resolved = await resolveLines(ctx, input.lines, ['input', 'lines']);
  const bin = input.binCode != null ? await requireReceivingBin(ctx, to, input.binCode, ['input', 'binCode']) : null;
  if (tr.status !== 'IN_TRANSIT') throw BusinessError.of('INVALID_STATE_TRANSITION', `Only a transfer IN_TRANSIT can be received; ${tr.number} is ${tr.status}.`, ['input', 'id']);
  const lines = await linesOf(ctx.database.db, tr.id);
  const byVariant = new Map(lines.map((l) => [l.variantId, l]));
  const arriving = new Map<string, { quantity: number; index: number }>();
  const e = new ErrorList();
  for (const r of resolved) {
    if (!byVariant.has(r.variant.id)) {
      e.add('NOT_FOUND', `${r.variant.sku} is not on transfer ${tr.number}.`, ['input', 'lines', r.index, 'sku']);
      continue;
    }
    const a = arriving.get(r.variant.id) ?? { quantity: 0, index: r.index };
    a.quantity += r.quantity;
    arriving.set(r.variant.id, a);
  }
  for (const [variantId, a] of arriving) {
    const l = byVariant.get(variantId)!;
    const open = l.quantity - l.receivedQuantity;
    if (a.quantity > open) e.add('OVER_RECEIPT', `Only ${open} unit(s) of ${resolved[a.index]!.variant.sku} are still to arrive on ${tr.number}.`, ['input', 'lines', a.index, 'quantity']);
  }
  e.throwIfAny();
  return transact(ctx, async (tx, events) => {
    const current = await lockedTransfer(tx, tr.id);
    if (current.status !== 'IN_TRANSIT') throw BusinessError.of('INVALID_STATE_TRANSITION', `Only a transfer IN_TRANSIT can be received; ${tr.number} is ${current.status}.`, ['input', 'id']);
    for (const [variantId, a] of [...arriving].sort(([x], [y]) => x.localeCompare(y))) {
      // Race-safe: a concurrent receipt of the same line cannot push it past what shipped.
      const rows = await tx
        .update(transferLines)
        .set({ receivedQuantity: sql`${transferLines.receivedQuantity} + ${a.quantity}` })
        .where(and(eq(transferLines.transferOrderId, tr.id), eq(transferLines.variantId, variantId), sql`${transferLines.receivedQuantity} + ${a.quantity} <= ${transferLines.quantity}`))
        .returning({ id: transferLines.id });
      if (!rows.length) throw BusinessError.of('OVER_RECEIPT', `Units of ${resolved[a.index]!.variant.sku} were received meanwhile; fewer are still to arrive.`, ['input', 'lines', String(a.index), 'quantity']);
    }
    await receiveInto(ctx, tx, events, to, { bin, reference: tr.number, lines: resolved, reason: 'TRANSFER', binField: ['input', 'binCode'] });
    const after = await linesOf(tx, tr.id);
    if (after.every((l) => l.receivedQuantity >= l.quantity)) {
      return transition(tx, events, transferLifecycle, current, 'RECEIVED', { at: ctx.clock.now(), message: 'Received', set: { receivedAt: ctx.clock.now() }, payload: eventPayload(from, to) });
    }
    return current;
  });
}

/** Calls off a DRAFT transfer (write_inventory, access to the source); nothing had moved. Errors: NOT_FOUND, INVALID_STATE_TRANSITION. */
export async function cancelTransferOrder(ctx: ServiceContext, input: { id: string | null }): Promise<TransferOrderRow> {
  const { tr, from, to } = await actionable(ctx, input.id, 'from');
  return transact(ctx, (tx, events) => transition(tx, events, transferLifecycle, tr, 'CANCELLED', { at: ctx.clock.now(), message: 'Cancelled', payload: eventPayload(from, to) }));
}

// ---------------------------------------------------------------------------------------------
// For replenishment

/**
 * Open transfer quantity per variant INTO a warehouse: DRAFT and IN_TRANSIT lines, quantity −
 * received. Variants without any are left out of the map. One grouped query.
 */
export async function openTransferQuantities(ctx: ServiceContext, toWarehouseId: string, variantIds: readonly string[], tx?: Executor): Promise<Map<string, number>> {
  if (!variantIds.length) return new Map();
  const executor = tx ?? ctx.database.db;
  const rows = await executor
    .select({ variantId: transferLines.variantId, open: sql<number>`sum(${transferLines.quantity} - ${transferLines.receivedQuantity})::int` })
    .from(transferLines)
    .innerJoin(transferOrders, eq(transferOrders.id, transferLines.transferOrderId))
    .where(and(eq(transferOrders.toWarehouseId, toWarehouseId), inArray(transferOrders.status, ['DRAFT', 'IN_TRANSIT']), inArray(transferLines.variantId, [...variantIds])))
    .groupBy(transferLines.variantId);
  return new Map(rows.filter((r) => Number(r.open) > 0).map((r) => [r.variantId, Number(r.open)]));
}
