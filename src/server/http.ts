/**
 * The HTTP transport: /graphql (GET, POST) through Apollo's executeHTTPGraphQLRequest on a
 * plain Node http server (a browser's GET of it may get the explorer page instead: graphqlPage), /healthz, /readyz, CORS for browser callers on other origins, a
 * body size limit, request ids, authentication and rate limiting before execution.
 */
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { Principal } from '../shared/principal.js';
import { statementCounter } from '../db/client.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { DATABASE_UNAVAILABLE_MESSAGE } from './plugins/errors.js';
import { findUnsafeString, httpRequestParts } from '../graphql/input-guard.js';
import type { FastPath } from './fast-path.js';
import type { Tracing } from './tracing.js';

export interface HttpDeps {
  config: Config;
  log: Logger;
  apollo: ApolloServer<GraphQLContext>;
  authenticate(header: string | undefined): Promise<Principal | null>;
  context(principal: Principal, requestId: string, clientIp?: string): GraphQLContext;
  rateLimit(principal: Principal, ip: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  ready(): Promise<{ ok: boolean; checks: Record<string, string> }>;
  /** Executes known documents without Apollo's per-request pipeline; absent = everything through Apollo. */
  fastPath?: FastPath;
  /** Extra routes of later modules (e.g. the tracking page); return true when handled. */
  routes?: ((req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean)[];
  /** Tracing on (tracing.ts): each request runs in its span and its request id is the trace id. Absent = off. */
  tracing?: Tracing;
  /** A browser's GET of /graphql (explorer-page.ts): true when it was answered with a page. Absent = GraphQL only. */
  graphqlPage?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

const GRAPHQL_RESPONSE = 'application/graphql-response+json; charset=utf-8';
/** What a request without `accept` (or with any media type) is answered as. */
const DEFAULT_ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

const GRAPHQL_URL: Readonly<URL> = new URL('/graphql', 'http://localhost');

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, type = 'application/json; charset=utf-8') {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function errorBody(message: string, code: string, extra: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { code, ...extra } }] };
}

function cors(res: ServerResponse, req: IncomingMessage, config: Config) {
  const origin = req.headers.origin;
  if (!origin) return;
  const allowed = config.CORS_ORIGINS === '*' || config.CORS_ORIGINS.split(',').map((s) => s.trim()).includes(origin);
  if (!allowed) return;
  res.setHeader('access-control-allow-origin', config.CORS_ORIGINS === '*' ? '*' : origin);
  res.setHeader('vary', 'origin');
  res.setHeader('access-control-expose-headers', 'x-request-id, retry-after');
}

