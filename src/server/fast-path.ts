/**
 * The HTTP fast path: one module, kept because Apollo's own pipeline in front of the same executor
 * costs too much on the measured hot path (docs/benchmarks.md, bench:api, 2026-12-06: without this
 * module, (a) reached a median of 49% of the req/s with it, over 4 alternated pairs; the rule for
 * removing it was ≥ 90%).
 *
 * A `POST /graphql` with a JSON body whose document Apollo has already parsed and validated skips
 * Apollo's per-request pipeline (content negotiation with `negotiator`, SHA-256 of the query for
 * the document store, the CSRF check with `whatwg-mimetype`, a `Promise.all` over every plugin
 * hook) and goes to the very executor Apollo calls (jit-executor.ts: graphql-jit, or graphql-js
 * where jit could differ), with the same context, error formatting, status codes, headers and body
 * bytes as Apollo would produce. Nothing else in the code base exists for it: the schema, the
 * resolvers and the executor are Apollo's.
 *
 * Documents enter the cache only from Apollo itself (a plugin's `didResolveOperation`, reached
 * only after Apollo parsed the document with `maxTokens` and validated it with the specified rules
 * and the rules of document-rules.ts: nesting, armor limits, introspection when off), so every
 * limit applies exactly as on Apollo, once per document. Anything the fast path is not sure to
 * answer identically goes to Apollo unchanged: first-seen documents, GET, persisted queries
 * (`extensions`), other content types and `accept` headers, a missing or ambiguous operation,
 * subscriptions, introspection, and every request once the server is shutting down.
 *
 * What the fast path replicates of Apollo (see @apollo/server 5 `requestPipeline.js`,
 * `runHttpQuery.js`, `errorNormalize.js`), and what `fast-path.test.ts` checks against Apollo
 * (every document of test/operations, every error class), must keep replicating when apollo.ts changes:
 * - errors: variable coercion errors become BAD_USER_INPUT and answer 400 when there is no data;
 *   the rules' `hideSuggestions` (their `didEncounterErrors` plugin), then `formatError` on the
 *   enriched error (`extensions.code` defaulting to INTERNAL_SERVER_ERROR, `extensions.http`
 *   lifted into status and headers, the stack trace in development only);
 * - headers: `cache-control: no-store` (the `noStore` plugin), then the negotiated content type;
 * - body: `JSON.stringify({ errors, data, extensions }) + '\n'`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLFormattedError, type OperationDefinitionNode, visit } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GraphQLContext } from '../graphql/context.js';
import type { DocumentRules } from './document-rules.js';
import type { JitExecutor } from './jit-executor.js';

/** What Apollo answers for these `accept` headers (the table is checked against Apollo in the tests); others go to Apollo. */
const CONTENT_TYPE_FOR_ACCEPT: ReadonlyMap<string, string> = new Map([
  ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
  ['application/graphql-response+json, application/json;q=0.9', 'application/graphql-response+json; charset=utf-8'],
  ['application/graphql-response+json, application/json', 'application/graphql-response+json; charset=utf-8'],
  ['application/json', 'application/json; charset=utf-8'],
  ['application/json, application/graphql-response+json', 'application/json; charset=utf-8'],
]);

/** Request content types whose body is JSON and passes Apollo's CSRF check (essence application/json). */
const JSON_CONTENT_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

export interface FastPathOptions {
  /** The executor Apollo calls (its gateway executor). */
  executor: Pick<JitExecutor, 'run'>;
  /** The `formatError` given to Apollo. */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  /** The rules Apollo applies (document-rules.ts): variable errors tagged, suggestions hidden as Apollo does. */
  rules: Pick<DocumentRules, 'hideSuggestions' | 'tagUserInput'>;
  /** Apollo's `includeStacktraceInErrorResponses`. */
  includeStacktrace: boolean;
  /** Documents kept (LRU), at most this many... */
  maxDocuments?: number;
  /** ...and about this many bytes (3 per character of query text: the text and its AST); a document over 1/16 of it is not kept. */
  maxBytes?: number;
  /** Told of each operation executed here, with its result and start (`process.hrtime.bigint()`): metrics (Apollo's are told by a plugin). */
  observe?(operation: OperationDefinitionNode, result: ExecutionResult, startedAt: bigint): void;
}

export interface FastPathResponse {
  status: number | undefined;
  headers: [string, string][];
  body: string;
}

export class FastPath {
  /** Requests answered by the fast path, documents stored (tests and diagnostics). */
  readonly stats = { hits: 0, stored: 0 };
  /** Off once the server starts shutting down: Apollo then answers (and refuses) every request as before. */
  enabled = true;
  /** Query text -> the document Apollo validated and Apollo's hash of the text. */
  private readonly documents: LRUCache<string, { document: DocumentNode; queryHash: string }>;

