import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { carriersByIds, servicesByCarrierIds, servicesByIds, type CarrierRow, type CarrierServiceRow } from './carrier.service.js';
import { pickupPointsByIds, type PickupPointView } from './pickup.service.js';

/** Per-request loaders of the carriers module. */
export function carrierLoaders(ctx: ServiceContext) {
  return {
    carrierById: new DataLoader<string, CarrierRow | null>(async (ids) => byKey(ids, await carriersByIds(ctx, ids), (r) => r.id)),
    servicesByCarrierId: new DataLoader<string, CarrierServiceRow[]>(async (ids) => groupByKey(ids, await servicesByCarrierIds(ctx, ids), (r) => r.carrierId)),
    serviceById: new DataLoader<string, CarrierServiceRow | null>(async (ids) => byKey(ids, await servicesByIds(ctx, ids), (r) => r.id)),
    pickupPointById: new DataLoader<string, PickupPointView | null>(async (ids) => byKey(ids, await pickupPointsByIds(ctx, ids), (r) => r.id)),
  };
}
