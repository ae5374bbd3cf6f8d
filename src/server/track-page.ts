/**
 * The public tracking page: GET /track/<trackingNumber> and its three assets under /track/assets/.
 *
 * The server answers the `tracking` query itself (anonymously, through the schema, so the
 * miss limiter against number enumeration applies as it does on /graphql) and renders the page
 * with that state embedded as JSON in a data attribute; an unknown number is a 404 page. The
 * browser script (served, never inline: the CSP allows scripts from 'self' only) formats dates in
 * the browser's locale and keeps the page current through the `shipmentTracking` subscription
 * with the graphql-ws UMD client shipped in the graphql-ws package.
 *
 * The HTML, CSS and script are TS string modules, so `tsx src/...` and the compiled `dist/` find
 * them alike; the graphql-ws file is resolved through the package's exported package.json.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { graphql, type GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { ANONYMOUS, type Principal } from '../shared/principal.js';
import { asset, escapeHtml, securityHeaders, send, sendAsset, type Asset } from './page-http.js';
import { TRACK_JS, TRACKING_FIELDS } from './track-page/client.js';
import { pickLang, STATUS_LABELS, TEXTS, type Lang } from './track-page/i18n.js';
import { TRACK_CSS } from './track-page/styles.js';

export interface TrackPageDeps {
  schema: GraphQLSchema;
  context(principal: Principal, requestId: string, clientIp?: string): GraphQLContext;
  rateLimit(principal: Principal, ip: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  /** Where the browser finds GraphQL over HTTP and WebSocket. */
  graphqlPath?: string;
}

interface PublicTrackingJson {
  trackingNumber: string;
  carrierName: string;
  status: string;
  estimatedDeliveryFrom: string | null;
  estimatedDeliveryTo: string | null;
  destinationCity: string | null;
  events: { status: string; occurredAt: string; location: string | null; description: string | null }[];
}

const PREFIX = '/track/';
const ASSETS = '/track/assets/';
const NUMBER = /^[A-Za-z0-9]{6,40}$/;
const QUERY = `query TrackPage($n: String!) { tracking(trackingNumber: $n) { ${TRACKING_FIELDS} } }`;

let assets: Map<string, Asset> | undefined;
function loadAssets(): Map<string, Asset> {
  if (assets) return assets;
  // graphql-ws does not export its umd/ folder, but it exports package.json: resolve next to it.
  const pkg = createRequire(import.meta.url).resolve('graphql-ws/package.json');
  const umd = readFileSync(join(dirname(pkg), 'umd', 'graphql-ws.min.js'));
  assets = new Map([
    ['graphql-ws.min.js', asset('text/javascript; charset=utf-8', umd)],
    ['track.js', asset('text/javascript; charset=utf-8', TRACK_JS)],
    ['track.css', asset('text/css; charset=utf-8', TRACK_CSS)],
  ]);
  return assets;
}

const assetUrl = (name: string) => `${ASSETS}${name}?v=${loadAssets().get(name)!.hash}`;

export { escapeHtml };

