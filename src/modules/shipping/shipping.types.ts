import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Address, GeoPoint, Money } from '../../graphql/common.types.js';
import { enumOf } from '../../graphql/enums.js';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { money } from '../../shared/money.js';
import { DateTime } from '../../graphql/scalars.js';
import { DeliveryType } from '../orders/order.types.js';
import { Warehouse } from '../warehouse/warehouse.types.js';
import type { DeliveryTypeValue } from '../../shared/delivery-type.js';
import type { CarrierRow, CarrierServiceRow } from './carrier.service.js';
import type { PickupPointView } from './pickup.service.js';
import { RATE_STRATEGIES } from './rate-shopping.js';
import type { ShipmentRow, TrackingEventRow } from './shipment.service.js';
import { SHIPMENT_STATUSES, type ShipmentStatusValue } from './shipping.table.js';

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
export const RateStrategy = enumOf(RATE_STRATEGIES);
registerEnumType(RateStrategy, {
  name: 'RateStrategy',
  description: 'How shipmentCreate picks a carrier service when none is given.',
  valuesConfig: {
    CHEAPEST: { description: 'Lowest price.' },
    FASTEST: { description: 'Shortest promised transit.' },
    BEST_VALUE: { description: "Price weighted by the service's late-delivery rate in the store's history." },
  },
});

