/** The warehouse's return mutations: receive by scan, inspect, record the refund. Thin: decode ids, call the service, wrap the payload. */
import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { idOfType } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { BusinessError } from '../../shared/errors.js';
import { inspectReturn, receiveReturn, refundReturn } from './returns.receiving.js';
import { ReturnInspectInput, ReturnReceiveInput, ReturnRefundInput } from './returns.inputs.js';
import { ReturnRequestPayload } from './returns.payloads.js';
import type { ReturnRow } from './returns.state.js';
import { ReturnRequest } from './returns.types.js';

function returnId(gid: string): string {
  const id = idOfType(gid, 'ReturnRequest');
  if (!id) throw BusinessError.of('NOT_FOUND', 'No such return.', ['input', 'id']);
  return id;
}

const shape = (row: ReturnRow) => ({ returnRequest: ReturnRequest.from(row) });

@Resolver()
export class ReturnWarehouseResolver {
  @Authorized('write_returns')
  @Mutation(() => ReturnRequestPayload, {
    description:
      "Scans the units of an APPROVED return's parcel in at a warehouse with a RETURNS zone: they must fit the return's open units as a multiset (else WRONG_ITEM_SCANNED, nothing received) and go into a RETURNS bin, on hand but not available. The return becomes RECEIVED once every unit arrived, or when closeReceipt (missing units recorded). Requires write_returns.",
  })
  returnReceive(@Arg('input', () => ReturnReceiveInput, { description: 'The return, the warehouse and the scanned units.' }) input: ReturnReceiveInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => receiveReturn(ctx.services, { id: returnId(input.id), warehouseCode: input.warehouseCode, scannedBarcodes: input.scannedBarcodes, closeReceipt: input.closeReceipt }),
      shape,
    );
  }

  @Authorized('write_returns')
  @Mutation(() => ReturnRequestPayload, {
    description:
      'Gives every received unit of a RECEIVED return a disposition (per line adding up to receivedQuantity): RESTOCK back into sellable stock by putaway, WRITE_OFF out of stock, REFURBISH and RETURN_TO_VENDOR kept in the RETURNS zone. The return becomes INSPECTED. Requires write_returns.',
  })
  returnInspect(@Arg('input', () => ReturnInspectInput, { description: 'The return and the dispositions.' }) input: ReturnInspectInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () =>
        inspectReturn(ctx.services, {
          id: returnId(input.id),
          // An id that is not a return line's stays as given: the service answers NOT_FOUND for it, with its index.
          lines: input.lines.map((l) => ({ returnLineId: idOfType(l.returnLineId, 'ReturnLine') ?? l.returnLineId, disposition: l.disposition, quantity: l.quantity })),
        }),
      shape,
    );
  }

  @Authorized('write_returns')
  @Mutation(() => ReturnRequestPayload, {
    description:
      "Records the refund of an INSPECTED return, computed as the contract says (inspected units at the order's prices, restocking fee on lines that are not the seller's fault, the order's shipping once when the whole order came back for the seller's fault), with the payment system's reference. The return becomes REFUNDED. Requires write_returns.",
  })
  returnRefund(@Arg('input', () => ReturnRefundInput, { description: 'The return and the payment reference.' }) input: ReturnRefundInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => refundReturn(ctx.services, { id: returnId(input.id), externalReference: input.externalReference }), shape);
  }
}
