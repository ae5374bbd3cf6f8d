import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { ConnectionArgs, idOfType, pageArgs, toConnection } from '../../graphql/relay.js';
import { inputPath, payload } from '../../graphql/user-error.js';
import { BusinessError } from '../../shared/errors.js';
import { createSubscription, deleteSubscription, listDeliveries, listSubscriptions } from './webhook.service.js';
import { webhookLoaders } from './webhook.loaders.js';
import { WebhookSubscriptionCreateInput, WebhookSubscriptionDeleteInput } from './webhook.inputs.js';
import {
  WebhookDeliveryConnection,
  WebhookSubscriptionConnection,
  WebhookSubscriptionCreatePayload,
  WebhookSubscriptionDeletePayload,
} from './webhook.payloads.js';
import { WebhookDelivery, WebhookDeliveryAttempt, WebhookDeliveryStatus, WebhookSubscription, WebhookTopic } from './webhook.types.js';

@Resolver(() => WebhookSubscription)
export class WebhookSubscriptionResolver {
  @Authorized('admin')
  @Query(() => WebhookSubscriptionConnection, { description: 'Active webhook subscriptions, newest first. Requires admin.' })
  async webhookSubscriptions(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('topic', () => WebhookTopic, { nullable: true, description: 'Only subscriptions of this topic.' }) topic: WebhookTopic | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await listSubscriptions(ctx.services, { ...pageArgs(args), topic }), WebhookSubscription.from);
  }

  @Authorized()
  @Mutation(() => WebhookSubscriptionCreatePayload, {
    description: `Subscribes an endpoint to a topic and returns the signing secret (once; store it).
Requires admin, or the write scope of the topic's area: ORDER_CREATED and ORDER_STATUS_CHANGED
need write_orders, SHIPMENT_UPDATED write_shipping, INVENTORY_LEVEL_CHANGED write_inventory,
RETURN_UPDATED write_returns (subscribing is configuring the integration of that area, not just
reading it). A PARTNER key restricted to warehouses or carriers keeps that restriction: its
subscription receives only events of those warehouses/carriers. Besides the documented headers,
each POST carries X-Waybill-Topic and X-Waybill-Delivery-Attempt (1, 2, …); every attempt sends the
same body and event id, so deduplicate by X-Waybill-Event-Id. Redirects are not followed (a 3xx is
a failed attempt); events are not guaranteed to arrive in order. Errors: INVALID (URL), LIMIT_REACHED.`,
  })
  webhookSubscriptionCreate(@Arg('input', () => WebhookSubscriptionCreateInput) input: WebhookSubscriptionCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => createSubscription(ctx.services, input),
      (r) => ({ webhookSubscription: WebhookSubscription.from(r.subscription), secret: r.secret }),
    );
  }

  @Authorized()
  @Mutation(() => WebhookSubscriptionDeletePayload, {
    description: 'Deletes a webhook subscription: nothing more is queued, pending deliveries become FAILED. Allowed to admin and to the key that created it; NOT_FOUND otherwise.',
  })
  webhookSubscriptionDelete(@Arg('input', () => WebhookSubscriptionDeleteInput) input: WebhookSubscriptionDeleteInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => {
        const id = idOfType(input.id, 'WebhookSubscription');
        if (!id) throw BusinessError.of('NOT_FOUND', 'No such webhook subscription.', inputPath('id'));
        return deleteSubscription(ctx.services, id);
      },
      (row) => ({ deletedWebhookSubscriptionId: WebhookSubscription.from(row).id }),
    );
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Deliveries of this subscription, newest first, with their attempts.' })
  async deliveries(
    @Root() sub: WebhookSubscription,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true, description: 'Only deliveries in this status.' }) status: WebhookDeliveryStatus | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await listDeliveries(ctx.services, sub.dbId, { ...pageArgs(args), status }), WebhookDelivery.from);
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => [WebhookDeliveryAttempt], { description: 'Every attempt, oldest first.' })
  async attemptLog(@Root() delivery: WebhookDelivery, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(webhookLoaders).attemptsByDeliveryId.load(delivery.dbId)).map(WebhookDeliveryAttempt.from);
  }
}
