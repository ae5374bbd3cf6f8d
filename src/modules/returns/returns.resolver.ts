import { GraphQLError } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { CUSTOMER, requireScope } from '../../graphql/auth.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { ConnectionArgs, idOfType, pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { hasScope, mayAccessWarehouse } from '../../shared/principal.js';
import { Customer } from '../customers/customer.types.js';
import { orderLoaders } from '../orders/order.loaders.js';
import { Order, OrderLine } from '../orders/order.types.js';
import { shipmentLoaders } from '../shipments/shipment.loaders.js';
import { Shipment } from '../shipments/shipment.types.js';
import { warehouseLoaders } from '../warehouse/warehouse.loaders.js';
import { Warehouse } from '../warehouse/warehouse.types.js';
import { ReturnApproveInput, ReturnCancelInput, ReturnPolicyUpdateInput, ReturnRejectInput, ReturnRequestCreateInput, ReturnRequestFilter } from './returns.inputs.js';
import { returnsLoaders } from './returns.loaders.js';
import { ReturnPolicyPayload, ReturnRequestPayload } from './returns.payloads.js';
import {
  approveReturn,
  cancelReturn,
  createReturnRequest,
  getReturnPolicy,
  listReturns,
  rejectReturn,
  returnEventsAfter,
  returnsByIds,
  updateReturnPolicy,
} from './returns.service.js';
import { RETURN_UPDATED } from './returns.state.js';
import { ReturnEvent, ReturnLine, ReturnPolicy, ReturnRequest, ReturnRequestConnection, ReturnStatusEvent } from './returns.types.js';

/** A ReturnLine with the currency of its order, for ReturnLine.orderLine. */
type ReturnLineOfOrder = ReturnLine & { orderCurrency: string };

interface ReturnMessage {
  returnRequestId: string;
  customerId: string;
  sequence: number;
  warehouseCode?: string;
}

/** Whether the caller may watch a return whose event says this (the same rules as returnsByIds, on the event's fields). */
function mayWatch(ctx: GraphQLContext, m: ReturnMessage): boolean {
  const p = ctx.principal;
  if (p.kind === 'CUSTOMER') return p.customerId === m.customerId;
  if (!hasScope(p, 'read_returns')) return false;
  return !p.warehouseCodes || (!!m.warehouseCode && mayAccessWarehouse(p, m.warehouseCode));
}

/** Live status changes of one return, or of every return the caller may read; each sequence once. */
async function* returnStream(ctx: GraphQLContext, returnId: string | null): AsyncGenerator<ReturnMessage> {
  const live = ctx.events.subscribe(RETURN_UPDATED)[Symbol.asyncIterator]();
  const last = new Map<string, number>();
  try {
    if (returnId) {
      // Live only: what was committed before the subscription started is history.
      const [row] = await returnsByIds(ctx.services, [returnId]);
      if (row) last.set(returnId, row.lastSequence);
    }
    for (;;) {
      const next = await live.next();
      if (next.done) return;
      const m = next.value as unknown as ReturnMessage;
      if (returnId && m.returnRequestId !== returnId) continue;
      if (m.sequence <= (last.get(m.returnRequestId) ?? 0)) continue;
      if (!mayWatch(ctx, m)) continue;
      last.set(m.returnRequestId, m.sequence);
      yield m;
    }
  } finally {
    await live.return?.();
  }
}

const wrap = (row: Parameters<typeof ReturnRequest.from>[0]) => ({ returnRequest: ReturnRequest.from(row) });

@Resolver(() => ReturnRequest)
export class ReturnRequestResolver {
  @Authorized('read_returns', CUSTOMER)
  @Query(() => ReturnRequest, { nullable: true, description: 'A return by global ID; null if it does not exist or the caller may not see it (a CUSTOMER sees its own only).' })
  async returnRequest(@Arg('id', () => ID, { description: 'ReturnRequest global ID.' }) id: string, @Ctx() ctx: GraphQLContext) {
    const dbId = idOfType(id, 'ReturnRequest');
    const row = dbId ? await ctx.loaders.get(returnsLoaders).returnById.load(dbId) : null;
    return row ? ReturnRequest.from(row) : null;
  }

