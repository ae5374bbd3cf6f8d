/**
 * The public tracking page over plain HTTP: status codes, headers (CSP, nosniff, no referrer),
 * escaping of carrier-supplied text, assets and caching, methods. The browser test
 * (track-page.test.ts) covers the script and the live updates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingEventsIngestDocument } from '../generated/graphql.js';
import { shippedParcel, type ShippedParcel } from '../factories/shipping.js';
import { startApp, type TestApp } from '../harness.js';

let t: TestApp;
let base = '';
let parcel: ShippedParcel;
const hostile = '<img src=x onerror=alert(1)>"\'&';

beforeAll(async () => {
  t = await startApp({ env: { TRACKING_MISSES_PER_10_MIN: '4' } });
  base = t.url.replace(/\/graphql$/, '');
  parcel = await shippedParcel(t, { carrierName: 'Fast & "Safe" <Post>' });
  const r = await t.admin(TrackingEventsIngestDocument, {
    input: {
      carrierCode: parcel.carrierCode,
      events: [{ trackingNumber: parcel.trackingNumber, externalEventId: 'h1', status: 'IN_TRANSIT', occurredAt: new Date().toISOString(), location: 'Тула', description: hostile }],
    },
  });
  expect(r.trackingEventsIngest.userErrors).toEqual([]);
}, 180_000);
afterAll(async () => t?.close());

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${base}${path}`, { method, headers, redirect: 'manual' });

function expectPageHeaders(res: Response) {
  const csp = res.headers.get('content-security-policy')!;
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  const host = new URL(base).host;
  expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
}

describe('GET /track/<number>', () => {
  it('renders the parcel as HTML with a strict CSP, carrier text escaped, no inline script and no personal data', async () => {
    const res = await get(`/track/${parcel.trackingNumber}`, { 'accept-language': 'en-GB,en;q=0.9' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).toContain(`<h1 id="number">${parcel.trackingNumber}</h1>`);
    expect(html).toContain('>In transit<');
    expect(html).toContain('Fast &amp; &quot;Safe&quot; &lt;Post&gt;');
    expect(html).not.toContain('<Post>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // Every script is an external file from this origin; none is inline.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1]!.match(/src="([^"]+)"/)?.[1]?.replace(/\?v=.*/, ''))).toEqual(['/track/assets/graphql-ws.min.js', '/track/assets/track.js']);
    expect(scripts.every((m) => m[2] === '')).toBe(true);
    // The state for the script is JSON in an attribute and decodes to the public view.
    const attr = html.match(/data-tracking="([^"]*)"/)![1]!;
    const state = JSON.parse(attr.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    expect(state).toMatchObject({ trackingNumber: parcel.trackingNumber, carrierName: 'Fast & "Safe" <Post>', status: 'IN_TRANSIT', destinationCity: 'Москва' });
    expect(state.events.map((e: { status: string }) => e.status)).toEqual(['LABEL_CREATED', 'IN_TRANSIT']);
    for (const personal of parcel.personalData) expect(html).not.toContain(personal);
  });

  it('speaks Russian to a Russian Accept-Language, accepts a lower-case number and answers HEAD without a body', async () => {
    const ru = await get(`/track/${parcel.trackingNumber.toLowerCase()}`, { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.8' });
    expect(ru.status).toBe(200);
    const html = await ru.text();
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('>В пути<');
    expect(html).toContain(`<h1 id="number">${parcel.trackingNumber}</h1>`);
    const head = await get(`/track/${parcel.trackingNumber}`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(500);
    expect(await head.text()).toBe('');
  });

  it('a malformed path is a 404 page that does not echo it', async () => {
    for (const path of ['/track/', '/track', '/track/ABC12', '/track/%3Cscript%3Ealert(1)%3C%2Fscript%3E', `/track/${parcel.trackingNumber}/x`, `/track/${'A'.repeat(41)}`, '/track/RR-123-456']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expectPageHeaders(res);
      const html = await res.text();
      expect(html).toContain('Parcel not found');
      expect(html.toLowerCase()).not.toContain('<script');
      expect(html).not.toContain('alert(1)');
    }
  });

  it('an unknown number is a friendly 404 page; repeated misses from one client are limited', async () => {
    const res = await get('/track/RR000000001RU', { 'accept-language': 'ru' });
    expect(res.status).toBe(404);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).toContain('Посылка не найдена');
    expect(html).toContain('RR000000001RU');
    // The same miss limiter as the anonymous `tracking` query (4 per 10 minutes here).
    const statuses: number[] = [];
    for (let i = 2; i <= 5; i++) statuses.push((await get(`/track/RR00000000${i}RU`)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
    // Known parcels still show.
    expect((await get(`/track/${parcel.trackingNumber}`)).status).toBe(200);
  });

  it('refuses other methods with 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await get(`/track/${parcel.trackingNumber}`, {}, method);
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
    expect((await get('/track/assets/track.js', {}, 'POST')).status).toBe(405);
  });
});

describe('/track/assets/', () => {
  it('serves the graphql-ws browser build and the page script as JavaScript, cacheable by version, with ETags', async () => {
    const html = await (await get(`/track/${parcel.trackingNumber}`)).text();
    const [wsSrc, appSrc] = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    const ws = await get(wsSrc!);
    expect(ws.status).toBe(200);
    expect(ws.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(ws.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ws.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = await ws.text();
    expect(body).toContain('graphqlWs');
    expect(body).toContain('graphql-transport-ws');
    const app = await get(appSrc!);
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await app.text()).toContain('shipmentTracking');
    // Unversioned: short cache; revalidation by ETag.
    const bare = await get('/track/assets/track.css');
    expect(bare.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(bare.headers.get('cache-control')).toBe('public, max-age=300');
    const again = await get('/track/assets/track.css', { 'if-none-match': bare.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect((await get('/track/assets/nope.js')).status).toBe(404);
    expect((await get('/track/assets/graphql-ws.min.js', {}, 'HEAD')).status).toBe(200);
  });
});
