import { Field, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/user-error.js';

@ObjectType('TrackingEventsIngestPayload', { description: 'Result of trackingEventsIngest.' })
export class TrackingEventsIngestPayload {
  @Field(() => Int, { description: 'Events stored.' })
  accepted!: number;
  @Field(() => Int, { description: 'Events already known (same carrier event id), not stored again.' })
  duplicates!: number;
  @Field(() => [UserError], { description: 'Why nothing was stored.' })
  userErrors!: UserError[];
}