const utcDay = (iso: string) => iso.slice(0, 10);
const utcTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function layout(lang: Lang, title: string, main: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${assetUrl('track.css')}">
</head>
<body>
${main}
</body>
</html>
`;
}

/** The page with the state rendered in the server's guess of the language; the script re-renders it in the browser's. */
function trackingPage(lang: Lang, t: PublicTrackingJson, graphqlPath: string): string {
  const T = TEXTS[lang];
  const L = STATUS_LABELS[lang];
  const eta =
    t.estimatedDeliveryFrom && t.estimatedDeliveryTo
      ? `${utcDay(t.estimatedDeliveryFrom)} – ${utcDay(t.estimatedDeliveryTo)}`
      : t.estimatedDeliveryFrom || t.estimatedDeliveryTo
        ? utcDay((t.estimatedDeliveryFrom || t.estimatedDeliveryTo)!)
        : T.unknown;
  const events = [...t.events].reverse(); // newest first
  const items = events.length
    ? events
        .map((e, i) => {
          const detail = [e.location, e.description].filter(Boolean).join(' · ');
          return `<li class="event${i === 0 ? ' latest' : ''}" data-status="${escapeHtml(e.status)}"><div class="event-head"><strong>${escapeHtml(L[e.status] ?? e.status)}</strong><time datetime="${escapeHtml(e.occurredAt)}">${escapeHtml(utcTime(e.occurredAt))}</time></div>${detail ? `<p>${escapeHtml(detail)}</p>` : ''}</li>`;
        })
        .join('\n')
    : `<li class="empty">${escapeHtml(T.noEvents)}</li>`;
  const main = `<main id="tracking" data-tracking="${escapeHtml(JSON.stringify(t))}" data-endpoint="${escapeHtml(graphqlPath)}">
<header>
<p class="eyebrow" data-i18n="title">${escapeHtml(T.title)}</p>
<h1 id="number">${escapeHtml(t.trackingNumber)}</h1>
<p class="live" id="live" data-connection="connecting"></p>
</header>
<p class="status" id="status" data-status="${escapeHtml(t.status)}" role="status" aria-live="polite">${escapeHtml(L[t.status] ?? t.status)}</p>
<dl>
<div><dt data-i18n="carrier">${escapeHtml(T.carrier)}</dt><dd id="carrier">${escapeHtml(t.carrierName)}</dd></div>
<div><dt data-i18n="eta">${escapeHtml(T.eta)}</dt><dd id="eta">${escapeHtml(eta)}</dd></div>
<div><dt data-i18n="destination">${escapeHtml(T.destination)}</dt><dd id="city">${escapeHtml(t.destinationCity || T.unknown)}</dd></div>
</dl>
<h2 data-i18n="history">${escapeHtml(T.history)}</h2>
<ol id="events">
${items}
</ol>
<noscript><p>${escapeHtml(T.noscript)}</p></noscript>
</main>
<script src="${assetUrl('graphql-ws.min.js')}" defer></script>
<script src="${assetUrl('track.js')}" defer></script>`;
  return layout(lang, `${T.title} ${t.trackingNumber}`, main);
}

function messagePage(lang: Lang, title: string, text: string, number: string | null): string {
  const main = `<main class="notfound">
<h1>${escapeHtml(title)}</h1>
${number ? `<p class="number">${escapeHtml(number)}</p>` : ''}
<p class="message">${escapeHtml(text)}</p>
</main>`;
  return layout(lang, title, main);
}

/** An extra route for http.ts: handles everything under /track/, returns false for other paths. */
export function trackPageRoute(deps: TrackPageDeps) {
  const graphqlPath = deps.graphqlPath ?? '/graphql';
  return async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== '/track' && !url.pathname.startsWith(PREFIX)) return false;
    const lang = pickLang(req.headers['accept-language']);
    const T = TEXTS[lang];
    const html = 'text/html; charset=utf-8';
    const page = { ...securityHeaders(req), 'cache-control': 'no-store', vary: 'accept-language', 'content-language': lang };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, 'text/plain; charset=utf-8', 'Method not allowed: use GET or HEAD.\n', { ...securityHeaders(req), allow: 'GET, HEAD' });
      return true;
    }

    if (url.pathname.startsWith(ASSETS)) {
      sendAsset(req, res, url, loadAssets().get(url.pathname.slice(ASSETS.length)));
      return true;
    }

    const raw = url.pathname.slice(PREFIX.length);
    if (!NUMBER.test(raw)) {
      send(req, res, 404, html, messagePage(lang, T.notFoundTitle, T.notFoundText, null), page);
      return true;
    }
    const ip = req.socket.remoteAddress ?? '';
    const limited = async (retryAfterSeconds: number) =>
      send(req, res, 429, html, messagePage(lang, T.limitedTitle, T.limitedText, null), { ...page, 'retry-after': String(retryAfterSeconds) });
    const decision = await deps.rateLimit(ANONYMOUS, ip);
    if (!decision.allowed) {
      await limited(decision.retryAfterSeconds);
      return true;
    }
    const requestId = String(res.getHeader('x-request-id') ?? 'track-page');
    const result = await graphql({ schema: deps.schema, source: QUERY, variableValues: { n: raw }, contextValue: deps.context(ANONYMOUS, requestId, ip) });
    if (result.errors?.length) {
      const rate = result.errors.find((e) => e.extensions?.code === 'RATE_LIMITED');
      if (rate) {
        await limited(Number(rate.extensions.retryAfterSeconds ?? 60));
        return true;
      }
      throw result.errors[0]!.originalError ?? result.errors[0]!;
    }
    const tracking = (result.data as { tracking: PublicTrackingJson | null } | null)?.tracking;
    if (!tracking) {
      send(req, res, 404, html, messagePage(lang, T.notFoundTitle, T.notFoundText, raw.toUpperCase()), page);
      return true;
    }
    // DateTime values may come out of execution as Date objects; the page and the script want the wire form.
    const json = JSON.parse(JSON.stringify(tracking)) as PublicTrackingJson;
    send(req, res, 200, html, trackingPage(lang, json, graphqlPath), page);
    return true;
  };
}
