/**
 * Purchase orders: DRAFT → SENT → PARTIALLY_RECEIVED → RECEIVED, or CANCELLED, every change
 * through the lifecycle kernel (`purchaseOrderLifecycle`: timeline row and
 * `purchase_order.updated` outbox event, with the warehouse code, in the same transaction).
 *
 * Stock goes through the inventory module's in-transaction building blocks, so there is one
 * receiving path: sending announces the lines as inbound under the order's number (`incoming`
 * rises), receiving is `receiveInto` with that reference (RECEIPT movements, on hand rises,
 * `incoming` falls by as much), cancelling a sent order withdraws what is still open.
 *
 * Visibility: read_inventory to read, write_inventory to change; a PARTNER key restricted to
 * warehouses sees and touches only purchase orders of its warehouses; any other answers exactly as
 * an id that does not exist (null, or NOT_FOUND).
 */
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { isValidGtin, normalizeGtin } from '../../shared/gs1.js';
import { begin, canTransition, transition } from '../../shared/lifecycle.js';
import { isMinorAmount, linesTotal, money, type Money } from '../../shared/money.js';
import { isPlausibleDate } from '../../shared/plausible-date.js';
import { hasScope } from '../../shared/principal.js';
import { visibleWarehouseIds } from './planning.access.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsByIds, variantsBySkus, type VariantRow } from '../catalog/catalog.service.js';
import { announceInbound, receiveInto, requireReceivingBin, withdrawInbound } from '../inventory/inbound.service.js';
import { listAllWarehouses, mayTouchWarehouseId, requireWarehouseAccess, warehousesByIds, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { purchaseOrderEventsByIds, type PurchaseOrderLineRow } from './planning.reads.js';
import { purchaseOrderLifecycle, purchaseOrderTransitions, type PurchaseOrderRow } from './planning.state.js';
import { purchaseOrderLines, purchaseOrders, type PurchaseOrderStatusValue } from './planning.table.js';
import { learntLeadTimes, plannedLeadTimeDays, requireInventoryRead, requireInventoryWrite, supplierByCode, suppliersByIds, supplierTerms, type SupplierRow } from './supplier.service.js';

export type { PurchaseOrderLineRow, PurchaseOrderRow };
export type PurchaseOrderEventRow = Awaited<ReturnType<typeof purchaseOrderEventsByIds>>[number];

export const MAX_PURCHASE_ORDER_LINES = 1000;
export const MAX_LINE_QUANTITY = 1_000_000;
const MAX_RECEIVE_LINES = 5000;
/** unit_cost_minor is a 32-bit integer column. */
const MAX_UNIT_COST_MINOR = 2_147_483_647;
const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Statuses whose units still count: open quantities of DRAFT orders are planned, of SENT/PARTIALLY_RECEIVED incoming. */
const OPEN_STATUSES: readonly PurchaseOrderStatusValue[] = ['DRAFT', 'SENT', 'PARTIALLY_RECEIVED'];

type Path = (string | number)[];

// ---------------------------------------------------------------------------------------------
// Visibility and reads

const noOrder = () => BusinessError.of('NOT_FOUND', 'No such purchase order.', ['input', 'id']);

/** The condition limiting purchase orders to what the caller may see; undefined: all; null: none (no read_inventory). */
async function visibility(ctx: ServiceContext): Promise<SQL | undefined | null> {
  if (!hasScope(ctx.principal, 'read_inventory')) return null;
  const ids = await visibleWarehouseIds(ctx);
  if (!ids) return undefined;
  return ids.length ? inArray(purchaseOrders.warehouseId, ids) : sql`false`;
}

/** Purchase orders by id that the caller may see. */
export async function purchaseOrdersByIds(ctx: ServiceContext, ids: readonly string[]): Promise<PurchaseOrderRow[]> {
  const valid = ids.filter((id) => UUID.test(id));
  if (!valid.length) return [];
  const cond = await visibility(ctx);
  if (cond === null) return [];
  return ctx.database.db.select().from(purchaseOrders).where(and(inArray(purchaseOrders.id, valid), cond));
}

export interface PurchaseOrderFilter {
  status?: readonly PurchaseOrderStatusValue[] | null;
}

/** Purchase orders newest first, limited to what the caller may see. FORBIDDEN without read_inventory. */
export async function listPurchaseOrders(ctx: ServiceContext, args: PageArgs & PurchaseOrderFilter): Promise<Page<PurchaseOrderRow>> {
  requireInventoryRead(ctx);
  const cond = await visibility(ctx);
  const filter = and(cond ?? undefined, args.status?.length ? inArray(purchaseOrders.status, [...args.status]) : undefined);
  const plan = planPage(args, purchaseOrders.id, filter);
  const db = ctx.database.db;
  const rows = await db.select().from(purchaseOrders).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => db.$count(purchaseOrders, filter));
}

