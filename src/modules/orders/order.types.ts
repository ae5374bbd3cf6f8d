import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Address, Money } from '../../graphql/common.types.js';
import { enumOf } from '../../graphql/enums.js';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { money } from '../../shared/money.js';
import { DateTime } from '../../graphql/scalars.js';
import { Dimensions } from '../catalog/catalog.types.js';
import type { FulfillmentLineRow, FulfillmentOrderEventRow, FulfillmentOrderRow, OrderEventRow, OrderLineRow, OrderRow } from './order.service.js';
import { DELIVERY_TYPES, FULFILLMENT_STATUSES, ORDER_STATUSES, type DeliveryTypeValue, type FulfillmentStatusValue, type OrderStatusValue } from './order.table.js';

export const OrderStatus = enumOf(ORDER_STATUSES);
export const FulfillmentStatus = enumOf(FULFILLMENT_STATUSES);
export const DeliveryType = enumOf(DELIVERY_TYPES);
registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  description: 'Where an order is in its lifecycle.',
  valuesConfig: { ALLOCATED: { description: 'Stock is reserved for every line.' }, BACKORDERED: { description: 'Some lines wait for stock (allowBackorder).' } },
});
registerEnumType(FulfillmentStatus, { name: 'FulfillmentStatus', description: 'Where a fulfillment order is in the warehouse.' });
registerEnumType(DeliveryType, { name: 'DeliveryType', description: 'How the parcel reaches the customer.' });

@ObjectType('OrderEvent', { description: 'One step of the order timeline.' })
export class OrderEvent {
  @Field(() => Int, { description: 'Per-order sequence, 1, 2, 3 ... with no gaps.' })
  sequence!: number;
  @Field(() => OrderStatus, { description: 'Status after this event.' })
  status!: OrderStatusValue;
  @Field(() => OrderStatus, { nullable: true, description: 'Status before this event.' })
  previousStatus!: OrderStatusValue | null;
  @Field(() => String, { nullable: true, description: 'Why.' })
  message!: string | null;
  @Field(() => DateTime, { description: 'When.' })
  occurredAt!: Date;
  static from(r: OrderEventRow): OrderEvent {
    return { sequence: r.sequence, status: r.status, previousStatus: r.previousStatus, message: r.message, occurredAt: r.occurredAt };
  }
}

@ObjectType('FulfillmentOrderEvent', { description: 'One step of a fulfillment order in the warehouse: picking, picked, packed, shipped or cancelled.' })
export class FulfillmentOrderEvent {
  @Field(() => Int, { description: 'Per-fulfillment-order sequence, 1, 2, 3 ... with no gaps.' })
  sequence!: number;
  @Field(() => FulfillmentStatus, { description: 'Status after this event.' })
  status!: FulfillmentStatusValue;
  @Field(() => FulfillmentStatus, { nullable: true, description: 'Status before this event; null for the first.' })
  previousStatus!: FulfillmentStatusValue | null;
  @Field(() => String, { nullable: true, description: 'Why, or what happened.' })
  message!: string | null;
  @Field(() => DateTime, { description: 'When.' })
  occurredAt!: Date;
  static from(r: FulfillmentOrderEventRow): FulfillmentOrderEvent {
    return { sequence: r.sequence, status: r.status, previousStatus: r.previousStatus, message: r.message, occurredAt: r.occurredAt };
  }
}

@ObjectType('OrderLine', { description: 'A line of an order.' })
export class OrderLine {
  @Field(() => ID, { description: 'Opaque id of the line.' })
  id!: string;
  variantDbId!: string;
  @Field(() => String, { description: 'SKU at the time of ordering.' })
  sku!: string;
  @Field(() => Int, { description: 'Units ordered.' })
  quantity!: number;
  @Field(() => Money, { description: 'Price per unit charged.' })
  unitPrice!: Money;
  @Field(() => Int, { description: 'Units reserved in warehouses.' })
  allocatedQuantity!: number;
  @Field(() => Int, { description: 'Units shipped.' })
  shippedQuantity!: number;
  @Field(() => Int, { nullable: true, description: 'Units reserved when the order was placed (what kpis.fillRate counts); null for orders placed before this was recorded.' })
  allocatedAtCreation!: number | null;
  static from(r: OrderLineRow, currency: string): OrderLine {
    return {
      id: toGlobalId('OrderLine', r.id),
      variantDbId: r.variantId,
      sku: r.sku,
      quantity: r.quantity,
      unitPrice: money(r.unitPriceMinor, currency),
      allocatedQuantity: r.allocatedQuantity,
      shippedQuantity: r.shippedQuantity,
      allocatedAtCreation: r.allocatedAtCreation,
    };
  }
}

