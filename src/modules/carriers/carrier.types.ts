import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Address, GeoPoint, Money } from '../../graphql/common.types.js';
import { enumOf } from '../../graphql/enums.js';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import { DeliveryType } from '../orders/order.types.js';
import { Warehouse } from '../warehouse/warehouse.types.js';
import type { DeliveryTypeValue } from '../../shared/delivery-type.js';
import type { CarrierRow, CarrierServiceRow } from './carrier.service.js';
import type { PickupPointView } from './pickup.service.js';
import { RATE_STRATEGIES } from './rate-shopping.js';

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

@ObjectType('CarrierService', { simpleResolvers: true, description: 'A product of a carrier, e.g. courier or pickup-point delivery, with its rate card.' })
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

@ObjectType('Carrier', { simpleResolvers: true, implements: Node, description: 'A carrier the store ships with.' })
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

@ObjectType('PickupPoint', { simpleResolvers: true, implements: Node, description: 'A place where customers collect parcels.' })
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

@ObjectType('DeliveryOption', { simpleResolvers: true, description: 'A priced, dated way to deliver a cart, as a checkout shows it.' })
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
