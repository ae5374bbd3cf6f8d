/**
 * Batch picking: one walk through the warehouse for several open fulfillment orders, lines merged
 * per bin and SKU and sorted by the bins' pickSequence; scans are checked against the list and
 * every pick is a PICK movement (bin -> picked staging) in the same transaction.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { transact } from '../../events/outbox.js';
import { AccessError, BusinessError, ErrorList } from '../../shared/errors.js';
import { begin, transition, transitionMany } from '../../shared/lifecycle.js';
import { isValidGtin, normalizeGtin } from '../../shared/gs1.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsByGtins, variantsByIds } from '../catalog/catalog.service.js';
import { pickableStock } from '../inventory/availability.service.js';
import { pickFromBin } from '../inventory/ledger.service.js';
import { binByBarcode, mayTouchWarehouseId, requireObjectWarehouse, requireWarehouseAccess } from '../warehouse/warehouse.service.js';
import { transitionOrder } from './order.service.js';
import { fulfillmentOrderLifecycle, isTransitionRefusal, pickListLifecycle } from './order.state.js';
import { fulfillmentLines, fulfillmentOrders, orders, pickListLines, pickListOrders, pickLists } from './order.table.js';
import { recordRefusedScans, recordScans, REFUSED_PICK_SCAN_CODES, type WarehouseScanInsert } from './scans.service.js';

export type PickListRow = typeof pickLists.$inferSelect;
export type PickListLineRow = typeof pickListLines.$inferSelect;

interface BinOption {
  binId: string;
  quantity: number;
  distanceRank: number;
  pickSequence: number;
}

/**
 * Which bins to take `need` units from: the nearest single bin that holds them all if there is
 * one; otherwise the fewest bins (largest first, nearest on ties). Pure.
 */
export function chooseBins(need: number, options: readonly BinOption[]): { binId: string; quantity: number; pickSequence: number }[] {
  const nearest = (a: BinOption, b: BinOption) => a.distanceRank - b.distanceRank || a.pickSequence - b.pickSequence;
  const single = [...options].filter((o) => o.quantity >= need).sort(nearest)[0];
  if (single) return [{ binId: single.binId, quantity: need, pickSequence: single.pickSequence }];
  const out: { binId: string; quantity: number; pickSequence: number }[] = [];
  let left = need;
  for (const o of [...options].sort((a, b) => b.quantity - a.quantity || nearest(a, b))) {
    if (left <= 0) break;
    const take = Math.min(left, o.quantity);
    out.push({ binId: o.binId, quantity: take, pickSequence: o.pickSequence });
    left -= take;
  }
  return left > 0 ? [] : out;
}

