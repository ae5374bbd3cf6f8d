import { sql } from 'drizzle-orm';
import { check, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn } from '../../db/columns.js';
import { DELIVERY_TYPES } from '../../shared/delivery-type.js';
import { type AddressData } from '../warehouse/warehouse.table.js';

/**
 * What a carrier reports about a parcel (and so what a shipment's status can be): the vocabulary of
 * carrier adapters' tracking pushes, owned here so carriers import nothing from shipments.
 */
export const SHIPMENT_STATUSES = [
  'LABEL_CREATED',
  'IN_TRANSIT',
  'OUT_FOR_DELIVERY',
  'AT_PICKUP_POINT',
  'DELIVERED',
  'FAILED_ATTEMPT',
  'EXCEPTION',
  'RETURNED_TO_SENDER',
] as const;
export type ShipmentStatusValue = (typeof SHIPMENT_STATUSES)[number];

export const carriers = pgTable('carriers', {
  id: idColumn(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  /** Which adapter talks to this carrier; 'rate_card' is the built-in one (prices from the stored rate card). */
  adapter: text('adapter').notNull().default('rate_card'),
  createdAt: createdAt(),
});

export const carrierServices = pgTable(
  'carrier_services',
  {
    id: idColumn(),
    carrierId: uuid('carrier_id')
      .notNull()
      .references(() => carriers.id),
    /** Unique over all carriers, e.g. CDEK_COURIER. */
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    deliveryType: text('delivery_type', { enum: DELIVERY_TYPES }).notNull(),
    transitDaysMin: integer('transit_days_min').notNull(),
    transitDaysMax: integer('transit_days_max').notNull(),
    volumetricDivisor: integer('volumetric_divisor').notNull(),
    maxWeightGrams: integer('max_weight_grams').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [
    index('carrier_services_carrier_idx').on(t.carrierId),
    check('carrier_services_transit', sql`${t.transitDaysMin} >= 0 and ${t.transitDaysMax} >= ${t.transitDaysMin}`),
  ],
);

/** A rate card row: destination (country, optionally region and postal prefix) and weight bracket -> price. */
export const carrierRates = pgTable(
  'carrier_rates',
  {
    id: idColumn(),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => carrierServices.id),
    countryCode: text('country_code').notNull(),
    region: text('region'),
    postalCodePrefix: text('postal_code_prefix'),
    maxWeightGrams: integer('max_weight_grams').notNull(),
    priceMinor: integer('price_minor').notNull(),
    currency: text('currency').notNull(),
  },
  (t) => [index('carrier_rates_service_country_idx').on(t.serviceId, t.countryCode)],
);

export const pickupPoints = pgTable(
  'pickup_points',
  {
    id: idColumn(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    carrierId: uuid('carrier_id').references(() => carriers.id),
    address: jsonb('address').$type<AddressData>().notNull(),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    dailyCapacity: integer('daily_capacity').notNull(),
    openingHours: text('opening_hours'),
    createdAt: createdAt(),
  },
  (t) => [index('pickup_points_lat_lng_idx').on(t.lat, t.lng), check('pickup_points_capacity', sql`${t.dailyCapacity} >= 0`)],
);

/** Parcels promised to a pickup point for a day; taken with a conditional upsert (never above the point's capacity). */
export const pickupPointUsage = pgTable(
  'pickup_point_usage',
  {
    pickupPointId: uuid('pickup_point_id')
      .notNull()
      .references(() => pickupPoints.id),
    day: date('day', { mode: 'string' }).notNull(),
    used: integer('used').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pickupPointId, t.day] }), check('pickup_point_usage_nonneg', sql`${t.used} >= 0`)],
);