/** Timelines of these purchase orders (of orders the caller already sees), oldest first. */
export async function eventsByPurchaseOrderIds(ctx: ServiceContext, ids: readonly string[]): Promise<PurchaseOrderEventRow[]> {
  return purchaseOrderEventsByIds(ctx, ids);
}

/**
 * The purchase order as the caller may act on it: one of another warehouse than a restricted
 * PARTNER's answers exactly as an id that does not exist (NOT_FOUND on ['input', 'id']).
 */
export async function requirePurchaseOrder(ctx: ServiceContext, id: string | null, executor: Executor = ctx.database.db): Promise<PurchaseOrderRow> {
  if (!id || !UUID.test(id)) throw noOrder();
  const [row] = await executor.select().from(purchaseOrders).where(eq(purchaseOrders.id, id));
  if (!row) throw noOrder();
  if (ctx.principal.warehouseCodes && !(await mayTouchWarehouseId(ctx, row.warehouseId))) throw noOrder();
  return row;
}

async function linesOf(executor: Executor, purchaseOrderId: string): Promise<PurchaseOrderLineRow[]> {
  return executor.select().from(purchaseOrderLines).where(eq(purchaseOrderLines.purchaseOrderId, purchaseOrderId)).orderBy(asc(purchaseOrderLines.position));
}

/** Open (DRAFT, SENT, PARTIALLY_RECEIVED) purchase order quantity per variant for a warehouse: ordered − received. */
export async function openPurchaseQuantities(ctx: ServiceContext, warehouseId: string, variantIds: readonly string[], tx?: Executor): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!variantIds.length) return out;
  const executor = tx ?? ctx.database.db;
  const rows = await executor
    .select({ variantId: purchaseOrderLines.variantId, open: sql<number>`sum(${purchaseOrderLines.quantity} - ${purchaseOrderLines.receivedQuantity})::int` })
    .from(purchaseOrderLines)
    .innerJoin(purchaseOrders, eq(purchaseOrders.id, purchaseOrderLines.purchaseOrderId))
    .where(and(eq(purchaseOrders.warehouseId, warehouseId), inArray(purchaseOrders.status, [...OPEN_STATUSES]), inArray(purchaseOrderLines.variantId, [...new Set(variantIds)])))
    .groupBy(purchaseOrderLines.variantId);
  for (const r of rows) if (Number(r.open) > 0) out.set(r.variantId, Number(r.open));
  return out;
}

/** What every lifecycle event of a purchase order carries besides the kernel's fields (webhooks and subscriptions of restricted keys filter on warehouseCode). */
const eventPayload = (warehouse: Pick<WarehouseRow, 'code'>, supplier: Pick<SupplierRow, 'code'>) => ({ warehouseCode: warehouse.code, supplierCode: supplier.code });

// ---------------------------------------------------------------------------------------------
// Create

export interface PurchaseOrderLineInput {
  sku: string;
  quantity: number;
  unitCost?: Money | null;
}

export interface PurchaseOrderCreateInput {
  supplierCode: string;
  warehouseCode: string;
  lines: readonly PurchaseOrderLineInput[];
  expectedAt?: Date | null;
}

/** Runs a check that throws a BusinessError, adding its errors to `e` instead. */
async function into<T>(e: ErrorList, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof BusinessError)) throw err;
    for (const x of err.errors) e.add(x.code, x.message, x.field ?? undefined);
    return null;
  }
}

/**
 * Creates a DRAFT purchase order (counts nowhere until sent). Unit costs default to the supplier's
 * terms for the variant. Errors (nothing written): NOT_FOUND (supplier, warehouse, SKU; a warehouse
 * outside a restricted key's is NOT_FOUND), INVALID (no lines, too many, a SKU twice, quantity,
 * amount, total past the safe integers, implausible expectedAt), CURRENCY_MISMATCH,
 * NOT_SOLD_BY_SUPPLIER (no unitCost given and the supplier has no terms for the SKU).
 */
