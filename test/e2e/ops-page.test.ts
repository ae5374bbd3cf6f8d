/**
 * The operations dashboard (GET /ops) in Debian's Chromium driven by playwright-core (as the
 * tracking page's test): a staff key typed into the page (kept in sessionStorage only), the KPI
 * cards showing what `kpis` answers over HTTP for the same arguments, on-time rate per carrier,
 * and an order placed during the test appearing in the live feed. One browser, one page.
 * The screenshot goes to test/artifacts/ops-dashboard.png (git-ignored).
 *
 * Outside CI the browser part skips when /usr/bin/chromium is missing; under CI=true it fails.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProduct } from '../../scripts/seed.js';
import { formatHours, formatInt, formatMoney, formatRate, type Money } from '../../web/ops/format.js';
import { ApiKeyCreateDocument, OrderCreateDocument } from '../generated/graphql.js';
import { smallDemoStore } from '../factories/demo-store.js';
import { address } from '../factories/stock.js';
import { settle, startApp, type TestApp } from '../harness.js';
import { launchChromium, skipBrowserTests, type Browser } from '../browser.js';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

interface Values {
  orders: number;
  units: number;
  revenue: Money;
  orderToShip: { p50: number | null; p90: number | null };
  onTimeDeliveryRate: number | null;
  returnRate: number | null;
  shippingCostPerOrder: Money | null;
  fillRate: number | null;
}
const VALUES = 'orders units revenue { amountMinor currency } orderToShip { p50 p90 } onTimeDeliveryRate returnRate shippingCostPerOrder { amountMinor currency } fillRate';

/** A raw POST, as the page sends it (the kpis query is not among the generated test documents). */
async function post<T>(t: TestApp, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

describe('GET /ops over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  }, 60_000);
  afterAll(async () => t?.close());

  it('serves a static page with the strict CSP and versioned, immutable assets (no CDN)', async () => {
    const base = t.url.replace(/\/graphql$/, '');
    const res = await fetch(`${base}/ops`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<style|style="|https?:\/\//);
    const js = html.match(/src="(\/ops\/assets\/ops\.js\?v=[^"]+)"/)![1]!;
    const css = html.match(/href="(\/ops\/assets\/ops\.css\?v=[^"]+)"/)![1]!;
    const script = await fetch(`${base}${js}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = await script.text();
    expect(body).toContain('orderStatusChanged'); // the bundle: the page's code…
    expect(body).toContain('connection_init'); // …graphql-ws…
    expect(body).toContain('Chart.js'); // …and Chart.js (its licence comment), all served from here
    const etag = script.headers.get('etag')!;
    expect((await fetch(`${base}${js}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${base}${css}`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/ops/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/ops/elsewhere`)).status).toBe(404);
    expect((await fetch(`${base}/ops`, { method: 'POST' })).status).toBe(405);
  });
});