export function createRequestHandler(deps: HttpDeps) {
  const { config, log } = deps;
  const tracing = deps.tracing;
  return function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (tracing) return tracing.serve(req, res, (traceId) => serve(req, res, traceId));
    return serve(req, res, (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 100)) || randomUUID());
  };

  async function serve(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const started = process.hrtime.bigint();
    res.setHeader('x-request-id', requestId);
    cors(res, req, config);
    // The hot path (POST /graphql) skips URL parsing; nothing mutates the shared object.
    const url = req.url === '/graphql' ? GRAPHQL_URL : new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/graphql') {
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            'access-control-allow-methods': 'GET, POST, OPTIONS',
            'access-control-allow-headers': 'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, x-request-id',
            'access-control-max-age': '86400',
          });
          res.end();
          return;
        }
        if (req.method === 'GET' && deps.graphqlPage && (await deps.graphqlPage(req, res, url))) return;
        if (config.EXPOSE_SQL_COUNT) {
          const counter = { count: 0 };
          await statementCounter.run(counter, () => graphql(req, res, url, requestId, counter));
        } else await graphql(req, res, url, requestId);
      } else if (url.pathname === '/healthz') {
        sendJson(res, 200, { status: 'ok' });
      } else if (url.pathname === '/readyz') {
        const r = await deps.ready();
        sendJson(res, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not ready', checks: r.checks });
      } else {
        for (const route of deps.routes ?? []) if (await route(req, res, url)) return;
        sendJson(res, 404, { error: 'not found' });
      }
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        sendJson(res, 413, errorBody(`Request body larger than ${config.MAX_BODY_BYTES} bytes.`, 'BAD_REQUEST'), { connection: 'close' }, GRAPHQL_RESPONSE);
        return;
      }
      if (isDatabaseUnavailable(err)) {
        // Before Apollo (authenticating a key that is not cached yet): the database is down, not the request wrong.
        log.warn({ err: { message: (err as Error).message, code: (err as { code?: unknown }).code }, requestId }, 'database unavailable');
        if (!res.headersSent) sendJson(res, 503, errorBody(DATABASE_UNAVAILABLE_MESSAGE, 'SERVICE_UNAVAILABLE', { retryable: true, retryAfterSeconds: 1 }), { 'retry-after': '1' }, GRAPHQL_RESPONSE);
        else res.end();
        return;
      }
      log.error({ err, requestId }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'), {}, GRAPHQL_RESPONSE);
      else res.end();
    } finally {
      if (log.isLevelEnabled('debug')) {
        log.debug({ requestId, method: req.method, path: url.pathname, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
      }
    }
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, counter?: { count: number }) {
    if (req.method !== 'GET' && req.method !== 'POST') {
      sendJson(res, 405, errorBody('Use GET or POST.', 'METHOD_NOT_ALLOWED'), { allow: 'GET, POST' }, GRAPHQL_RESPONSE);
      return;
    }
    const principal = await deps.authenticate(req.headers.authorization);
    if (!principal) {
      sendJson(res, 401, errorBody('Invalid, expired or revoked token.', 'UNAUTHENTICATED'), { 'www-authenticate': 'Bearer' }, GRAPHQL_RESPONSE);
      return;
    }
    const ip = req.socket.remoteAddress ?? '';
    const decision = await deps.rateLimit(principal, ip);
    if (!decision.allowed) {
      sendJson(
        res,
        429,
        errorBody(`Rate limit exceeded; retry in ${decision.retryAfterSeconds} s.`, 'RATE_LIMITED', { retryAfterSeconds: decision.retryAfterSeconds }),
        { 'retry-after': String(decision.retryAfterSeconds) },
        GRAPHQL_RESPONSE,
      );
      return;
    }
    // One context builder for both paths, so the fast path's resolvers see what Apollo's would.
    const context = () => deps.context(principal, requestId, ip);
    // GraphQL-over-HTTP: answer application/graphql-response+json unless the client asks only for application/json.
    const accept = !req.headers.accept || req.headers.accept === '*/*' ? DEFAULT_ACCEPT : req.headers.accept;
    const contentType = req.headers['content-type'];
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const text = await readBody(req, config.MAX_BODY_BYTES);
      if ((contentType ?? '').includes('json')) {
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          sendJson(res, 400, errorBody('Malformed JSON body.', 'BAD_REQUEST'), {}, GRAPHQL_RESPONSE);
          return;
        }
      } else body = text;
    }
    // Strings PostgreSQL cannot store (NUL, unpaired surrogates) stop here, before any execution.
    const unsafe = findUnsafeString(httpRequestParts(body, url), { maxTokens: config.MAX_TOKENS });
    if (unsafe) return sendJson(res, 400, { errors: [unsafe.toJSON()] }, {}, GRAPHQL_RESPONSE);
    if (req.method === 'POST') {
      // A document Apollo has already parsed and validated: straight to execution (fast-path.ts).
      if (deps.fastPath?.accepts(contentType, accept)) {
        const fast = await deps.fastPath.execute(body, accept, context);
        if (fast) {
          for (const [k, v] of fast.headers) res.setHeader(k, v);
          if (counter) res.setHeader('x-sql-statements', String(counter.count));
          res.statusCode = fast.status ?? 200;
          res.setHeader('content-length', Buffer.byteLength(fast.body));
          res.end(fast.body);
          return;
        }
      }
    }
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    headers.set('accept', accept);
    const result = await deps.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
      context: async () => context(),
    });
    for (const [k, v] of result.headers) res.setHeader(k, v);
    if (counter) res.setHeader('x-sql-statements', String(counter.count));
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(result.body.string));
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }
}
