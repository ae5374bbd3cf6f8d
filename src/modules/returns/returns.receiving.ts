/**
 * The warehouse half of a return: receiving the parcel by scan, inspection with a disposition per
 * unit. Units scanned in go into a bin of the warehouse's RETURNS zone (on hand, never
 * available); inspection moves them on through the stock ledger (restock by putaway, write-off,
 * or kept in the RETURNS zone for repair or the vendor). The refund is in returns.refunding.ts
 * (re-exported here with the other two warehouse operations).
 * Every status change goes through the lifecycle kernel with `returnLifecycle`, in the same
 * transaction as the ledger movements.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { transact } from '../../events/outbox.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { isValidGtin, normalizeGtin } from '../../shared/gs1.js';
import { transition } from '../../shared/lifecycle.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsByGtins, variantsByIds, variantsBySkus, type VariantRow } from '../catalog/catalog.service.js';
import { disposeReturnedUnits, hasReturnsBin, receiveReturnedUnits, type ReturnedUnitsDisposition } from '../inventory/ledger.service.js';
import { requireWarehouseAccess, warehousesByIds, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { refuseUnless, requireReturn, requireReturnsWrite } from './returns.access.js';
import { returnLifecycle, type ReturnRow } from './returns.state.js';
import { returnLineDispositions, returnLines, returnRequests, type ReturnDispositionValue } from './returns.table.js';

export { refundReturn, type RefundReturnInput } from './returns.refunding.js';

export type ReturnLineRow = typeof returnLines.$inferSelect;

const MAX_SCANS = 10_000;

const linesOf = (tx: Executor, returnId: string) => tx.select().from(returnLines).where(eq(returnLines.returnRequestId, returnId)).orderBy(asc(returnLines.position));

const openOf = (l: ReturnLineRow) => l.quantity - l.receivedQuantity - l.missingQuantity;

// ---------------------------------------------------------------------------------------------
// Receiving

export interface ReceiveReturnInput {
  id: string;
  warehouseCode: string;
  scannedBarcodes: readonly string[];
  closeReceipt?: boolean | null;
}

/**
 * The product of each scanned code: a SKU first (the labels some merchants print), else a GTIN in
 * any of its forms (as the pack check and the handhelds read them). Unknown codes are absent.
 */
async function variantsOfScans(ctx: ServiceContext, codes: readonly string[]): Promise<Map<string, VariantRow>> {
  const distinct = [...new Set(codes)];
  const bySku = new Map((await variantsBySkus(ctx, distinct)).map((v) => [v.sku, v]));
  const gtins = distinct.filter((c) => !bySku.has(c) && /^\d{8,14}$/.test(c) && isValidGtin(c));
  const byGtin = await variantsByGtins(ctx, gtins);
  const out = new Map<string, VariantRow>();
  for (const c of distinct) {
    const v = bySku.get(c) ?? (gtins.includes(c) ? byGtin.get(normalizeGtin(c)) : undefined);
    if (v) out.set(c, v);
  }
  return out;
}

/**
 * Scans the units of a parcel in at a warehouse with a RETURNS zone. The scans must fit the
 * return's open units (requested − received − missing) as a multiset: a unit that is not in the
 * return, or one unit of a SKU more than is still expected, is WRONG_ITEM_SCANNED naming the
 * barcode, and nothing is received. Units go into a RETURNS bin (RECEIPT movements, not
 * available); the lines' receivedQuantity grows. Once every unit has arrived, or when
 * `closeReceipt`, the return becomes RECEIVED (the missing units recorded on its lines).
 * Errors: NOT_FOUND, INVALID, INVALID_BARCODE, WRONG_ITEM_SCANNED, NO_RETURNS_ZONE,
 * NO_BIN_AVAILABLE, INVALID_STATE_TRANSITION (not APPROVED).
 */
