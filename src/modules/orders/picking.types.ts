import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { UserError } from '../../graphql/user-error.js';
import { DimensionsInput } from '../catalog/catalog.inputs.js';
import { FulfillmentOrder } from './order.types.js';
import type { PickListLineRow, PickListRow } from './picking.service.js';

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
