import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import { ProductVariant } from '../catalog/catalog.types.js';
import { BinLocation, Warehouse } from '../warehouse/warehouse.types.js';
import type { BinStockRow, ChannelStockRow, LevelRow, MovementRow } from './inventory.table.js';
import { MOVEMENT_REASONS, type MovementReasonValue } from './inventory.table.js';

export const MovementReason = Object.fromEntries(MOVEMENT_REASONS.map((r) => [r, r])) as { [K in MovementReasonValue]: K };
registerEnumType(MovementReason, { name: 'MovementReason', description: 'Why on-hand changed.' });

@ObjectType('BinQuantity', { description: 'Units of a variant in a bin.' })
export class BinQuantity {
  binDbId!: string;
  variantDbId!: string;
  @Field(() => Int, { description: 'Units in the bin.' })
  quantity!: number;
  static from(r: BinStockRow): BinQuantity {
    return { binDbId: r.binId, variantDbId: r.variantId, quantity: r.quantity } as BinQuantity;
  }
}

@ObjectType('InventoryLevel', { description: 'Stock of a variant in a warehouse. available = onHand - allocated - unsellable, never below 0.' })
export class InventoryLevel {
  variantDbId!: string;
  warehouseDbId!: string;
  @Field(() => Int, { description: 'Units physically in the warehouse.' })
  onHand!: number;
  @Field(() => Int, { description: 'Units reserved for orders.' })
  allocated!: number;
  @Field(() => Int, { description: 'Units on hand in bins of non-sellable zones (RETURNS: returned units awaiting inspection, repair or the vendor); never available.' })
  unsellable!: number;
  @Field(() => Int, { description: 'onHand - allocated - unsellable: what orders may still take.' })
  available!: number;
  @Field(() => Int, { description: 'Open purchase / transfer quantities expected to arrive.' })
  incoming!: number;
  static from(r: LevelRow): InventoryLevel {
    return { variantDbId: r.variantId, warehouseDbId: r.warehouseId, onHand: r.onHand, allocated: r.allocated, unsellable: r.unsellable, available: r.onHand - r.allocated - r.unsellable, incoming: r.incoming } as InventoryLevel;
  }
}

@ObjectType('ChannelStock', { description: 'Stock held outside the WMS, as last reported by a partner.' })
export class ChannelStock {
  @Field(() => String, { description: 'Channel name, e.g. ozon, pos-moscow-1.' })
  channel!: string;
  @Field(() => Int, { description: 'Reported quantity.' })
  quantity!: number;
  @Field(() => DateTime, { description: 'When it was reported.' })
  updatedAt!: Date;
  static from(r: ChannelStockRow): ChannelStock {
    return { channel: r.channel, quantity: r.quantity, updatedAt: r.updatedAt };
  }
}

@ObjectType('StockSummary', { description: 'Warehouse figures are sums over warehouses; channel stock (reported by channelStockSync) is listed apart.' })
export class StockSummary {
  @Field(() => Int, { description: 'Sum of onHand over warehouses.' })
  onHand!: number;
  @Field(() => Int, { description: 'Sum of allocated over warehouses.' })
  allocated!: number;
  @Field(() => Int, { description: 'Sum of available over warehouses.' })
  available!: number;
  @Field(() => Int, { description: 'Sum of incoming over warehouses.' })
  incoming!: number;
  @Field(() => [InventoryLevel], { description: 'Per warehouse.' })
  levels!: InventoryLevel[];
  @Field(() => [ChannelStock], { description: 'External channels.' })
  channels!: ChannelStock[];
}

@ObjectType('InventoryMovement', { implements: Node, description: 'One row of the append-only stock ledger.' })
export class InventoryMovement implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  variantDbId!: string;
  warehouseDbId!: string;
  binDbId!: string | null;
  @Field(() => Int, { description: 'Signed change of onHand.' })
  quantityDelta!: number;
  @Field(() => MovementReason, { description: 'Why.' })
  reason!: MovementReasonValue;
  @Field(() => String, { nullable: true, description: 'Free reference: PO number, order number, count id.' })
  reference!: string | null;
  @Field(() => String, { nullable: true, description: 'Who made the change (key or customer name).' })
  actor!: string | null;
  @Field(() => DateTime, { description: 'When.' })
  createdAt!: Date;
  static from(r: MovementRow): InventoryMovement {
    return typed('InventoryMovement', {
      id: toGlobalId('InventoryMovement', r.id),
      variantDbId: r.variantId,
      warehouseDbId: r.warehouseId,
      binDbId: r.binId,
      quantityDelta: r.quantityDelta,
      reason: r.reason,
      reference: r.reference,
      actor: r.actor,
      createdAt: r.createdAt,
    });
  }
}

@ObjectType('CycleCountDiscrepancy', { description: 'A difference between the system and the count.' })
export class CycleCountDiscrepancy {
  variantDbId!: string;
  @Field(() => Int, { description: 'Units the system expected in the bin.' })
  expected!: number;
  @Field(() => Int, { description: 'Units counted.' })
  counted!: number;
}

@ObjectType('SlottingRecommendation', { description: 'A move that brings fast movers closer to dispatch.' })
export class SlottingRecommendation {
  variantDbId!: string;
  fromBinDbId!: string;
  toBinDbId!: string;
  @Field(() => String, { description: 'A (top ~80% of picks), B (next ~15%), C (rest), from picks over the analysed window.' })
  velocityClass!: string;
  @Field(() => Int, { description: 'Units picked in the window.' })
  picksInWindow!: number;
  @Field(() => String, { description: 'Why this move.' })
  reason!: string;
}

@ObjectType('InventoryLevelEvent', { description: 'A committed change of a level.' })
export class InventoryLevelEvent {
  @Field(() => InventoryLevel, { description: 'The level after the change.' })
  level!: InventoryLevel;
  @Field(() => DateTime, { description: 'When the change was published.' })
  occurredAt!: Date;
}

export { BinLocation, ProductVariant, Warehouse };
