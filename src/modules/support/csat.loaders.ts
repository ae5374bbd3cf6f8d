import DataLoader from 'dataloader';
import { byKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { csatByOrderIds, csatByTicketIds, type CsatRow } from './csat.service.js';

/** Per-request loaders of satisfaction answers (callers already see the order or ticket). */
export function csatLoaders(ctx: ServiceContext) {
  return {
    csatByOrderId: new DataLoader<string, CsatRow | null>(async (ids) => byKey(ids, await csatByOrderIds(ctx, ids), (r) => r.orderId!)),
    csatByTicketId: new DataLoader<string, CsatRow | null>(async (ids) => byKey(ids, await csatByTicketIds(ctx, ids), (r) => r.ticketId!)),
  };
}