export async function createPurchaseOrder(ctx: ServiceContext, input: PurchaseOrderCreateInput): Promise<PurchaseOrderRow> {
  requireInventoryWrite(ctx);
  const e = new ErrorList();
  const lines = input.lines;
  if (!lines.length) e.add('INVALID', 'A purchase order needs at least one line.', ['input', 'lines']);
  if (lines.length > MAX_PURCHASE_ORDER_LINES) e.add('INVALID', `At most ${MAX_PURCHASE_ORDER_LINES} lines.`, ['input', 'lines']);
  if (input.expectedAt != null && !isPlausibleDate(input.expectedAt)) {
    e.add('INVALID', 'expectedAt must be between 2000-01-01 and 2100-01-01 (UTC).', ['input', 'expectedAt']);
  }
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    const f: Path = ['input', 'lines', i];
    if (seen.has(l.sku)) e.add('INVALID', `SKU ${l.sku} appears twice; give each SKU once.`, [...f, 'sku']);
    seen.add(l.sku);
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY) e.add('INVALID', 'Quantity must be a whole number from 1 to 1,000,000.', [...f, 'quantity']);
    if (l.unitCost && (!isMinorAmount(l.unitCost.amountMinor) || l.unitCost.amountMinor < 0 || l.unitCost.amountMinor > MAX_UNIT_COST_MINOR)) {
      e.add('INVALID', 'unitCost.amountMinor is a whole number of minor units from 0 to 2,147,483,647.', [...f, 'unitCost', 'amountMinor']);
    }
  });
  if (lines.length > MAX_PURCHASE_ORDER_LINES) e.throwIfAny();
  const [warehouse, supplier, variants] = await Promise.all([
    into(e, () => requireWarehouseAccess(ctx, input.warehouseCode, 'write')),
    supplierByCode(ctx, input.supplierCode),
    lines.length ? variantsBySkus(ctx, [...seen]) : Promise.resolve([] as VariantRow[]),
  ]);
  if (!supplier) e.add('NOT_FOUND', `No supplier with code ${input.supplierCode}.`, ['input', 'supplierCode']);
  const bySku = new Map(variants.map((v) => [v.sku, v]));
  const terms = supplier ? await supplierTerms(ctx, supplier.id, variants.map((v) => v.id)) : new Map();
  const resolved: { variantId: string; quantity: number; unitCostMinor: number }[] = [];
  lines.forEach((l, i) => {
    const f: Path = ['input', 'lines', i];
    const v = bySku.get(l.sku);
    if (!v) return e.add('NOT_FOUND', `Unknown SKU ${l.sku}.`, [...f, 'sku']);
    if (!supplier) return;
    if (l.unitCost) {
      if (l.unitCost.currency !== supplier.currency) {
        return e.add('CURRENCY_MISMATCH', `Supplier ${supplier.code} is paid in ${supplier.currency}, not ${l.unitCost.currency}.`, [...f, 'unitCost', 'currency']);
      }
      resolved.push({ variantId: v.id, quantity: l.quantity, unitCostMinor: l.unitCost.amountMinor });
      return;
    }
    const t = terms.get(v.id);
    if (!t) return e.add('NOT_SOLD_BY_SUPPLIER', `Supplier ${supplier.code} has no price for ${l.sku}; set it with supplierProductSet or give unitCost.`, [...f, 'unitCost']);
    resolved.push({ variantId: v.id, quantity: l.quantity, unitCostMinor: t.unitCostMinor });
  });
  e.throwIfAny();
  if (!totalOf(resolved, supplier!.currency)) e.add('INVALID', 'The order total is too large.', ['input', 'lines']);
  e.throwIfAny();
  return transact(ctx, (tx, events) =>
    createDraftPurchaseOrderIn(ctx, tx, events, { supplier: supplier!, warehouse: warehouse!, lines: resolved, source: 'MANUAL', expectedAt: input.expectedAt ?? null }),
  );
}

const totalOf = (lines: readonly { quantity: number; unitCostMinor: number }[], currency: string) =>
  linesTotal(
    lines.map((l) => ({ unitPrice: money(l.unitCostMinor, currency), quantity: l.quantity })),
    currency,
  );

/**
 * Inside the caller's transaction: a DRAFT purchase order (source 'REPLENISHMENT' or 'MANUAL') with
 * lines at the given unit cost (in the supplier's currency), numbered PO-<purchase_order_number_seq>;
 * begins its lifecycle (timeline row 1, event with warehouseCode). Throws INVALID (rolling the
 * caller's transaction back) for no lines, a variant twice, a quantity outside 1..1,000,000, a
 * negative cost or a total past the safe integers: callers validate first.
 */
