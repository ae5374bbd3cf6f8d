import { GraphQLError } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { CUSTOMER, requireScope } from '../../graphql/auth.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { Address } from '../../graphql/common.types.js';
import { ConnectionArgs, idOfType, pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { BusinessError } from '../../shared/errors.js';
import { mayAccessWarehouse } from '../../shared/principal.js';
import { catalogLoaders } from '../catalog/catalog.loaders.js';
import { ProductVariant } from '../catalog/catalog.types.js';
import { Customer } from '../customers/customer.types.js';
import { warehouseLoaders } from '../warehouse/warehouse.loaders.js';
import { Warehouse } from '../warehouse/warehouse.types.js';
import { ordersOfCustomer } from './order.customer.js';
import { cancelOrder, createOrder, eventsAfter, listOrders, mayViewOrder, orderByNumber, ordersByIds, ORDER_STATUS_CHANGED } from './order.service.js';
import { orderLoaders } from './order.loaders.js';
import { OrderCancelInput, OrderCreateInput, OrderFilter } from './order.inputs.js';
import { OrderCancelPayload, OrderConnection, OrderCreatePayload } from './order.payloads.js';
import { FulfillmentLine, FulfillmentOrder, FulfillmentOrderEvent, Order, OrderEvent, OrderLine, OrderStatusEvent } from './order.types.js';

interface StatusMessage {
  orderId: string;
  sequence: number;
}

/**
 * The orderStatusChanged stream: subscribe to live events first (buffered), then replay the
 * timeline after `afterSequence`, then pass live events with a higher sequence: no gap and no
 * duplicate at the seam.
 */
async function* statusStream(ctx: GraphQLContext, orderId: string | null, afterSequence: number | null): AsyncGenerator<StatusMessage> {
  const live = ctx.events.subscribe(ORDER_STATUS_CHANGED)[Symbol.asyncIterator]();
  const last = new Map<string, number>();
  try {
    if (orderId && afterSequence != null) {
      for (const e of await eventsAfter(ctx.services, orderId, afterSequence)) {
        last.set(orderId, e.sequence);
        yield { orderId, sequence: e.sequence };
      }
    } else if (orderId) {
      // Live only: what was committed before the subscription started is history, even if its
      // publication arrives a moment later.
      const [row] = await ordersByIds(ctx.services, [orderId]);
      if (row) last.set(orderId, row.lastSequence);
    }
    for (;;) {
      const next = await live.next();
      if (next.done) return;
      const m = next.value as unknown as StatusMessage & { customerId: string };
      if (orderId && m.orderId !== orderId) continue;
      if (m.sequence <= (last.get(m.orderId) ?? (orderId && afterSequence != null ? afterSequence : 0))) continue;
      if (!orderId && !(await mayViewOrder(ctx.services, { id: m.orderId, customerId: m.customerId }))) continue;
      last.set(m.orderId, m.sequence);
      // The pub/sub's own message object, shared by every subscriber of this process: subscribers
      // with the same principal and document then share one execution of it (server/ws-fanout.ts).
      yield m;
    }
  } finally {
    await live.return?.();
  }
}

@Resolver(() => Order)
export class OrderResolver {
  @Authorized('read_orders', CUSTOMER)
  @Query(() => Order, { nullable: true, description: 'An order by global ID; null if it does not exist or the caller may not see it.' })
  async order(@Arg('id', () => ID, { description: 'Order global ID.' }) id: string, @Ctx() ctx: GraphQLContext) {
    const dbId = idOfType(id, 'Order');
    const row = dbId ? await ctx.loaders.get(orderLoaders).orderById.load(dbId) : null;
    return row ? Order.from(row) : null;
  }

  @Authorized('read_orders', CUSTOMER)
  @Query(() => Order, { nullable: true, description: 'An order by its number, e.g. WB-100001.' })
  async orderByNumber(@Arg('number', () => String, { description: 'Order number.' }) number: string, @Ctx() ctx: GraphQLContext) {
    const row = await orderByNumber(ctx.services, number);
    return row ? Order.from(row) : null;
  }

  @Authorized('read_orders', CUSTOMER)
  @Query(() => OrderConnection, { description: 'Orders, newest first. A CUSTOMER sees only its own; a PARTNER restricted to warehouses sees orders with a fulfillment order there.' })
  async orders(
    @Arg('filter', () => OrderFilter, { nullable: true, description: 'Filters.' }) filter: OrderFilter | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await listOrders(ctx.services, { ...pageArgs(args), filter }), Order.from);
  }

  @Authorized('write_orders', CUSTOMER)
  @Mutation(() => OrderCreatePayload, {
    description:
      "Creates and allocates an order atomically; idempotent per idempotencyKey (per API key, or per customer for a customer token). Needs write_orders, or a CUSTOMER token: a storefront's checkout for the signed-in shopper, who buys as its own account (leave customer out or give the account's e-mail; another e-mail is the userError CUSTOMER_MISMATCH).",
  })
  orderCreate(@Arg('input', () => OrderCreateInput) input: OrderCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => createOrder(ctx.services, input), (r) => ({ order: Order.from(r.order) }));
  }

  @Authorized('write_orders', CUSTOMER)
  @Mutation(() => OrderCancelPayload, {
    description:
      'Cancels an order and releases every allocation that was not shipped. Needs write_orders, or a CUSTOMER token for its own order while it is ALLOCATED or BACKORDERED (later: INVALID_STATE_TRANSITION; another customer\'s order: NOT_FOUND). Errors: NOT_FOUND, INVALID_STATE_TRANSITION; FORBIDDEN for a key restricted to warehouses when the order has open parts in other warehouses.',
  })
  orderCancel(@Arg('input', () => OrderCancelInput) input: OrderCancelInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => {
        const id = idOfType(input.id, 'Order');
        if (!id) throw BusinessError.of('NOT_FOUND', 'No such order.', ['input', 'id']);
        return cancelOrder(ctx.services, { orderId: id, reason: input.reason });
      },
      (row) => ({ order: Order.from(row) }),
    );
  }

  @Subscription(() => OrderStatusEvent, {
    description:
      'Status changes of one order (orderId) or of every order the caller may read. A CUSTOMER may subscribe only to its own orders. With afterSequence, events of that order after the given sequence are replayed first (no gap after a reconnect), then live ones follow.',
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      requireScope(ctx.principal, 'read_orders', CUSTOMER);
      const gid = args.orderId as string | null | undefined;
      let orderId: string | null = null;
      if (gid) {
        orderId = idOfType(gid, 'Order');
        const [row] = orderId ? await ordersByIds({ ...ctx.services }, [orderId]) : [];
        if (!row) throw new GraphQLError('Forbidden: you may not watch this order.', { extensions: { code: 'FORBIDDEN' } });
      }
      return statusStream(ctx, orderId, (args.afterSequence as number | null | undefined) ?? null);
    },
  })
  async orderStatusChanged(
    @Root() m: StatusMessage,
    @Arg('orderId', () => ID, { nullable: true, description: 'Only this order.' }) _orderId: string | null,
    @Arg('afterSequence', () => Int, { nullable: true, description: 'Replay events of orderId after this sequence first.' }) _after: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderStatusEvent> {
    // Read fresh: a subscription's loaders live as long as the subscription.
    const [row] = await ordersByIds(ctx.services, [m.orderId]);
    const [event] = await eventsAfter(ctx.services, m.orderId, m.sequence - 1);
    if (!row || !event) throw new GraphQLError('Order not found', { extensions: { code: 'NOT_FOUND' } });
    return { order: Order.from(row), event: OrderEvent.from(event) };
  }

  @FieldResolver(() => Customer, { description: 'The buyer.' })
  async customer(@Root() o: Order, @Ctx() ctx: GraphQLContext) {
    return Customer.from((await ctx.loaders.get(orderLoaders).buyerById.load(o.customerDbId))!);
  }

  @FieldResolver(() => [OrderLine], { description: 'Lines in their given order.' })
  async lines(@Root() o: Order, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(orderLoaders).linesByOrderId.load(o.dbId)).map((l) => OrderLine.from(l, o.currency));
  }

  @FieldResolver(() => [FulfillmentOrder], { description: 'Per warehouse. A PARTNER key restricted to warehouses sees only the parts in its warehouses.' })
  async fulfillmentOrders(@Root() o: Order, @Ctx() ctx: GraphQLContext) {
    const fos = await ctx.loaders.get(orderLoaders).fulfillmentOrdersByOrderId.load(o.dbId);
    if (!ctx.principal.warehouseCodes) return fos.map(FulfillmentOrder.from);
    const whs = ctx.loaders.get(warehouseLoaders);
    const shown = await Promise.all(fos.map(async (f) => mayAccessWarehouse(ctx.principal, (await whs.warehouseById.load(f.warehouseId))?.code ?? '')));
    return fos.filter((_, i) => shown[i]).map(FulfillmentOrder.from);
  }

  @FieldResolver(() => [OrderEvent], { description: 'Status timeline, oldest first.' })
  async events(@Root() o: Order, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(orderLoaders).eventsByOrderId.load(o.dbId)).map(OrderEvent.from);
  }
}

