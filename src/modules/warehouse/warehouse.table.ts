import { boolean, doublePrecision, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn } from '../../db/columns.js';

/** The stored form of a postal address (the shape of the GraphQL `Address`). */
export interface AddressData {
  name?: string | null;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode: string;
  countryCode: string;
  phone?: string | null;
  location?: { lat: number; lng: number } | null;
}

export const ZONE_KINDS = ['RECEIVING', 'FAST_PICK', 'PICK', 'BULK', 'OVERSIZE', 'RETURNS', 'DISPATCH'] as const;
export type ZoneKindValue = (typeof ZONE_KINDS)[number];

export const warehouses = pgTable('warehouses', {
  id: idColumn(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  address: jsonb('address').$type<AddressData>().notNull(),
  // Copied from address.location so distance queries need no JSON access.
  lat: doublePrecision('lat'),
  lng: doublePrecision('lng'),
  isActive: boolean('is_active').notNull().default(true),
  /** Orders in by this local time (HH:MM, in `timezone`) leave the same business day. */
  cutoffTime: text('cutoff_time').notNull().default('14:00'),
  /** IANA time zone of the warehouse, e.g. Europe/Moscow. */
  timezone: text('timezone').notNull().default('Europe/Moscow'),
  createdAt: createdAt(),
});

export const zones = pgTable(
  'zones',
  {
    id: idColumn(),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ZONE_KINDS }).notNull(),
    /** Walking distance rank from dispatch: 0 is closest. */
    distanceRank: integer('distance_rank').notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique('zones_warehouse_code_uq').on(t.warehouseId, t.code)],
);

export const binLocations = pgTable(
  'bin_locations',
  {
    id: idColumn(),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    zoneId: uuid('zone_id')
      .notNull()
      .references(() => zones.id),
    /** A-01-02-03: aisle-rack-level-position, two-digit zero padded. */
    code: text('code').notNull(),
    /** Printed on the label; globally unique and never all digits (cannot be taken for a GTIN). */
    barcode: text('barcode').notNull().unique(),
    aisle: text('aisle'),
    rack: integer('rack'),
    level: integer('level'),
    position: integer('position'),
    /** Order in which a picker walks the bins of the warehouse. */
    pickSequence: integer('pick_sequence').notNull(),
    capacityUnits: integer('capacity_units'),
    createdAt: createdAt(),
  },
  (t) => [
    unique('bin_locations_warehouse_code_uq').on(t.warehouseId, t.code),
    index('bin_locations_warehouse_pick_idx').on(t.warehouseId, t.pickSequence),
    index('bin_locations_zone_idx').on(t.zoneId),
  ],
);
