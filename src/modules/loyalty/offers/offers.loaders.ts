import DataLoader from 'dataloader';
import type { ServiceContext } from '../../../shared/service-context.js';
import { personalizedOffers } from './offers.service.js';
import type { Offer } from './recommend.js';

/** Per-request loader of offers keyed by "first:customerId": the customers of one request are ranked in one batch per `first`. */
export function offersLoaders(ctx: ServiceContext) {
  return {
    offers: new DataLoader<string, Offer[]>(async (keys) => {
      const byFirst = new Map<number, string[]>();
      for (const k of keys) {
        const [first, id] = [Number(k.slice(0, k.indexOf(':'))), k.slice(k.indexOf(':') + 1)];
        (byFirst.get(first) ?? byFirst.set(first, []).get(first)!).push(id);
      }
      const got = new Map<string, Offer[]>();
      for (const [first, ids] of byFirst) for (const [id, offers] of await personalizedOffers(ctx, ids, first)) got.set(`${first}:${id}`, offers);
      return keys.map((k) => got.get(k) ?? []);
    }),
  };
}
