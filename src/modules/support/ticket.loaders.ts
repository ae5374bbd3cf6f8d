import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../../graphql/loaders.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { messagesByTicketIds, ticketsByIds, type TicketMessageRow, type TicketRow } from './ticket.service.js';

/** Per-request loaders of support tickets. */
export function ticketLoaders(ctx: ServiceContext) {
  return {
    /** Visibility-filtered: a CUSTOMER its own, read_support all. */
    ticketById: new DataLoader<string, TicketRow | null>(async (ids) => byKey(ids, await ticketsByIds(ctx, ids), (r) => r.id)),
    /** Messages of tickets the caller reads, oldest first; internal notes for staff only. */
    messagesByTicketId: new DataLoader<string, TicketMessageRow[]>(async (ids) => groupByKey(ids, await messagesByTicketIds(ctx, ids), (r) => r.ticketId)),
  };
}