  @Authorized('read_returns', CUSTOMER)
  @Query(() => ReturnRequestConnection, {
    description: 'Returns, newest first. A CUSTOMER sees its own only; a PARTNER key restricted to warehouses sees returns to its warehouses. Needs read_returns otherwise.',
  })
  async returnRequests(
    @Arg('filter', () => ReturnRequestFilter, { nullable: true, description: 'Filters; all given conditions apply.' }) filter: ReturnRequestFilter | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await listReturns(ctx.services, { ...pageArgs(args), filter }), ReturnRequest.from);
  }

  @Authorized('read_returns', CUSTOMER)
  @Query(() => ReturnPolicy, { description: "The store's return policy (what the storefront shows the customer): window, restocking fee, non-returnable categories, auto-approval." })
  async returnPolicy(@Ctx() ctx: GraphQLContext) {
    return ReturnPolicy.from(await getReturnPolicy(ctx.services));
  }

  @Authorized('write_returns', CUSTOMER)
  @Mutation(() => ReturnRequestPayload, {
    description:
      'Requests a return of units of one shipped order. CUSTOMER (its own orders only: FORBIDDEN otherwise, whether the order exists or not) or write_returns (a PARTNER key restricted to warehouses: orders shipped from them). Approved at once with its return label when every line has a seller-fault reason or the refund is at most the policy\'s autoApproveMaxAmount. Errors: NOT_FOUND, INVALID, ORDER_NOT_SHIPPED, RETURN_WINDOW_EXPIRED, NOT_RETURNABLE, QUANTITY_EXCEEDS_RETURNABLE.',
  })
  returnRequestCreate(@Arg('input', () => ReturnRequestCreateInput, { description: 'The order and the units to return.' }) input: ReturnRequestCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () =>
        createReturnRequest(ctx.services, {
          orderId: idOfType(input.orderId, 'Order'),
          lines: input.lines.map((l) => ({ orderLineId: idOfType(l.orderLineId, 'OrderLine'), quantity: l.quantity, reason: l.reason, comment: l.comment })),
        }),
      wrap,
    );
  }

  @Authorized('write_returns')
  @Mutation(() => ReturnRequestPayload, { description: 'Approves a REQUESTED return and issues its return parcel with a label (write_returns). Errors: NOT_FOUND, INVALID_STATE_TRANSITION.' })
  returnApprove(@Arg('input', () => ReturnApproveInput, { description: 'The return.' }) input: ReturnApproveInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => approveReturn(ctx.services, { id: idOfType(input.id, 'ReturnRequest') }), wrap);
  }

  @Authorized('write_returns')
  @Mutation(() => ReturnRequestPayload, {
    description: 'Rejects a REQUESTED return with a reason shown to the customer (write_returns); its units may be requested again. Errors: INVALID (reason empty or over 1000 characters), NOT_FOUND, INVALID_STATE_TRANSITION.',
  })
  returnReject(@Arg('input', () => ReturnRejectInput, { description: 'The return and why.' }) input: ReturnRejectInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => rejectReturn(ctx.services, { id: idOfType(input.id, 'ReturnRequest'), reason: input.reason }), wrap);
  }

  @Authorized('write_returns', CUSTOMER)
  @Mutation(() => ReturnRequestPayload, {
    description:
      "Withdraws a return before it is received (REQUESTED, or APPROVED while no unit has been scanned in): its own CUSTOMER, or write_returns. Its units may be requested again. Errors: NOT_FOUND (also another customer's return), INVALID_STATE_TRANSITION.",
  })
  returnCancel(@Arg('input', () => ReturnCancelInput, { description: 'The return.' }) input: ReturnCancelInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => cancelReturn(ctx.services, { id: idOfType(input.id, 'ReturnRequest') }), wrap);
  }

  @Authorized('admin')
  @Mutation(() => ReturnPolicyPayload, {
    description:
      'Changes the return policy (scope admin); fields left out stay as they are, an explicit null autoApproveMaxAmount clears it. Errors (nothing changed): INVALID (window outside 0..365, fee outside 0..100 or with more than two decimals, an empty or over-long category prefix, more than 100 of them, a negative amount), INVALID_CURRENCY.',
  })
  returnPolicyUpdate(@Arg('input', () => ReturnPolicyUpdateInput, { description: 'The changes.' }) input: ReturnPolicyUpdateInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () =>
        updateReturnPolicy(ctx.services, {
          windowDays: input.windowDays,
          restockingFeePercent: input.restockingFeePercent,
          nonReturnableCategories: input.nonReturnableCategories,
          autoApproveMaxAmount: input.autoApproveMaxAmount === undefined ? undefined : input.autoApproveMaxAmount && { ...input.autoApproveMaxAmount },
        }),
      (row) => ({ returnPolicy: ReturnPolicy.from(row) }),
    );
  }

  @Subscription(() => ReturnStatusEvent, {
    description:
      'Status changes of one return (returnRequestId) or of every return the caller may read: a CUSTOMER only its own, a PARTNER key restricted to warehouses only returns to them; read_returns otherwise.',
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      requireScope(ctx.principal, 'read_returns', CUSTOMER);
      const gid = args.returnRequestId as string | null | undefined;
      let returnId: string | null = null;
      if (gid) {
        returnId = idOfType(gid, 'ReturnRequest');
        const [row] = returnId ? await returnsByIds(ctx.services, [returnId]) : [];
        if (!row) throw new GraphQLError('Forbidden: you may not watch this return.', { extensions: { code: 'FORBIDDEN' } });
      }
      return returnStream(ctx, returnId);
    },
  })
  async returnStatusChanged(
    @Root() m: ReturnMessage,
    @Arg('returnRequestId', () => ID, { nullable: true, description: 'Only this return.' }) _id: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ReturnStatusEvent> {
    // Read fresh: a subscription's loaders live as long as the subscription, so the nested fields
    // (timeline, lines) must not answer from what an earlier message cached.
    for (const loader of Object.values(ctx.loaders.get(returnsLoaders))) loader.clearAll();
    const [event] = await returnEventsAfter(ctx.services, m.returnRequestId, m.sequence - 1);
    if (!event) throw new GraphQLError('Return not found', { extensions: { code: 'NOT_FOUND' } });
    return { returnDbId: m.returnRequestId, event: ReturnEvent.from(event) };
  }

  @FieldResolver(() => Order, { description: 'The order the units come from.' })
  async order(@Root() r: ReturnRequest, @Ctx() ctx: GraphQLContext) {
    return Order.from((await ctx.loaders.get(returnsLoaders).orderOfReturn.load(r.orderDbId))!);
  }

  @FieldResolver(() => Customer, { description: 'The buyer who sends the units back.' })
  async customer(@Root() r: ReturnRequest, @Ctx() ctx: GraphQLContext) {
    return Customer.from((await ctx.loaders.get(orderLoaders).buyerById.load(r.customerDbId))!);
  }

  @FieldResolver(() => [ReturnLine], { description: 'The units coming back, per order line, in the order given.' })
  async lines(@Root() r: ReturnRequest, @Ctx() ctx: GraphQLContext): Promise<ReturnLineOfOrder[]> {
    const l = ctx.loaders.get(returnsLoaders);
    const [rows, order] = await Promise.all([l.linesByReturnId.load(r.dbId), l.orderOfReturn.load(r.orderDbId)]);
    const dispositions = await Promise.all(rows.map((row) => l.dispositionsByLineId.load(row.id)));
    return rows.map((row, i) => ({ ...ReturnLine.from(row, dispositions[i]), orderCurrency: order!.currency }));
  }

  @FieldResolver(() => [ReturnEvent], { description: 'Timeline, oldest first: per-return sequence 1, 2, 3 ... with no gaps.' })
  async events(@Root() r: ReturnRequest, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(returnsLoaders).eventsByReturnId.load(r.dbId)).map(ReturnEvent.from);
  }

  @FieldResolver(() => Warehouse, { nullable: true, description: 'Where the parcel goes back to: the warehouse that shipped the units, or the nearest one with a RETURNS zone (null only when no warehouse was known).' })
  async warehouse(@Root() r: ReturnRequest, @Ctx() ctx: GraphQLContext) {
    if (!r.warehouseDbId) return null;
    const row = await ctx.loaders.get(warehouseLoaders).warehouseById.load(r.warehouseDbId);
    return row ? Warehouse.from(row) : null;
  }

  @FieldResolver(() => Shipment, { nullable: true, description: 'The parcel the customer sends back, with its label, once approved (null while none, or when the caller may not see shipments).' })
  async returnShipment(@Root() r: ReturnRequest, @Ctx() ctx: GraphQLContext) {
    if (!r.returnShipmentDbId) return null;
    const row = await ctx.loaders.get(shipmentLoaders).shipmentById.load(r.returnShipmentDbId);
    return row ? Shipment.from(row) : null;
  }
}

