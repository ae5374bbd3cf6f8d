import { Field, InputType, Int } from 'type-graphql';
import { AddressInput, MoneyInput } from '../../graphql/common.types.js';
import { OrderLineInput } from '../orders/order.inputs.js';
import { DeliveryType } from '../orders/order.types.js';
import type { DeliveryTypeValue } from '../../shared/delivery-type.js';

@InputType('DeliveryOptionsInput', { description: 'A cart and where it should go.' })
export class DeliveryOptionsInput {
  @Field(() => AddressInput, { description: 'Destination; with location, pickup points are offered by distance.' })
  destination!: AddressInput;
  @Field(() => [OrderLineInput], { description: 'The cart lines (SKU and quantity).' })
  lines!: OrderLineInput[];
  @Field(() => String, { description: 'Currency of the prices shown (ISO 4217).' })
  currency!: string;
}

@InputType('RateInput', { description: 'A rate card row: destination and weight bracket -> price.' })
export class RateInput {
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 country.' })
  countryCode!: string;
  @Field(() => String, { nullable: true, description: 'Optional narrower match.' })
  region?: string | null;
  @Field(() => String, { nullable: true, description: 'Optional narrower match: postal codes starting with this.' })
  postalCodePrefix?: string | null;
  @Field(() => Int, { description: 'Bracket upper bound, inclusive, in chargeable grams.' })
  maxWeightGrams!: number;
  @Field(() => MoneyInput, { description: 'Price of a parcel in this bracket.' })
  price!: MoneyInput;
}

@InputType('CarrierServiceInput', { description: 'A service of a new carrier.' })
export class CarrierServiceInput {
  @Field(() => String, { description: 'Unique over all carriers, e.g. CDEK_COURIER.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => DeliveryType, { description: 'Courier, pickup point or partner.' })
  deliveryType!: DeliveryTypeValue;
  @Field(() => Int, { description: 'Fastest transit, business days.' })
  transitDaysMin!: number;
  @Field(() => Int, { description: 'Slowest promised transit, business days.' })
  transitDaysMax!: number;
  @Field(() => Int, { nullable: true, defaultValue: 5000, description: 'Volumetric divisor: grams = L*W*H (mm^3) / divisor.' })
  volumetricDivisor?: number | null;
  @Field(() => Int, { description: 'Heaviest parcel, grams.' })
  maxWeightGrams!: number;
  @Field(() => [RateInput], { description: 'The rate card: the first matching row (most specific destination, smallest weight bracket) prices a parcel.' })
  rates!: RateInput[];
}

@InputType('CarrierCreateInput', { description: 'A carrier with its services and rate cards.' })
export class CarrierCreateInput {
  @Field(() => String, { description: 'Unique code, e.g. CDEK.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => [CarrierServiceInput], { description: 'Its services.' })
  services!: CarrierServiceInput[];
}

@InputType('PickupPointCreateInput', { description: 'A new pickup point.' })
export class PickupPointCreateInput {
  @Field(() => String, { description: 'Unique code.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => String, { nullable: true, description: 'Carrier that runs it; null = any carrier may deliver there.' })
  carrierCode?: string | null;
  @Field(() => AddressInput, { description: 'Address with location (required).' })
  address!: AddressInput;
  @Field(() => Int, { description: 'Parcels it accepts per day.' })
  dailyCapacity!: number;
  @Field(() => String, { nullable: true, description: 'Opening hours, free text.' })
  openingHours?: string | null;
}