export async function createDraftPurchaseOrderIn(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  input: {
    supplier: SupplierRow;
    warehouse: WarehouseRow;
    lines: readonly { variantId: string; quantity: number; unitCostMinor: number }[];
    source: 'MANUAL' | 'REPLENISHMENT';
    expectedAt?: Date | null;
  },
): Promise<PurchaseOrderRow> {
  const { supplier, warehouse, lines } = input;
  const variantIds = new Set(lines.map((l) => l.variantId));
  const bad =
    !lines.length ||
    lines.length > MAX_PURCHASE_ORDER_LINES ||
    variantIds.size !== lines.length ||
    lines.some((l) => !Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY || !Number.isInteger(l.unitCostMinor) || l.unitCostMinor < 0 || l.unitCostMinor > MAX_UNIT_COST_MINOR) ||
    !totalOf(lines, supplier.currency);
  if (bad) throw BusinessError.of('INVALID', 'A purchase order needs 1 to 1,000 lines, each variant once, quantities 1..1,000,000 and costs >= 0 with a total within the safe integers.', ['input', 'lines']);
  const now = ctx.clock.now();
  const [{ n }] = (await ctx.database.rows<{ n: string }>(sql`select nextval('purchase_order_number_seq')::text as n`, tx)) as [{ n: string }];
  const p = ctx.principal;
  const [row] = await tx
    .insert(purchaseOrders)
    .values({
      id: newId(),
      number: `PO-${n}`,
      supplierId: supplier.id,
      warehouseId: warehouse.id,
      status: 'DRAFT',
      lastSequence: 1,
      currency: supplier.currency,
      source: input.source,
      expectedAt: input.expectedAt ?? null,
      createdBy: p.name ?? p.kind.toLowerCase(),
      createdAt: now,
    })
    .returning();
  await tx.insert(purchaseOrderLines).values(lines.map((l, i) => ({ purchaseOrderId: row!.id, variantId: l.variantId, quantity: l.quantity, unitCostMinor: l.unitCostMinor, position: i })));
  await begin(tx, events, purchaseOrderLifecycle, [row!], {
    at: now,
    message: input.source === 'REPLENISHMENT' ? `Drafted by a replenishment run for ${warehouse.code}` : `Created for ${warehouse.code}`,
    payload: eventPayload(warehouse, supplier),
  });
  return row!;
}

// ---------------------------------------------------------------------------------------------
// Status changes

/** The kernel's refusal, raised before any work. */
function refuseUnless(po: Pick<PurchaseOrderRow, 'status' | 'number'>, to: PurchaseOrderStatusValue, doing: string, allowed: string): void {
  if (!canTransition(purchaseOrderTransitions, po.status, to)) {
    throw BusinessError.of('INVALID_STATE_TRANSITION', `Purchase order ${po.number} is ${po.status}; only a ${allowed} one can be ${doing}.`, ['input', 'id']);
  }
}

async function contextOf(ctx: ServiceContext, po: PurchaseOrderRow): Promise<{ warehouse: WarehouseRow; supplier: SupplierRow }> {
  const [[warehouse], [supplier]] = await Promise.all([warehousesByIds(ctx, [po.warehouseId]), suppliersByIds(ctx, [po.supplierId])]);
  return { warehouse: warehouse!, supplier: supplier! };
}

/** Locks the order's row for the rest of the transaction (changes of one order take turns) and returns it fresh. */
async function lockOrder(tx: Executor, id: string): Promise<PurchaseOrderRow> {
  const [row] = await tx.select().from(purchaseOrders).where(eq(purchaseOrders.id, id)).for('update');
  return row!;
}

/**
 * Sends a DRAFT order to its supplier (→ SENT): its lines count in the warehouse's `incoming` from
 * now on (inbound lines under the order's number), sentAt is now, and expectedAt, when it was not
 * given, now + the supplier's lead time (learnt from received orders when there are some).
 * Errors: NOT_FOUND, INVALID_STATE_TRANSITION.
 */
