/**
 * OpenTelemetry tracing (server/tracing.ts): per HTTP request one SERVER span, the GraphQL
 * operation's span as its child (Apollo and the fast path alike), the SQL statements as children
 * of that, with attributes and without personal data; the request id of the logs and of the
 * `x-request-id` header is the trace id; a caller's `traceparent` is continued; an app without
 * tracing makes no spans; and with OTEL_EXPORTER_OTLP_ENDPOINT the spans reach an OTLP/HTTP
 * receiver. On PGlite and, with DATABASE_URL, on PostgreSQL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProductCreateDocument } from '../generated/graphql.js';
import { productInput } from '../factories/catalog.js';
import { startApp, type TestApp } from '../harness.js';

const lines: { msg: string; requestId?: string; path?: string }[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, cb) {
    for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as (typeof lines)[number]);
    cb();
  },
});

const exporter = new InMemorySpanExporter();
let traced: TestApp;
let untraced: TestApp;

beforeAll(async () => {
  [traced, untraced] = await Promise.all([
    startApp({ spanExporter: exporter, log: pino({ level: 'debug', base: null }, capture) }),
    startApp(),
  ]);
});
afterAll(async () => {
  await Promise.all([traced?.close(), untraced?.close()]);
});

const SECRET = 'Needle-7f3a9c personal';
const PRODUCTS = 'query ProductSearch($q: String) { products(first: 5, query: $q) { totalCount nodes { title variants { sku } } } }';

async function post(t: TestApp, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  return { res, body };
}

/** The finished spans of one trace, once its server span has ended (it ends just after the response). */
async function traceOf(traceId: string): Promise<ReadableSpan[]> {
  await vi.waitFor(() => {
    expect(exporter.getFinishedSpans().some((s) => s.spanContext().traceId === traceId && s.kind === SpanKind.SERVER)).toBe(true);
  });
  return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
}

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const idOf = (s: ReadableSpan) => s.spanContext().spanId;

describe('tracing on (in-memory exporter)', () => {
  it('one server span per request, the operation as its child and the SQL under the operation, without parameter values', async () => {
    await traced.admin(ProductCreateDocument, { input: productInput({ title: SECRET }) });
    // Twice: the first through Apollo, the second through the fast path (a document Apollo validated).
    const hitsBefore = traced.app.fastPath.stats.hits;
    for (const via of ['apollo', 'fast path']) {
      const { res, body } = await post(traced, PRODUCTS, { q: SECRET });
      expect(body.errors, via).toBeUndefined();
      expect(JSON.stringify(body.data)).toContain(SECRET);
      const requestId = res.headers.get('x-request-id')!;
      expect(requestId, via).toMatch(/^[0-9a-f]{32}$/);

      const spans = await traceOf(requestId);
      const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(servers, via).toHaveLength(1);
      const server = servers[0]!;
      expect(parentOf(server)).toBeUndefined();
      expect(server.name).toBe('POST /graphql');
      expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/graphql', 'http.response.status_code': 200 });

      const ops = spans.filter((s) => s.attributes['graphql.operation.type'] !== undefined);
      expect(ops, via).toHaveLength(1);
      const op = ops[0]!;
      expect(parentOf(op)).toBe(idOf(server));
      expect(op.name).toBe('query ProductSearch');
      expect(op.attributes).toMatchObject({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'ProductSearch' });
      expect(op.status.code).not.toBe(SpanStatusCode.ERROR);

      const sql = spans.filter((s) => s.kind === SpanKind.CLIENT);
      const underOp = sql.filter((s) => parentOf(s) === idOf(op));
      expect(underOp.length, via).toBeGreaterThan(0);
      // Every statement of the request belongs to it: the operation's, or the request's own (authentication).
      for (const s of sql) expect([idOf(op), idOf(server)]).toContain(parentOf(s));
      for (const s of underOp) {
        expect(s.attributes).toMatchObject({ 'db.system': 'postgresql', 'db.system.name': 'postgresql' });
        expect(String(s.attributes['db.query.text'])).toMatch(/^\s*(select|with)\b/i);
        expect(s.attributes['db.operation.name']).toMatch(/^(SELECT|WITH)$/);
        expect(s.endTime[0] * 1e9 + s.endTime[1]).toBeGreaterThanOrEqual(s.startTime[0] * 1e9 + s.startTime[1]);
      }
      expect(underOp.some((s) => /\$1/.test(String(s.attributes['db.query.text'])))).toBe(true);
      // The searched words went to the database as a parameter and came back in the response, never into a span.
      for (const s of spans) expect(JSON.stringify([s.name, s.attributes]), via).not.toContain('Needle');
      // The request's log line carries the trace id as its request id.
      await vi.waitFor(() => expect(lines.some((l) => l.msg === 'request' && l.requestId === requestId)).toBe(true));
    }
    expect(traced.app.fastPath.stats.hits).toBe(hitsBefore + 1);
  });

  it("mutations: the INSERTs are the operation's children, with neither the inserted values nor the variables", async () => {
    const { res, body } = await post(traced, 'mutation MakeOne($input: ProductCreateInput!) { productCreate(input: $input) { product { id } userErrors { code } } }', {
      input: productInput({ title: `${SECRET} two` }),
    });
    expect(body.errors).toBeUndefined();
    const spans = await traceOf(res.headers.get('x-request-id')!);
    const op = spans.find((s) => s.name === 'mutation MakeOne')!;
    expect(op.attributes['graphql.operation.type']).toBe('mutation');
    const inserts = spans.filter((s) => s.attributes['db.operation.name'] === 'INSERT');
    expect(inserts.length).toBeGreaterThan(0);
    for (const s of inserts) expect(parentOf(s)).toBe(idOf(op));
    for (const s of spans) expect(JSON.stringify([s.name, s.attributes])).not.toContain('Needle');
  });

  it("continues the caller's trace from its traceparent header", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const { res } = await post(traced, PRODUCTS, { q: 'x' }, { traceparent: `00-${traceId}-${callerSpan}-01`, 'x-request-id': 'ignored-when-tracing' });
    expect(res.headers.get('x-request-id')).toBe(traceId);
    const spans = await traceOf(traceId);
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(parentOf(server)).toBe(callerSpan);
    expect(server.parentSpanContext?.isRemote).toBe(true);
    expect(spans.some((s) => s.attributes['graphql.operation.name'] === 'ProductSearch' && parentOf(s) === idOf(server))).toBe(true);
  });

  it('other routes: a span named by the method and route, the status recorded', async () => {
    const res = await fetch(traced.url.replace('/graphql', '/healthz'));
    expect(res.status).toBe(200);
    const spans = await traceOf(res.headers.get('x-request-id')!);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.name).toBe('GET /healthz');
    expect(spans[0]!.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/healthz', 'http.response.status_code': 200 });
    const missing = await fetch(traced.url.replace('/graphql', '/no/such/page-12345'));
    expect(missing.status).toBe(404);
    const [notFound] = await traceOf(missing.headers.get('x-request-id')!);
    expect(notFound!.name).toBe('GET');
    expect(notFound!.attributes['http.response.status_code']).toBe(404);
    // A path that is not a fixed route (it may hold a tracking number) is not recorded.
    expect(JSON.stringify(notFound!.attributes)).not.toContain('12345');
  });
});

