import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection, Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import { UserError } from '../../graphql/user-error.js';
import { DimensionsInput } from '../catalog/catalog.inputs.js';
import { FulfillmentOrder } from './order.types.js';
import type { ScanKindValue } from './order.table.js';
import type { PickListLineRow, PickListRow } from './picking.service.js';
import type { WarehouseScanRow } from './scans.service.js';

@ObjectType('PickListLine', { description: 'Take `quantity` of a variant from a bin.' })
export class PickListLine {
  binDbId!: string;
  variantDbId!: string;
  @Field(() => Int, { description: 'Units to take.' })
  quantity!: number;
  @Field(() => Int, { description: 'Units taken so far.' })
  pickedQuantity!: number;
  static from(r: PickListLineRow): PickListLine {
    return { binDbId: r.binId, variantDbId: r.variantId, quantity: r.quantity, pickedQuantity: r.pickedQuantity };
  }
}

@ObjectType('PickList', { implements: Node, description: 'One walk through a warehouse serving a batch of fulfillment orders.' })
export class PickList implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  warehouseDbId!: string;
  @Field(() => Boolean, { description: 'Every line picked.' })
  completed!: boolean;
  static from(r: PickListRow): PickList {
    return typed('PickList', { id: toGlobalId('PickList', r.id), dbId: r.id, warehouseDbId: r.warehouseId, completed: r.status === 'COMPLETED' });
  }
}

@InputType('PickListCreateInput', { description: 'Which warehouse, how many orders.' })
export class PickListCreateInput {
  @Field(() => String, { description: 'Warehouse code.' })
  warehouseCode!: string;
  @Field(() => Int, { nullable: true, defaultValue: 10, description: 'Batch up to this many open fulfillment orders (oldest first) into one pick walk.' })
  maxOrders?: number | null;
}

@InputType('PickListScanInput', { description: 'A scan during picking: the bin, then the item.' })
export class PickListScanInput {
  @Field(() => ID, { description: 'Pick list global ID.' })
  pickListId!: string;
  @Field(() => String, { description: 'Scanned bin label.' })
  binBarcode!: string;
  @Field(() => String, { description: 'Scanned item GTIN.' })
  itemBarcode!: string;
  @Field(() => Int, { nullable: true, defaultValue: 1, description: 'Units taken with this scan.' })
  quantity?: number | null;
}

@ObjectType('PickListCreatePayload', { description: 'Result of pickListCreate.' })
export class PickListCreatePayload {
  @Field(() => PickList, { nullable: true, description: 'The new pick list.' })
  pickList?: PickList | null;
  @Field(() => [UserError], { description: 'Why nothing was created, if so.' })
  userErrors!: UserError[];
}

@ObjectType('PickListScanPayload', { description: 'A scan of the wrong item or bin is UserError WRONG_ITEM_SCANNED / WRONG_BIN_SCANNED and changes nothing.' })
export class PickListScanPayload {
  @Field(() => PickList, { nullable: true, description: 'The pick list after the scan.' })
  pickList?: PickList | null;
  @Field(() => [UserError], { description: 'Why nothing changed, if so.' })
  userErrors!: UserError[];
}

@InputType('FulfillmentOrderPackInput', { description: 'A parcel verified by scanning every unit into it.' })
export class FulfillmentOrderPackInput {
  @Field(() => ID, { description: 'Fulfillment order global ID.' })
  fulfillmentOrderId!: string;
  @Field(() => [String], { description: 'Every unit scanned into the parcel; must match the picked lines exactly (else PACK_MISMATCH).' })
  scannedBarcodes!: string[];
  @Field(() => Int, { description: 'Parcel weight, grams.' })
  weightGrams!: number;
  @Field(() => DimensionsInput, { description: 'Parcel dimensions.' })
  dimensions!: DimensionsInput;
}

@ObjectType('FulfillmentOrderPackPayload', { description: 'Result of fulfillmentOrderPack.' })
export class FulfillmentOrderPackPayload {
  @Field(() => FulfillmentOrder, { nullable: true, description: 'The packed fulfillment order.' })
  fulfillmentOrder?: FulfillmentOrder | null;
  @Field(() => [UserError], { description: 'PACK_MISMATCH lists missing and extra items; nothing changed.' })
  userErrors!: UserError[];
}

export const WarehouseScanKind = { PICK: 'PICK', PACK: 'PACK' } as const;
registerEnumType(WarehouseScanKind, { name: 'WarehouseScanKind', description: 'PICK: a pickListScan. PACK: one barcode of a fulfillmentOrderPack verification.' });

@ObjectType('WarehouseScan', {
  implements: Node,
  description:
    'One scan of picking or packing, accepted or refused: every pickListScan (a refused one is logged although it changes nothing else) and every barcode of a fulfillmentOrderPack verification (an accepted pack logs all as matched; a PACK_MISMATCH logs the surplus barcodes as unmatched and the rest as matched). What KpiValues.pickAccuracy and unitsPickedPerHour are computed from. Pack requests refused before the verification (bad weight, dimensions or check digit, wrong status) log nothing.',
})
export class WarehouseScan implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  warehouseDbId!: string;
  variantDbId!: string | null;
  fulfillmentOrderDbId!: string | null;
  @Field(() => WarehouseScanKind, { description: 'PICK or PACK.' })
  kind!: ScanKindValue;
  @Field(() => String, { description: 'Who scanned: the name of the API key (never personal data).' })
  actor!: string;
  @Field(() => ID, { nullable: true, description: 'PICK: the global ID of the pick list scanned on.' })
  pickListId!: string | null;
  @Field(() => String, { nullable: true, description: 'PICK: the bin label as scanned (upper-cased).' })
  binBarcode!: string | null;
  @Field(() => String, { description: 'The item GTIN as scanned.' })
  itemBarcode!: string;
  @Field(() => Int, { description: 'Units the scan stands for (PICK: the quantity given; PACK: 1).' })
  quantity!: number;
  @Field(() => Boolean, { description: 'True when the scan was accepted (PICK) or matched an expected unit (PACK).' })
  matched!: boolean;
  @Field(() => String, { nullable: true, description: 'Why it was refused: WRONG_BIN_SCANNED, WRONG_ITEM_SCANNED, INVALID_BARCODE, OVER_PICK (PICK), PACK_MISMATCH (PACK); null when matched.' })
  errorCode!: string | null;
  @Field(() => DateTime, { description: 'When.' })
  scannedAt!: Date;
  static from(r: WarehouseScanRow): WarehouseScan {
    return typed('WarehouseScan', {
      id: toGlobalId('WarehouseScan', r.id),
      warehouseDbId: r.warehouseId,
      variantDbId: r.variantId,
      fulfillmentOrderDbId: r.fulfillmentOrderId,
      kind: r.kind,
      actor: r.actor,
      pickListId: r.pickListId ? toGlobalId('PickList', r.pickListId) : null,
      binBarcode: r.binBarcode,
      itemBarcode: r.itemBarcode,
      quantity: r.quantity,
      matched: r.matched,
      errorCode: r.errorCode,
      scannedAt: r.scannedAt,
    });
  }
}

@ObjectType('WarehouseScanConnection', { description: 'A page of scans, newest first.' })
export class WarehouseScanConnection extends Connection('WarehouseScan', () => WarehouseScan) {}
