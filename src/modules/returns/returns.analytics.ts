/**
 * Return-reason analytics (returnAnalytics): of the units that left in OUTBOUND shipments created
 * in [from, to), how many came back in returns that are not REJECTED or CANCELLED, per SKU,
 * product category, reason, carrier of the outbound shipment or shipping warehouse, each with a
 * 95% Wilson interval; a group is flagged when its interval lies wholly above the overall rate.
 *
 * One SQL statement per call. The returns module owns only its own tables; the shipped units and
 * the catalog come from the owning modules' ports (`shippedLinesQuery` of shipments, which itself
 * composes the orders, warehouse and carriers ports, and `variantCategoryQuery` of catalog),
 * composed here into that one statement.
 *
 * Attribution: an order line can leave in several shipments (a backorder ships later) and come
 * back in several returns. Per order line, all its shipped units (in shipment order, over its whole
 * history) and its returned units (in request order) are laid end to end and each returned unit is
 * matched to a shipped unit by position: a group never gets more returned units than it shipped,
 * and a returned unit belongs to one shipment, so it counts in one period only.
 */
import { sql, type SQL } from 'drizzle-orm';
import { AccessError, BusinessError } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { wilsonInterval } from '../../shared/wilson.js';
import { variantCategoryQuery } from '../catalog/catalog.service.js';
import { shippedLinesQuery } from '../shipments/shipment.service.js';
import { RETURN_REASONS, returnLines, returnRequests, type ReturnReasonValue } from './returns.table.js';

export const RETURN_ANALYTICS_GROUPS = ['SKU', 'CATEGORY', 'REASON', 'CARRIER', 'WAREHOUSE'] as const;
export type ReturnAnalyticsGroup = (typeof RETURN_ANALYTICS_GROUPS)[number];

/** The key of the overall row (first in every answer). */
export const OVERALL_KEY = 'ALL';
/** The CATEGORY key of products without a category. */
export const NO_CATEGORY_KEY = 'UNCATEGORIZED';
/** Longest period one call may cover. */
export const MAX_ANALYTICS_DAYS = 366;

export interface ReturnReasonStatRow {
  key: string;
  unitsShipped: number;
  unitsReturned: number;
  returnRate: number;
  rateLow: number;
  rateHigh: number;
  flagged: boolean;
  /** Most units first (then by reason name). */
  reasons: { reason: ReturnReasonValue; units: number }[];
}

interface GroupTotals {
  shipped: number;
  reasons: Map<ReturnReasonValue, number>;
}

const KEY_EXPR: Record<Exclude<ReturnAnalyticsGroup, 'REASON'>, SQL> = {
  SKU: sql`v.sku`,
  CATEGORY: sql`coalesce(v.category, ${NO_CATEGORY_KEY})`,
  CARRIER: sql`x.carrier_code`,
  WAREHOUSE: sql`x.warehouse_code`,
};

/**
 * The statement: per group key, the shipped units (rows with reason null) and the returned units
 * per reason. REASON groups by the overall key here; the caller splits it by reason.
 */
function analyticsStatement(from: Date, to: Date, groupBy: ReturnAnalyticsGroup, scope: { warehouseCodes?: readonly string[] | null; carrierCodes?: readonly string[] | null }): SQL {
  const key = groupBy === 'REASON' ? sql`${OVERALL_KEY}::text` : KEY_EXPR[groupBy];
  const needsCatalog = groupBy === 'SKU' || groupBy === 'CATEGORY';
  // Every earlier parcel of the period's lines, wherever it left from: returned units are matched
  // to a line's units in shipment order over its whole history, so the answer for a period does not
  // depend on where the period starts (no unit is counted in two adjacent periods).
  return sql`
    with period as (${shippedLinesQuery(from, to, scope)}),
    history as (
      select h.fulfillment_line_id,
        sum(h.units) over (partition by h.order_line_id order by h.shipped_at, h.fulfillment_line_id) as hi
      from (${shippedLinesQuery(null, to)}) h
      where h.order_line_id in (select order_line_id from period)
    ),
    shipped as (
      select x.order_line_id, x.units, ${key} as key, history.hi
      from period x join history on history.fulfillment_line_id = x.fulfillment_line_id
      ${needsCatalog ? sql`join (${variantCategoryQuery()}) v on v.variant_id = x.variant_id` : sql``}
    ),
    returned as (
      select ${returnLines.orderLineId} as order_line_id, ${returnLines.reason} as reason, ${returnLines.quantity} as units,
        sum(${returnLines.quantity}) over (partition by ${returnLines.orderLineId} order by ${returnRequests.createdAt}, ${returnLines.id}) as hi
      from ${returnLines} join ${returnRequests} on ${returnRequests.id} = ${returnLines.returnRequestId}
      where ${returnRequests.status} not in ('REJECTED', 'CANCELLED')
        and ${returnLines.orderLineId} in (select order_line_id from period)
    )
    select key, null::text as reason, sum(units)::int as units from shipped group by key
    union all
    select s.key, r.reason, sum(greatest(0, least(s.hi, r.hi) - greatest(s.hi - s.units, r.hi - r.units)))::int as units
    from shipped s join returned r on r.order_line_id = s.order_line_id
    group by s.key, r.reason`;
}