export async function receiveReturn(ctx: ServiceContext, input: ReceiveReturnInput): Promise<ReturnRow> {
  requireReturnsWrite(ctx);
  const warehouse = await requireWarehouseAccess(ctx, input.warehouseCode, 'write');
  const ret = await requireReturn(ctx, input.id);
  refuseUnless(ret, 'RECEIVED', 'received', 'APPROVED');
  const codes = input.scannedBarcodes.map((b) => b.trim());
  const errors = new ErrorList();
  if (!codes.length && !input.closeReceipt) errors.add('INVALID', 'Scan at least one unit, or close the receipt.', ['input', 'scannedBarcodes']);
  if (codes.length > MAX_SCANS) errors.add('INVALID', `At most ${MAX_SCANS} units per call.`, ['input', 'scannedBarcodes']);
  codes.forEach((c, i) => {
    if (!c || c.length > 128) errors.add('INVALID', 'A barcode is 1 to 128 characters.', ['input', 'scannedBarcodes', i]);
  });
  errors.throwIfAny();
  if (!(await hasReturnsBin(ctx, warehouse.id))) {
    throw BusinessError.of('NO_RETURNS_ZONE', `Warehouse ${warehouse.code} has no bin in a RETURNS zone to receive returns into.`, ['input', 'warehouseCode']);
  }
  const variants = await variantsOfScans(ctx, codes);
  return transact(ctx, async (tx, events) => {
    // Receipts of one return take turns: each sees the units the other received.
    const [current] = await tx.select().from(returnRequests).where(eq(returnRequests.id, ret.id)).for('update');
    refuseUnless(current!, 'RECEIVED', 'received', 'APPROVED');
    const lines = await linesOf(tx, ret.id);
    const received = lines.some((l) => l.receivedQuantity > 0);
    if (received && current!.warehouseId && current!.warehouseId !== warehouse.id) {
      const [at] = await warehousesByIds(ctx, [current!.warehouseId], tx);
      throw BusinessError.of('INVALID', `Units of ${ret.number} were already received at ${at?.code ?? 'another warehouse'}; scan the rest in there.`, ['input', 'warehouseCode']);
    }
    const take = matchScans(ret.number, codes, variants, lines);
    const units = new Map<string, number>();
    for (const l of lines) if (take.get(l.id)) units.set(l.variantId, (units.get(l.variantId) ?? 0) + take.get(l.id)!);
    await receiveReturnedUnits(ctx, tx, events, warehouse, { reference: ret.number, units: [...units].map(([variantId, quantity]) => ({ variantId, quantity })) }, ['input', 'scannedBarcodes']);
    for (const l of lines) {
      const n = take.get(l.id) ?? 0;
      if (n) await tx.update(returnLines).set({ receivedQuantity: sql`${returnLines.receivedQuantity} + ${n}` }).where(eq(returnLines.id, l.id));
    }
    const open = lines.reduce((s, l) => s + openOf(l) - (take.get(l.id) ?? 0), 0);
    const at = ctx.clock.now();
    if (open > 0 && !input.closeReceipt) {
      if (current!.warehouseId !== warehouse.id) await tx.update(returnRequests).set({ warehouseId: warehouse.id }).where(eq(returnRequests.id, ret.id));
      return (await tx.select().from(returnRequests).where(eq(returnRequests.id, ret.id)))[0]!;
    }
    if (open > 0) {
      for (const l of lines) {
        const missing = openOf(l) - (take.get(l.id) ?? 0);
        if (missing > 0) await tx.update(returnLines).set({ missingQuantity: sql`${returnLines.missingQuantity} + ${missing}` }).where(eq(returnLines.id, l.id));
      }
    }
    const total = lines.reduce((s, l) => s + l.quantity, 0);
    return transition(tx, events, returnLifecycle, current!, 'RECEIVED', {
      at,
      message: open > 0 ? `Receipt closed at ${warehouse.code}: ${total - open} of ${total} units arrived, ${open} missing` : `Received at ${warehouse.code}: all ${total} units`,
      set: { receivedAt: at, warehouseId: warehouse.id },
      payload: { warehouseCode: warehouse.code },
    });
  });
}

/**
 * Matches scanned codes against the lines' open units (a multiset); returns units per line id.
 * Throws WRONG_ITEM_SCANNED (or INVALID_BARCODE for a GTIN with a bad check digit) for every
 * code that does not fit, with its index.
 */
function matchScans(number: string, codes: readonly string[], variants: Map<string, VariantRow>, lines: readonly ReturnLineRow[]): Map<string, number> {
  const open = new Map<string, number>();
  for (const l of lines) open.set(l.variantId, (open.get(l.variantId) ?? 0) + openOf(l));
  const errors = new ErrorList();
  const reported = new Set<string>();
  const scanned = new Map<string, number>();
  codes.forEach((code, i) => {
    const field = ['input', 'scannedBarcodes', i];
    const v = variants.get(code);
    const once = (key: string, add: () => void) => {
      if (!reported.has(key)) add();
      reported.add(key);
    };
    if (!v) {
      if (/^\d{8,14}$/.test(code) && !isValidGtin(code)) once(code, () => errors.add('INVALID_BARCODE', `"${code}" is not a valid GTIN (check digit).`, field));
      else once(code, () => errors.add('WRONG_ITEM_SCANNED', `${code} is not a product of return ${number}.`, field));
      return;
    }
    const n = (scanned.get(v.id) ?? 0) + 1;
    scanned.set(v.id, n);
    const expected = open.get(v.id);
    if (expected === undefined) once(v.id, () => errors.add('WRONG_ITEM_SCANNED', `${code} (${v.sku}) is not in return ${number}.`, field));
    else if (n > expected) {
      once(v.id, () => errors.add('WRONG_ITEM_SCANNED', `${code} (${v.sku}): return ${number} expects ${expected === 0 ? 'no more' : `only ${expected} more`} of it.`, field));
    }
  });
  errors.throwIfAny();
  const take = new Map<string, number>();
  for (const l of lines) {
    const left = scanned.get(l.variantId) ?? 0;
    const n = Math.min(left, openOf(l));
    if (n > 0) {
      take.set(l.id, n);
      scanned.set(l.variantId, left - n);
    }
  }
  return take;
}

// ---------------------------------------------------------------------------------------------
// Inspection

export interface InspectReturnInput {
  id: string;
  lines: readonly { returnLineId: string; disposition: ReturnDispositionValue; quantity: number }[];
}

