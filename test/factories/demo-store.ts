/**
 * A small demo store (scripts/seed.ts: catalog, customers, warehouses, carriers, a few weeks of
 * order history with shipments, deliveries and returns, the cost model) on a fresh test app,
 * seeded once per call through the services; the app's ManualClock ends at the real time.
 */
import { seedDemoStore } from '../../scripts/seed.js';
import { SCRIPT_PRINCIPAL } from '../../scripts/lib/script-app.js';
import { ManualClock } from '../../src/shared/clock.js';
import { startApp, type TestApp } from '../harness.js';

export const SMALL_DEMO = { products: 16, customers: 8, orders: 24, days: 84 } as const;

export async function smallDemoStore(): Promise<TestApp> {
  const clock = new ManualClock();
  const t = await startApp({ clock });
  const ctx = t.app.context(SCRIPT_PRINCIPAL).services;
  await seedDemoStore(ctx, {
    products: SMALL_DEMO.products,
    customers: SMALL_DEMO.customers,
    warehouses: { picksPerWarehouse: 30, historyDays: 14 },
    orders: { count: SMALL_DEMO.orders, days: SMALL_DEMO.days, clock },
    planning: false,
    knowledge: false,
  });
  clock.set(new Date());
  return t;
}
