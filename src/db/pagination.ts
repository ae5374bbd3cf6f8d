/**
 * Keyset pagination over time-ordered UUIDv7 ids, newest first. Services use it to build
 * Relay-style pages without OFFSET; cursors are decoded to ids by the GraphQL layer.
 */
import { and, asc, desc, gt, lt, type AnyColumn, type SQL } from 'drizzle-orm';

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  afterId?: string | null;
  beforeId?: string | null;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Counted only when asked for. */
  totalCount: () => Promise<number>;
}

export const DEFAULT_PAGE_SIZE = 20;

export interface PagePlan {
  where: SQL | undefined;
  orderBy: SQL;
  limit: number;
  backward: boolean;
  size: number;
}

/** Where/order/limit for one page, newest first by `idCol`. */
export function planPage(args: PageArgs, idCol: AnyColumn, filter?: SQL): PagePlan {
  const backward = args.last != null && args.first == null;
  const size = (backward ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  const conds = [filter];
  if (args.afterId) conds.push(lt(idCol, args.afterId));
  if (args.beforeId) conds.push(gt(idCol, args.beforeId));
  return {
    where: and(...conds.filter((c): c is SQL => !!c)),
    orderBy: backward ? asc(idCol) : desc(idCol),
    limit: size + 1,
    backward,
    size,
  };
}

/** Trims the extra row and orients the page newest first. */
export function finishPage<T>(rows: T[], plan: PagePlan, args: PageArgs, totalCount: () => Promise<number>): Page<T> {
  const more = rows.length > plan.size;
  const items = rows.slice(0, plan.size);
  if (plan.backward) items.reverse();
  let count: Promise<number> | undefined;
  return {
    items,
    hasNextPage: plan.backward ? !!args.beforeId : more,
    hasPreviousPage: plan.backward ? more : !!args.afterId,
    totalCount: () => (count ??= totalCount()),
  };
}
