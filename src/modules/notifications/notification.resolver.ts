import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { Order } from '../orders/order.types.js';
import { notificationLoaders } from './notification.loaders.js';
import { Notification } from './notification.types.js';

/** Adds Order.notifications (the link lives in the module that adds it). */
@Resolver(() => Order)
export class OrderNotificationsResolver {
  @FieldResolver(() => [Notification], { description: 'Messages sent to the customer about this order, oldest first.' })
  async notifications(@Root() o: Order, @Ctx() ctx: GraphQLContext): Promise<Notification[]> {
    return (await ctx.loaders.get(notificationLoaders).notificationsByOrderId.load(o.dbId)).map(Notification.from);
  }
}
