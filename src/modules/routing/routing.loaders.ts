import DataLoader from 'dataloader';
import { byKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { routePlansByIds, type RoutePlanRow } from './routing.service.js';

/** Per-request loaders of the routing module (visibility applied by the service: null when hidden). */
export function routingLoaders(ctx: ServiceContext) {
  return {
    routePlanById: new DataLoader<string, RoutePlanRow | null>(async (ids) => byKey(ids, await routePlansByIds(ctx, ids), (r) => r.id)),
  };
}
