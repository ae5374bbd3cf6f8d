import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { orderLinesByIds, type OrderLineRow, type OrderRow } from '../orders/order.service.js';
import { orderRowsByIds } from '../orders/order.shipping.js';
import {
  dispositionsByLineIds,
  eventsByReturnIds,
  linesByReturnIds,
  returnsByIds,
  returnsByOrderIds,
  type ReturnDispositionRow,
  type ReturnEventRow,
  type ReturnLineRow,
  type ReturnRow,
} from './returns.service.js';

/** Per-request loaders of the returns module. */
export function returnsLoaders(ctx: ServiceContext) {
  return {
    /** Visibility-filtered (a CUSTOMER its own; read_returns; a restricted PARTNER its warehouses). */
    returnById: new DataLoader<string, ReturnRow | null>(async (ids) => byKey(ids, await returnsByIds(ctx, ids), (r) => r.id)),
    /** Order.returns: the returns of the order the caller may see, oldest first. */
    returnsByOrderId: new DataLoader<string, ReturnRow[]>(async (ids) => groupByKey(ids, await returnsByOrderIds(ctx, ids), (r) => r.orderId)),
    linesByReturnId: new DataLoader<string, ReturnLineRow[]>(async (ids) => groupByKey(ids, await linesByReturnIds(ctx, ids), (r) => r.returnRequestId)),
    dispositionsByLineId: new DataLoader<string, ReturnDispositionRow[]>(async (ids) => groupByKey(ids, await dispositionsByLineIds(ctx, ids), (r) => r.returnLineId)),
    eventsByReturnId: new DataLoader<string, ReturnEventRow[]>(async (ids) => groupByKey(ids, await eventsByReturnIds(ctx, ids), (r) => r.objectId)),
    /** The order of a return the caller already sees (unfiltered: seeing the return shows its order). */
    orderOfReturn: new DataLoader<string, OrderRow | null>(async (ids) => byKey(ids, await orderRowsByIds(ctx, ids), (r) => r.id)),
    /** The order line of a return line the caller already sees. */
    orderLineById: new DataLoader<string, OrderLineRow | null>(async (ids) => byKey(ids, await orderLinesByIds(ctx, ids), (r) => r.id)),
  };
}