@Resolver(() => ReturnLine)
export class ReturnLineResolver {
  @FieldResolver(() => OrderLine, { description: 'The order line these units were bought on.' })
  async orderLine(@Root() l: ReturnLineOfOrder, @Ctx() ctx: GraphQLContext) {
    return OrderLine.from((await ctx.loaders.get(returnsLoaders).orderLineById.load(l.orderLineDbId))!, l.orderCurrency);
  }
}

@Resolver(() => ReturnStatusEvent)
export class ReturnStatusEventResolver {
  @FieldResolver(() => ReturnRequest, { description: 'The return as it is now.' })
  async returnRequest(@Root() e: ReturnStatusEvent, @Ctx() ctx: GraphQLContext) {
    // Fresh, not through the subscription's long-lived loaders.
    const [row] = await returnsByIds(ctx.services, [e.returnDbId]);
    if (!row) throw new GraphQLError('Return not found', { extensions: { code: 'NOT_FOUND' } });
    return ReturnRequest.from(row);
  }
}

@Resolver(() => Order)
export class OrderReturnsResolver {
  @FieldResolver(() => [ReturnRequest], { description: 'Returns of this order, oldest first (those the caller may see: its customer, read_returns).' })
  async returns(@Root() o: Order, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(returnsLoaders).returnsByOrderId.load(o.dbId)).map(ReturnRequest.from);
  }
}
