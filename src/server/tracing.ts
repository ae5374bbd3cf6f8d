/**
 * OpenTelemetry tracing: one SERVER span per HTTP request (continuing the caller's W3C
 * `traceparent`), a child span per GraphQL operation (Apollo and the fast path both execute
 * through jit-executor.ts's `run`, which this wraps), and CLIENT spans of the SQL statements run
 * inside it (db/sql-tracing.ts, at the driver seam of PGlite and postgres.js). The request id of the
 * logs and of the `x-request-id` header is the trace id.
 *
 * Manual spans at our own seams, not the auto-instrumentation packages: those patch `require`
 * and need a loader flag (`--import`/`--experimental-loader`) to see ESM imports, and would trace
 * Apollo internals nobody reads; here every span is one we chose, and tracing off is no code at all.
 *
 * Off (no OTEL_EXPORTER_OTLP_ENDPOINT and no exporter handed in): app.ts never imports this
 * module, so neither the API nor the SDK is loaded, the drivers are not wrapped and no span,
 * context or attribute object is made per request.
 *
 * Each app has its own TracerProvider (tests run several apps per process); nothing is registered
 * as the global provider. The one global is the AsyncLocalStorage context manager, which carries
 * the active span from the HTTP handler through the resolvers to the driver call.
 *
 * No personal data in spans: no client address, no query parameters or variables, no GraphQL
 * document, no paths of routes other than the fixed ones; SQL is drizzle's parameterised text.
 */
import {
  context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import type { ExecutionResult } from 'graphql';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import type { SqlSpan, SqlTracer } from '../db/sql-tracing.js';
import type { ExecutionInput } from './jit-executor.js';

// Incubating semantic conventions are copied, not imported from `/incubating` (the package's advice).
const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';
const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
/** The pre-1.26 name of db.system.name, still the one many backends group by. */
const ATTR_DB_SYSTEM = 'db.system';

/** Routes whose path is a low-cardinality `http.route` (other paths may carry tracking numbers: not recorded). */
const FIXED_ROUTES: ReadonlySet<string> = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);
const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']);

export interface TracingOptions {
  /** Spans go here (each exported as it ends) instead of OTLP: tests hand in an InMemorySpanExporter. */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** SQL statement spans for openDatabase (children of the active span only). */
  readonly sql: SqlTracer;
  /** Runs one HTTP request inside its SERVER span; `run` receives the request id, which is the trace id. */
  serve(req: IncomingMessage, res: ServerResponse, run: (requestId: string) => Promise<void>): Promise<void>;
  /** The executor's `around` hook: one span per GraphQL operation, active while it executes. */
  operation(input: ExecutionInput, execute: () => Promise<ExecutionResult>): Promise<ExecutionResult>;
  /** Exports what is still buffered and stops, waiting at most `ms`. */
  shutdown(ms: number): Promise<void>;
}

let contextManagerSet = false;

/** Tracing when configured (an OTLP endpoint or an exporter handed in), else undefined. */
export function startTracing(config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_HEADERS' | 'OTEL_SERVICE_NAME'>, opts: TracingOptions = {}): Tracing | undefined {
  if (!opts.exporter && !config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  if (!contextManagerSet) {
    // Returns false when another library registered one first; an AsyncLocalStorage one then, in practice.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerSet = true;
  }
  // Batched in the background over OTLP/HTTP (JSON); an exporter handed in gets each span as it ends.
  const processor = opts.exporter
    ? new SimpleSpanProcessor({ exporter: opts.exporter })
    : new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/+$/, '')}/v1/traces`,
          headers: parseHeaders(config.OTEL_EXPORTER_OTLP_HEADERS),
        }),
      });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('waybill');
  const propagator = new W3CTraceContextPropagator();

  return {
    sql: sqlTracer(tracer),

    async serve(req, res, run) {
      // The caller's trace (a valid `traceparent`) is continued; otherwise this span starts one.
      const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
      const method = req.method && KNOWN_METHODS.has(req.method) ? req.method : '_OTHER';
      const q = req.url?.indexOf('?') ?? -1;
      const path = q >= 0 ? req.url!.slice(0, q) : (req.url ?? '/');
      const route = FIXED_ROUTES.has(path) ? path : undefined;
      const attributes: Attributes = {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_SCHEME]: 'http',
        [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
      };
      if (route) {
        attributes[ATTR_HTTP_ROUTE] = route;
        attributes[ATTR_URL_PATH] = route;
      }
      const span = tracer.startSpan(route ? `${method} ${route}` : method, { kind: SpanKind.SERVER, attributes }, parent);
      try {
        await context.with(trace.setSpan(parent, span), run, undefined, span.spanContext().traceId);
      } finally {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
        if (res.statusCode >= 500) {
          span.setAttribute(ATTR_ERROR_TYPE, String(res.statusCode));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      }
    },

    async operation(input, execute) {
      const type = input.operation?.operation;
      const name = input.operation?.name?.value;
      const attributes: Attributes = {};
      if (type) attributes[ATTR_GRAPHQL_OPERATION_TYPE] = type;
      if (name) attributes[ATTR_GRAPHQL_OPERATION_NAME] = name;
      const span = tracer.startSpan(type ? (name ? `${type} ${name}` : type) : 'GraphQL Operation', { kind: SpanKind.INTERNAL, attributes });
      try {
        const result = await context.with(trace.setSpan(context.active(), span), execute);
        if (result.errors?.length) {
          // The code only: messages may quote the caller's input.
          const code = result.errors[0]!.extensions?.code;
          span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : 'GRAPHQL_ERROR');
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        return result;
      } catch (e) {
        span.setAttribute(ATTR_ERROR_TYPE, e instanceof Error ? e.name : 'Error');
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw e;
      } finally {
        span.end();
      }
    },

    async shutdown(ms) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        provider.shutdown().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, ms));
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

/** SQL spans: CLIENT children of a recording span (a traced request); background work makes none. */
function sqlTracer(tracer: Tracer): SqlTracer {
  return {
    start(text: string): SqlSpan | null {
      const active = context.active();
      const parent = trace.getSpan(active);
      if (!parent?.isRecording()) return null;
      const operation = firstKeyword(text);
      const span: Span = tracer.startSpan(
        operation ?? 'postgresql',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
            [ATTR_DB_SYSTEM]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
            [ATTR_DB_QUERY_TEXT]: text,
            ...(operation ? { [ATTR_DB_OPERATION_NAME]: operation } : {}),
          },
        },
        active,
      );
      return {
        end(error?: unknown) {
          if (error !== undefined) {
            // The SQLSTATE only: driver messages may quote values.
            const code = (error as { code?: unknown } | null)?.code;
            if (typeof code === 'string') span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, code);
            span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error');
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        },
      };
    },
  };
}

/** SELECT, INSERT, WITH…: the statement's first keyword, upper case. */
function firstKeyword(text: string): string | undefined {
  const m = /^\s*\(?\s*([a-zA-Z]+)/.exec(text);
  return m ? m[1]!.toUpperCase() : undefined;
}

/** `key=value,key2=value2` (values URL-encoded, the OTLP exporter's variable format). */
function parseHeaders(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}
