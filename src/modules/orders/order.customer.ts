/**
 * What a customer reads of its own orders (Customer.orders, Customer.addresses): its orders, and
 * the addresses it has had orders delivered to (the storefront's address book at checkout; there
 * is no separately stored address list). A CUSTOMER token reads its own; staff need read_orders
 * (a key restricted to warehouses gets the orders it may see, and no addresses: they would show
 * orders outside its warehouses).
 */
import { and, inArray, sql } from 'drizzle-orm';
import type { Page, PageArgs } from '../../db/pagination.js';
import { AccessError } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import type { AddressData } from '../warehouse/warehouse.service.js';
import { listOrders, type OrderFilter, type OrderRow } from './order.service.js';
import { orders } from './order.table.js';

/** How many distinct addresses Customer.addresses returns at most (most recently used first). */
export const MAX_CUSTOMER_ADDRESSES = 20;

function requireOwnOrStaff(ctx: ServiceContext, customerId: string, what: string, allowRestricted: boolean): void {
  const p = ctx.principal;
  if (p.kind === 'CUSTOMER' ? p.customerId === customerId : hasScope(p, 'read_orders') && (allowRestricted || !p.warehouseCodes)) return;
  throw new AccessError('FORBIDDEN', `Forbidden: a customer's ${what} are its own, or need read_orders.`);
}

/** One customer's orders, newest first (the caller's order visibility applies on top). */
export async function ordersOfCustomer(ctx: ServiceContext, customerId: string, args: PageArgs & { filter?: OrderFilter | null }): Promise<Page<OrderRow>> {
  requireOwnOrStaff(ctx, customerId, 'orders', true);
  return listOrders(ctx, { ...args, customerId });
}

/**
 * The distinct shipping addresses of each customer's orders, most recently used first, at most
 * MAX_CUSTOMER_ADDRESSES each: one statement for all the customers (a loader's batch).
 */
export async function addressesByCustomerIds(ctx: ServiceContext, customerIds: readonly string[]): Promise<Map<string, AddressData[]>> {
  for (const id of customerIds) requireOwnOrStaff(ctx, id, 'addresses', false);
  const out = new Map<string, AddressData[]>();
  if (!customerIds.length) return out;
  const used = ctx.database.db
    .select({
      customerId: orders.customerId,
      address: orders.shippingAddress,
      rank: sql<number>`row_number() over (partition by ${orders.customerId} order by max(${orders.createdAt}) desc, max(${orders.id}::text) desc)`.as('rank'),
    })
    .from(orders)
    .where(and(inArray(orders.customerId, [...customerIds])))
    .groupBy(orders.customerId, orders.shippingAddress)
    .as('used');
  const rows = await ctx.database.db
    .select({ customerId: used.customerId, address: used.address })
    .from(used)
    .where(sql`${used.rank} <= ${MAX_CUSTOMER_ADDRESSES}`)
    .orderBy(used.customerId, used.rank);
  for (const r of rows) out.set(r.customerId, [...(out.get(r.customerId) ?? []), r.address]);
  return out;
}
