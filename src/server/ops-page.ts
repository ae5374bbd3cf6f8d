/**
 * The operations dashboard: GET /ops and its assets under /ops/assets/.
 *
 * The page is public static HTML: it holds no data. Staff type an API key into it; the browser
 * code keeps the key in sessionStorage only and asks /graphql for the `kpis` report (read_metrics)
 * and the carriers, and watches `orderStatusChanged` over graphql-ws, so every rule of the API
 * (scopes, rate limits, warehouse/carrier restrictions of the key) applies to what it shows.
 *
 * The browser code lives in web/ops/ (TypeScript, with Chart.js and the graphql-ws client) and is
 * bundled by esbuild in memory the first time the page or an asset is asked for, once per process:
 * nothing generated is committed, nothing is fetched from a CDN, `npm start` on a fresh clone
 * serves it (esbuild is a runtime dependency; it is loaded only then), and a server that never
 * serves /ops pays nothing. web/ is found relative to this file, the same from src/server/ (tsx)
 * and dist/server/ (the build). Headers, CSP and caching are the tracking page's (page-http.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { bundledAssets, escapeHtml, securityHeaders, send, sendAsset, type Asset } from './page-http.js';

export interface OpsPageDeps {
  log?: Logger;
  /** Where the browser finds GraphQL over HTTP and WebSocket. */
  graphqlPath?: string;
}

const PAGE = '/ops';
const ASSETS = '/ops/assets/';
const WEB = fileURLToPath(new URL('../../web/ops/', import.meta.url));

/** web/ops/main.ts (with Chart.js and graphql-ws) bundled into ops.js, and its stylesheet ops.css. */
export const opsAssets = bundledAssets({ name: 'ops', entry: `${WEB}main.ts`, css: `${WEB}ops.css` });

const KPI_CARDS: [string, string][] = [
  ['orders', 'Orders'],
  ['units', 'Units'],
  ['revenue', 'Revenue'],
  ['orderToShipP50', 'Order to ship, p50'],
  ['orderToShipP90', 'Order to ship, p90'],
  ['onTimeDeliveryRate', 'On-time delivery'],
  ['returnRate', 'Return rate'],
  ['shippingCostPerOrder', 'Shipping cost per order'],
  ['fillRate', 'Fill rate'],
];

function chartPanel(id: string, title: string, description: string): string {
  return `<section class="panel" aria-labelledby="h-${id}">
<h2 id="h-${id}">${escapeHtml(title)}</h2>
<div class="chart-box"><canvas id="chart-${id}" role="img" aria-label="${escapeHtml(description)}">${escapeHtml(description)}</canvas></div>
<details><summary>Data</summary><table id="table-${id}"></table></details>
</section>`;
}

function page(assets: Map<string, Asset>, graphqlPath: string): string {
  const url = (name: string) => `${ASSETS}${name}?v=${assets.get(name)!.hash}`;
  const cards = KPI_CARDS.map(([k, label]) => `<li class="card" data-kpi="${k}"><span class="label">${escapeHtml(label)}</span><span class="value" data-value="">—</span></li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>Waybill operations</title>
<link rel="stylesheet" href="${url('ops.css')}">
</head>
<body>
<div id="ops" data-endpoint="${escapeHtml(graphqlPath)}">
<form id="login" class="panel" autocomplete="off">
<h1>Waybill operations</h1>
<p>Sign in with a staff API key that has the read_metrics and read_shipping scopes (the live feed also needs read access to orders). The key stays in this browser tab only.</p>
<label for="api-key">API key</label>
<input id="api-key" name="api-key" type="password" autocomplete="off" required spellcheck="false" autocapitalize="off">
<p id="login-error" class="error" role="alert" hidden></p>
<button type="submit">Sign in</button>
<noscript><p class="error">The dashboard needs JavaScript.</p></noscript>
</form>
<div id="dashboard" hidden>
<header class="topbar">
<h1>Operations</h1>
<label for="period">Period</label>
<select id="period"><option value="7">Last 7 days</option><option value="30">Last 30 days</option><option value="90" selected>Last 90 days</option></select>
<button id="refresh" type="button" class="secondary">Refresh</button>
<button id="sign-out" type="button" class="secondary">Sign out</button>
</header>
<div class="layout">
<main id="report" aria-labelledby="h-kpis">
<h2 id="h-kpis" class="visually-hidden">Key figures</h2>
<p id="report-status" class="status" role="status" aria-live="polite"></p>
<ul class="cards">
${cards}
</ul>
<div class="charts">
${chartPanel('ship', 'Order to ship (hours)', 'Line chart: median and 90th percentile hours from order to shipment per period')}
${chartPanel('carriers', 'On-time delivery by carrier', 'Bar chart: share of deliveries on time per carrier')}
${chartPanel('returns', 'Return rate', 'Line chart: returned share of orders per period')}
${chartPanel('cost', 'Shipping cost per order', 'Bar chart: carrier cost per order per period')}
</div>
</main>
<aside class="panel" aria-labelledby="h-feed">
<h2 id="h-feed">Live order feed</h2>
<p id="live" class="live" data-connection="connecting" role="status"></p>
<ol id="feed" aria-live="polite" aria-relevant="additions"></ol>
</aside>
</div>
</div>
</div>
<script src="${url('ops.js')}" defer></script>
</body>
</html>
`;
}

/** An extra route for http.ts: /ops and everything under /ops/; false for other paths. */
export function opsPageRoute(deps: OpsPageDeps = {}) {
  const graphqlPath = deps.graphqlPath ?? '/graphql';
  return async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== PAGE && !url.pathname.startsWith(`${PAGE}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, 'text/plain; charset=utf-8', 'Method not allowed: use GET or HEAD.\n', { ...securityHeaders(req), allow: 'GET, HEAD' });
      return true;
    }
    const assets = await opsAssets(deps.log);
    if (url.pathname.startsWith(ASSETS)) {
      sendAsset(req, res, url, assets.get(url.pathname.slice(ASSETS.length)));
      return true;
    }
    if (url.pathname !== PAGE && url.pathname !== `${PAGE}/`) {
      send(req, res, 404, 'text/plain; charset=utf-8', 'Not found.\n', securityHeaders(req));
      return true;
    }
    send(req, res, 200, 'text/html; charset=utf-8', page(assets, graphqlPath), { ...securityHeaders(req), 'cache-control': 'no-store' });
    return true;
  };
}