function requireFulfillmentWrite(ctx: ServiceContext) {
  if (!hasScope(ctx.principal, 'write_fulfillment')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope write_fulfillment.');
}

/**
 * Batches up to `maxOrders` open fulfillment orders of a warehouse (oldest first) into one pick
 * list. Errors: NOT_FOUND (warehouse), INVALID (maxOrders), NOTHING_TO_PICK, INSUFFICIENT_STOCK (bins
 * hold less than allocated).
 */
export async function createPickList(ctx: ServiceContext, input: { warehouseCode: string; maxOrders?: number | null }): Promise<PickListRow> {
  requireFulfillmentWrite(ctx);
  const max = input.maxOrders ?? 10;
  if (!Number.isInteger(max) || max < 1 || max > 200) throw BusinessError.of('INVALID', 'maxOrders must be 1 to 200.', ['input', 'maxOrders']);
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  return transact(ctx, async (tx, events) => {
    // Concurrent pickers get different orders: the rows are claimed, not shared.
    const fos = await tx
      .select()
      .from(fulfillmentOrders)
      .where(and(eq(fulfillmentOrders.warehouseId, warehouse.id), eq(fulfillmentOrders.status, 'OPEN')))
      .orderBy(asc(fulfillmentOrders.id))
      .limit(max)
      .for('update', { skipLocked: true });
    if (!fos.length) throw BusinessError.of('NOTHING_TO_PICK', `No open fulfillment orders in ${warehouse.code}.`, ['input', 'warehouseCode']);
    const lines = await tx.select().from(fulfillmentLines).where(inArray(fulfillmentLines.fulfillmentOrderId, fos.map((f) => f.id)));
    const need = new Map<string, number>();
    for (const l of lines) need.set(l.variantId, (need.get(l.variantId) ?? 0) + l.quantity - l.pickedQuantity);
    const stock = await pickableStock(ctx, tx, warehouse.id, [...need.keys()]);
    const now = ctx.clock.now();
    const [list] = await tx.insert(pickLists).values({ warehouseId: warehouse.id, createdBy: ctx.principal.name, status: 'OPEN', lastSequence: 1 }).returning();
    await begin(tx, events, pickListLifecycle, [list!], { at: now, message: `${fos.length} fulfillment order${fos.length === 1 ? '' : 's'} to pick in ${warehouse.code}` });
    await tx.insert(pickListOrders).values(fos.map((f) => ({ pickListId: list!.id, fulfillmentOrderId: f.id })));
    const rows: (typeof pickListLines.$inferInsert)[] = [];
    for (const [variantId, qty] of need) {
      if (qty <= 0) continue;
      const options = stock
        .filter((s) => s.variantId === variantId && !['RECEIVING', 'DISPATCH', 'RETURNS'].includes(s.slot.zoneKind))
        .map((s) => ({ binId: s.binId, quantity: s.quantity, distanceRank: s.slot.distanceRank, pickSequence: s.slot.pickSequence }));
      const chosen = chooseBins(qty, options);
      if (!chosen.length) {
        throw BusinessError.of('INSUFFICIENT_STOCK', `The bins of ${warehouse.code} hold fewer units than allocated for a variant (${qty} needed); count or move stock first.`, ['input']);
      }
      for (const c of chosen) rows.push({ pickListId: list!.id, binId: c.binId, variantId, quantity: c.quantity, pickSequence: c.pickSequence });
    }
    rows.sort((a, b) => a.pickSequence - b.pickSequence);
    await tx.insert(pickListLines).values(rows);
    await transitionMany(tx, events, fulfillmentOrderLifecycle, fos, 'PICKING', { at: now, message: `On a pick list in ${warehouse.code}` });
    const orderRows = await tx.select().from(orders).where(inArray(orders.id, [...new Set(fos.map((f) => f.orderId))])).for('update');
    for (const o of orderRows) if (o.status === 'ALLOCATED') await transitionOrder(ctx, tx, events, o, 'PICKING', `Picking in ${warehouse.code}`, [warehouse.code]);
    return list!;
  });
}

/**
 * Records a scan during picking: the bin and the item must be on the list, and not already picked
 * in full. Errors: NOT_FOUND, WRONG_BIN_SCANNED, WRONG_ITEM_SCANNED, INVALID_BARCODE, OVER_PICK, INVALID.
 */
export async function scanPick(
  ctx: ServiceContext,
  input: { pickListId: string; binBarcode: string; itemBarcode: string; quantity?: number | null },
): Promise<PickListRow> {
  requireFulfillmentWrite(ctx);
  const qty = input.quantity ?? 1;
  if (!Number.isInteger(qty) || qty < 1 || qty > 10_000) throw BusinessError.of('INVALID', 'Quantity must be 1 to 10,000.', ['input', 'quantity']);
  const db = ctx.database.db;
  const noList = () => BusinessError.of('NOT_FOUND', 'No such pick list.', ['input', 'pickListId']);
  const [list] = await db.select().from(pickLists).where(eq(pickLists.id, input.pickListId));
  if (!list) throw noList();
  // Another warehouse's list answers exactly as a list that does not exist.
  const warehouse = await requireObjectWarehouse(ctx, list.warehouseId, noList);
  const complete = () => BusinessError.of('INVALID_STATE_TRANSITION', 'This pick list is complete.', ['input', 'pickListId']);
  if (list.status !== 'OPEN') throw complete();
  const scan = { warehouseId: warehouse.id, kind: 'PICK' as const, pickListId: list.id, binBarcode: input.binBarcode.trim().toUpperCase(), itemBarcode: input.itemBarcode.trim(), quantity: qty };
  try {
    return await scanPickChecked(ctx, input, qty, list, warehouse, scan);
  } catch (err) {
    // A refused scan is still a scan: logged (unmatched) in its own insert after the refusal rolled
    // back; the list, the stock and the fulfillment orders stay as they were.
    const code = err instanceof BusinessError ? err.errors[0]?.code : undefined;
    if (code && REFUSED_PICK_SCAN_CODES.has(code)) {
      const variantId = isValidGtin(scan.itemBarcode)
        ? await variantsByGtins(ctx, [scan.itemBarcode]).then((m) => m.get(normalizeGtin(scan.itemBarcode))?.id ?? null, () => null)
        : null;
      await recordRefusedScans(ctx, [{ ...scan, variantId, matched: false, errorCode: code }]);
    }
    throw err;
  }
}

async function scanPickChecked(
  ctx: ServiceContext,
  input: { binBarcode: string; itemBarcode: string },
  qty: number,
  list: PickListRow,
  warehouse: Awaited<ReturnType<typeof requireObjectWarehouse>>,
  scan: Omit<WarehouseScanInsert, 'variantId' | 'matched' | 'errorCode'>,
): Promise<PickListRow> {
  const db = ctx.database.db;
  const complete = () => BusinessError.of('INVALID_STATE_TRANSITION', 'This pick list is complete.', ['input', 'pickListId']);
  const bin = await binByBarcode(ctx, list.warehouseId, input.binBarcode.trim().toUpperCase());
  const lines = await db.select().from(pickListLines).where(eq(pickListLines.pickListId, list.id));
  const open = lines.filter((l) => l.pickedQuantity < l.quantity);
  if (!bin || !open.some((l) => l.binId === bin.id)) {
    throw BusinessError.of('WRONG_BIN_SCANNED', `Bin ${input.binBarcode} has nothing left to pick on this list.`, ['input', 'binBarcode']);
  }
  const code = input.itemBarcode.trim();
  if (!isValidGtin(code)) throw BusinessError.of('INVALID_BARCODE', `"${code}" is not a valid GTIN (check digit).`, ['input', 'itemBarcode']);
  const variant = (await variantsByGtins(ctx, [code])).get(normalizeGtin(code));
  const line = variant && open.find((l) => l.binId === bin.id && l.variantId === variant.id);
  if (!line) throw BusinessError.of('WRONG_ITEM_SCANNED', `This item is not to be picked from ${bin.code}.`, ['input', 'itemBarcode']);
  if (qty > line.quantity - line.pickedQuantity) {
    throw BusinessError.of('OVER_PICK', `Only ${line.quantity - line.pickedQuantity} more of this item are to be picked here.`, ['input', 'quantity']);
  }
  return transact(ctx, async (tx, events) => {
    // Scans of one list take turns (the list row lock): each then sees the others' picks, so the
    // scan that picks the last unit of a fulfillment order or of the list is the one that moves it.
    const [current] = await tx.select().from(pickLists).where(eq(pickLists.id, list.id)).for('update');
    if (current!.status !== 'OPEN') throw complete();
    const [updated] = await tx
      .update(pickListLines)
      .set({ pickedQuantity: sql`${pickListLines.pickedQuantity} + ${qty}` })
      .where(and(eq(pickListLines.id, line.id), sql`${pickListLines.pickedQuantity} + ${qty} <= ${pickListLines.quantity}`))
      .returning();
    if (!updated) throw BusinessError.of('OVER_PICK', 'Already picked meanwhile.', ['input', 'quantity']);
    await pickFromBin(ctx, tx, events, warehouse, { binId: bin.id, variantId: line.variantId, quantity: qty, reference: `pick:${list.id}` }, ['input', 'quantity']);
    await recordScans(ctx, tx, [{ ...scan, variantId: line.variantId, matched: true, errorCode: null }], ctx.clock.now());
    // Credit the picked units to the fulfillment lines of this list, oldest order first.
    const foIds = (await tx.select({ id: pickListOrders.fulfillmentOrderId }).from(pickListOrders).where(eq(pickListOrders.pickListId, list.id))).map((r) => r.id);
    // Only parts still being picked take units (a cancelled one's lines left the list with it: order.unstage.ts).
    const picking = (await tx.select({ id: fulfillmentOrders.id }).from(fulfillmentOrders).where(and(inArray(fulfillmentOrders.id, foIds), eq(fulfillmentOrders.status, 'PICKING')))).map((r) => r.id);
    const fls = await tx
      .select()
      .from(fulfillmentLines)
      .where(and(inArray(fulfillmentLines.fulfillmentOrderId, picking), eq(fulfillmentLines.variantId, line.variantId)))
      .orderBy(asc(fulfillmentLines.fulfillmentOrderId), asc(fulfillmentLines.id))
      .for('update');
    let left = qty;
    for (const fl of fls) {
      const take = Math.min(left, fl.quantity - fl.pickedQuantity);
      if (take <= 0) continue;
      await tx.update(fulfillmentLines).set({ pickedQuantity: fl.pickedQuantity + take }).where(eq(fulfillmentLines.id, fl.id));
      left -= take;
      if (!left) break;
    }
    // Every unit picked belongs to a part being picked; more would sit in staging for no order.
    if (left > 0) throw BusinessError.of('OVER_PICK', `Only ${qty - left} more of this item are needed by the orders on this list.`, ['input', 'quantity']);
    // Fulfillment orders picked in full move to PICKED; the list completes with its last line.
    const now = ctx.clock.now();
    const picked = await tx
      .select()
      .from(fulfillmentOrders)
      .where(
        and(
          inArray(fulfillmentOrders.id, foIds),
          eq(fulfillmentOrders.status, 'PICKING'),
          sql`not exists (select 1 from ${fulfillmentLines} where ${fulfillmentLines.fulfillmentOrderId} = ${fulfillmentOrders.id} and ${fulfillmentLines.pickedQuantity} < ${fulfillmentLines.quantity})`,
        ),
      );
    await transitionMany(tx, events, fulfillmentOrderLifecycle, picked, 'PICKED', { at: now, message: 'Every unit picked' });
    const remaining = await tx.select({ id: pickListLines.id }).from(pickListLines).where(and(eq(pickListLines.pickListId, list.id), sql`${pickListLines.pickedQuantity} < ${pickListLines.quantity}`));
    if (!remaining.length) return transition(tx, events, pickListLifecycle, current!, 'COMPLETED', { at: now, message: 'Every line picked', set: { completedAt: now } });
    return current!;
  });
}

export async function pickListById(ctx: ServiceContext, id: string): Promise<PickListRow | null> {
  if (!hasScope(ctx.principal, 'read_fulfillment')) return null;
  const [row] = await ctx.database.db.select().from(pickLists).where(eq(pickLists.id, id));
  if (!row) return null;
  return (await mayTouchWarehouseId(ctx, row.warehouseId)) ? row : null;
}

export async function pickListLinesOf(ctx: ServiceContext, ids: readonly string[]): Promise<PickListLineRow[]> {
  return ctx.database.db.select().from(pickListLines).where(inArray(pickListLines.pickListId, [...ids])).orderBy(asc(pickListLines.pickSequence), asc(pickListLines.id));
}

export async function pickListOrdersOf(ctx: ServiceContext, ids: readonly string[]) {
  return ctx.database.db
    .select({ pickListId: pickListOrders.pickListId, fo: fulfillmentOrders })
    .from(pickListOrders)
    .innerJoin(fulfillmentOrders, eq(fulfillmentOrders.id, pickListOrders.fulfillmentOrderId))
    .where(inArray(pickListOrders.pickListId, [...ids]));
}


export interface PackInput {
  fulfillmentOrderId: string;
  scannedBarcodes: string[];
  weightGrams: number;
  dimensions: { lengthMm: number; widthMm: number; heightMm: number };
}

/**
 * Verifies a parcel by scan: the scanned units must equal the picked lines as a multiset. Exact
 * match -> PACKED with weight and dimensions (and the order PACKED when all its parts are);
 * otherwise PACK_MISMATCH naming what is missing and what is extra, and nothing changes.
 * Errors: NOT_FOUND, INVALID, INVALID_BARCODE, INVALID_STATE_TRANSITION, PACK_MISMATCH.
 */
export async function packFulfillmentOrder(ctx: ServiceContext, input: PackInput): Promise<typeof fulfillmentOrders.$inferSelect> {
  requireFulfillmentWrite(ctx);
  const e = new ErrorList();
  if (!Number.isInteger(input.weightGrams) || input.weightGrams <= 0 || input.weightGrams > 1_000_000) e.add('INVALID', 'Weight must be 1 to 1,000,000 grams.', ['input', 'weightGrams']);
  for (const k of ['lengthMm', 'widthMm', 'heightMm'] as const) {
    const d = input.dimensions[k];
    if (!Number.isInteger(d) || d <= 0 || d > 10_000) e.add('INVALID', 'Dimensions are 1 to 10,000 mm.', ['input', 'dimensions', k]);
  }
  input.scannedBarcodes.forEach((b, i) => {
    if (!isValidGtin(b.trim())) e.add('INVALID_BARCODE', `"${b}" is not a valid GTIN (check digit).`, ['input', 'scannedBarcodes', String(i)]);
  });
  e.throwIfAny();
  const db = ctx.database.db;
  const noFo = () => BusinessError.of('NOT_FOUND', 'No such fulfillment order.', ['input', 'fulfillmentOrderId']);
  const [fo] = await db.select().from(fulfillmentOrders).where(eq(fulfillmentOrders.id, input.fulfillmentOrderId));
  if (!fo) throw noFo();
  // Another warehouse's fulfillment order answers exactly as one that does not exist.
  const warehouse = await requireObjectWarehouse(ctx, fo.warehouseId, noFo);
  if (fo.status !== 'PICKED') throw BusinessError.of('INVALID_STATE_TRANSITION', `A fulfillment order in status ${fo.status} cannot be packed; it must be PICKED.`, ['input', 'fulfillmentOrderId']);
  const lines = await db.select().from(fulfillmentLines).where(eq(fulfillmentLines.fulfillmentOrderId, fo.id));
  const byGtin = await variantsByGtins(ctx, input.scannedBarcodes.map((b) => b.trim()));
  const expected = new Map<string, number>();
  for (const l of lines) expected.set(l.variantId, (expected.get(l.variantId) ?? 0) + l.pickedQuantity);
  const scanned = new Map<string, number>();
  for (const b of input.scannedBarcodes) {
    const key = byGtin.get(normalizeGtin(b.trim()))?.id ?? `gtin:${b.trim()}`;
    scanned.set(key, (scanned.get(key) ?? 0) + 1);
  }
  const mismatch = new ErrorList();
  const skuOf = async (variantId: string) => (await variantsByIds(ctx, [variantId]))[0]?.sku ?? variantId;
  for (const [v, n] of expected) {
    const got = scanned.get(v) ?? 0;
    if (got < n) mismatch.add('PACK_MISMATCH', `Missing ${n - got} × ${await skuOf(v)}.`, ['input', 'scannedBarcodes']);
  }
  for (const [v, n] of scanned) {
    const want = expected.get(v) ?? 0;
    if (n > want) mismatch.add('PACK_MISMATCH', `Extra ${n - want} × ${v.startsWith('gtin:') ? v.slice(5) : await skuOf(v)}.`, ['input', 'scannedBarcodes']);
  }
  // One scan per barcode: the first n of a variant expected n times match, the rest (and barcodes
  // of no expected variant) do not. A refused verification logs its scans on their own (nothing
  // else is written); an accepted one logs them in its transaction.
  const used = new Map<string, number>();
  const scans: WarehouseScanInsert[] = input.scannedBarcodes.map((b) => {
    const code = b.trim();
    const variant = byGtin.get(normalizeGtin(code));
    const key = variant?.id ?? `gtin:${code}`;
    const n = (used.get(key) ?? 0) + 1;
    used.set(key, n);
    const matched = n <= (expected.get(key) ?? 0);
    return { warehouseId: warehouse.id, kind: 'PACK', fulfillmentOrderId: fo.id, variantId: variant?.id ?? null, itemBarcode: code, quantity: 1, matched, errorCode: matched ? null : 'PACK_MISMATCH' };
  });
  if (mismatch.errors.length) {
    await recordRefusedScans(ctx, scans);
    mismatch.throwIfAny();
  }
  return transact(ctx, async (tx, events) => {
    const now = ctx.clock.now();
    await recordScans(ctx, tx, scans, now);
    const packed = await transition(tx, events, fulfillmentOrderLifecycle, { id: fo.id, status: 'PICKED' }, 'PACKED', {
      at: now,
      message: `Packed: ${input.weightGrams} g`,
      set: {
        packedWeightGrams: input.weightGrams,
        packedLengthMm: input.dimensions.lengthMm,
        packedWidthMm: input.dimensions.widthMm,
        packedHeightMm: input.dimensions.heightMm,
        packedAt: now,
      },
    }).catch((err: unknown) => {
      throw isTransitionRefusal(err) ? BusinessError.of('INVALID_STATE_TRANSITION', 'The fulfillment order changed meanwhile.', ['input', 'fulfillmentOrderId']) : err;
    });
    const siblings = await tx.select().from(fulfillmentOrders).where(eq(fulfillmentOrders.orderId, fo.orderId));
    if (siblings.every((s) => ['PACKED', 'SHIPPED', 'CANCELLED'].includes(s.status))) {
      const [order] = await tx.select().from(orders).where(eq(orders.id, fo.orderId)).for('update');
      if (order && order.status === 'PICKING') await transitionOrder(ctx, tx, events, order, 'PACKED', 'All parcels packed', [warehouse.code]);
    }
    return packed;
  });
}
