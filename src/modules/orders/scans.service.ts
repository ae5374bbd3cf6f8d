/**
 * The scan log of picking and packing (warehouse_scans): written by picking.service.ts for every
 * pick scan and every barcode of a pack verification, read by `warehouseScans` and by the KPIs
 * (pickAccuracy, unitsPickedPerHour).
 */
import { and, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { AccessError, BusinessError } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { listWarehouses, requireWarehouseAccess } from '../warehouse/warehouse.service.js';
import { warehouseScans } from './order.table.js';

export type WarehouseScanRow = typeof warehouseScans.$inferSelect;
export type WarehouseScanInsert = Omit<typeof warehouseScans.$inferInsert, 'id' | 'actor' | 'scannedAt'>;

/** The codes of a refused pick scan that are the picker's mistake (and so are logged as unmatched scans). */
export const REFUSED_PICK_SCAN_CODES: ReadonlySet<string> = new Set(['WRONG_BIN_SCANNED', 'WRONG_ITEM_SCANNED', 'INVALID_BARCODE', 'OVER_PICK']);

/** The actor of a scan: the caller's key name (as on inventory movements), never personal data. */
export const scanActor = (ctx: ServiceContext): string => ctx.principal.name ?? ctx.principal.kind;

/** Appends scans (all with the same actor and time) through `executor` (the caller's transaction, or the database for a refused scan). */
export async function recordScans(ctx: ServiceContext, executor: Executor, rows: readonly WarehouseScanInsert[], at: Date): Promise<void> {
  if (!rows.length) return;
  const actor = scanActor(ctx);
  await executor.insert(warehouseScans).values(rows.map((r) => ({ ...r, actor, scannedAt: at })));
}

/**
 * Logs refused scans (unmatched) on their own, after the refusal rolled back the caller's
 * transaction: best effort, because the caller's answer is the refusal (a userError the client
 * acts on), and a failure to write the log (the database briefly unreachable) must not replace it
 * with an internal error. A failure is logged as a warning (no barcode or actor: they are not needed
 * to notice it).
 */
export async function recordRefusedScans(ctx: ServiceContext, rows: readonly WarehouseScanInsert[]): Promise<void> {
  try {
    await recordScans(ctx, ctx.database.db, rows, ctx.clock.now());
  } catch (err) {
    ctx.log.warn({ err: err instanceof Error ? err.message : String(err), scans: rows.length, kind: rows[0]?.kind }, 'refused scans not logged');
  }
}

/**
 * The scans of a warehouse, newest first, optionally with scannedAt in [from, to) (read_fulfillment;
 * a PARTNER key restricted to warehouses sees only its own). An unknown or hidden warehouse has no scans.
 */
export async function listScans(
  ctx: ServiceContext,
  args: PageArgs & { warehouseCode: string; from?: Date | null; to?: Date | null },
): Promise<Page<WarehouseScanRow>> {
  if (ctx.principal.kind === 'CUSTOMER' || !hasScope(ctx.principal, 'read_fulfillment')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_fulfillment.');
  const warehouse = await requireWarehouseAccess(ctx, args.warehouseCode, 'read', ['warehouseCode']).catch((e: unknown) => {
    if (e instanceof BusinessError) return null;
    throw e;
  });
  if (!warehouse) return { items: [], hasNextPage: false, hasPreviousPage: false, totalCount: async () => 0 };
  const conds: SQL[] = [eq(warehouseScans.warehouseId, warehouse.id)];
  if (args.from) conds.push(gte(warehouseScans.scannedAt, args.from));
  if (args.to) conds.push(lt(warehouseScans.scannedAt, args.to));
  const filter = and(...conds);
  const plan = planPage(args, warehouseScans.id, filter);
  const db = ctx.database.db;
  const rows = await db.select().from(warehouseScans).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => db.$count(warehouseScans, filter));
}

/** One scan by id (node(id)): read_fulfillment, and only in a warehouse the caller may see; else null. */
export async function scanById(ctx: ServiceContext, id: string): Promise<WarehouseScanRow | null> {
  if (ctx.principal.kind === 'CUSTOMER' || !hasScope(ctx.principal, 'read_fulfillment')) return null;
  const [row] = await ctx.database.db.select().from(warehouseScans).where(eq(warehouseScans.id, id)).limit(1);
  if (!row) return null;
  const visible = await listWarehouses(ctx);
  return visible.some((w) => w.id === row.warehouseId) ? row : null;
}