@ObjectType('CarrierService', { description: 'A product of a carrier, e.g. courier or pickup-point delivery, with its rate card.' })
export class CarrierService {
  dbId!: string;
  carrierDbId!: string;
  @Field(() => String, { description: 'Unique over all carriers, e.g. CDEK_COURIER.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => DeliveryType, { description: 'Courier, pickup point or partner.' })
  deliveryType!: DeliveryTypeValue;
  @Field(() => Int, { description: 'Fastest transit, business days after dispatch.' })
  transitDaysMin!: number;
  @Field(() => Int, { description: 'Slowest promised transit, business days after dispatch.' })
  transitDaysMax!: number;
  @Field(() => Int, { description: 'Divisor for volumetric weight in grams: L*W*H (mm^3) / volumetricDivisor.' })
  volumetricDivisor!: number;
  @Field(() => Int, { description: 'Heaviest parcel the service takes, grams.' })
  maxWeightGrams!: number;
  static from(r: CarrierServiceRow): CarrierService {
    return {
      dbId: r.id,
      carrierDbId: r.carrierId,
      code: r.code,
      name: r.name,
      deliveryType: r.deliveryType,
      transitDaysMin: r.transitDaysMin,
      transitDaysMax: r.transitDaysMax,
      volumetricDivisor: r.volumetricDivisor,
      maxWeightGrams: r.maxWeightGrams,
    };
  }
}

@ObjectType('Carrier', { implements: Node, description: 'A carrier the store ships with.' })
export class Carrier implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  @Field(() => String, { description: 'Unique code, e.g. CDEK.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  static from(r: CarrierRow): Carrier {
    return typed('Carrier', { id: toGlobalId('Carrier', r.id), dbId: r.id, code: r.code, name: r.name });
  }
}

@ObjectType('PickupPoint', { implements: Node, description: 'A place where customers collect parcels.' })
export class PickupPoint implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  carrierDbId!: string | null;
  @Field(() => String, { description: 'Unique code.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => Address, { description: 'Where it is.' })
  address!: Address;
  @Field(() => GeoPoint, { description: 'Coordinates.' })
  location!: GeoPoint;
  @Field(() => Int, { description: 'Parcels it can still accept today.' })
  availableCapacity!: number;
  @Field(() => Int, { description: 'Parcels it accepts per day.' })
  dailyCapacity!: number;
  @Field(() => String, { nullable: true, description: 'Opening hours, free text, e.g. "Mo-Fr 09:00-21:00; Sa 10:00-18:00".' })
  openingHours!: string | null;
  @Field(() => Float, { nullable: true, description: 'Only in pickupPoints(near: ...) and delivery options: great-circle distance from the point asked about, km.' })
  distanceKm!: number | null;
  static from(r: PickupPointView): PickupPoint {
    return typed('PickupPoint', {
      id: toGlobalId('PickupPoint', r.id),
      dbId: r.id,
      carrierDbId: r.carrierId,
      code: r.code,
      name: r.name,
      address: r.address,
      location: { lat: r.lat, lng: r.lng },
      availableCapacity: Math.max(0, r.dailyCapacity - r.used),
      dailyCapacity: r.dailyCapacity,
      openingHours: r.openingHours,
      distanceKm: r.distanceKm == null ? null : Math.round(r.distanceKm * 1000) / 1000,
    });
  }
}

@ObjectType('DeliveryOption', { description: 'A priced, dated way to deliver a cart, as a checkout shows it.' })
export class DeliveryOption {
  @Field(() => String, { description: 'Opaque quote id, valid for at least 30 minutes, accepted by orderCreate(deliveryOptionId).' })
  id!: string;
  @Field(() => DeliveryType, { description: 'Courier, pickup point or partner.' })
  type!: DeliveryTypeValue;
  @Field(() => Carrier, { description: 'The carrier.' })
  carrier!: Carrier;
  @Field(() => CarrierService, { description: 'The carrier service.' })
  service!: CarrierService;
  @Field(() => Money, { description: "The rate card's price of the parcel(s) the server would ship (chargeable weight = max(actual, volumetric))." })
  price!: Money;
  @Field(() => DateTime, { description: 'Earliest delivery: dispatch date (after the warehouse cut-off, business days only) + minimum transit.' })
  estimatedDeliveryFrom!: Date;
  @Field(() => DateTime, { description: 'Latest promised delivery: dispatch date + maximum transit, end of that day.' })
  estimatedDeliveryTo!: Date;
  @Field(() => PickupPoint, { nullable: true, description: 'For PICKUP_POINT options: the point (with distanceKm from the destination).' })
  pickupPoint!: PickupPoint | null;
  @Field(() => [Warehouse], { description: 'Warehouse(s) the order would ship from.' })
  shipsFrom!: Warehouse[];
}

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

@ObjectType('Shipment', { implements: Node, description: 'A parcel handed to a carrier for one fulfillment order.' })
export class Shipment implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  carrierDbId!: string;
  serviceDbId!: string;
  fulfillmentOrderDbId!: string;
  @Field(() => String, { description: 'Unique, with a check digit (UPU S10); what the customer types into a tracking widget.' })
  trackingNumber!: string;
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
  @Field(() => DateTime, { nullable: true, description: 'Promised window, from.' })
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

@ObjectType('PublicTracking', { description: 'What anyone with the tracking number may see: no name, street, phone or e-mail; city-level places only.' })
export class PublicTracking {
  @Field(() => String, { description: 'The tracking number.' })
  trackingNumber!: string;
  @Field(() => String, { description: 'Carrier name.' })
  carrierName!: string;
  @Field(() => ShipmentStatus, { description: 'Current status.' })
  status!: ShipmentStatusValue;
  @Field(() => DateTime, { nullable: true, description: 'Promised window, from.' })
  estimatedDeliveryFrom!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'Promised window, to.' })
  estimatedDeliveryTo!: Date | null;
  @Field(() => String, { nullable: true, description: 'Destination city.' })
  destinationCity!: string | null;
  @Field(() => [TrackingEvent], { description: 'Events, oldest first.' })
  events!: TrackingEvent[];
}

@ObjectType('TrackingUpdate', { description: 'A live update of one parcel.' })
export class TrackingUpdate {
  @Field(() => PublicTracking, { description: 'The parcel after the update.' })
  tracking!: PublicTracking;
  @Field(() => TrackingEvent, { description: 'The event that caused this update.' })
  event!: TrackingEvent;
}

@ObjectType('CarrierPerformance', { description: "A carrier service's record over a period, from the store's own shipments." })
export class CarrierPerformance {
  @Field(() => Carrier, { description: 'The carrier.' })
  carrier!: Carrier;
  @Field(() => CarrierService, { description: 'The service.' })
  service!: CarrierService;
  @Field(() => Int, { description: 'Shipments created in the period.' })
  shipments!: number;
  @Field(() => Int, { description: 'Of those, delivered.' })
  delivered!: number;
  @Field(() => Float, { nullable: true, description: 'Share of delivered shipments that arrived by estimatedDeliveryTo, 0..1.' })
  onTimeRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Average hours from label to delivery.' })
  avgTransitHours!: number | null;
  @Field(() => Float, { nullable: true, description: '90th percentile of hours from label to delivery.' })
  p90TransitHours!: number | null;
  @Field(() => Money, { nullable: true, description: 'Average cost per shipment.' })
  avgCost!: Money | null;
  @Field(() => Money, { nullable: true, description: 'Total cost per kilogram shipped.' })
  costPerKg!: Money | null;
}
