/**
 * Demo data support for the seed (scripts/seed-returns.ts), and nothing else: which of the demo
 * orders already have returns (so a second run creates none), the lines of returns just created
 * (their ids, for inspection), and the one write the seed needs outside the return services:
 * aligning `created_at` with the return's own timeline, as seed-shipping's backdateDemoHistory
 * does for orders. The services take event times from ctx.clock (the seed's ManualClock), but a
 * column left to the database's now() default would say "today" for a return requested weeks ago.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { AccessError } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { returnEvents, returnLines, returnRequests, type ReturnStatusValue } from './returns.table.js';

function requireAdmin(ctx: ServiceContext): void {
  if (!hasScope(ctx.principal, 'admin')) throw new AccessError('FORBIDDEN', 'Forbidden: demo data needs admin.');
}

/** How many returns exist for these orders (any status). */
export async function returnCountOfOrders(ctx: ServiceContext, orderIds: readonly string[]): Promise<number> {
  requireAdmin(ctx);
  if (!orderIds.length) return 0;
  return ctx.database.db.$count(returnRequests, inArray(returnRequests.orderId, [...orderIds]));
}

export interface DemoReturnView {
  id: string;
  status: ReturnStatusValue;
  lines: { id: string; orderLineId: string; quantity: number; receivedQuantity: number }[];
}

/** The newest return of an order with its lines (the one the seed just requested), or null. */
export async function latestReturnOfOrder(ctx: ServiceContext, orderId: string): Promise<DemoReturnView | null> {
  requireAdmin(ctx);
  const [r] = await ctx.database.db
    .select({ id: returnRequests.id, status: returnRequests.status })
    .from(returnRequests)
    .where(eq(returnRequests.orderId, orderId))
    .orderBy(sql`${returnRequests.createdAt} desc, ${returnRequests.id} desc`)
    .limit(1);
  if (!r) return null;
  const lines = await ctx.database.db
    .select({ id: returnLines.id, orderLineId: returnLines.orderLineId, quantity: returnLines.quantity, receivedQuantity: returnLines.receivedQuantity })
    .from(returnLines)
    .where(eq(returnLines.returnRequestId, r.id))
    .orderBy(asc(returnLines.position));
  return { ...r, lines };
}

/**
 * Demo data only: sets each return's created_at to the time of its first timeline row (sequence
 * 1, written by the kernel's `begin` at ctx.clock), where they differ. Returns the rows changed.
 */
export async function backdateReturns(ctx: ServiceContext, ids: readonly string[]): Promise<number> {
  requireAdmin(ctx);
  if (!ids.length) return 0;
  const rows = await ctx.database.db
    .update(returnRequests)
    .set({ createdAt: sql`${returnEvents.occurredAt}` })
    .from(returnEvents)
    .where(and(eq(returnEvents.objectId, returnRequests.id), eq(returnEvents.sequence, 1), inArray(returnRequests.id, [...ids]), sql`${returnRequests.createdAt} <> ${returnEvents.occurredAt}`))
    .returning({ id: returnRequests.id });
  return rows.length;
}
