/**
 * GET /labels/<tracking number>.pdf?exp=…&sig=…: a return parcel's label, opened from the link in
 * the customer's approval e-mail (shipments/label-link.ts checks the signature). Any refusal is
 * the same 404, so the route tells nothing about which numbers exist.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LABEL_PATH_PREFIX, returnLabelByLink } from '../modules/shipments/label-link.js';
import type { ServiceContext } from '../shared/service-context.js';

const FILE = /^([A-Z0-9]{6,40})\.pdf$/;

/** An extra route for http.ts: handles everything under /labels/, returns false for other paths. */
export function labelRoute(services: () => ServiceContext) {
  return async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith(LABEL_PATH_PREFIX)) return false;
    const base = { 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...base, 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }).end('Method not allowed: use GET or HEAD.\n');
      return true;
    }
    const m = FILE.exec(url.pathname.slice(LABEL_PATH_PREFIX.length));
    const label = m ? await returnLabelByLink(services(), { trackingNumber: m[1]!, exp: url.searchParams.get('exp'), sig: url.searchParams.get('sig') }) : null;
    if (!label) {
      res.writeHead(404, { ...base, 'content-type': 'text/plain; charset=utf-8' }).end('Not found, or the link has expired.\n');
      return true;
    }
    res.writeHead(200, {
      ...base,
      'content-type': 'application/pdf',
      'content-length': String(label.pdf.length),
      'content-disposition': `inline; filename="${label.trackingNumber}.pdf"`,
    });
    res.end(req.method === 'HEAD' ? undefined : label.pdf);
    return true;
  };
}
