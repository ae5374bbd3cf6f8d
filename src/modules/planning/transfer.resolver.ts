/** Transfers between warehouses (contract 07, plus transferOrders, transferOrderCancel and TransferOrder.events). */
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { idOfType, pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { TransferOrderCreateInput, TransferOrderReceiveInput, TransferOrderShipInput } from './planning.inputs.js';
import { TransferOrderPayload } from './planning.payloads.js';
import type { TransferStatusValue } from './planning.table.js';
import { TransferOrder, TransferStatus } from './planning.types.js';
import { transferLoaders } from './transfer.loaders.js';
import { cancelTransferOrder, createTransferOrder, listTransferOrders, receiveTransferOrder, shipTransferOrder, type TransferOrderRow } from './transfer.service.js';
import { TransferOrderCancelInput, TransferOrderConnection, TransferOrderEvent } from './transfer.types.js';

const wrap = (row: TransferOrderRow) => ({ transferOrder: TransferOrder.from(row) });

@Resolver(() => TransferOrder)
export class TransferOrderResolver {
  @Authorized('read_inventory')
  @Query(() => TransferOrder, {
    nullable: true,
    description: 'A transfer by global ID; null if it does not exist or the caller may not see it (a PARTNER key restricted to warehouses sees transfers from or to them). Requires read_inventory.',
  })
  async transferOrder(@Arg('id', () => ID, { description: 'TransferOrder global ID.' }) id: string, @Ctx() ctx: GraphQLContext) {
    const dbId = idOfType(id, 'TransferOrder');
    const row = dbId ? await ctx.loaders.get(transferLoaders).transferById.load(dbId) : null;
    return row ? TransferOrder.from(row) : null;
  }

  @Authorized('read_inventory')
  @Query(() => TransferOrderConnection, {
    description: 'Transfers, newest first (a PARTNER key restricted to warehouses: those from or to them). Requires read_inventory.',
  })
  async transferOrders(
    @Arg('status', () => [TransferStatus], { nullable: true, description: 'Only transfers in one of these statuses.' }) status: TransferStatusValue[] | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, at most 100; default 20.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to start after.' }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await listTransferOrders(ctx.services, { ...pageArgs({ first, after }), filter: { status } }), TransferOrder.from);
  }

  @Authorized('write_inventory')
  @Mutation(() => TransferOrderPayload, {
    description:
      'Plans a transfer between two warehouses as a DRAFT (write_inventory, with access to both). A DRAFT reserves nothing: the source\'s stock is checked and taken when it ships. Errors (nothing written): NOT_FOUND (warehouse or SKU), INVALID (the same warehouse twice, no line, a SKU twice, quantity outside 1..1,000,000).',
  })
  transferOrderCreate(@Arg('input', () => TransferOrderCreateInput, { description: 'The two warehouses and the units.' }) input: TransferOrderCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => createTransferOrder(ctx.services, { fromWarehouseCode: input.fromWarehouseCode, toWarehouseCode: input.toWarehouseCode, lines: input.lines }), wrap);
  }

  @Authorized('write_inventory')
  @Mutation(() => TransferOrderPayload, {
    description:
      "Ships a DRAFT transfer (write_inventory, access to the source): the units leave the source's bins at once (TRANSFER movements, reserve stock first), never taking what is allocated to orders, and count in the destination's `incoming` until received. Errors (nothing written): NOT_FOUND, INVALID_STATE_TRANSITION (not a DRAFT), INSUFFICIENT_STOCK.",
  })
  transferOrderShip(@Arg('input', () => TransferOrderShipInput, { description: 'The transfer.' }) input: TransferOrderShipInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => shipTransferOrder(ctx.services, { id: idOfType(input.id, 'TransferOrder') }), wrap);
  }

  @Authorized('write_inventory')
  @Mutation(() => TransferOrderPayload, {
    description:
      "Receives units of an IN_TRANSIT transfer into the destination (write_inventory, access to the destination): into binCode, else by putaway (TRANSFER movements); they leave `incoming`. RECEIVED once every unit arrived, else it stays IN_TRANSIT. Errors (nothing written): NOT_FOUND (transfer, SKU, bin, a SKU not on the transfer), INVALID, INVALID_STATE_TRANSITION (not IN_TRANSIT), OVER_RECEIPT (more than is still to arrive), BIN_FULL, NO_BIN_AVAILABLE.",
  })
  transferOrderReceive(@Arg('input', () => TransferOrderReceiveInput, { description: 'The transfer and the units that arrived.' }) input: TransferOrderReceiveInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => receiveTransferOrder(ctx.services, { id: idOfType(input.id, 'TransferOrder'), lines: input.lines, binCode: input.binCode }), wrap);
  }

  @Authorized('write_inventory')
  @Mutation(() => TransferOrderPayload, {
    description: 'Calls off a DRAFT transfer (write_inventory, access to the source); nothing had moved. One IN_TRANSIT is received, not cancelled. Errors: NOT_FOUND, INVALID_STATE_TRANSITION.',
  })
  transferOrderCancel(@Arg('input', () => TransferOrderCancelInput, { description: 'The transfer.' }) input: TransferOrderCancelInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => cancelTransferOrder(ctx.services, { id: idOfType(input.id, 'TransferOrder') }), wrap);
  }

  @FieldResolver(() => [TransferOrderEvent], { description: 'Timeline, oldest first: per-transfer sequence 1, 2, 3 ... with no gaps.' })
  async events(@Root() t: TransferOrder, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(transferLoaders).eventsByTransferId.load(t.dbId)).map(TransferOrderEvent.from);
  }
}
