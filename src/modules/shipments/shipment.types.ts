import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../graphql/common.types.js';
import { enumOf } from '../../graphql/enums.js';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import { money } from '../../shared/money.js';
import type { ShipmentRow, TrackingEventRow } from './shipment.service.js';
import { SHIPMENT_DIRECTIONS, SHIPMENT_STATUSES, type ShipmentDirectionValue, type ShipmentStatusValue } from './shipment.table.js';

export const ShipmentStatus = enumOf(SHIPMENT_STATUSES);
registerEnumType(ShipmentStatus, {
  name: 'ShipmentStatus',
  description: "Where a parcel is: the status of its latest carrier event by occurredAt.",
  valuesConfig: {
    LABEL_CREATED: { description: 'Label printed, waiting for the carrier.' },
    AT_PICKUP_POINT: { description: 'Waiting at the pickup point.' },
    FAILED_ATTEMPT: { description: 'The courier could not deliver; another attempt follows.' },
  },
});
export const ShipmentDirection = enumOf(SHIPMENT_DIRECTIONS);
registerEnumType(ShipmentDirection, {
  name: 'ShipmentDirection',
  description: 'Which way a parcel travels.',
  valuesConfig: {
    OUTBOUND: { description: 'From a warehouse to the customer (one per fulfillment order).' },
    RETURN: { description: "From the customer back to a warehouse: a return's parcel, created when the return is approved. It moves no order and no stock; the units are received by scan." },
  },
});

@ObjectType('Label', { description: 'A shipping label file.' })
export class Label {
  @Field(() => String, { description: 'PDF or ZPL.' })
  format!: string;
  @Field(() => String, { description: 'Base64 of the label file.' })
  content!: string;
}

@ObjectType('TrackingEvent', { description: 'A carrier scan or status update.' })
export class TrackingEvent {
  @Field(() => ShipmentStatus, { description: 'Status the event reports.' })
  status!: ShipmentStatusValue;
  @Field(() => DateTime, { description: 'When it happened (carrier time).' })
  occurredAt!: Date;
  @Field(() => String, { nullable: true, description: 'City-level place, e.g. "Kazan sorting centre".' })
  location!: string | null;
  @Field(() => String, { nullable: true, description: "The carrier's description." })
  description!: string | null;
  static from(r: Pick<TrackingEventRow, 'status' | 'occurredAt' | 'location' | 'description'>): TrackingEvent {
    return { status: r.status, occurredAt: r.occurredAt, location: r.location, description: r.description };
  }
}

@ObjectType('Shipment', { implements: Node, description: 'A parcel handed to a carrier: to the customer for one fulfillment order (OUTBOUND), or back from the customer for a return (RETURN).' })
export class Shipment implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  carrierDbId!: string;
  serviceDbId!: string;
  fulfillmentOrderDbId!: string;
  @Field(() => String, { description: 'Unique, with a check digit (UPU S10); what the customer types into a tracking widget.' })
  trackingNumber!: string;
  @Field(() => ShipmentDirection, { description: 'OUTBOUND (to the customer) or RETURN (a return parcel back to the warehouse: sender and recipient on its label are the customer and the warehouse).' })
  direction!: ShipmentDirectionValue;
  @Field(() => ShipmentStatus, { description: 'Status of the latest event by occurredAt.' })
  status!: ShipmentStatusValue;
  @Field(() => Money, { description: 'What the carrier charges us.' })
  cost!: Money;
  @Field(() => Int, { description: 'Actual weight, grams.' })
  weightGrams!: number;
  @Field(() => Int, { description: 'max(actual, volumetric) weight the carrier bills, grams.' })
  chargeableWeightGrams!: number;
  @Field(() => Label, { description: 'The label as PDF (100 x 150 mm) with a Code 128 barcode of the tracking number.' })
  label!: Label;
  @Field(() => Label, { nullable: true, description: 'The same label in ZPL II for thermal printers.' })
  zplLabel!: Label | null;
  @Field(() => DateTime, { nullable: true, description: 'Promised window, from (null for a return parcel: the customer decides when to send it).' })
  estimatedDeliveryFrom!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'Promised window, to.' })
  estimatedDeliveryTo!: Date | null;
  @Field(() => DateTime, { description: 'When the label was created.' })
  createdAt!: Date;
  @Field(() => DateTime, { nullable: true, description: 'When the carrier delivered it.' })
  deliveredAt!: Date | null;
  static from(r: ShipmentRow): Shipment {
    return typed('Shipment', {
      id: toGlobalId('Shipment', r.id),
      dbId: r.id,
      carrierDbId: r.carrierId,
      serviceDbId: r.serviceId,
      fulfillmentOrderDbId: r.fulfillmentOrderId,
      trackingNumber: r.trackingNumber,
      direction: r.direction,
      status: r.status,
      cost: money(r.costMinor, r.currency),
      weightGrams: r.weightGrams,
      chargeableWeightGrams: r.parcel.chargeableWeightGrams,
      label: { format: r.labelFormat, content: r.labelContent },
      zplLabel: r.labelZpl ? { format: 'ZPL', content: Buffer.from(r.labelZpl, 'utf8').toString('base64') } : null,
      estimatedDeliveryFrom: r.estimatedDeliveryFrom,
      estimatedDeliveryTo: r.estimatedDeliveryTo,
      createdAt: r.createdAt,
      deliveredAt: r.deliveredAt,
    });
  }
}

