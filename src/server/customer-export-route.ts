/**
 * GET /export/customers.ndjson[?after=<cursor>]: the CRM export of contract 09, one JSON line per
 * customer (loyalty balance, tier, rolling spend, order count, last order date), oldest first,
 * resumable strictly after the `cursor` of any line received.
 *
 * Authentication as on /graphql (`Authorization: Bearer <API key>`, the same authenticator and rate
 * limits): no or an invalid key is 401, a key without read_customers (or a customer's token) 403,
 * a malformed cursor 400, each with a JSON body { errors: [{ message, extensions: { code } }] }.
 *
 * Streaming in constant memory: the service reads one keyset page at a time (loyalty.export.ts);
 * `Readable.from` over the async generator of NDJSON chunks, piped into the response with
 * `stream.pipeline`, pulls the next page only when the response's buffer has drained (Node's own
 * backpressure: `res.write()` returning false stops the pulls until 'drain'), and a client that
 * goes away destroys the pipeline, which ends the generator (no further page is read). A failure
 * after the headers destroys the response, so a client sees an incomplete chunked body, never a
 * clean end of a partial export.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { GraphQLContext } from '../graphql/context.js';
import { toGlobalId } from '../graphql/relay.js';
import { customerExport, type CustomerExportRecord } from '../modules/loyalty/loyalty.export.js';
import { AccessError, BusinessError } from '../shared/errors.js';
import type { Principal } from '../shared/principal.js';

export const CUSTOMER_EXPORT_PATH = '/export/customers.ndjson';

export interface CustomerExportRouteDeps {
  authenticate(header: string | undefined): Promise<Principal | null>;
  context(principal: Principal, requestId: string, clientIp?: string): GraphQLContext;
  rateLimit(principal: Principal, ip: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  log: Logger;
  /** Customers per page (default loyalty.export.ts's EXPORT_PAGE_SIZE); tests use small pages. */
  pageSize?: number;
}

/** How a pipeline into a response fails when the client closed the connection. */
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE']);

const JSON_TYPE = 'application/json; charset=utf-8';

function refuse(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** One record as its NDJSON line: the customer's global id, ISO dates. */
function toLine(r: CustomerExportRecord): string {
  return (
    JSON.stringify({
      cursor: r.cursor,
      customerId: toGlobalId('Customer', r.customerId),
      email: r.email,
      name: r.name,
      locale: r.locale,
      createdAt: r.createdAt.toISOString(),
      loyalty: r.loyalty,
      orderCount: r.orderCount,
      lastOrderAt: r.lastOrderAt?.toISOString() ?? null,
    }) + '\n'
  );
}

async function* ndjson(pages: AsyncIterable<CustomerExportRecord[]>): AsyncGenerator<string> {
  for await (const page of pages) {
    let chunk = '';
    for (const r of page) chunk += toLine(r);
    yield chunk;
  }
}

/** An extra route for http.ts: handles GET /export/customers.ndjson, returns false for other paths. */
export function customerExportRoute(deps: CustomerExportRouteDeps) {
  return async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== CUSTOMER_EXPORT_PATH) return false;
    if (req.method !== 'GET') {
      refuse(res, 405, 'METHOD_NOT_ALLOWED', 'Use GET.', { allow: 'GET' });
      return true;
    }
    const principal = await deps.authenticate(req.headers.authorization);
    if (!principal || principal.kind === 'ANONYMOUS') {
      const message = principal ? 'Authentication required: send an API key with scope read_customers as Authorization: Bearer <key>.' : 'Invalid, expired or revoked token.';
      refuse(res, 401, 'UNAUTHENTICATED', message, { 'www-authenticate': 'Bearer' });
      return true;
    }
    const ip = req.socket.remoteAddress ?? '';
    const decision = await deps.rateLimit(principal, ip);
    if (!decision.allowed) {
      refuse(res, 429, 'RATE_LIMITED', `Rate limit exceeded; retry in ${decision.retryAfterSeconds} s.`, { 'retry-after': String(decision.retryAfterSeconds) });
      return true;
    }
    const requestId = String(res.getHeader('x-request-id') ?? 'export');
    const ctx = deps.context(principal, requestId, ip).services;
    let pages: AsyncGenerator<CustomerExportRecord[], void, undefined>;
    try {
      pages = customerExport(ctx, { after: url.searchParams.get('after'), pageSize: deps.pageSize });
    } catch (err) {
      if (err instanceof AccessError) {
        refuse(res, err.code === 'UNAUTHENTICATED' ? 401 : 403, err.code, err.message);
        return true;
      }
      if (err instanceof BusinessError) {
        refuse(res, 400, err.errors[0]!.code, err.message.replace(/^[A-Z_]+: /, ''));
        return true;
      }
      throw err;
    }
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-disposition': 'inline; filename="customers.ndjson"',
    });
    try {
      // A byte stream with a small high-water mark: at most about one page waits beside the socket's buffer.
      await pipeline(Readable.from(ndjson(pages), { objectMode: false, highWaterMark: 64 * 1024 }), res);
    } catch (err) {
      if (CLIENT_GONE.has((err as NodeJS.ErrnoException).code ?? '')) {
        deps.log.debug({ requestId }, 'customer export: client went away');
      } else deps.log.error({ err, requestId }, 'customer export failed mid-stream');
    }
    return true;
  };
}
