/**
 * Who may act on a return in the warehouse operations (receive, inspect, refund), and the state
 * check they make before any work.
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { AccessError, BusinessError } from '../../shared/errors.js';
import { canTransition } from '../../shared/lifecycle.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { mayTouchWarehouseId } from '../warehouse/warehouse.service.js';
import { returnTransitions, type ReturnRow } from './returns.state.js';
import { returnRequests, type ReturnStatusValue } from './returns.table.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The warehouse operations need write_returns (a CUSTOMER never receives, inspects or refunds). */
export function requireReturnsWrite(ctx: ServiceContext): void {
  if (!hasScope(ctx.principal, 'write_returns')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope write_returns.');
}

const noReturn = () => BusinessError.of('NOT_FOUND', 'No such return.', ['input', 'id']);

/**
 * The return, as the caller may act on it: a PARTNER restricted to warehouses only a return to
 * one of its warehouses, and any other answers exactly as an id that does not exist (NOT_FOUND).
 */
export async function requireReturn(ctx: ServiceContext, id: string, executor: Executor = ctx.database.db): Promise<ReturnRow> {
  if (!UUID.test(id)) throw noReturn();
  const [row] = await executor.select().from(returnRequests).where(eq(returnRequests.id, id));
  if (!row) throw noReturn();
  if (ctx.principal.warehouseCodes && !(await mayTouchWarehouseId(ctx, row.warehouseId))) throw noReturn();
  return row;
}

/** The refusal the kernel would give, raised before any work (a partial receipt writes no status change to let it refuse). */
export function refuseUnless(ret: Pick<ReturnRow, 'status'>, to: ReturnStatusValue, doing: string, from: ReturnStatusValue): void {
  if (!canTransition(returnTransitions, ret.status, to)) {
    throw BusinessError.of('INVALID_STATE_TRANSITION', `A return in status ${ret.status} cannot be ${doing}; it must be ${from}.`, ['input', 'id']);
  }
}
