/**
 * Who may read and change planning objects: read_inventory / write_inventory, and for keys
 * restricted to warehouses (PARTNER `warehouseCodes`) only the purchase orders and transfers of
 * their warehouses. One place for the rules every planning service applies.
 */
import { AccessError } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { listAllWarehouses } from '../warehouse/warehouse.service.js';

/** Reads of planning need read_inventory (the resolvers check it too; this guards other callers). */
export function requireInventoryRead(ctx: Pick<ServiceContext, 'principal'>): void {
  if (!hasScope(ctx.principal, 'read_inventory')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_inventory.');
}

/** Writes of planning need write_inventory. */
export function requireInventoryWrite(ctx: Pick<ServiceContext, 'principal'>): void {
  if (!hasScope(ctx.principal, 'write_inventory')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope write_inventory.');
}

/** Ids of the warehouses a PARTNER restricted to warehouses may see (null: unrestricted). */
export async function visibleWarehouseIds(ctx: ServiceContext): Promise<string[] | null> {
  const codes = ctx.principal.warehouseCodes;
  if (!codes) return null;
  return (await listAllWarehouses(ctx)).filter((w) => codes.includes(w.code)).map((w) => w.id);
}
