import { Field, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/relay.js';
import { UserError } from '../../graphql/user-error.js';
import { CycleCountDiscrepancy, InventoryMovement } from './inventory.types.js';

@ObjectType('InventoryMovementConnection', { description: 'A page of ledger rows.' })
export class InventoryMovementConnection extends Connection('InventoryMovement', () => InventoryMovement) {}

@ObjectType('InventoryReceivePayload', { description: 'Result of inventoryReceive.' })
export class InventoryReceivePayload {
  @Field(() => [InventoryMovement], { description: 'Ledger rows written.' })
  movements!: InventoryMovement[];
  @Field(() => [UserError], { description: 'Why nothing changed, if so.' })
  userErrors!: UserError[];
}

@ObjectType('InventoryMovePayload', { description: 'Result of inventoryMove.' })
export class InventoryMovePayload {
  @Field(() => [InventoryMovement], { description: 'Ledger rows written.' })
  movements!: InventoryMovement[];
  @Field(() => [UserError], { description: 'Why nothing changed, if so.' })
  userErrors!: UserError[];
}

@ObjectType('InventoryAdjustPayload', { description: 'Result of inventoryAdjust.' })
export class InventoryAdjustPayload {
  @Field(() => InventoryMovement, { nullable: true, description: 'Ledger row written.' })
  movement?: InventoryMovement | null;
  @Field(() => [UserError], { description: 'Why nothing changed, if so.' })
  userErrors!: UserError[];
}

@ObjectType('CycleCountPayload', { description: 'Result of cycleCountSubmit.' })
export class CycleCountPayload {
  @Field(() => [CycleCountDiscrepancy], { description: 'Differences found.' })
  discrepancies!: CycleCountDiscrepancy[];
  @Field(() => [InventoryMovement], { description: 'CYCLE_COUNT rows written.' })
  movements!: InventoryMovement[];
  @Field(() => [UserError], { description: 'Why nothing changed, if so.' })
  userErrors!: UserError[];
}

@ObjectType('ChannelStockSyncPayload', { description: 'Result of channelStockSync.' })
export class ChannelStockSyncPayload {
  @Field(() => Int, { description: 'SKUs updated.' })
  updated!: number;
  @Field(() => [UserError], { description: 'Why nothing changed, if so.' })
  userErrors!: UserError[];
}

@ObjectType('InventoryInboundCreatePayload', { description: 'Result of inventoryInboundCreate.' })
export class InventoryInboundCreatePayload {
  @Field(() => Int, { description: 'Lines recorded.' })
  lines!: number;
  @Field(() => [UserError], { description: 'Why nothing changed, if so.' })
  userErrors!: UserError[];
}
