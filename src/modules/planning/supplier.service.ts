/**
 * Suppliers and what they sell: creation, the terms per variant (cost, pack size, minimum order,
 * preferred), and the reads purchasing and the replenishment run build on.
 *
 * Suppliers are store-wide (not tied to a warehouse): reading them needs read_inventory, managing
 * them write_inventory, and a PARTNER key restricted to warehouses may read them (its purchase
 * orders link to them) but not create or change them (FORBIDDEN), since a change would reach every
 * warehouse's purchasing.
 */
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { transact } from '../../events/outbox.js';
import { AccessError, BusinessError, ErrorList } from '../../shared/errors.js';
import { isCurrency, isMinorAmount, type Money } from '../../shared/money.js';
import { hasScope } from '../../shared/principal.js';
import { requireInventoryRead, requireInventoryWrite } from './planning.access.js';
export { requireInventoryRead, requireInventoryWrite };
import type { ServiceContext } from '../../shared/service-context.js';
import { isUniqueViolation, variantsBySkus, type VariantRow } from '../catalog/catalog.service.js';
import { learntLeadTimes, suppliersByIds, type LearntLeadTime, type SupplierRow } from './planning.reads.js';
import { supplierProducts, suppliers } from './planning.table.js';

export type { LearntLeadTime, SupplierRow };
export type SupplierProductRow = typeof supplierProducts.$inferSelect;

export const SUPPLIER_CODE_PATTERN = /^[A-Z0-9_-]{2,32}$/;
export const MAX_LEAD_TIME_DAYS = 365;

/** Managing suppliers: write_inventory, and not a key restricted to warehouses (suppliers serve every warehouse). */
function requireSupplierManager(ctx: Pick<ServiceContext, 'principal'>): void {
  requireInventoryWrite(ctx);
  if (ctx.principal.warehouseCodes) throw new AccessError('FORBIDDEN', 'Forbidden: a key restricted to warehouses may not create or change suppliers.');
}

/** Codes are stored upper case; input is trimmed and upper-cased before any check or lookup. */
export const normaliseSupplierCode = (code: string): string => code.trim().toUpperCase();

export interface SupplierCreateInput {
  code: string;
  name: string;
  currency: string;
  leadTimeDays: number;
}

/** Creates a supplier. Errors (nothing written): INVALID (code, name, lead time), INVALID_CURRENCY, CODE_TAKEN. */
export async function createSupplier(ctx: ServiceContext, input: SupplierCreateInput): Promise<SupplierRow> {
  requireSupplierManager(ctx);
  const code = normaliseSupplierCode(input.code);
  const name = input.name.trim();
  const e = new ErrorList();
  if (!SUPPLIER_CODE_PATTERN.test(code)) e.add('INVALID', 'Code is 2 to 32 characters of A-Z, 0-9, "_" and "-".', ['input', 'code']);
  if (!name || name.length > 200) e.add('INVALID', 'Name must be 1 to 200 characters.', ['input', 'name']);
  if (!isCurrency(input.currency)) e.add('INVALID_CURRENCY', `${input.currency} is not an ISO 4217 currency code (upper case, e.g. RUB).`, ['input', 'currency']);
  if (!Number.isInteger(input.leadTimeDays) || input.leadTimeDays < 0 || input.leadTimeDays > MAX_LEAD_TIME_DAYS) {
    e.add('INVALID', `leadTimeDays is a whole number from 0 to ${MAX_LEAD_TIME_DAYS}.`, ['input', 'leadTimeDays']);
  }
  e.throwIfAny();
  const taken = () => BusinessError.of('CODE_TAKEN', `A supplier with code ${code} already exists.`, ['input', 'code']);
  return transact(ctx, async (tx, events) => {
    const [row] = await tx
      .insert(suppliers)
      .values({ code, name, currency: input.currency, leadTimeDays: input.leadTimeDays, createdAt: ctx.clock.now() })
      .onConflictDoNothing({ target: suppliers.code })
      .returning();
    if (!row) throw taken();
    await events.emit({ topic: 'supplier.created', payload: { supplierId: row.id, code: row.code } });
    return row;
  }).catch((err: unknown) => {
    if (isUniqueViolation(err)) throw taken();
    throw err;
  });
}

