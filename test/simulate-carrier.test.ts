/** The sandbox carrier simulator: one step moves every open parcel one realistic event on; the same step again is a duplicate. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT_PRINCIPAL } from '../scripts/lib/script-app.js';
import { planCarrierStep, sendCarrierPushes, simulateCarrierStep } from '../scripts/simulate-carrier.js';
import { publicTracking } from '../src/modules/tracking/tracking.service.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { shippedParcel } from './factories/shipments-seed.js';
import { startApp, type TestApp } from './harness.js';

let t: TestApp;
let ctx: ServiceContext;
beforeAll(async () => {
  t = await startApp();
  ctx = t.app.context(SCRIPT_PRINCIPAL).services;
});
afterAll(async () => t?.close());

describe('simulate:carrier --once', () => {
  it('advances an open shipment by one event; replaying the same step is a duplicate, not a new event', async () => {
    const { trackingNumber } = await shippedParcel(t);
    const plan = await planCarrierStep(ctx, { carrierCode: 'SIMCO' });
    expect(plan).toHaveLength(1);
    expect(plan[0]!.events).toEqual([expect.objectContaining({ trackingNumber, status: 'IN_TRANSIT', externalEventId: `sim:${trackingNumber}:2`, location: 'Москва, сортировочный центр' })]);

    expect(await sendCarrierPushes(ctx, plan)).toEqual({ accepted: 1, duplicates: 0 });
    expect(await sendCarrierPushes(ctx, plan)).toEqual({ accepted: 0, duplicates: 1 });
    const tracked = (await publicTracking(ctx, trackingNumber))!;
    expect(tracked.shipment.status).toBe('IN_TRANSIT');
    expect(tracked.events.map((e) => e.status)).toEqual(['LABEL_CREATED', 'IN_TRANSIT']);

    // The next step goes on from there (intercity: the parcel leaves for Kazan).
    expect(await simulateCarrierStep(ctx, { carrierCode: 'SIMCO' })).toEqual({ accepted: 1, duplicates: 0 });
    expect((await publicTracking(ctx, trackingNumber))!.events.map((e) => e.location)).toEqual(['Москва', 'Москва, сортировочный центр', 'Москва']);
    // Other carriers' parcels are left alone.
    expect(await simulateCarrierStep(ctx, { carrierCode: 'NOBODY' })).toEqual({ accepted: 0, duplicates: 0 });
  });

  it('runs a parcel to a final status within a few steps, then leaves it alone', async () => {
    for (let i = 0; i < 10; i++) await simulateCarrierStep(ctx, { carrierCode: 'SIMCO' });
    const [row] = await t.app.database.rows<{ status: string }>(
      (await import('drizzle-orm')).sql`select status from shipments`,
    );
    expect(['DELIVERED', 'RETURNED_TO_SENDER']).toContain(row!.status);
    expect(await planCarrierStep(ctx)).toEqual([]);
  });
});
