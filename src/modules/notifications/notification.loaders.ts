import DataLoader from 'dataloader';
import type { ServiceContext } from '../../shared/service-context.js';
import { notificationsByOrderIds, type NotificationRow } from './notification.service.js';

/** Per-request loaders of the notifications module (callers already checked access to the order). */
export function notificationLoaders(ctx: ServiceContext) {
  return {
    notificationsByOrderId: new DataLoader<string, NotificationRow[]>(async (ids) => {
      const m = new Map<string, NotificationRow[]>();
      for (const r of await notificationsByOrderIds(ctx, ids)) (m.get(r.orderId) ?? m.set(r.orderId, []).get(r.orderId)!).push(r);
      return ids.map((id) => m.get(id) ?? []);
    }),
  };
}