describe('tracing off', () => {
  it('creates no spans and keeps the request id as before (the caller’s x-request-id, else a UUID)', async () => {
    const before = exporter.getFinishedSpans().length;
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const { res, body } = await post(untraced, PRODUCTS, { q: 'x' }, { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    expect(body.errors).toBeUndefined();
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const own = await post(untraced, PRODUCTS, { q: 'x' }, { 'x-request-id': 'req-42' });
    expect(own.res.headers.get('x-request-id')).toBe('req-42');
    // The traced app's provider saw nothing of these (its context manager is process-wide; its provider is not).
    await new Promise((r) => setTimeout(r, 50));
    expect(exporter.getFinishedSpans().length).toBe(before);
    expect(untraced.app.executor.stats.jit + untraced.app.executor.stats.graphqlJs).toBeGreaterThan(0);
  });
});

describe('OTLP/HTTP export', () => {
  let receiver: Server;
  const posts: { path: string; contentType: string | undefined; token: string | undefined; body: string }[] = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        posts.push({ path: req.url ?? '', contentType: req.headers['content-type'], token: req.headers['x-collector-token'] as string | undefined, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('with OTEL_EXPORTER_OTLP_ENDPOINT the spans reach the collector, flushed by close()', async () => {
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const t = await startApp({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'waybill-test', OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=abc%20def' } });
    let requestId: string;
    try {
      const { res, body } = await post(t, PRODUCTS, { q: 'x' });
      expect(body.errors).toBeUndefined();
      requestId = res.headers.get('x-request-id')!;
      expect(requestId).toMatch(/^[0-9a-f]{32}$/);
      expect(posts).toHaveLength(0);
    } finally {
      // Batched spans (5 s delay) go out on close, within the shutdown grace.
      const closing = Date.now();
      await t.close();
      expect(Date.now() - closing).toBeLessThan(3000);
    }
    const traces = posts.filter((p) => p.path === '/v1/traces');
    expect(traces.length).toBeGreaterThanOrEqual(1);
    expect(traces[0]!.contentType).toContain('application/json');
    expect(traces[0]!.token).toBe('abc def');
    const all = traces.map((p) => p.body).join('\n');
    expect(all).toContain('waybill-test');
    expect(all).toContain('query ProductSearch');
    expect(all).toContain('POST /graphql');
    // OTLP/JSON carries trace ids as hex.
    expect(all).toContain(requestId);
  });
});
