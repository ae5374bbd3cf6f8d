/**
 * What the server's HTML pages (the tracking page, the operations dashboard, the GraphiQL explorer) share: the strict
 * security headers (CSP with scripts and styles from 'self' only, no inline code; WebSocket
 * connections back to the page's own host), sending a body for GET and HEAD, and their static
 * assets with content-hash versioned URLs (immutable when the URL carries the hash, ETag/304).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** A Host header fit to be echoed into the CSP (anything else: 'self' alone). */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export interface Asset {
  type: string;
  body: Buffer;
  /** 16 characters of the body's SHA-256 (base64url): the ?v= of its URL and its ETag. */
  hash: string;
}

export function asset(type: string, body: string | Buffer): Asset {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { type, body: buf, hash: createHash('sha256').update(buf).digest('base64url').slice(0, 16) };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * `extra`: further CSP directives of one page, e.g. `{ 'font-src': 'data:' }` for the explorer's
 * stylesheet, whose fonts are data: URLs (nothing here loosens script-src or style-src).
 */
export function securityHeaders(req: IncomingMessage, extra: Record<string, string> = {}): Record<string, string> {
  const host = req.headers.host && HOST.test(req.headers.host) ? req.headers.host : null;
  const connect = host ? `'self' ws://${host} wss://${host}` : `'self'`;
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      `connect-src ${connect}`,
      "img-src 'self' data:",
      ...Object.entries(extra).map(([k, v]) => `${k} ${v}`),
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

export function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Buffer | string, headers: Record<string, string>) {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'content-type': type, 'content-length': String(buf.length), ...headers });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

/** Answers a request for an asset (undefined: 404). */
export function sendAsset(req: IncomingMessage, res: ServerResponse, url: URL, a: Asset | undefined, csp: Record<string, string> = {}): void {
  if (!a) {
    send(req, res, 404, 'text/plain; charset=utf-8', 'Not found.\n', securityHeaders(req, csp));
    return;
  }
  const etag = `"${a.hash}"`;
  const headers = {
    ...securityHeaders(req, csp),
    etag,
    // A versioned URL (the page links ?v=<hash>) never changes; a bare one is revalidated soon.
    'cache-control': url.searchParams.get('v') === a.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  send(req, res, 200, a.type, a.body, headers);
}

/**
 * A page's browser code bundled by esbuild in memory on first use, once per process (a failed
 * build is not remembered: the next request tries again): `<name>.js`, plus `<name>.css` when the
 * code imports a stylesheet or `css` names one to read as is. esbuild is loaded only then, so a
 * server that never serves the page pays nothing.
 */
export function bundledAssets(opts: { name: string; entry: string; css?: string }): (log?: Logger) => Promise<Map<string, Asset>> {
  let building: Promise<Map<string, Asset>> | undefined;
  return (log) => {
    building ??= (async () => {
      const started = Date.now();
      const { build } = await import('esbuild');
      const out = await build({
        entryPoints: { [opts.name]: opts.entry },
        bundle: true,
        write: false,
        // Not written anywhere (write: false); names the outputs <name>.js and <name>.css.
        outdir: `/${opts.name}`,
        format: 'iife',
        platform: 'browser',
        target: ['es2020'],
        jsx: 'automatic',
        // With minify on the browser platform esbuild defines process.env.NODE_ENV as "production" itself (React's production build).
        minify: true,
        legalComments: 'eof',
        logLevel: 'silent',
      });
      const assets = new Map<string, Asset>();
      for (const f of out.outputFiles) {
        const base = f.path.slice(f.path.lastIndexOf('/') + 1);
        assets.set(base, asset(base.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8', Buffer.from(f.contents)));
      }
      if (opts.css) assets.set(`${opts.name}.css`, asset('text/css; charset=utf-8', await readFile(opts.css)));
      if (!assets.has(`${opts.name}.js`)) throw new Error(`esbuild produced no ${opts.name}.js`);
      log?.info({ ms: Date.now() - started, bytes: [...assets.values()].reduce((n, a) => n + a.body.length, 0) }, `${opts.name} assets bundled`);
      return assets;
    })();
    building.catch(() => (building = undefined));
    return building;
  };
}