export interface SupplierProductSetInput {
  supplierCode: string;
  sku: string;
  unitCost: Money;
  packSize?: number | null;
  minOrderQuantity?: number | null;
  preferred?: boolean | null;
}

/**
 * Creates or replaces the terms a supplier sells a variant on. `preferred` (default true) makes
 * every other supplier of the variant not preferred, in the same transaction. Errors (nothing
 * written): NOT_FOUND (supplier, SKU), INVALID (amount, pack size, minimum order), CURRENCY_MISMATCH.
 */
export async function setSupplierProduct(ctx: ServiceContext, input: SupplierProductSetInput): Promise<{ product: SupplierProductRow; supplier: SupplierRow }> {
  requireSupplierManager(ctx);
  const packSize = input.packSize ?? 1;
  const minOrderQuantity = input.minOrderQuantity ?? 1;
  const preferred = input.preferred ?? true;
  const e = new ErrorList();
  const cost = input.unitCost;
  if (!isMinorAmount(cost.amountMinor) || cost.amountMinor < 0 || cost.amountMinor > 2_147_483_647) {
    e.add('INVALID', 'unitCost.amountMinor is a whole number of minor units from 0 to 2,147,483,647.', ['input', 'unitCost', 'amountMinor']);
  }
  if (!Number.isInteger(packSize) || packSize < 1 || packSize > 1_000_000) e.add('INVALID', 'packSize is a whole number from 1 to 1,000,000.', ['input', 'packSize']);
  if (!Number.isInteger(minOrderQuantity) || minOrderQuantity < 1 || minOrderQuantity > 1_000_000) {
    e.add('INVALID', 'minOrderQuantity is a whole number from 1 to 1,000,000.', ['input', 'minOrderQuantity']);
  }
  const [supplier, [variant]] = await Promise.all([supplierByCode(ctx, input.supplierCode), variantsBySkus(ctx, [input.sku])]);
  if (!supplier) e.add('NOT_FOUND', `No supplier with code ${input.supplierCode}.`, ['input', 'supplierCode']);
  if (!variant) e.add('NOT_FOUND', `Unknown SKU ${input.sku}.`, ['input', 'sku']);
  if (supplier && cost.currency !== supplier.currency) {
    e.add('CURRENCY_MISMATCH', `Supplier ${supplier.code} prices in ${supplier.currency}, not ${cost.currency}.`, ['input', 'unitCost', 'currency']);
  }
  e.throwIfAny();
  const now = ctx.clock.now();
  const product = await transact(ctx, async (tx, events) => {
    if (preferred) {
      // First, so the partial unique index (one preferred per variant) holds at every statement.
      await tx
        .update(supplierProducts)
        .set({ preferred: false, updatedAt: now })
        .where(and(eq(supplierProducts.variantId, variant!.id), ne(supplierProducts.supplierId, supplier!.id), eq(supplierProducts.preferred, true)));
    }
    const values = { unitCostMinor: cost.amountMinor, packSize, minOrderQuantity, preferred, updatedAt: now };
    const [row] = await tx
      .insert(supplierProducts)
      .values({ supplierId: supplier!.id, variantId: variant!.id, ...values })
      .onConflictDoUpdate({ target: [supplierProducts.supplierId, supplierProducts.variantId], set: values })
      .returning();
    await events.emit({ topic: 'supplier_product.set', payload: { supplierId: supplier!.id, supplierCode: supplier!.code, variantId: variant!.id, sku: variant!.sku, preferred } });
    return row!;
  }).catch((err: unknown) => {
    // Two concurrent "preferred" sets for one variant: the second meets the partial unique index.
    if (isUniqueViolation(err)) throw BusinessError.of('CONFLICT', `Another supplier of ${variant!.sku} was made preferred meanwhile; try again.`, ['input', 'preferred']);
    throw err;
  });
  return { product, supplier: supplier! };
}