export async function sendPurchaseOrder(ctx: ServiceContext, input: { id: string | null }): Promise<PurchaseOrderRow> {
  requireInventoryWrite(ctx);
  const po = await requirePurchaseOrder(ctx, input.id);
  refuseUnless(po, 'SENT', 'sent', 'DRAFT');
  const [{ warehouse, supplier }, lines, [learnt]] = await Promise.all([contextOf(ctx, po), linesOf(ctx.database.db, po.id), learntLeadTimes(ctx, [po.supplierId])]);
  return transact(ctx, async (tx, events) => {
    const now = ctx.clock.now();
    const expectedAt = po.expectedAt ?? new Date(now.getTime() + Math.round(plannedLeadTimeDays(supplier, learnt) * DAY_MS));
    // The conditional status update first: a concurrent send or cancel makes it fail before anything is announced.
    const row = await transition(tx, events, purchaseOrderLifecycle, po, 'SENT', {
      at: now,
      message: `Sent to ${supplier.code}`,
      set: { sentAt: now, expectedAt },
      payload: eventPayload(warehouse, supplier),
    });
    await announceInbound(tx, events, warehouse, { reference: po.number, expectedAt, lines: lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity - l.receivedQuantity })) });
    return row;
  });
}

/**
 * Calls an order off (→ CANCELLED) from DRAFT, SENT or PARTIALLY_RECEIVED. When it was sent, what
 * is still open leaves the warehouse's `incoming`; what was received stays on hand.
 * Errors: NOT_FOUND, INVALID_STATE_TRANSITION.
 */
export async function cancelPurchaseOrder(ctx: ServiceContext, input: { id: string | null }): Promise<PurchaseOrderRow> {
  requireInventoryWrite(ctx);
  const po = await requirePurchaseOrder(ctx, input.id);
  refuseUnless(po, 'CANCELLED', 'cancelled', 'DRAFT, SENT or PARTIALLY_RECEIVED');
  const { warehouse, supplier } = await contextOf(ctx, po);
  return transact(ctx, async (tx, events) => {
    const current = await lockOrder(tx, po.id);
    refuseUnless(current, 'CANCELLED', 'cancelled', 'DRAFT, SENT or PARTIALLY_RECEIVED');
    let withdrawn = 0;
    if (current.status !== 'DRAFT') for (const n of (await withdrawInbound(tx, events, warehouse, po.number)).values()) withdrawn += n;
    return transition(tx, events, purchaseOrderLifecycle, current, 'CANCELLED', {
      at: ctx.clock.now(),
      message: current.status === 'DRAFT' ? 'Cancelled' : `Cancelled; ${withdrawn} open unit(s) no longer incoming`,
      payload: eventPayload(warehouse, supplier),
    });
  });
}

export interface PurchaseOrderReceiveInput {
  id: string | null;
  /** As scanned: a SKU, or a GTIN in any of its forms. */
  lines: readonly { barcode: string; quantity: number }[];
  /** Barcode of the bin to receive into; by putaway when null. */
  binCode?: string | null;
}

/**
 * Receives units of a SENT or PARTIALLY_RECEIVED order at its warehouse, through the inventory
 * module's one receiving path: into the bin given, else by putaway; RECEIPT movements with the
 * order's number as reference; `incoming` falls by what arrived. The order becomes
 * PARTIALLY_RECEIVED, or RECEIVED (receivedAt set) when every unit arrived. Receipts of one order
 * take turns (row lock), and each line's received quantity only grows under `received + n <=
 * quantity`, so concurrent receipts never over-receive. Errors (nothing written): NOT_FOUND (order,
 * bin), INVALID, INVALID_BARCODE, NOT_ON_ORDER, OVER_RECEIPT, BIN_FULL, NO_BIN_AVAILABLE,
 * INVALID_STATE_TRANSITION.
 */
