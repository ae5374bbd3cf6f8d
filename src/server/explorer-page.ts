/**
 * The GraphiQL explorer: GET /graphiql, its assets under /graphiql/assets/, and GET /graphql for a
 * browser (content negotiation as Apollo's landing page did: a GET that prefers text/html to JSON
 * and carries no `query` gets the page; every other GET or POST is GraphQL as before). On unless
 * NODE_ENV=production (config EXPLORER); app.ts registers none of it when off.
 *
 * The page is static HTML that holds no data. The browser code (web/explorer/: GraphiQL 4, its
 * explorer plugin, React, the graphql-ws client) is bundled by esbuild in memory on the first
 * request for the page or an asset, once per process, with GraphiQL's stylesheet emitted as a
 * separate CSS file (its fonts are data: URLs, hence `font-src data:`); nothing comes from a CDN,
 * so it works offline. Everything the page does goes through /graphql under the caller's own key
 * (typed into the header editor), so scopes, rate limits and the introspection setting apply.
 * Headers, CSP and caching are the other pages' (page-http.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { bundledAssets, escapeHtml, securityHeaders, send, sendAsset, type Asset } from './page-http.js';

export interface ExplorerPageDeps {
  log?: Logger;
  /** Where the browser finds GraphQL over HTTP and WebSocket. */
  graphqlPath?: string;
}

const PAGE = '/graphiql';
const ASSETS = '/graphiql/assets/';
const WEB = fileURLToPath(new URL('../../web/explorer/', import.meta.url));
/** GraphiQL's stylesheet embeds its fonts as data: URLs; scripts and styles stay 'self' only. */
const CSP = { 'font-src': 'data:' };

/** web/explorer/main.tsx bundled into explorer.js and explorer.css (GraphiQL's stylesheet, imported by the code). */
export const explorerAssets = bundledAssets({ name: 'explorer', entry: `${WEB}main.tsx` });

function page(assets: Map<string, Asset>, graphqlPath: string): string {
  const url = (name: string) => `${ASSETS}${name}?v=${assets.get(name)!.hash}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>Waybill GraphQL explorer</title>
<link rel="stylesheet" href="${url('explorer.css')}">
</head>
<body>
<div id="graphiql" data-endpoint="${escapeHtml(graphqlPath)}"><noscript>The GraphQL explorer needs JavaScript.</noscript></div>
<script src="${url('explorer.js')}" defer></script>
</body>
</html>
`;
}

/**
 * Whether a GET of the GraphQL endpoint is a browser asking for a page: no `query` parameter and
 * an Accept header that ranks text/html above the JSON types (q-values as in RFC 9110; text/html
 * must be named, wildcards alone never choose the page).
 */
export function prefersHtml(accept: string | undefined, url: URL): boolean {
  if (!accept || url.searchParams.has('query')) return false;
  let html = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'text/html') html = Math.max(html, q);
    else if (type === 'application/json' || type === 'application/graphql-response+json') json = Math.max(json, q);
  }
  return html > 0 && html > json;
}

export function explorerPage(deps: ExplorerPageDeps = {}) {
  const graphqlPath = deps.graphqlPath ?? '/graphql';

  async function sendPage(req: IncomingMessage, res: ServerResponse) {
    const assets = await explorerAssets(deps.log);
    send(req, res, 200, 'text/html; charset=utf-8', page(assets, graphqlPath), {
      ...securityHeaders(req, CSP),
      'cache-control': 'no-store',
      // The same URL answers JSON to GraphQL clients.
      vary: 'accept, origin',
    });
  }

  return {
    /** For http.ts, before GraphQL handling of the endpoint: true when it answered a browser with the page. */
    async graphqlGet(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      if (req.method !== 'GET' || !prefersHtml(req.headers.accept, url)) return false;
      await sendPage(req, res);
      return true;
    },
    /** An extra route for http.ts: /graphiql and everything under /graphiql/; false for other paths. */
    async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      if (url.pathname !== PAGE && !url.pathname.startsWith(`${PAGE}/`)) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(req, res, 405, 'text/plain; charset=utf-8', 'Method not allowed: use GET or HEAD.\n', { ...securityHeaders(req, CSP), allow: 'GET, HEAD' });
        return true;
      }
      if (url.pathname.startsWith(ASSETS)) {
        sendAsset(req, res, url, (await explorerAssets(deps.log)).get(url.pathname.slice(ASSETS.length)), CSP);
        return true;
      }
      if (url.pathname !== PAGE && url.pathname !== `${PAGE}/`) {
        send(req, res, 404, 'text/plain; charset=utf-8', 'Not found.\n', securityHeaders(req, CSP));
        return true;
      }
      await sendPage(req, res);
      return true;
    },
  };
}