@ObjectType('FulfillmentLine', { description: 'Units of a variant that one warehouse ships for an order.' })
export class FulfillmentLine {
  variantDbId!: string;
  @Field(() => Int, { description: 'Units to ship from this warehouse.' })
  quantity!: number;
  @Field(() => Int, { description: 'Units picked so far.' })
  pickedQuantity!: number;
  static from(r: FulfillmentLineRow): FulfillmentLine {
    return { variantDbId: r.variantId, quantity: r.quantity, pickedQuantity: r.pickedQuantity };
  }
}

@ObjectType('FulfillmentOrder', { implements: Node, description: 'The part of an order that one warehouse ships (an order may be split over warehouses).' })
export class FulfillmentOrder implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  orderDbId!: string;
  warehouseDbId!: string;
  @Field(() => FulfillmentStatus, { description: 'Status in the warehouse.' })
  status!: FulfillmentStatusValue;
  @Field(() => Int, { nullable: true, description: 'Weight of the packed parcel, grams.' })
  packedWeightGrams!: number | null;
  @Field(() => Dimensions, { nullable: true, description: 'Outer dimensions of the packed parcel.' })
  packedDimensions!: Dimensions | null;
  static from(r: FulfillmentOrderRow): FulfillmentOrder {
    return typed('FulfillmentOrder', {
      id: toGlobalId('FulfillmentOrder', r.id),
      dbId: r.id,
      orderDbId: r.orderId,
      warehouseDbId: r.warehouseId,
      status: r.status,
      packedWeightGrams: r.packedWeightGrams,
      packedDimensions:
        r.packedLengthMm != null && r.packedWidthMm != null && r.packedHeightMm != null
          ? { lengthMm: r.packedLengthMm, widthMm: r.packedWidthMm, heightMm: r.packedHeightMm }
          : null,
    });
  }
}

@ObjectType('Order', { implements: Node, description: 'A customer order.' })
export class Order implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  customerDbId!: string;
  @Field(() => String, { description: 'Human-readable, unique, sequential, e.g. WB-100001.' })
  number!: string;
  @Field(() => String, { nullable: true, description: "The order's id in the storefront / e-commerce platform that sent it." })
  externalId!: string | null;
  @Field(() => String, { description: 'Sales channel, e.g. web, app, marketplace name.' })
  channel!: string;
  @Field(() => OrderStatus, { description: 'Current status.' })
  status!: OrderStatusValue;
  @Field(() => Address, { description: 'Where it goes.' })
  shippingAddress!: Address;
  @Field(() => DeliveryType, { description: 'How it goes.' })
  deliveryType!: DeliveryTypeValue;
  @Field(() => Money, { description: 'Sum of the lines.' })
  subtotal!: Money;
  @Field(() => Money, { description: 'Shipping charged.' })
  shippingPrice!: Money;
  @Field(() => Money, { description: 'subtotal + shippingPrice - discount.' })
  total!: Money;
  @Field(() => Int, { description: 'Loyalty points redeemed on this order (0 when none).' })
  pointsRedeemed!: number;
  @Field(() => Money, { description: 'What the redeemed points took off the order (zero when none).' })
  discount!: Money;
  @Field(() => DateTime, { description: 'When the order was created.' })
  createdAt!: Date;
  @Field(() => DateTime, { nullable: true, description: 'When the last parcel shipped.' })
  shippedAt!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'When the last parcel was delivered.' })
  deliveredAt!: Date | null;
  currency!: string;
  static from(r: OrderRow): Order {
    return typed('Order', {
      id: toGlobalId('Order', r.id),
      dbId: r.id,
      customerDbId: r.customerId,
      number: r.number,
      externalId: r.externalId,
      channel: r.channel,
      status: r.status,
      shippingAddress: r.shippingAddress,
      deliveryType: r.deliveryType,
      subtotal: money(r.subtotalMinor, r.currency),
      shippingPrice: money(r.shippingMinor, r.currency),
      total: money(r.totalMinor, r.currency),
      pointsRedeemed: r.pointsRedeemed,
      discount: money(r.discountMinor, r.currency),
      createdAt: r.createdAt,
      shippedAt: r.shippedAt,
      deliveredAt: r.deliveredAt,
      currency: r.currency,
    });
  }
}

@ObjectType('OrderStatusEvent', { description: 'A status change of an order.' })
export class OrderStatusEvent {
  @Field(() => Order, { description: 'The order after the change.' })
  order!: Order;
  @Field(() => OrderEvent, { description: 'The timeline entry.' })
  event!: OrderEvent;
}
