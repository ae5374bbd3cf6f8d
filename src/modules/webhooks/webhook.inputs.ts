import { Field, ID, InputType } from 'type-graphql';
import { WebhookTopic } from './webhook.types.js';

@InputType('WebhookSubscriptionCreateInput', { description: 'A new webhook endpoint for one topic.' })
export class WebhookSubscriptionCreateInput {
  @Field(() => WebhookTopic, { description: 'Events to receive.' })
  topic!: WebhookTopic;
  @Field(() => String, {
    description:
      'An absolute http(s) URL, at most 2048 characters, without credentials. In production (unless WEBHOOK_ALLOW_PRIVATE_URLS is set) only public targets are accepted: a host that is a loopback, private, link-local, CGNAT, unique-local, multicast or otherwise non-public IP address in any notation (decimal, octal, hex, IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo), or localhost, is refused (INVALID); a host name is resolved at every delivery and the attempt fails when any of its addresses is not public.',
  })
  url!: string;
}

@InputType('WebhookSubscriptionDeleteInput', { description: 'The subscription to delete.' })
export class WebhookSubscriptionDeleteInput {
  @Field(() => ID, { description: 'Global ID of the WebhookSubscription.' })
  id!: string;
}
