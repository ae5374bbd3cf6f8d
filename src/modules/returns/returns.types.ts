import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../graphql/common.types.js';
import { enumOf } from '../../graphql/enums.js';
import { Connection, Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import { money } from '../../shared/money.js';
import type { ReturnRow } from './returns.state.js';
import {
  RETURN_DISPOSITIONS,
  RETURN_REASONS,
  RETURN_STATUSES,
  returnEvents,
  returnLines,
  returnPolicies,
  type ReturnDispositionValue,
  type ReturnReasonValue,
  type ReturnStatusValue,
} from './returns.table.js';

export const ReturnStatus = enumOf(RETURN_STATUSES);
registerEnumType(ReturnStatus, {
  name: 'ReturnStatus',
  description: 'Where a return is in its lifecycle: REQUESTED → APPROVED → RECEIVED → INSPECTED → REFUNDED, or REJECTED / CANCELLED.',
  valuesConfig: {
    REQUESTED: { description: 'Waiting for a decision.' },
    APPROVED: { description: 'Approved; the return label is issued and the parcel is expected (units may have arrived in part).' },
    REJECTED: { description: 'Refused; rejectionReason says why. Its units may be requested again.' },
    RECEIVED: { description: 'Scanned in at the warehouse (every unit, or staff closed a partial receipt).' },
    INSPECTED: { description: 'Every received unit has a disposition; the refund is known.' },
    REFUNDED: { description: 'The refund is recorded.' },
    CANCELLED: { description: 'Withdrawn before receipt. Its units may be requested again.' },
  },
});

export const ReturnReason = enumOf(RETURN_REASONS);
registerEnumType(ReturnReason, {
  name: 'ReturnReason',
  description: 'Why the customer sends a unit back. DAMAGED, DEFECTIVE, WRONG_ITEM, NOT_AS_DESCRIBED and LATE_DELIVERY are the seller\'s fault: no restocking fee, approved at once.',
});

export const ReturnDisposition = enumOf(RETURN_DISPOSITIONS);
registerEnumType(ReturnDisposition, {
  name: 'ReturnDisposition',
  description: 'What happens to an inspected unit.',
  valuesConfig: {
    RESTOCK: { description: 'Back into sellable stock (a RETURN_RESTOCK movement); available again.' },
    REFURBISH: { description: 'Kept in the RETURNS zone for repair; not sellable.' },
    WRITE_OFF: { description: 'Destroyed or unsellable (a WRITE_OFF movement).' },
    RETURN_TO_VENDOR: { description: 'Kept in the RETURNS zone to go back to the supplier; not sellable.' },
  },
});

@ObjectType('ReturnDispositionQuantity', { description: 'How many inspected units of a line got one disposition.' })
export class ReturnDispositionQuantity {
  @Field(() => ReturnDisposition, { description: 'What happens to these units.' })
  disposition!: ReturnDispositionValue;
  @Field(() => Int, { description: 'Units.' })
  quantity!: number;
}

@ObjectType('ReturnLine', { description: 'One order line (or part of it) coming back.' })
export class ReturnLine {
  @Field(() => ID, { description: 'Opaque id of the return line (ReturnInspectLineInput.returnLineId).' })
  id!: string;
  dbId!: string;
  orderLineDbId!: string;
  @Field(() => Int, { description: 'Units requested.' })
  quantity!: number;
  @Field(() => ReturnReason, { description: 'Why.' })
  reason!: ReturnReasonValue;
  @Field(() => String, { nullable: true, description: "The customer's words." })
  comment!: string | null;
  @Field(() => Int, { description: 'Units scanned in so far.' })
  receivedQuantity!: number;
  @Field(() => Int, { description: 'Units that never arrived (recorded when staff closed a partial receipt).' })
  missingQuantity!: number;
  @Field(() => [ReturnDispositionQuantity], { description: 'Per disposition, once inspected.' })
  dispositions!: ReturnDispositionQuantity[];
  static from(r: typeof returnLines.$inferSelect, dispositions: readonly { disposition: ReturnDispositionValue; quantity: number }[] = []): ReturnLine {
    return {
      id: toGlobalId('ReturnLine', r.id),
      dbId: r.id,
      orderLineDbId: r.orderLineId,
      quantity: r.quantity,
      reason: r.reason,
      comment: r.comment,
      receivedQuantity: r.receivedQuantity,
      missingQuantity: r.missingQuantity,
      dispositions: dispositions.map((d) => ({ disposition: d.disposition, quantity: d.quantity })),
    };
  }
}

@ObjectType('Refund', { description: "What the customer gets back for a return. Waybill records it; the storefront's payment integration pays it (on the RETURN_UPDATED webhook)." })
export class Refund {
  @Field(() => Money, { description: 'Total to refund: units plus shipping minus the restocking fee.' })
  amount!: Money;
  @Field(() => Money, { description: "Part of amount that refunds the order's shipping." })
  shipping!: Money;
  @Field(() => Money, { description: 'Deducted for units returned for a reason that is not the seller\'s fault.' })
  restockingFee!: Money;
  @Field(() => Money, {
    description:
      "Part of amount that the order's discount paid for (points redeemed at checkout), in proportion to the refunded goods: given back as points (a loyalty REVERSAL), not paid out. 0 for an order without a discount.",
  })
  discount!: Money;
  @Field(() => Money, { description: 'What the payment system pays back: amount minus discount.' })
  payment!: Money;
  @Field(() => String, { nullable: true, description: "The payment system's reference, given when the refund is recorded." })
  externalReference!: string | null;
  @Field(() => DateTime, { description: 'When it was recorded.' })
  createdAt!: Date;
  static of(r: ReturnRow): Refund | null {
    if (r.refundAmountMinor == null || !r.refundedAt) return null;
    return {
      amount: money(r.refundAmountMinor, r.currency),
      shipping: money(r.refundShippingMinor ?? 0, r.currency),
      restockingFee: money(r.refundRestockingFeeMinor ?? 0, r.currency),
      discount: money(r.refundDiscountMinor ?? 0, r.currency),
      payment: money(r.refundAmountMinor - (r.refundDiscountMinor ?? 0), r.currency),
      externalReference: r.refundExternalReference,
      createdAt: r.refundedAt,
    };
  }
}

@ObjectType('ReturnEvent', { description: 'One status change of a return.' })
export class ReturnEvent {
  @Field(() => Int, { description: 'Per-return sequence, 1, 2, 3 ... with no gaps.' })
  sequence!: number;
  @Field(() => ReturnStatus, { description: 'Status entered.' })
  status!: ReturnStatusValue;
  @Field(() => ReturnStatus, { nullable: true, description: 'Status left; null for the first.' })
  previousStatus!: ReturnStatusValue | null;
  @Field(() => String, { nullable: true, description: 'Why, or what happened.' })
  message!: string | null;
  @Field(() => DateTime, { description: 'When.' })
  occurredAt!: Date;
  static from(r: Pick<typeof returnEvents.$inferSelect, 'sequence' | 'status' | 'previousStatus' | 'message' | 'occurredAt'>): ReturnEvent {
    return { sequence: r.sequence, status: r.status, previousStatus: r.previousStatus, message: r.message, occurredAt: r.occurredAt };
  }
}

@ObjectType('ReturnRequest', { implements: Node, description: 'A return (RMA): units of one order coming back, from request to refund.' })
export class ReturnRequest implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  orderDbId!: string;
  customerDbId!: string;
  warehouseDbId!: string | null;
  returnShipmentDbId!: string | null;
  @Field(() => String, { description: 'Human-readable, unique, e.g. RMA-100001.' })
  number!: string;
  @Field(() => ReturnStatus, { description: 'Current status.' })
  status!: ReturnStatusValue;
  @Field(() => String, { nullable: true, description: 'Why it was rejected, when it was.' })
  rejectionReason!: string | null;
  @Field(() => Refund, { nullable: true, description: 'Known once refunded.' })
  refund!: Refund | null;
  @Field(() => DateTime, { description: 'When it was requested.' })
  createdAt!: Date;
  static from(r: ReturnRow): ReturnRequest {
    return typed('ReturnRequest', {
      id: toGlobalId('ReturnRequest', r.id),
      dbId: r.id,
      orderDbId: r.orderId,
      customerDbId: r.customerId,
      warehouseDbId: r.warehouseId,
      returnShipmentDbId: r.returnShipmentId,
      number: r.number,
      status: r.status,
      rejectionReason: r.rejectionReason,
      refund: Refund.of(r),
      createdAt: r.createdAt,
    });
  }
}

