/** The returns module's seed support: counts, the newest return of an order, and backdating to the timeline. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { returnsOf, shippedHistory } from '../../../test/factories/returns-analytics.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { ManualClock } from '../../shared/clock.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { backdateReturns, latestReturnOfOrder, returnCountOfOrders } from './returns.demo.js';

let t: TestApp;
let ctx: ServiceContext;
const clock = new ManualClock(new Date('2026-06-10T10:00:00Z'));
beforeAll(async () => {
  t = await startApp({ clock });
  ctx = t.app.context({ kind: 'STAFF', name: 'seed', scopes: ['admin'] }).services;
}, 60_000);
afterAll(async () => t?.close());

describe('returns.demo', () => {
  it('counts returns of orders, finds the newest with its lines, and moves created_at to the first timeline row', async () => {
    const [a, b] = await shippedHistory(ctx, [
      { sku: 'DEMO-T-1', units: 2, shippedAt: new Date('2026-06-01T10:00:00Z') },
      { sku: 'DEMO-T-2', units: 1, shippedAt: new Date('2026-06-01T10:00:00Z') },
    ]);
    expect(await returnCountOfOrders(ctx, [a!.orderId, b!.orderId])).toBe(0);
    expect(await latestReturnOfOrder(ctx, a!.orderId)).toBeNull();
    // Requested "on 3 June" by the clock, while the row says today (the database's default).
    clock.set(new Date('2026-06-03T09:30:00Z'));
    const [older] = await returnsOf(ctx, [{ line: a!, quantity: 1, reason: 'SIZE_TOO_SMALL', at: new Date('2026-06-09T00:00:00Z') }]);
    clock.set(new Date('2026-06-04T12:00:00Z'));
    const [newer] = await returnsOf(ctx, [{ line: a!, quantity: 1, reason: 'DAMAGED', status: 'APPROVED', at: new Date('2026-06-10T00:00:00Z') }]);
    expect(await returnCountOfOrders(ctx, [a!.orderId, b!.orderId])).toBe(2);

    const latest = await latestReturnOfOrder(ctx, a!.orderId);
    expect(latest).toMatchObject({ id: newer, status: 'APPROVED', lines: [{ orderLineId: a!.orderLineId, quantity: 1, receivedQuantity: 0 }] });

    expect(await backdateReturns(ctx, [older!, newer!])).toBe(2);
    expect(await backdateReturns(ctx, [older!, newer!])).toBe(0); // already aligned
    // Now ordered by their real request times: the newer is still the newest.
    expect((await latestReturnOfOrder(ctx, a!.orderId))!.id).toBe(newer);
    const [row] = await t.app.database.rows<{ created_at: Date | string }>(sql`select created_at from return_requests where id = ${older!}`);
    expect(new Date(row!.created_at).toISOString()).toBe('2026-06-03T09:30:00.000Z');
  });

  it('is for admins only', async () => {
    const partner = t.app.context({ kind: 'PARTNER', name: 'p', scopes: ['read_returns', 'write_returns'] }).services;
    await expect(returnCountOfOrders(partner, [])).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(backdateReturns(partner, ['00000000-0000-0000-0000-000000000000'])).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
