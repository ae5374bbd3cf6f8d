import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { MoneyInput } from '../../graphql/common.types.js';
import { DateTime } from '../../graphql/scalars.js';
import type { ReturnDispositionValue, ReturnReasonValue, ReturnStatusValue } from './returns.table.js';
import { ReturnDisposition, ReturnReason, ReturnStatus } from './returns.types.js';

@InputType('ReturnRequestFilter', { description: 'Narrows returnRequests; all given conditions apply.' })
export class ReturnRequestFilter {
  @Field(() => [ReturnStatus], { nullable: true, description: 'Any of these statuses.' })
  status?: ReturnStatusValue[] | null;
  @Field(() => String, { nullable: true, description: 'Returns of this order (its number, e.g. WB-100001).' })
  orderNumber?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'Requested at or after.' })
  createdFrom?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'Requested before.' })
  createdTo?: Date | null;
}

@InputType('ReturnLineInput', { description: 'Units of one order line to return.' })
export class ReturnLineInput {
  @Field(() => ID, { description: 'The order line (OrderLine.id); each line at most once per request.' })
  orderLineId!: string;
  @Field(() => Int, { description: 'Units, at least 1, at most what shipped minus what is already in returns that are not REJECTED or CANCELLED.' })
  quantity!: number;
  @Field(() => ReturnReason, { description: 'Why.' })
  reason!: ReturnReasonValue;
  @Field(() => String, { nullable: true, description: "The customer's words (at most 1000 characters)." })
  comment?: string | null;
}

@InputType('ReturnRequestCreateInput', { description: 'A return of units of one order.' })
export class ReturnRequestCreateInput {
  @Field(() => ID, { description: 'The order (shipped or delivered).' })
  orderId!: string;
  @Field(() => [ReturnLineInput], { description: 'At least one line.' })
  lines!: ReturnLineInput[];
}

@InputType('ReturnApproveInput', { description: 'Approve a REQUESTED return.' })
export class ReturnApproveInput {
  @Field(() => ID, { description: 'The return.' })
  id!: string;
}

@InputType('ReturnRejectInput', { description: 'Reject a REQUESTED return.' })
export class ReturnRejectInput {
  @Field(() => ID, { description: 'The return.' })
  id!: string;
  @Field(() => String, { description: 'Why (required, shown to the customer; at most 1000 characters).' })
  reason!: string;
}

@InputType('ReturnCancelInput', { description: 'Withdraw a return before it is received.' })
export class ReturnCancelInput {
  @Field(() => ID, { description: 'The return.' })
  id!: string;
}

@InputType('ReturnReceiveInput', { description: 'Units scanned out of a return parcel at a warehouse.' })
export class ReturnReceiveInput {
  @Field(() => ID, { description: 'The return (APPROVED).' })
  id!: string;
  @Field(() => String, { description: 'The receiving warehouse; it needs a zone of kind RETURNS.' })
  warehouseCode!: string;
  @Field(() => [String], {
    description: 'Every unit scanned out of the parcel (GTIN or SKU barcode); a unit not in the return is WRONG_ITEM_SCANNED and nothing is received.',
  })
  scannedBarcodes!: string[];
  @Field(() => Boolean, {
    nullable: true,
    description: 'Close the receipt although units are missing: the return becomes RECEIVED and the missing units are recorded on its lines (default false).',
  })
  closeReceipt?: boolean | null;
}

@InputType('ReturnInspectLineInput', { description: 'Units of one return line given one disposition.' })
export class ReturnInspectLineInput {
  @Field(() => ID, { description: 'ReturnLine.id.' })
  returnLineId!: string;
  @Field(() => ReturnDisposition, { description: 'What happens to these units.' })
  disposition!: ReturnDispositionValue;
  @Field(() => Int, { description: 'Units, at least 1.' })
  quantity!: number;
}

@InputType('ReturnInspectInput', { description: 'Dispositions for every received unit of a RECEIVED return; per line they must add up to receivedQuantity.' })
export class ReturnInspectInput {
  @Field(() => ID, { description: 'The return.' })
  id!: string;
  @Field(() => [ReturnInspectLineInput], { description: 'Per line and disposition.' })
  lines!: ReturnInspectLineInput[];
}

@InputType('ReturnRefundInput', { description: 'Record the refund of an INSPECTED return.' })
export class ReturnRefundInput {
  @Field(() => ID, { description: 'The return.' })
  id!: string;
  @Field(() => String, { nullable: true, description: "The payment system's reference (at most 200 characters)." })
  externalReference?: string | null;
}

@InputType('ReturnPolicyUpdateInput', { description: 'Changes to the return policy; fields left out stay as they are.' })
export class ReturnPolicyUpdateInput {
  @Field(() => Int, { nullable: true, description: 'Return window in days from delivery, 0..365.' })
  windowDays?: number | null;
  @Field(() => Float, { nullable: true, description: 'Restocking fee percent, 0..100.' })
  restockingFeePercent?: number | null;
  @Field(() => [String], { nullable: true, description: 'Category prefixes that cannot be returned (replaces the list).' })
  nonReturnableCategories?: string[] | null;
  @Field(() => MoneyInput, { nullable: true, description: 'Auto-approve requests refunding at most this (a known currency, amount >= 0).' })
  autoApproveMaxAmount?: MoneyInput | null;
}
