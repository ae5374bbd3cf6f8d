import { Field, InputType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars.js';
import type { ShipmentStatusValue } from '../shipments/shipment.service.js';
import { ShipmentStatus } from '../shipments/shipment.types.js';

@InputType('TrackingEventInput', { description: 'One carrier event.' })
export class TrackingEventInput {
  @Field(() => String, { description: 'The parcel.' })
  trackingNumber!: string;
  @Field(() => String, { description: "The carrier's own id for the event, used to drop duplicates." })
  externalEventId!: string;
  @Field(() => ShipmentStatus, { description: 'Status the event reports.' })
  status!: ShipmentStatusValue;
  @Field(() => DateTime, { description: 'When it happened; from 2000-01-01 (inclusive) to 2100-01-01 (exclusive), UTC, and at most a day ahead of the server clock.' })
  occurredAt!: Date;
  @Field(() => String, { nullable: true, description: 'City-level place.' })
  location?: string | null;
  @Field(() => String, { nullable: true, description: 'Description.' })
  description?: string | null;
}

@InputType('TrackingEventsIngestInput', { description: 'A batch of carrier events (all or nothing).' })
export class TrackingEventsIngestInput {
  @Field(() => String, { description: 'The carrier reporting.' })
  carrierCode!: string;
  @Field(() => [TrackingEventInput], { description: '1 to 1,000 events.' })
  events!: TrackingEventInput[];
}