export async function receivePurchaseOrder(ctx: ServiceContext, input: PurchaseOrderReceiveInput): Promise<PurchaseOrderRow> {
  requireInventoryWrite(ctx);
  const po = await requirePurchaseOrder(ctx, input.id);
  refuseUnless(po, 'RECEIVED', 'received', 'SENT or PARTIALLY_RECEIVED');
  const e = new ErrorList();
  if (!input.lines.length) e.add('INVALID', 'Receive at least one line.', ['input', 'lines']);
  if (input.lines.length > MAX_RECEIVE_LINES) e.add('INVALID', `At most ${MAX_RECEIVE_LINES} lines per call.`, ['input', 'lines']);
  input.lines.forEach((l, i) => {
    const code = l.barcode.trim();
    if (!code || code.length > 128) e.add('INVALID', 'A barcode is 1 to 128 characters.', ['input', 'lines', i, 'barcode']);
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY) e.add('INVALID', 'Quantity must be a whole number from 1 to 1,000,000.', ['input', 'lines', i, 'quantity']);
  });
  e.throwIfAny();
  const [{ warehouse, supplier }, poLines] = await Promise.all([contextOf(ctx, po), linesOf(ctx.database.db, po.id)]);
  const variants = await variantsByIds(ctx, poLines.map((l) => l.variantId));
  const bySku = new Map(variants.map((v) => [v.sku, v]));
  const byGtin = new Map(variants.flatMap((v) => (v.gtin ? [[normalizeGtin(v.gtin), v] as const] : [])));
  const lineByVariant = new Map(poLines.map((l) => [l.variantId, l]));
  // Units per variant, with the index of the input line that takes each past what is open.
  const arriving = new Map<string, { variant: VariantRow; quantity: number; index: number }>();
  input.lines.forEach((l, i) => {
    const code = l.barcode.trim();
    const field = ['input', 'lines', i, 'barcode'];
    const v = bySku.get(code) ?? (/^\d{8,14}$/.test(code) && isValidGtin(code) ? byGtin.get(normalizeGtin(code)) : undefined);
    if (!v) {
      if (/^\d{8,14}$/.test(code) && !isValidGtin(code)) e.add('INVALID_BARCODE', `"${code}" is not a valid GTIN (check digit).`, field);
      else e.add('NOT_ON_ORDER', `${code} is not a product of purchase order ${po.number}.`, field);
      return;
    }
    const a = arriving.get(v.id) ?? { variant: v, quantity: 0, index: i };
    a.quantity += l.quantity;
    const line = lineByVariant.get(v.id)!;
    const open = line.quantity - line.receivedQuantity;
    if (a.quantity > open && a.quantity - l.quantity <= open) {
      e.add('OVER_RECEIPT', `${v.sku}: purchase order ${po.number} expects ${open === 0 ? 'no more units' : `only ${open} more`} of it; this makes ${a.quantity}.`, ['input', 'lines', i, 'quantity']);
    }
    arriving.set(v.id, a);
  });
  e.throwIfAny();
  const bin = input.binCode != null ? await requireReceivingBin(ctx, warehouse, input.binCode, ['input', 'binCode']) : null;
  const units = [...arriving.values()];
  const total = units.reduce((s, u) => s + u.quantity, 0);
  return transact(ctx, async (tx, events) => {
    const current = await lockOrder(tx, po.id);
    refuseUnless(current, 'RECEIVED', 'received', 'SENT or PARTIALLY_RECEIVED');
    for (const u of [...units].sort((a, b) => (lineByVariant.get(a.variant.id)!.id < lineByVariant.get(b.variant.id)!.id ? -1 : 1))) {
      const line = lineByVariant.get(u.variant.id)!;
      const updated = await tx
        .update(purchaseOrderLines)
        .set({ receivedQuantity: sql`${purchaseOrderLines.receivedQuantity} + ${u.quantity}` })
        .where(and(eq(purchaseOrderLines.id, line.id), sql`${purchaseOrderLines.receivedQuantity} + ${u.quantity} <= ${purchaseOrderLines.quantity}`))
        .returning({ id: purchaseOrderLines.id });
      if (!updated.length) {
        throw BusinessError.of('OVER_RECEIPT', `${u.variant.sku}: units of purchase order ${po.number} were received meanwhile; fewer are still expected.`, ['input', 'lines', String(u.index), 'quantity']);
      }
    }
    await receiveInto(ctx, tx, events, warehouse, { bin, reference: po.number, lines: units }).catch((err: unknown) => {
      throw renameField(err, 'binBarcode', 'binCode');
    });
    const after = await linesOf(tx, po.id);
    const complete = after.every((l) => l.receivedQuantity >= l.quantity);
    const now = ctx.clock.now();
    const payload = eventPayload(warehouse, supplier);
    const where = bin ? `into ${bin.code}` : `at ${warehouse.code}`;
    if (complete) {
      const units = after.reduce((s, l) => s + l.quantity, 0);
      return transition(tx, events, purchaseOrderLifecycle, current, 'RECEIVED', { at: now, message: `Received ${total} unit(s) ${where}; all ${units} arrived`, set: { receivedAt: now }, payload });
    }
    if (current.status === 'SENT') {
      return transition(tx, events, purchaseOrderLifecycle, current, 'PARTIALLY_RECEIVED', { at: now, message: `Received ${total} unit(s) ${where}`, payload });
    }
    return current;
  });
}

/** A BusinessError from a shared building block with one input field renamed to this API's name. */
function renameField(err: unknown, from: string, to: string): unknown {
  if (!(err instanceof BusinessError)) return err;
  return new BusinessError(err.errors.map((x) => ({ ...x, field: x.field?.map((f) => (f === from ? to : f)) ?? null })));
}
