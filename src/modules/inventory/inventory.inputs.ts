import { Field, InputType, Int } from 'type-graphql';
import type { MovementReasonValue } from './inventory.table.js';
import { DateTime } from '../../graphql/scalars.js';
import { MovementReason } from './inventory.types.js';

@InputType('InventoryLineInput', { description: 'Identify an item by SKU or by scanned barcode (GTIN); exactly one must be given.' })
export class InventoryLineInput {
  @Field(() => String, { nullable: true, description: 'SKU.' })
  sku?: string | null;
  @Field(() => String, { nullable: true, description: 'Scanned GTIN, exactly as the scanner sends it.' })
  barcode?: string | null;
  @Field(() => Int, { description: 'Units (> 0; 0 allowed in counts and channel sync).' })
  quantity!: number;
}

@InputType('InventoryReceiveInput', { description: 'Goods received into a warehouse.' })
export class InventoryReceiveInput {
  @Field(() => String, { description: 'Warehouse code.' })
  warehouseCode!: string;
  @Field(() => String, { nullable: true, description: 'Bin to put away into; if omitted the server chooses one (same SKU first, then the zone its velocity class belongs to).' })
  binBarcode?: string | null;
  @Field(() => String, { nullable: true, description: 'PO or ASN number.' })
  reference?: string | null;
  @Field(() => [InventoryLineInput], { description: 'What arrived.' })
  lines!: InventoryLineInput[];
}

@InputType('InventoryMoveInput', { description: 'Units moved between two bins of a warehouse.' })
export class InventoryMoveInput {
  @Field(() => String, { description: 'Warehouse code.' })
  warehouseCode!: string;
  @Field(() => String, { description: 'Scanned source bin.' })
  fromBinBarcode!: string;
  @Field(() => String, { description: 'Scanned destination bin.' })
  toBinBarcode!: string;
  @Field(() => [InventoryLineInput], { description: 'What moves.' })
  lines!: InventoryLineInput[];
}

@InputType('InventoryAdjustInput', { description: 'A correction of one bin, with a reason.' })
export class InventoryAdjustInput {
  @Field(() => String, { description: 'Warehouse code.' })
  warehouseCode!: string;
  @Field(() => String, { description: 'Scanned bin.' })
  binBarcode!: string;
  @Field(() => String, { description: 'SKU.' })
  sku!: string;
  @Field(() => Int, { description: 'Signed change (non-zero).' })
  quantityDelta!: number;
  @Field(() => MovementReason, { description: 'ADJUSTMENT, WRITE_OFF or RETURN_RESTOCK.' })
  reason!: MovementReasonValue;
  @Field(() => String, { nullable: true, description: 'Free reference.' })
  reference?: string | null;
}

@InputType('CycleCountInput', { description: 'A physical count of one bin.' })
export class CycleCountInput {
  @Field(() => String, { description: 'Warehouse code.' })
  warehouseCode!: string;
  @Field(() => String, { description: 'Scanned bin.' })
  binBarcode!: string;
  @Field(() => [InventoryLineInput], { description: 'What was physically counted in this bin; SKUs absent from the list are counted as 0.' })
  counts!: InventoryLineInput[];
}

@InputType('ChannelStockSyncInput', { description: 'Stock held outside the WMS (a marketplace, a retail point of sale) reported by a partner system: replaces the channel\'s quantity for each SKU, so availability is unified.' })
export class ChannelStockSyncInput {
  @Field(() => String, { description: 'Channel name.' })
  channel!: string;
  @Field(() => [InventoryLineInput], { description: 'Quantities per SKU.' })
  lines!: InventoryLineInput[];
}

@InputType('InventoryInboundCreateInput', { description: 'Goods on their way to a warehouse (purchase order, transfer, ASN): counted as `incoming` until received with the same reference.' })
export class InventoryInboundCreateInput {
  @Field(() => String, { description: 'Warehouse code.' })
  warehouseCode!: string;
  @Field(() => String, { description: 'PO / ASN / transfer number; inventoryReceive with this reference consumes the lines.' })
  reference!: string;
  @Field(() => DateTime, { nullable: true, description: 'When the goods are expected; from 2000-01-01 (inclusive) to 2100-01-01 (exclusive), UTC.' })
  expectedAt?: Date | null;
  @Field(() => [InventoryLineInput], { description: 'What is expected.' })
  lines!: InventoryLineInput[];
}
