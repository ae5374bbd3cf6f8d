/**
 * Channel stock: the quantity an external sales channel reports per SKU, one figure per SKU over
 * all warehouses, kept apart from the ledger (no movements, no effect on levels).
 */
import { asc, inArray, sql } from 'drizzle-orm';
import { transact } from '../../events/outbox.js';
import { AccessError, BusinessError } from '../../shared/errors.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { channelStock, type ChannelStockRow } from './inventory.table.js';
import { resolveLines, type LineInput } from './lines.service.js';

export interface ChannelSyncInput {
  channel: string;
  lines: LineInput[];
}

/**
 * Replaces the reported quantity of each SKU in an external channel. Errors: INVALID, NOT_FOUND,
 * INVALID_BARCODE. Channel stock is one figure per SKU, not per warehouse, so a key restricted to
 * warehouses may not write it (thrown FORBIDDEN): limiting it to "SKUs stocked in its warehouses"
 * would still let it overwrite figures that other warehouses' partners rely on.
 */
export async function syncChannelStock(ctx: ServiceContext, input: ChannelSyncInput): Promise<number> {
  if (ctx.principal.warehouseCodes) throw new AccessError('FORBIDDEN', 'Forbidden: channel stock spans every warehouse; a key restricted to warehouses may not sync it.');
  const channel = input.channel.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(channel)) throw BusinessError.of('INVALID', 'Channel is 1 to 64 letters, digits, "_", ".", ":" or "-".', ['input', 'channel']);
  const lines = await resolveLines(ctx, input.lines, ['input', 'lines'], { allowZero: true });
  const latest = new Map<string, number>();
  for (const l of lines) latest.set(l.variant.id, l.quantity);
  return transact(ctx, async (tx, events) => {
    const now = ctx.clock.now();
    await tx
      .insert(channelStock)
      .values([...latest].map(([variantId, quantity]) => ({ channel, variantId, quantity, updatedAt: now })))
      .onConflictDoUpdate({ target: [channelStock.channel, channelStock.variantId], set: { quantity: sql`excluded.quantity`, updatedAt: sql`excluded.updated_at` } });
    await events.emit(...[...latest.keys()].map((variantId) => ({ topic: 'inventory.channel_stock_changed', payload: { variantId, channel } })));
    return latest.size;
  });
}

export async function channelStockByVariantIds(ctx: ServiceContext, variantIds: readonly string[]): Promise<ChannelStockRow[]> {
  return ctx.database.db.select().from(channelStock).where(inArray(channelStock.variantId, [...variantIds])).orderBy(asc(channelStock.channel));
}
