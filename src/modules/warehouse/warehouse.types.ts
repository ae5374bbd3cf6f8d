import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Address } from '../../graphql/common.types.js';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import type { BinRow, ScanOutcome, WarehouseRow, ZoneRow } from './warehouse.service.js';

export const ZoneKind = {
  RECEIVING: 'RECEIVING',
  FAST_PICK: 'FAST_PICK',
  PICK: 'PICK',
  BULK: 'BULK',
  OVERSIZE: 'OVERSIZE',
  RETURNS: 'RETURNS',
  DISPATCH: 'DISPATCH',
} as const;
export type ZoneKind = (typeof ZoneKind)[keyof typeof ZoneKind];
registerEnumType(ZoneKind, {
  name: 'ZoneKind',
  description: 'What a zone of a warehouse is used for.',
  valuesConfig: {
    RECEIVING: { description: 'Inbound docks: goods wait here before putaway.' },
    FAST_PICK: { description: 'Fast movers (velocity class A), close to dispatch.' },
    PICK: { description: 'Regular picking shelves.' },
    BULK: { description: 'Reserve stock on pallets; replenishes the pick zones.' },
    OVERSIZE: { description: 'Items too large or heavy for shelves.' },
    RETURNS: { description: 'Returned goods awaiting inspection.' },
    DISPATCH: { description: 'Packing and outbound docks.' },
  },
});

export const ScanKind = { PRODUCT: 'PRODUCT', BIN: 'BIN', SHIPMENT: 'SHIPMENT', UNKNOWN: 'UNKNOWN' } as const;
export type ScanKind = (typeof ScanKind)[keyof typeof ScanKind];
registerEnumType(ScanKind, {
  name: 'ScanKind',
  description: 'What a scanned code is.',
  valuesConfig: {
    PRODUCT: { description: 'A GTIN (EAN/UPC) of a known product variant.' },
    BIN: { description: 'The label of a bin location of the warehouse.' },
    SHIPMENT: { description: 'An SSCC-18 of a shipment or pallet.' },
    UNKNOWN: { description: 'Nothing known, or a malformed code (e.g. a GTIN with a wrong check digit).' },
  },
});

@ObjectType('Warehouse', { simpleResolvers: true, implements: Node, description: 'A warehouse (fulfilment centre, dark store, 3PL site) with zones and bin locations.' })
export class Warehouse implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  @Field(() => String, { description: 'Short unique code, e.g. MSK1.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => Address, { description: 'Postal address, with coordinates when known.' })
  address!: Address;
  @Field(() => Boolean, { description: 'False when the warehouse no longer takes part in allocation.' })
  isActive!: boolean;
  @Field(() => String, { description: 'Orders in by this local time (HH:MM) leave the same business day.' })
  cutoffTime!: string;
  @Field(() => String, { description: 'IANA time zone of the warehouse.' })
  timezone!: string;

  static from(row: WarehouseRow): Warehouse {
    return typed('Warehouse', {
      id: toGlobalId('Warehouse', row.id),
      dbId: row.id,
      code: row.code,
      name: row.name,
      address: row.address as Address,
      isActive: row.isActive,
      cutoffTime: row.cutoffTime,
      timezone: row.timezone,
    });
  }
}

@ObjectType('Zone', { implements: Node, description: 'An area of a warehouse with one purpose; its bins share a walking distance from dispatch.' })
export class Zone implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  warehouseDbId!: string;
  @Field(() => String, { description: 'Code, unique within the warehouse, e.g. A or BULK1.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => ZoneKind, { description: 'What the zone is used for.' })
  kind!: ZoneKind;
  @Field(() => Int, { description: 'Walking distance rank from the dispatch area: 0 is closest.' })
  distanceRank!: number;

  static from(row: ZoneRow): Zone {
    return typed('Zone', {
      id: toGlobalId('Zone', row.id),
      dbId: row.id,
      warehouseDbId: row.warehouseId,
      code: row.code,
      name: row.name,
      kind: row.kind,
      distanceRank: row.distanceRank,
    });
  }
}

@ObjectType('BinLocation', { implements: Node, description: 'A shelf position where stock is kept: aisle, rack, level, position.' })
export class BinLocation implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  warehouseDbId!: string;
  zoneDbId!: string;
  @Field(() => String, { description: 'Human code, e.g. A-01-02-03 (aisle-rack-level-position).' })
  code!: string;
  @Field(() => String, { description: 'What is printed on the bin label and sent by the scanner.' })
  barcode!: string;
  @Field(() => Int, { description: 'Order in which a picker walks the bins of this warehouse (serpentine through aisles).' })
  pickSequence!: number;
  @Field(() => Int, { nullable: true, description: 'Optional capacity in units; putaway never exceeds it.' })
  capacityUnits!: number | null;

  static from(row: BinRow): BinLocation {
    return typed('BinLocation', {
      id: toGlobalId('BinLocation', row.id),
      dbId: row.id,
      warehouseDbId: row.warehouseId,
      zoneDbId: row.zoneId,
      code: row.code,
      barcode: row.barcode,
      pickSequence: row.pickSequence,
      capacityUnits: row.capacityUnits,
    });
  }
}

@ObjectType('ScanResult', { description: 'What a scanned code turned out to be.' })
export class ScanResult {
  @Field(() => ScanKind, { description: 'PRODUCT, BIN, SHIPMENT or UNKNOWN.' })
  kind!: ScanKind;
  variantDbId!: string | null;
  binDbId!: string | null;
  shipmentDbId!: string | null;

  static from(o: ScanOutcome): ScanResult {
    return { kind: o.kind, variantDbId: o.variantId ?? null, binDbId: o.binId ?? null, shipmentDbId: o.shipmentId ?? null };
  }
}
