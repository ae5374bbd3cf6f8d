import { Field, ID, InputType, Int } from 'type-graphql';
import { AddressInput, MoneyInput } from '../../graphql/common.types.js';
import { DateTime } from '../../graphql/scalars.js';
import type { DeliveryTypeValue, OrderStatusValue } from './order.table.js';
import { DeliveryType, OrderStatus } from './order.types.js';

@InputType('OrderCustomerInput', { description: 'The buyer; created if the e-mail is new.' })
export class OrderCustomerInput {
  @Field(() => String, { description: 'E-mail.' })
  email!: string;
  @Field(() => String, { nullable: true, description: 'Name.' })
  name?: string | null;
  @Field(() => String, { nullable: true, description: 'Phone.' })
  phone?: string | null;
  @Field(() => String, { nullable: true, description: 'BCP 47 language for messages; default en.' })
  locale?: string | null;
}

@InputType('OrderLineInput', { description: 'A line of a new order.' })
export class OrderLineInput {
  @Field(() => String, { description: 'SKU.' })
  sku!: string;
  @Field(() => Int, { description: 'Units (1 to 10,000).' })
  quantity!: number;
  @Field(() => MoneyInput, { nullable: true, description: "Price charged by the storefront; defaults to the variant's price." })
  unitPrice?: MoneyInput | null;
}

@InputType('OrderCreateInput', { description: 'A new order.' })
export class OrderCreateInput {
  @Field(() => String, { nullable: true, description: 'Retries with the same key never create a second order (see invariants).' })
  idempotencyKey?: string | null;
  @Field(() => String, { nullable: true, description: "The order's id in the sending platform." })
  externalId?: string | null;
  @Field(() => String, { description: 'Sales channel, e.g. web.' })
  channel!: string;
  @Field(() => OrderCustomerInput, {
    description:
      "The buyer. With a customer token the buyer is the token's own account: give its e-mail (any other is the userError CUSTOMER_MISMATCH and nothing is written); name, phone and locale are then the account's.",
  })
  customer!: OrderCustomerInput;
  @Field(() => AddressInput, { description: 'Where to deliver.' })
  shippingAddress!: AddressInput;
  @Field(() => [OrderLineInput], { description: 'What.' })
  lines!: OrderLineInput[];
  @Field(() => String, { nullable: true, description: 'An id from Query.deliveryOptions; fixes delivery type, carrier service, pickup point and shipping price.' })
  deliveryOptionId?: string | null;
  @Field(() => DeliveryType, { nullable: true, description: 'Used when no deliveryOptionId is given.' })
  deliveryType?: DeliveryTypeValue | null;
  @Field(() => String, { description: 'ISO 4217 currency of the order.' })
  currency!: string;
  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Accept lines without stock (BACKORDERED) instead of refusing.' })
  allowBackorder?: boolean | null;
  @Field(() => Int, { nullable: true, description: "Points to redeem as a discount (customer's own balance; at most maxRedeemShare of the subtotal)." })
  redeemPoints?: number | null;
}

@InputType('OrderCancelInput', { description: 'The order to cancel.' })
export class OrderCancelInput {
  @Field(() => ID, { description: 'Order global ID.' })
  id!: string;
  @Field(() => String, { nullable: true, description: 'Why (shown in the timeline).' })
  reason?: string | null;
}

@InputType('OrderFilter', { description: 'Filters of Query.orders.' })
export class OrderFilter {
  @Field(() => [OrderStatus], { nullable: true, description: 'Any of these statuses.' })
  status?: OrderStatusValue[] | null;
  @Field(() => String, { nullable: true, description: 'Sales channel (exact; at most 200 characters).' })
  channel?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'Created at or after.' })
  createdFrom?: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'Created at or before.' })
  createdTo?: Date | null;
  @Field(() => String, { nullable: true, description: "Customer's e-mail (exact, case-insensitive; `%` and `_` are not wildcards; at most 200 characters)." })
  customerEmail?: string | null;
}