/**
 * Fewer returned units than this never flag a group, whatever its interval: with 2 of 3 units back
 * the Wilson interval is [0.21, 0.94], wholly above a 5 % store rate, yet two parcels are "a handful
 * of orders", not a finding (the issue's example: 2 of 3 not flagged, 60 of 200 flagged).
 */
export const MIN_RETURNED_TO_FLAG = 5;

function stat(key: string, shipped: number, reasons: Map<ReturnReasonValue, number>, overallRate: number | null): ReturnReasonStatRow {
  const list = [...reasons]
    .filter(([, units]) => units > 0)
    .map(([reason, units]) => ({ reason, units }))
    .sort((a, b) => b.units - a.units || RETURN_REASONS.indexOf(a.reason) - RETURN_REASONS.indexOf(b.reason));
  const returned = list.reduce((s, r) => s + r.units, 0);
  const { low, high } = wilsonInterval(returned, shipped);
  return {
    key,
    unitsShipped: shipped,
    unitsReturned: returned,
    returnRate: shipped > 0 ? returned / shipped : 0,
    rateLow: low,
    rateHigh: high,
    flagged: overallRate != null && shipped > 0 && returned >= MIN_RETURNED_TO_FLAG && low > overallRate,
    reasons: list,
  };
}

/**
 * Checks the period: `to` after `from`, at most MAX_ANALYTICS_DAYS apart. Errors (BusinessError,
 * BAD_USER_INPUT on a query): INVALID_PERIOD, PERIOD_TOO_LONG.
 */
export function validatePeriod(from: Date, to: Date): void {
  if (!(to.getTime() > from.getTime())) throw BusinessError.of('INVALID_PERIOD', '`to` must be after `from`.', ['to']);
  if (to.getTime() - from.getTime() > MAX_ANALYTICS_DAYS * 86_400_000) {
    throw BusinessError.of('PERIOD_TOO_LONG', `The period may cover at most ${MAX_ANALYTICS_DAYS} days.`, ['to']);
  }
}

/**
 * returnAnalytics: the overall row (key "ALL") first, then the groups by highest rate (ties: more
 * units shipped, then more returned, then key). For REASON, each group is the units returned for
 * that reason over all units shipped. Requires read_returns; a PARTNER restricted to warehouses
 * (or carriers) sees only what its warehouses (carriers) shipped and what came back of it.
 */
export async function returnAnalytics(ctx: ServiceContext, from: Date, to: Date, groupBy: ReturnAnalyticsGroup): Promise<ReturnReasonStatRow[]> {
  const p = ctx.principal;
  if (p.kind === 'ANONYMOUS') throw new AccessError('UNAUTHENTICATED', 'Authentication required.');
  if (p.kind === 'CUSTOMER' || !hasScope(p, 'read_returns')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_returns.');
  validatePeriod(from, to);
  if (!RETURN_ANALYTICS_GROUPS.includes(groupBy)) throw BusinessError.of('INVALID', `Unknown grouping ${String(groupBy)}.`, ['groupBy']);

  const rows = await ctx.database.rows<{ key: string; reason: ReturnReasonValue | null; units: number | string }>(
    analyticsStatement(from, to, groupBy, { warehouseCodes: p.warehouseCodes, carrierCodes: p.carrierCodes }),
  );
  const groups = new Map<string, GroupTotals>();
  const group = (k: string) => {
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { shipped: 0, reasons: new Map() }));
    return g;
  };
  for (const r of rows) {
    const g = group(r.key);
    if (r.reason == null) g.shipped += Number(r.units);
    else g.reasons.set(r.reason, (g.reasons.get(r.reason) ?? 0) + Number(r.units));
  }

  const overallShipped = [...groups.values()].reduce((s, g) => s + g.shipped, 0);
  const overallReasons = new Map<ReturnReasonValue, number>();
  for (const g of groups.values()) for (const [reason, n] of g.reasons) overallReasons.set(reason, (overallReasons.get(reason) ?? 0) + n);
  const overall = stat(OVERALL_KEY, overallShipped, overallReasons, null);

  const parts =
    groupBy === 'REASON'
      ? [...overallReasons].map(([reason, n]) => stat(reason, overallShipped, new Map([[reason, n]]), overall.returnRate))
      : [...groups].map(([k, g]) => stat(k, g.shipped, g.reasons, overall.returnRate));
  parts.sort((a, b) => b.returnRate - a.returnRate || b.unitsShipped - a.unitsShipped || b.unitsReturned - a.unitsReturned || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return [overall, ...parts.filter((s) => s.unitsShipped > 0 || s.unitsReturned > 0)];
}
