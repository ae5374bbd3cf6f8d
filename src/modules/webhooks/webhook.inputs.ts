import { Field, ID, InputType } from 'type-graphql';
import { WebhookTopic } from './webhook.types.js';

@InputType('WebhookSubscriptionCreateInput', { description: 'A new webhook endpoint for one topic.' })
export class WebhookSubscriptionCreateInput {
  @Field(() => WebhookTopic, { description: 'Events to receive.' })
  topic!: WebhookTopic;
  @Field(() => String, {
    description:
      'An absolute http(s) URL, at most 2048 characters, without credentials. In production, loopback, private and link-local addresses are refused (INVALID) unless WEBHOOK_ALLOW_PRIVATE_URLS is set.',
  })
  url!: string;
}

@InputType('WebhookSubscriptionDeleteInput', { description: 'The subscription to delete.' })
export class WebhookSubscriptionDeleteInput {
  @Field(() => ID, { description: 'Global ID of the WebhookSubscription.' })
  id!: string;
}
