/**
 * Lines of stock as clients send them, by SKU or by scanned GTIN (handhelds send whatever the label
 * carries), resolved to variants through the catalog: the input of the ledger and of channel stock.
 */
import { ErrorList } from '../../shared/errors.js';
import { isValidGtin, normalizeGtin } from '../../shared/gs1.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsByGtins, variantsBySkus, type VariantRow } from '../catalog/catalog.service.js';

export interface LineInput {
  sku?: string | null;
  barcode?: string | null;
  quantity: number;
}

export interface ResolvedLine {
  variant: VariantRow;
  quantity: number;
  index: number;
}

const MAX_LINES = 5000;

/**
 * Resolves lines given by SKU or scanned GTIN. Errors: INVALID (both/neither, quantity),
 * INVALID_BARCODE (bad check digit), NOT_FOUND (unknown SKU/GTIN). `allowZero`: quantities of 0
 * (a count, a channel's sold-out SKU); `allowEmpty`: no lines at all (a count of an empty bin).
 */
export async function resolveLines(
  ctx: ServiceContext,
  lines: readonly LineInput[],
  path: string[],
  opts: { allowZero?: boolean; allowEmpty?: boolean } = {},
): Promise<ResolvedLine[]> {
  const errors = new ErrorList();
  if (!lines.length && !opts.allowEmpty) errors.add('INVALID', 'At least one line is required.', path);
  if (lines.length > MAX_LINES) errors.add('INVALID', `At most ${MAX_LINES} lines per call.`, path);
  lines.forEach((l, i) => {
    const f = [...path, String(i)];
    if ((l.sku == null) === (l.barcode == null)) errors.add('INVALID', 'Give exactly one of sku or barcode.', f);
    else if (l.barcode != null && !isValidGtin(l.barcode.trim())) errors.add('INVALID_BARCODE', `"${l.barcode}" is not a valid GTIN (check digit).`, [...f, 'barcode']);
    const min = opts.allowZero ? 0 : 1;
    if (!Number.isInteger(l.quantity) || l.quantity < min || l.quantity > 1_000_000) {
      errors.add('INVALID', `Quantity must be a whole number from ${min} to 1,000,000.`, [...f, 'quantity']);
    }
  });
  errors.throwIfAny();
  const skus = [...new Set(lines.flatMap((l) => (l.sku != null ? [l.sku] : [])))];
  const gtins = [...new Set(lines.flatMap((l) => (l.barcode != null ? [l.barcode.trim()] : [])))];
  const [bySkuRows, byGtin] = await Promise.all([skus.length ? variantsBySkus(ctx, skus) : [], variantsByGtins(ctx, gtins)]);
  const bySku = new Map(bySkuRows.map((v) => [v.sku, v]));
  const out: ResolvedLine[] = [];
  lines.forEach((l, i) => {
    const variant = l.sku != null ? bySku.get(l.sku) : byGtin.get(normalizeGtin(l.barcode!.trim()));
    if (!variant) {
      errors.add('NOT_FOUND', l.sku != null ? `Unknown SKU ${l.sku}.` : `No product has barcode ${l.barcode}.`, [...path, String(i), l.sku != null ? 'sku' : 'barcode']);
    } else out.push({ variant, quantity: l.quantity, index: i });
  });
  errors.throwIfAny();
  return out;
}