@ObjectType('ReturnRequestConnection', { description: 'A page of returns.' })
export class ReturnRequestConnection extends Connection('ReturnRequest', () => ReturnRequest) {}

@ObjectType('ReturnPolicy', { description: "The store's rules for returns." })
export class ReturnPolicy {
  @Field(() => Int, { description: 'Days from the delivery of the shipment that carried a line during which it may be returned (default 14).' })
  windowDays!: number;
  @Field(() => Float, { description: "Percent of the units' price kept for units returned for a reason that is not the seller's fault, 0..100." })
  restockingFeePercent!: number;
  @Field(() => [String], { description: 'Category prefixes, e.g. "underwear", "food/": products in them cannot be returned.' })
  nonReturnableCategories!: string[];
  @Field(() => Money, { nullable: true, description: 'A request whose refund is at most this is approved at once; null: only seller-fault requests are.' })
  autoApproveMaxAmount!: Money | null;
  static from(r: typeof returnPolicies.$inferSelect): ReturnPolicy {
    return {
      windowDays: r.windowDays,
      restockingFeePercent: r.restockingFeePercent,
      nonReturnableCategories: r.nonReturnableCategories,
      autoApproveMaxAmount: r.autoApproveMaxMinor != null && r.autoApproveCurrency ? money(r.autoApproveMaxMinor, r.autoApproveCurrency) : null,
    };
  }
}

