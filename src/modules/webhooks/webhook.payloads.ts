import { Field, ID, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/relay.js';
import { UserError } from '../../graphql/user-error.js';
import { WebhookDelivery, WebhookSubscription } from './webhook.types.js';

@ObjectType('WebhookSubscriptionCreatePayload', { description: 'Result of webhookSubscriptionCreate.' })
export class WebhookSubscriptionCreatePayload {
  @Field(() => WebhookSubscription, { nullable: true, description: 'The new subscription.' })
  webhookSubscription?: WebhookSubscription | null;
  @Field(() => String, {
    nullable: true,
    description:
      'HMAC secret, returned once: the key of the Waybill-Signature (t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">) and X-Waybill-Signature headers; see WebhookSubscription for verification.',
  })
  secret?: string | null;
  @Field(() => [UserError], { description: 'Why nothing was created, if so.' })
  userErrors!: UserError[];
}

@ObjectType('WebhookSubscriptionDeletePayload', { description: 'Result of webhookSubscriptionDelete.' })
export class WebhookSubscriptionDeletePayload {
  @Field(() => ID, { nullable: true, description: 'Global ID of the deleted subscription.' })
  deletedWebhookSubscriptionId?: string | null;
  @Field(() => [UserError], { description: 'Why nothing was deleted, if so (NOT_FOUND).' })
  userErrors!: UserError[];
}

@ObjectType('WebhookSubscriptionConnection', { description: 'A page of webhook subscriptions.' })
export class WebhookSubscriptionConnection extends Connection('WebhookSubscription', () => WebhookSubscription) {}

@ObjectType('WebhookDeliveryConnection', { description: 'A page of webhook deliveries.' })
export class WebhookDeliveryConnection extends Connection('WebhookDelivery', () => WebhookDelivery) {}