  constructor(private readonly opts: FastPathOptions) {
    // Bounded by count and by size: any caller who passes validation can add documents, of up to MAX_BODY_BYTES each.
    const maxBytes = opts.maxBytes ?? 32 * 2 ** 20;
    this.documents = new LRUCache({
      max: opts.maxDocuments ?? 1000,
      maxSize: maxBytes,
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 16)),
      sizeCalculation: (_doc, source) => 3 * source.length + 1,
    });
  }

  /** True when a request with these headers can take the fast path (the body is still to be checked). */
  accepts(contentType: string | undefined, accept: string): boolean {
    return this.enabled && contentType !== undefined && JSON_CONTENT_TYPES.has(contentType.toLowerCase()) && CONTENT_TYPE_FOR_ACCEPT.has(accept);
  }

  /** The Apollo plugin that stores documents Apollo has parsed and validated. */
  plugin(): ApolloServerPlugin<GraphQLContext> {
    const store = (source: string, document: DocumentNode, queryHash: string) => {
      if (this.documents.has(source) || usesIntrospection(document)) return;
      this.documents.set(source, { document, queryHash });
      if (this.documents.has(source)) this.stats.stored++;
    };
    const listener = {
      async didResolveOperation({ source, document, queryHash }: { source: string; document: DocumentNode; queryHash: string }) {
        store(source, document, queryHash);
      },
    };
    return {
      async requestDidStart() {
        return listener;
      },
    };
  }

  /**
   * Executes the request when its document is known and the body is what Apollo would accept
   * without a question; null means "let Apollo answer" (nothing has been executed then).
   */
  async execute(body: unknown, accept: string, context: () => GraphQLContext): Promise<FastPathResponse | null> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
    const { query, variables, operationName, extensions } = body as Record<string, unknown>;
    if (typeof query !== 'string' || extensions !== undefined) return null;
    if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
    const known = this.documents.get(query);
    if (!known) return null;
    const { document, queryHash } = known;
    const opName = operationName ?? undefined;
    const operation = getOperationAST(document, opName);
    if (!operation || operation.operation === 'subscription') return null;
    const contentType = CONTENT_TYPE_FOR_ACCEPT.get(accept)!;
    const startedAt = process.hrtime.bigint();
    const contextValue = context();
    this.stats.hits++;

    const result = await this.opts.executor.run({
      document,
      operation,
      operationName: opName,
      variables: variables as Record<string, unknown> | null | undefined,
      context: contextValue,
      queryHash,
    });
    this.opts.observe?.(operation, result, startedAt);
    let status: number | undefined;
    const headers: [string, string][] = [];
    let formattedErrors: GraphQLFormattedError[] | undefined;
    if (result.errors) {
      const errors = this.opts.rules.tagUserInput(result.errors);
      this.opts.rules.hideSuggestions(errors, contextValue.principal);
      const http = { status: undefined as number | undefined, headers: new Map<string, string>() };
      formattedErrors = errors.map((e) => this.format(e, http));
      status = http.status;
      if (errors.length && result.data === undefined && !status) status = 400;
      headers.push(...http.headers);
    }
    // The noStore plugin (willSendResponse), then the negotiated content type, in Apollo's order.
    if (!headers.some(([k]) => k === 'cache-control')) headers.push(['cache-control', 'no-store']);
    headers.push(['content-type', contentType]);
    return { status, headers, body: JSON.stringify({ errors: formattedErrors, data: result.data, extensions: result.extensions }) + '\n' };
  }

  /** Apollo's normalizeAndFormatErrors for one error. */
  private format(error: GraphQLError, http: { status: number | undefined; headers: Map<string, string> }): GraphQLFormattedError {
    const enrich = (e: GraphQLError): GraphQLFormattedError => {
      const extensions: Record<string, unknown> = { ...e.extensions, code: e.extensions.code ?? 'INTERNAL_SERVER_ERROR' };
      const h = extensions.http as { status?: unknown; headers?: unknown } | undefined;
      if (
        !!h &&
        typeof h === 'object' &&
        (!('status' in h) || typeof h.status === 'number') &&
        (!('headers' in h) || h.headers instanceof Map)
      ) {
        if (typeof h.status === 'number' && h.status) http.status = h.status;
        if (h.headers instanceof Map) for (const [k, v] of h.headers as Map<string, string>) http.headers.set(k, v);
        delete extensions.http;
      }
      if (this.opts.includeStacktrace) extensions.stacktrace = e.stack?.split('\n');
      return { ...e.toJSON(), extensions };
    };
    try {
      return this.opts.formatError(enrich(error), error);
    } catch (formattingError) {
      if (this.opts.includeStacktrace) {
        const e = formattingError instanceof GraphQLError ? formattingError : new GraphQLError(formattingError instanceof Error ? formattingError.message : `Unexpected error value: ${String(formattingError)}`, { originalError: formattingError instanceof Error ? formattingError : undefined });
        return enrich(e);
      }
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  }
}

/** Introspection documents always go through Apollo: any `__schema` or `__type` field, also inside fragments. */
function usesIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
