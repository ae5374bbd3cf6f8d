import DataLoader from 'dataloader';
import { groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { notificationsByOrderIds, type NotificationRow } from './notification.service.js';

/** Per-request loaders of the notifications module (callers already checked access to the order). */
export function notificationLoaders(ctx: ServiceContext) {
  return {
    notificationsByOrderId: new DataLoader<string, NotificationRow[]>(async (ids) => groupByKey(ids, await notificationsByOrderIds(ctx, ids), (r) => r.orderId)),
  };
}
