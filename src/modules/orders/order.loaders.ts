import DataLoader from 'dataloader';
import type { ServiceContext } from '../../shared/service-context.js';
import { customersByIdsUnfiltered, type CustomerRow } from '../customers/customer.service.js';
import {
  eventsByOrderIds,
  fulfillmentLinesByFoIds,
  fulfillmentOrdersByIds,
  fulfillmentOrdersByOrderIds,
  linesByOrderIds,
  ordersByIds,
  type FulfillmentLineRow,
  type FulfillmentOrderRow,
  type OrderEventRow,
  type OrderLineRow,
  type OrderRow,
} from './order.service.js';

function group<K, V>(keys: readonly K[], rows: V[], key: (v: V) => K): V[][] {
  const m = new Map<K, V[]>();
  for (const r of rows) (m.get(key(r)) ?? m.set(key(r), []).get(key(r))!).push(r);
  return keys.map((k) => m.get(k) ?? []);
}

/** Per-request loaders of the orders module. */
export function orderLoaders(ctx: ServiceContext) {
  return {
    orderById: new DataLoader<string, OrderRow | null>(async (ids) => {
      const m = new Map((await ordersByIds(ctx, ids)).map((r) => [r.id, r]));
      return ids.map((id) => m.get(id) ?? null);
    }),
    linesByOrderId: new DataLoader<string, OrderLineRow[]>(async (ids) => group(ids, await linesByOrderIds(ctx, ids), (r) => r.orderId)),
    fulfillmentOrderById: new DataLoader<string, FulfillmentOrderRow | null>(async (ids) => {
      const m = new Map((await fulfillmentOrdersByIds(ctx, ids)).map((r) => [r.id, r]));
      return ids.map((id) => m.get(id) ?? null);
    }),
    fulfillmentOrdersByOrderId: new DataLoader<string, FulfillmentOrderRow[]>(async (ids) => group(ids, await fulfillmentOrdersByOrderIds(ctx, ids), (r) => r.orderId)),
    fulfillmentLinesByFoId: new DataLoader<string, FulfillmentLineRow[]>(async (ids) => group(ids, await fulfillmentLinesByFoIds(ctx, ids), (r) => r.fulfillmentOrderId)),
    eventsByOrderId: new DataLoader<string, OrderEventRow[]>(async (ids) => group(ids, await eventsByOrderIds(ctx, ids), (r) => r.orderId)),
    /** The buyer of an order the caller may already see. */
    buyerById: new DataLoader<string, CustomerRow | null>(async (ids) => {
      const m = new Map((await customersByIdsUnfiltered(ctx, ids)).map((r) => [r.id, r]));
      return ids.map((id) => m.get(id) ?? null);
    }),
  };
}
