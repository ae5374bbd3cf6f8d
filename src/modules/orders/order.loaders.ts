import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { customersByIdsUnfiltered, type CustomerRow } from '../customers/customer.service.js';
import type { AddressData } from '../warehouse/warehouse.service.js';
import { addressesByCustomerIds } from './order.customer.js';
import {
  eventsByFulfillmentOrderIds,
  eventsByOrderIds,
  fulfillmentLinesByFoIds,
  fulfillmentOrdersByIds,
  fulfillmentOrdersByOrderIds,
  linesByOrderIds,
  ordersByIds,
  type FulfillmentLineRow,
  type FulfillmentOrderEventRow,
  type FulfillmentOrderRow,
  type OrderEventRow,
  type OrderLineRow,
  type OrderRow,
} from './order.service.js';


/** Per-request loaders of the orders module. */
export function orderLoaders(ctx: ServiceContext) {
  return {
    orderById: new DataLoader<string, OrderRow | null>(async (ids) => byKey(ids, await ordersByIds(ctx, ids), (r) => r.id)),
    linesByOrderId: new DataLoader<string, OrderLineRow[]>(async (ids) => groupByKey(ids, await linesByOrderIds(ctx, ids), (r) => r.orderId)),
    fulfillmentOrderById: new DataLoader<string, FulfillmentOrderRow | null>(async (ids) => byKey(ids, await fulfillmentOrdersByIds(ctx, ids), (r) => r.id)),
    fulfillmentOrdersByOrderId: new DataLoader<string, FulfillmentOrderRow[]>(async (ids) => groupByKey(ids, await fulfillmentOrdersByOrderIds(ctx, ids), (r) => r.orderId)),
    fulfillmentLinesByFoId: new DataLoader<string, FulfillmentLineRow[]>(async (ids) => groupByKey(ids, await fulfillmentLinesByFoIds(ctx, ids), (r) => r.fulfillmentOrderId)),
    eventsByOrderId: new DataLoader<string, OrderEventRow[]>(async (ids) => groupByKey(ids, await eventsByOrderIds(ctx, ids), (r) => r.objectId)),
    eventsByFulfillmentOrderId: new DataLoader<string, FulfillmentOrderEventRow[]>(async (ids) => groupByKey(ids, await eventsByFulfillmentOrderIds(ctx, ids), (r) => r.objectId)),
    /** The buyer of an order the caller may already see. */
    buyerById: new DataLoader<string, CustomerRow | null>(async (ids) => byKey(ids, await customersByIdsUnfiltered(ctx, ids), (r) => r.id)),
    /** Customer.addresses (access checked by addressesByCustomerIds for the whole batch). */
    addressesByCustomerId: new DataLoader<string, AddressData[]>(async (ids) => {
      const found = await addressesByCustomerIds(ctx, ids);
      return ids.map((id) => found.get(id) ?? []);
    }),
  };
}