export const ReturnAnalyticsGroupBy = enumOf(['SKU', 'CATEGORY', 'REASON', 'CARRIER', 'WAREHOUSE'] as const);
export type ReturnAnalyticsGroupByValue = keyof typeof ReturnAnalyticsGroupBy;
registerEnumType(ReturnAnalyticsGroupBy, { name: 'ReturnAnalyticsGroupBy', description: 'How returnAnalytics groups units.' });

@ObjectType('ReturnReasonCount', { description: 'Units returned for one reason.' })
export class ReturnReasonCount {
  @Field(() => ReturnReason, { description: 'The reason.' })
  reason!: ReturnReasonValue;
  @Field(() => Int, { description: 'Units.' })
  units!: number;
}

@ObjectType('ReturnReasonStat', {
  description:
    "One group of returnAnalytics: units returned over units shipped in the period (by the shipment's date), with a 95% Wilson interval. flagged means the group's interval lies wholly above the store's overall return rate for the period: a real outlier, not noise from a handful of orders.",
})
export class ReturnReasonStat {
  @Field(() => String, { description: 'The group: a SKU, category, reason, carrier code or warehouse code; "ALL" for the overall rate.' })
  key!: string;
  @Field(() => Int, { description: 'Units shipped in the period.' })
  unitsShipped!: number;
  @Field(() => Int, { description: 'Of those, units in returns that are not REJECTED or CANCELLED.' })
  unitsReturned!: number;
  @Field(() => Float, { description: 'unitsReturned / unitsShipped (0 when nothing shipped).' })
  returnRate!: number;
  @Field(() => Float, { description: 'Lower bound of the 95% Wilson interval.' })
  rateLow!: number;
  @Field(() => Float, { description: 'Upper bound of the 95% Wilson interval.' })
  rateHigh!: number;
  @Field(() => Boolean, {
    description:
      'True when the interval lies wholly above the overall rate (rateLow > the "ALL" returnRate) and at least 5 units came back: the group returns more than the store, beyond chance and beyond a handful of parcels. Never for "ALL".',
  })
  flagged!: boolean;
  @Field(() => [ReturnReasonCount], { description: 'Reasons in this group, most units first.' })
  reasons!: ReturnReasonCount[];
}

@ObjectType('ReturnStatusEvent', { description: 'A return changed status (returnStatusChanged).' })
export class ReturnStatusEvent {
  returnDbId!: string;
  @Field(() => ReturnEvent, { description: 'The change.' })
  event!: ReturnEvent;
}
