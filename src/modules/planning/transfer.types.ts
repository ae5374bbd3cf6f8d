/** GraphQL types transfers add beyond contract 07: the timeline, the list and the cancel input. */
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import type { TransferStatusValue } from './planning.table.js';
import { TransferOrder, TransferStatus } from './planning.types.js';
import type { TransferEventRow } from './transfer.service.js';

@ObjectType('TransferOrderEvent', { description: 'One status change of a transfer.' })
export class TransferOrderEvent {
  @Field(() => Int, { description: 'Per-transfer sequence, 1, 2, 3 ... with no gaps.' })
  sequence!: number;
  @Field(() => TransferStatus, { description: 'Status entered.' })
  status!: TransferStatusValue;
  @Field(() => TransferStatus, { nullable: true, description: 'Status left; null for the first.' })
  previousStatus!: TransferStatusValue | null;
  @Field(() => String, { nullable: true, description: 'What happened, e.g. Shipped.' })
  message!: string | null;
  @Field(() => DateTime, { description: 'When.' })
  occurredAt!: Date;
  static from(r: TransferEventRow): TransferOrderEvent {
    return { sequence: r.sequence, status: r.status, previousStatus: r.previousStatus, message: r.message, occurredAt: r.occurredAt };
  }
}

@ObjectType('TransferOrderConnection', { description: 'A page of transfers, newest first.' })
export class TransferOrderConnection extends Connection('TransferOrder', () => TransferOrder) {}

@InputType('TransferOrderCancelInput', { description: 'A DRAFT transfer to call off (one IN_TRANSIT is received, not cancelled).' })
export class TransferOrderCancelInput {
  @Field(() => ID, { description: 'The transfer.' })
  id!: string;
}
