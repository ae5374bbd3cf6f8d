import DataLoader from 'dataloader';
import { byKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { attemptsByDeliveryIds, subscriptionsByIds, type AttemptRow, type SubscriptionRow } from './webhook.service.js';

/** Per-request loaders of the webhooks module (no access filtering: callers check `mayManageSubscription`). */
export function webhookLoaders(ctx: ServiceContext) {
  return {
    subscriptionById: new DataLoader<string, SubscriptionRow | null>(async (ids) => byKey(ids, await subscriptionsByIds(ctx, ids), (r) => r.id)),
    attemptsByDeliveryId: new DataLoader<string, AttemptRow[]>(async (ids) => {
      const m = new Map<string, AttemptRow[]>();
      for (const r of await attemptsByDeliveryIds(ctx, ids)) (m.get(r.deliveryId) ?? m.set(r.deliveryId, []).get(r.deliveryId)!).push(r);
      return ids.map((id) => m.get(id) ?? []);
    }),
  };
}
