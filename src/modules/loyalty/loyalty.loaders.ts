import DataLoader from 'dataloader';
import { byKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { accountViews, type AccountView } from './loyalty.accounts.js';

/** Per-request loaders of loyalty (the caller checked access to the accounts). */
export function loyaltyLoaders(ctx: ServiceContext) {
  return {
    /** Accounts (zeros when none) by customer id: two statements for a page of customers. */
    accountByCustomerId: new DataLoader<string, AccountView | null>(async (ids) => byKey(ids, await accountViews(ctx, ids), (a) => a.customerId)),
  };
}