/**
 * Gives every received unit of a RECEIVED return a disposition; per line the quantities add up
 * exactly to receivedQuantity. The ledger follows in the same transaction: RESTOCK puts units
 * back into sellable stock by putaway (RETURN_RESTOCK; available again, and backorders waiting
 * for the SKU are allocated from them), WRITE_OFF takes them out of on-hand, REFURBISH and
 * RETURN_TO_VENDOR keep them in the RETURNS zone (a MOVE within their bin records it). The
 * return becomes INSPECTED. Errors: NOT_FOUND, INVALID, QUANTITY_EXCEEDS_RECEIVED,
 * INSUFFICIENT_STOCK, NO_BIN_AVAILABLE, INVALID_STATE_TRANSITION (not RECEIVED).
 */
export async function inspectReturn(ctx: ServiceContext, input: InspectReturnInput): Promise<ReturnRow> {
  requireReturnsWrite(ctx);
  const ret = await requireReturn(ctx, input.id);
  refuseUnless(ret, 'INSPECTED', 'inspected', 'RECEIVED');
  const lines = await linesOf(ctx.database.db, ret.id);
  const byId = new Map(lines.map((l) => [l.id, l]));
  const errors = new ErrorList();
  const seen = new Set<string>();
  const given = new Map<string, number>();
  input.lines.forEach((l, i) => {
    const field = ['input', 'lines', i];
    if (!Number.isInteger(l.quantity) || l.quantity <= 0 || l.quantity > 1_000_000) errors.add('INVALID', 'Quantity must be a whole number of at least 1.', [...field, 'quantity']);
    const line = byId.get(l.returnLineId);
    if (!line) return errors.add('NOT_FOUND', `No line ${l.returnLineId} in return ${ret.number}.`, [...field, 'returnLineId']);
    const key = `${line.id}|${l.disposition}`;
    if (seen.has(key)) errors.add('INVALID', `Line ${line.position + 1} has ${l.disposition} twice; give each disposition once per line.`, field);
    seen.add(key);
    if (Number.isInteger(l.quantity) && l.quantity > 0) given.set(line.id, (given.get(line.id) ?? 0) + l.quantity);
  });
  errors.throwIfAny();
  for (const line of lines) {
    const n = given.get(line.id) ?? 0;
    const field = ['input', 'lines'];
    if (n > line.receivedQuantity) errors.add('QUANTITY_EXCEEDS_RECEIVED', `Line ${line.position + 1}: ${n} units given a disposition, only ${line.receivedQuantity} received.`, field);
    else if (n < line.receivedQuantity) errors.add('INVALID', `Line ${line.position + 1}: ${line.receivedQuantity} units received, ${n} given a disposition; every received unit needs one.`, field);
  }
  errors.throwIfAny();
  const warehouse = await returnWarehouse(ctx, ret);
  const variants = new Map((await variantsByIds(ctx, [...new Set(lines.map((l) => l.variantId))])).map((v) => [v.id, v]));
  return transact(ctx, async (tx, events) => {
    const at = ctx.clock.now();
    const count = (d: ReturnDispositionValue) => input.lines.filter((l) => l.disposition === d).reduce((s, l) => s + l.quantity, 0);
    const summary = (['RESTOCK', 'REFURBISH', 'WRITE_OFF', 'RETURN_TO_VENDOR'] as const).flatMap((d) => (count(d) ? [`${count(d)} ${d}`] : [])).join(', ');
    // The status change first: it takes the row lock, so a concurrent inspection of the same
    // return waits here and is then refused by the kernel before it writes anything.
    const inspected = await transition(tx, events, returnLifecycle, ret, 'INSPECTED', {
      at,
      message: `Inspected: ${summary || 'nothing was received'}`,
      set: { inspectedAt: at },
      payload: { warehouseCode: warehouse?.code ?? null },
    });
    if (!input.lines.length) return inspected;
    if (!warehouse) throw new Error(`return ${ret.number} has received units but no warehouse`);
    await tx.insert(returnLineDispositions).values(input.lines.map((l) => ({ returnLineId: l.returnLineId, disposition: l.disposition, quantity: l.quantity })));
    const moves: ReturnedUnitsDisposition[] = input.lines.map((l) => ({
      variant: variants.get(byId.get(l.returnLineId)!.variantId)!,
      quantity: l.quantity,
      action: l.disposition === 'RESTOCK' ? 'RESTOCK' : l.disposition === 'WRITE_OFF' ? 'WRITE_OFF' : 'KEEP',
      label: l.disposition,
    }));
    await disposeReturnedUnits(ctx, tx, events, warehouse, { reference: ret.number, dispositions: moves }, ['input', 'lines']);
    return inspected;
  });
}

/** The warehouse the return's units were received at (null when none arrived and none is set). */
async function returnWarehouse(ctx: ServiceContext, ret: ReturnRow): Promise<WarehouseRow | null> {
  if (!ret.warehouseId) return null;
  const [w] = await warehousesByIds(ctx, [ret.warehouseId]);
  return w ?? null;
}
