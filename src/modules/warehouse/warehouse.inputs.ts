import { Field, InputType, Int } from 'type-graphql';
import { AddressInput } from '../../graphql/common.types.js';
import { ZoneKind } from './warehouse.types.js';

@InputType('WarehouseCreateInput', { description: 'A new warehouse.' })
export class WarehouseCreateInput {
  @Field(() => String, { description: 'Unique code: 2 to 16 capital letters, digits, "_" or "-", e.g. MSK1.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => AddressInput, { description: 'Postal address; countryCode is ISO 3166-1 alpha-2; coordinates are used for routing.' })
  address!: AddressInput;
  @Field(() => String, { nullable: true, defaultValue: '14:00', description: 'Orders in by this local time (HH:MM) leave the same business day.' })
  cutoffTime?: string | null;
  @Field(() => String, { nullable: true, defaultValue: 'Europe/Moscow', description: 'IANA time zone of the warehouse, e.g. Europe/Moscow.' })
  timezone?: string | null;
}

@InputType('ZoneCreateInput', { description: 'A new zone of a warehouse.' })
export class ZoneCreateInput {
  @Field(() => String, { description: 'Code of the warehouse.' })
  warehouseCode!: string;
  @Field(() => String, { description: 'Code unique within the warehouse: 1 to 16 capital letters, digits, "_" or "-".' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => ZoneKind, { description: 'What the zone is used for.' })
  kind!: ZoneKind;
  @Field(() => Int, { description: 'Walking distance rank from dispatch, 0 = closest.' })
  distanceRank!: number;
}

@InputType('BinLocationsCreateInput', { description: 'A grid of bins in one zone.' })
export class BinLocationsCreateInput {
  @Field(() => String, { description: 'Code of the warehouse.' })
  warehouseCode!: string;
  @Field(() => String, { description: 'Code of the zone the bins belong to.' })
  zoneCode!: string;
  @Field(() => [String], {
    description:
      'Creates every bin aisle x rack x level x position; codes A-01-01-01 style, barcodes unique. Aisle codes: 1 to 4 capital letters or digits, 1 to 100 of them, walked in this order.',
  })
  aisles!: string[];
  @Field(() => Int, { description: 'Racks per aisle, 1 to 99.' })
  racks!: number;
  @Field(() => Int, { description: 'Levels per rack, 1 to 99.' })
  levels!: number;
  @Field(() => Int, { description: 'Positions per level, 1 to 99. At most 20,000 bins per call.' })
  positions!: number;
  @Field(() => Int, { nullable: true, description: 'Capacity of each bin in units (> 0); none when omitted.' })
  capacityUnits?: number | null;
}
