/**
 * Ports of orders for personalised offers (loyalty): what was bought together and by whom. Not
 * filtered by the principal: the caller checks who may see what (loyalty's offers service does).
 * Cancelled orders are left out (nothing was bought).
 */
import { and, count, gte, inArray, max, ne, sql } from 'drizzle-orm';
import type { ServiceContext } from '../../shared/service-context.js';
import { orderLines, orders } from './order.table.js';

export interface BasketLineRow {
  orderId: string;
  customerId: string | null;
  variantId: string;
  at: Date;
}

/** Every line of the orders created since `since` (not cancelled), with its order's customer and time; one statement. */
export async function basketLinesSince(ctx: Pick<ServiceContext, 'database'>, since: Date): Promise<BasketLineRow[]> {
  return ctx.database.db
    .select({ orderId: orders.id, customerId: orders.customerId, variantId: orderLines.variantId, at: orders.createdAt })
    .from(orderLines)
    .innerJoin(orders, sql`${orders.id} = ${orderLines.orderId}`)
    .where(and(gte(orders.createdAt, since), ne(orders.status, 'CANCELLED')));
}

/** What these customers bought since `since` (orders not cancelled): customer, variant, when; one statement. */
export async function purchasesOfCustomers(ctx: Pick<ServiceContext, 'database'>, customerIds: readonly string[], since: Date): Promise<BasketLineRow[]> {
  if (!customerIds.length) return [];
  return ctx.database.db
    .select({ orderId: orders.id, customerId: orders.customerId, variantId: orderLines.variantId, at: orders.createdAt })
    .from(orderLines)
    .innerJoin(orders, sql`${orders.id} = ${orderLines.orderId}`)
    .where(and(inArray(orders.customerId, [...customerIds]), gte(orders.createdAt, since), ne(orders.status, 'CANCELLED')));
}

/** A cheap fingerprint of the baskets: orders created, cancelled, and the newest; equal fingerprints mean the same baskets. */
export async function basketsFingerprint(ctx: Pick<ServiceContext, 'database'>): Promise<string> {
  const [row] = await ctx.database.db
    .select({ n: count(), cancelled: sql<number>`count(*) filter (where ${orders.status} = 'CANCELLED')`, newest: max(orders.createdAt) })
    .from(orders);
  return `${row?.n ?? 0}:${row?.cancelled ?? 0}:${row?.newest ? new Date(row.newest).getTime() : 0}`;
}
