import 'reflect-metadata';
/** Object and input types shared by every module: Money, GeoPoint, Address. */
import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('Money', { simpleResolvers: true, description: 'Money in integer minor units (kopecks, cents) of an ISO 4217 currency. Never floating point.' })
export class Money {
  @Field(() => Int, { description: 'Amount in minor units.' })
  amountMinor!: number;
  @Field(() => String, { description: 'ISO 4217 currency code, e.g. RUB.' })
  currency!: string;
}

@InputType('MoneyInput', { description: 'Money in integer minor units of an ISO 4217 currency.' })
export class MoneyInput {
  @Field(() => Int, { description: 'Amount in minor units.' })
  amountMinor!: number;
  @Field(() => String, { description: 'ISO 4217 currency code.' })
  currency!: string;
}

@ObjectType('GeoPoint', { simpleResolvers: true, description: 'WGS 84 coordinates.' })
export class GeoPoint {
  @Field(() => Float, { description: 'Latitude in degrees.' })
  lat!: number;
  @Field(() => Float, { description: 'Longitude in degrees.' })
  lng!: number;
}

@InputType('GeoPointInput', { description: 'WGS 84 coordinates.' })
export class GeoPointInput {
  @Field(() => Float, { description: 'Latitude in degrees, -90..90.' })
  lat!: number;
  @Field(() => Float, { description: 'Longitude in degrees, -180..180.' })
  lng!: number;
}

@ObjectType('Address', { simpleResolvers: true, description: 'A postal address.' })
export class Address {
  @Field(() => String, { nullable: true, description: 'Recipient name.' })
  name?: string | null;
  @Field(() => String, { description: 'Street and house.' })
  line1!: string;
  @Field(() => String, { nullable: true, description: 'Apartment, floor, etc.' })
  line2?: string | null;
  @Field(() => String, { description: 'City.' })
  city!: string;
  @Field(() => String, { nullable: true, description: 'Region or state.' })
  region?: string | null;
  @Field(() => String, { description: 'Postal code.' })
  postalCode!: string;
  @Field(() => String, { description: 'ISO 3166-1 alpha-2, e.g. RU, DE.' })
  countryCode!: string;
  @Field(() => String, { nullable: true, description: 'Phone number.' })
  phone?: string | null;
  @Field(() => GeoPoint, { nullable: true, description: 'Coordinates, when known.' })
  location?: GeoPoint | null;
}

@InputType('AddressInput', { description: 'A postal address.' })
export class AddressInput {
  @Field(() => String, { nullable: true, description: 'Recipient name.' })
  name?: string | null;
  @Field(() => String, { description: 'Street and house.' })
  line1!: string;
  @Field(() => String, { nullable: true, description: 'Apartment, floor, etc.' })
  line2?: string | null;
  @Field(() => String, { description: 'City.' })
  city!: string;
  @Field(() => String, { nullable: true, description: 'Region or state.' })
  region?: string | null;
  @Field(() => String, { description: 'Postal code.' })
  postalCode!: string;
  @Field(() => String, { description: 'ISO 3166-1 alpha-2, e.g. RU, DE.' })
  countryCode!: string;
  @Field(() => String, { nullable: true, description: 'Phone number.' })
  phone?: string | null;
  @Field(() => GeoPointInput, { nullable: true, description: 'Coordinates, when known.' })
  location?: GeoPointInput | null;
}
