/**
 * GET /metrics: the Prometheus text exposition (metrics.ts). With METRICS_TOKEN set the scraper
 * must send `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: … }`):
 * no token answers 401 with a `WWW-Authenticate` challenge, a wrong one 401 `invalid_token`.
 * Unset, the route is open (keep it off the public network then).
 */
import { secretEquals } from '../shared/secret-compare.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export interface MetricsRouteDeps {
  token: string | undefined;
  log: Logger;
  /** This process's exposition, or the cluster's aggregate. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

export function metricsRoute(deps: MetricsRouteDeps) {
  const expected = deps.token === undefined ? null : deps.token;
  const refuse = (res: ServerResponse, challenge: string, message: string) => {
    const body = `${message}\n`;
    res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      res.end();
      return true;
    }
    if (expected) {
      const header = req.headers.authorization;
      const m = header ? /^Bearer +(\S+)\s*$/i.exec(header) : null;
      if (!m) {
        refuse(res, 'Bearer realm="metrics"', 'A bearer token is required (METRICS_TOKEN).');
        return true;
      }
      // Constant time, and no timing hint of the token's length (secret-compare.ts).
      if (!secretEquals(m[1]!, expected)) {
        refuse(res, 'Bearer realm="metrics", error="invalid_token"', 'Invalid metrics token.');
        return true;
      }
    }
    let out: { contentType: string; body: string };
    try {
      out = await deps.exposition();
    } catch (err) {
      deps.log.warn({ err }, 'metrics exposition failed');
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
      res.end('Metrics are unavailable right now.\n');
      return true;
    }
    res.writeHead(200, { 'content-type': out.contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(out.body) });
    res.end(req.method === 'HEAD' ? undefined : out.body);
    return true;
  };
}
