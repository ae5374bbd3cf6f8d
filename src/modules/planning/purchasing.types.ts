/** GraphQL types purchasing adds to contract 07: the timeline of a purchase order. */
import { Field, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars.js';
import { PurchaseOrderStatus } from './planning.types.js';
import type { PurchaseOrderStatusValue } from './planning.table.js';
import type { PurchaseOrderEventRow } from './purchasing.service.js';

@ObjectType('PurchaseOrderEvent', { description: 'One status change of a purchase order.' })
export class PurchaseOrderEvent {
  @Field(() => Int, { description: 'Per-order sequence, 1, 2, 3 ... with no gaps.' })
  sequence!: number;
  @Field(() => PurchaseOrderStatus, { description: 'Status entered.' })
  status!: PurchaseOrderStatusValue;
  @Field(() => PurchaseOrderStatus, { nullable: true, description: 'Status left; null for the first.' })
  previousStatus!: PurchaseOrderStatusValue | null;
  @Field(() => String, { nullable: true, description: 'What happened, e.g. "Received 4 unit(s) at MSK1".' })
  message!: string | null;
  @Field(() => DateTime, { description: 'When.' })
  occurredAt!: Date;
  static from(r: PurchaseOrderEventRow): PurchaseOrderEvent {
    return { sequence: r.sequence, status: r.status, previousStatus: r.previousStatus, message: r.message, occurredAt: r.occurredAt };
  }
}