@Resolver(() => Customer)
export class CustomerOrdersResolver {
  @FieldResolver(() => OrderConnection, {
    description: "The customer's orders, newest first. Its own CUSTOMER token, or read_orders (a key restricted to warehouses sees the orders it may see); FORBIDDEN otherwise.",
  })
  async orders(
    @Root() c: Customer,
    @Arg('filter', () => OrderFilter, { nullable: true, description: 'Filters.' }) filter: OrderFilter | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await ordersOfCustomer(ctx.services, c.dbId, { ...pageArgs(args), filter }), Order.from);
  }

  @FieldResolver(() => [Address], {
    description:
      "The distinct addresses the customer's orders were delivered to (or are going to), most recently used first, at most 20: the address book a checkout offers. Its own CUSTOMER token, or read_orders without a warehouse restriction; FORBIDDEN otherwise.",
  })
  async addresses(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.get(orderLoaders).addressesByCustomerId.load(c.dbId);
  }
}

@Resolver(() => OrderLine)
export class OrderLineResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  async variant(@Root() l: OrderLine, @Ctx() ctx: GraphQLContext) {
    return ProductVariant.from((await ctx.loaders.get(catalogLoaders).variantById.load(l.variantDbId))!);
  }
}

@Resolver(() => FulfillmentOrder)
export class FulfillmentOrderResolver {
  @FieldResolver(() => Order, { description: 'The order.' })
  async order(@Root() f: FulfillmentOrder, @Ctx() ctx: GraphQLContext) {
    return Order.from((await ctx.loaders.get(orderLoaders).orderById.load(f.orderDbId))!);
  }
  @FieldResolver(() => Warehouse, { description: 'The shipping warehouse.' })
  async warehouse(@Root() f: FulfillmentOrder, @Ctx() ctx: GraphQLContext) {
    return Warehouse.from((await ctx.loaders.get(warehouseLoaders).warehouseById.load(f.warehouseDbId))!);
  }
  @FieldResolver(() => [FulfillmentLine], { description: 'What it ships.' })
  async lines(@Root() f: FulfillmentOrder, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(orderLoaders).fulfillmentLinesByFoId.load(f.dbId)).map(FulfillmentLine.from);
  }
  @FieldResolver(() => [FulfillmentOrderEvent], { description: 'Status timeline in the warehouse, oldest first.' })
  async events(@Root() f: FulfillmentOrder, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(orderLoaders).eventsByFulfillmentOrderId.load(f.dbId)).map(FulfillmentOrderEvent.from);
  }
}

@Resolver(() => FulfillmentLine)
export class FulfillmentLineResolver {
  @FieldResolver(() => ProductVariant, { description: 'The variant.' })
  async variant(@Root() l: FulfillmentLine, @Ctx() ctx: GraphQLContext) {
    return ProductVariant.from((await ctx.loaders.get(catalogLoaders).variantById.load(l.variantDbId))!);
  }
}