describe.skipIf(skipBrowserTests('ops-page e2e'))('operations dashboard in Chromium', () => {
  let t: TestApp;
  let key = '';
  let context: BrowserContext;
  let page: Page;
  let browser: Browser | undefined;

  beforeAll(async () => {
    t = await smallDemoStore();
    // A staff key with just what the dashboard needs.
    const created = await t.admin(ApiKeyCreateDocument, { input: { name: 'ops dashboard', kind: 'STAFF', scopes: ['read_metrics', 'read_shipping', 'read_orders'] } });
    expect(created.apiKeyCreate.userErrors).toEqual([]);
    key = created.apiKeyCreate.secret!;
    browser = await launchChromium({ locale: 'en-GB', timezoneId: 'Europe/Moscow', viewport: { width: 1360, height: 1000 } });
    context = browser.context;
    page = browser.page;
  }, 300_000); // a seeded store and a browser: slow on a loaded machine

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in with a typed key, shows the figures kpis answers, and an order placed now in the live feed', async () => {
    const base = t.url.replace(/\/graphql$/, '');
    expect((await page.goto(`${base}/ops`))!.status()).toBe(200);
    expect(await page.isVisible('#login')).toBe(true);
    expect(await page.isVisible('#dashboard')).toBe(false);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('#report[data-state="loaded"]', { timeout: 20_000 });
    await page.waitForSelector('#live[data-connection="live"]', { timeout: 10_000 });

    // The key is in this tab's sessionStorage only: not in localStorage, not in a cookie.
    type Storage = { getItem(k: string): string | null; length: number };
    const stored = await page.evaluate(() => {
      const g = globalThis as unknown as { sessionStorage: Storage; localStorage: Storage; document: { cookie: string } };
      return { session: g.sessionStorage.getItem('waybill.ops.apiKey'), local: g.localStorage.length, cookie: g.document.cookie };
    });
    expect(stored).toEqual({ session: key, local: 0, cookie: '' });
    expect(await context.cookies()).toEqual([]);

    // The same arguments the page used, asked over HTTP.
    const report = page.locator('#report');
    const vars = { from: await report.getAttribute('data-from'), to: await report.getAttribute('data-to'), granularity: await report.getAttribute('data-granularity') };
    expect(vars.granularity).toBe('WEEK');
    const api = await post<{ kpis: { totals: Values }; carriers: { code: string; name: string }[] }>(
      t,
      key,
      `query ($from: DateTime!, $to: DateTime!, $granularity: MetricsGranularity!) { kpis(from: $from, to: $to, granularity: $granularity) { totals { ${VALUES} } } carriers { code name } }`,
      vars,
    );
    const v = api.kpis.totals;
    expect(v.orders).toBeGreaterThan(0); // the seeded history is in the window
    const expected: Record<string, [string, string]> = {
      orders: [String(v.orders), formatInt(v.orders)],
      units: [String(v.units), formatInt(v.units)],
      revenue: [String(v.revenue.amountMinor), formatMoney(v.revenue, 0)],
      orderToShipP50: [String(v.orderToShip.p50 ?? ''), formatHours(v.orderToShip.p50)],
      orderToShipP90: [String(v.orderToShip.p90 ?? ''), formatHours(v.orderToShip.p90)],
      onTimeDeliveryRate: [String(v.onTimeDeliveryRate ?? ''), formatRate(v.onTimeDeliveryRate)],
      returnRate: [String(v.returnRate ?? ''), formatRate(v.returnRate)],
      shippingCostPerOrder: [String(v.shippingCostPerOrder?.amountMinor ?? ''), formatMoney(v.shippingCostPerOrder)],
      fillRate: [String(v.fillRate ?? ''), formatRate(v.fillRate)],
    };
    const shown: Record<string, [string, string]> = {};
    for (const name of Object.keys(expected)) {
      const value = page.locator(`[data-kpi="${name}"] .value`);
      shown[name] = [(await value.getAttribute('data-value'))!, (await value.textContent())!];
    }
    expect(shown).toEqual(expected);
    expect(v.orderToShip.p50).not.toBeNull(); // shipped orders in the history: a real figure, not a dash
    expect(shown.orderToShipP50![1]).toMatch(/^\d[\d,]*\.\d h$/);

    // On-time rate per carrier: one kpis filtered by carrier each, as the page asks.
    expect(api.carriers.length).toBeGreaterThan(1);
    for (const c of api.carriers) {
      const one = await post<{ kpis: { totals: { onTimeDeliveryRate: number | null } } }>(
        t,
        key,
        'query ($from: DateTime!, $to: DateTime!, $granularity: MetricsGranularity!, $filter: MetricsFilter) { kpis(from: $from, to: $to, granularity: $granularity, filter: $filter) { totals { onTimeDeliveryRate } } }',
        { ...vars, filter: { carrierCodes: [c.code] } },
      );
      const row = page.locator(`#table-carriers tr[data-carrier="${c.code}"]`);
      expect([await row.getAttribute('data-value'), await row.locator('td').nth(1).textContent()]).toEqual([
        String(one.kpis.totals.onTimeDeliveryRate ?? ''),
        formatRate(one.kpis.totals.onTimeDeliveryRate),
      ]);
    }
    expect(await page.locator('canvas').count()).toBe(4);

    // The live feed: an order placed now shows up.
    await settle(200); // the subscribe message is handled after the socket's ack
    const sku = demoProduct(0).variants[0]!.sku;
    const created = await t.admin(OrderCreateDocument, {
      input: { channel: 'ops-e2e', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'ops-e2e@example.ru', name: 'Опс Тестов' }, shippingAddress: address() as never, lines: [{ sku, quantity: 1 }] },
    });
    expect(created.orderCreate.userErrors).toEqual([]);
    const order = created.orderCreate.order!;
    const item = page.locator(`#feed li[data-order-id="${order.id}"]`);
    await item.first().waitFor({ timeout: 10_000 });
    const text = await item.first().textContent();
    expect(text).toContain(order.number);
    expect(text).toContain('ops-e2e');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'ops-dashboard.png'), fullPage: true });
    expect(browser!.problems).toEqual([]);

    // Signing out forgets the key.
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.isVisible('#login')).toBe(true);
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: Storage }).sessionStorage.length)).toBe(0);
  });
});