/** A supplier by code (case-insensitive input, stored upper case); null when there is none. */
export async function supplierByCode(ctx: Pick<ServiceContext, 'database'>, code: string): Promise<SupplierRow | null> {
  const c = normaliseSupplierCode(code);
  if (!SUPPLIER_CODE_PATTERN.test(c)) return null;
  const [row] = await ctx.database.db.select().from(suppliers).where(eq(suppliers.code, c)).limit(1);
  return row ?? null;
}

/** Every supplier, by code (read_inventory). */
export async function listSuppliers(ctx: ServiceContext): Promise<SupplierRow[]> {
  requireInventoryRead(ctx);
  return ctx.database.db.select().from(suppliers).orderBy(asc(suppliers.code));
}

export { learntLeadTimes, suppliersByIds };

/** What these suppliers sell, per supplier by SKU order of insertion (variant id). */
export async function supplierProductsBySupplierIds(ctx: Pick<ServiceContext, 'database'>, supplierIds: readonly string[]): Promise<SupplierProductRow[]> {
  if (!supplierIds.length) return [];
  return ctx.database.db
    .select()
    .from(supplierProducts)
    .where(inArray(supplierProducts.supplierId, [...supplierIds]))
    .orderBy(asc(supplierProducts.supplierId), asc(supplierProducts.variantId));
}

/** Who sells these variants, preferred first. */
export async function supplierProductsByVariantIds(ctx: Pick<ServiceContext, 'database'>, variantIds: readonly string[]): Promise<SupplierProductRow[]> {
  if (!variantIds.length) return [];
  return ctx.database.db
    .select()
    .from(supplierProducts)
    .where(inArray(supplierProducts.variantId, [...variantIds]))
    .orderBy(asc(supplierProducts.variantId), sql`${supplierProducts.preferred} desc`, asc(supplierProducts.supplierId));
}

/** Preferred supplier terms per variant (one per variant at most), with the supplier row. */
export async function preferredSupplierProducts(
  ctx: ServiceContext,
  variantIds: readonly string[],
): Promise<Map<string, { supplier: SupplierRow; product: typeof supplierProducts.$inferSelect }>> {
  const out = new Map<string, { supplier: SupplierRow; product: SupplierProductRow }>();
  if (!variantIds.length) return out;
  const rows = await ctx.database.db
    .select({ product: supplierProducts, supplier: suppliers })
    .from(supplierProducts)
    .innerJoin(suppliers, eq(suppliers.id, supplierProducts.supplierId))
    .where(and(inArray(supplierProducts.variantId, [...new Set(variantIds)]), eq(supplierProducts.preferred, true)));
  for (const r of rows) out.set(r.product.variantId, { supplier: r.supplier, product: r.product });
  return out;
}

/** The terms of one supplier for these variants, by variant id. */
export async function supplierTerms(ctx: Pick<ServiceContext, 'database'>, supplierId: string, variantIds: readonly string[]): Promise<Map<string, SupplierProductRow>> {
  if (!variantIds.length) return new Map();
  const rows = await ctx.database.db
    .select()
    .from(supplierProducts)
    .where(and(eq(supplierProducts.supplierId, supplierId), inArray(supplierProducts.variantId, [...new Set(variantIds)])));
  return new Map(rows.map((r) => [r.variantId, r]));
}

/** Lead time in days to plan with: the learnt mean when there are received orders, else the configured one. */
export function plannedLeadTimeDays(supplier: SupplierRow, learnt: LearntLeadTime | null | undefined): number {
  return learnt ? learnt.meanDays : supplier.leadTimeDays;
}

export type { VariantRow };
