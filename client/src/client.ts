/**
 * The runtime of @waybill/client: queries and mutations over HTTP (fetch), subscriptions over
 * WebSocket (graphql-ws). Every call takes one of the generated documents (./generated/graphql.ts),
 * so its variables and its result are typed by the operation.
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import NodeWebSocket from 'ws';

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/**
 * The server answered with GraphQL errors (or not with GraphQL at all). `code` is the first error's
 * `extensions.code` (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, RATE_LIMITED, …).
 * Input problems of mutations are not errors: they are the payload's `userErrors`.
 */
export class WaybillError extends Error {
  override readonly name = 'WaybillError';
  readonly code: string;
  constructor(
    readonly errors: readonly GraphQLErrorEntry[],
    /** HTTP status (undefined for a subscription). */
    readonly status?: number,
    /** Partial data sent along with the errors, if any. */
    readonly data?: unknown,
  ) {
    super(errors.map((e) => e.message).join('; ') || `HTTP ${status}`);
    this.code = errors[0]?.extensions?.code ?? 'ERROR';
  }
}

/**
 * The WebSocket was closed and will not be reopened: the server refused the credentials (4401
 * Unauthorized, 4403 Forbidden: never retried), or the retries ran out. `code` and `reason` are the
 * close frame's.
 */
export class WaybillConnectionError extends Error {
  override readonly name = 'WaybillConnectionError';
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`connection closed: ${code} ${reason || '(no reason)'}`);
  }
  /** The server refused the token (a bad, expired or revoked key): retrying cannot help. */
  get refused(): boolean {
    return REFUSED.has(this.code);
  }
}

/** Close codes after which a retry cannot succeed: the server refused this client's credentials. */
const REFUSED = new Set([4401, 4403]);

interface CloseEventLike {
  code: number;
  reason: string;
}
const isCloseEvent = (e: unknown): e is CloseEventLike => typeof e === 'object' && e !== null && 'code' in e && 'reason' in e && typeof (e as CloseEventLike).code === 'number';

/** A generated document (TypedDocumentString), or anything that prints as the query text and carries the types. */
export type Document<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

/** `variables` may be left out when the operation has no required variable. */
type VariablesArg<V> = Record<string, never> extends V ? [variables?: V] : [variables: V];

export interface WaybillClientOptions {
  /** The GraphQL endpoint over HTTP, e.g. https://api.example.com/graphql. */
  url: string;
  /** The WebSocket endpoint; default: `url` with http(s) replaced by ws(s). */
  wsUrl?: string;
  /** An API key (wb_live_…) or a customer access token; sent as `Authorization: Bearer …` and in `connection_init`. */
  token?: string | null;
  /** Extra HTTP headers on every request (e.g. x-request-id). */
  headers?: Record<string, string>;
  /** fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** WebSocket constructor (default: the global WebSocket of browsers and Node 22+, else the `ws` package). */
  webSocketImpl?: unknown;
  /** Reconnects of a lost WebSocket before a subscription fails (default 5; refused connections are never retried). */
  retryAttempts?: number;
  /** Called before each reconnect with why the connection was lost. */
  onReconnect?: (why: string) => void;
}

export interface SubscriptionHandlers<T> {
  /** One result of the subscription. */
  next(data: T): void;
  /** Terminal: a WaybillError (GraphQL errors, e.g. FORBIDDEN for someone else's order) or a WaybillConnectionError. */
  error?(error: WaybillError | WaybillConnectionError | Error): void;
  /** The server ended the subscription. */
  complete?(): void;
}

export interface WaybillClient {
  /** Runs a query or mutation; resolves with its typed data, rejects with a WaybillError. */
  request<R, V>(document: Document<R, V>, ...variables: VariablesArg<V>): Promise<R>;
  /**
   * Starts a subscription; returns a function that stops it. `variables` may be a function: it is
   * called on every (re)connect, so a resumable subscription (orderStatusChanged's afterSequence)
   * resumes after the last event seen.
   */
  subscribe<R, V>(document: Document<R, V>, variables: V | (() => V), handlers: SubscriptionHandlers<R>): () => void;
  /** Closes the WebSocket (if open); pending subscriptions complete. */
  dispose(): Promise<void>;
}

export function createWaybillClient(options: WaybillClientOptions): WaybillClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  let ws: Client | undefined;

  const socket = (): Client =>
    (ws ??= createClient({
      url: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
      webSocketImpl: options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket ?? NodeWebSocket,
      connectionParams: auth,
      retryAttempts: options.retryAttempts ?? 5,
      // graphql-ws would retry 4403 too (seconds of backoff before the error shows); a refused key is final.
      shouldRetry(e) {
        if (isCloseEvent(e) && REFUSED.has(e.code)) return false;
        options.onReconnect?.(isCloseEvent(e) ? `${e.code} ${e.reason || '(no reason)'}` : String((e as { message?: unknown })?.message ?? e));
        return true;
      },
    }));

  return {
    async request(document, ...[variables]) {
      const res = await doFetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...auth, ...options.headers },
        body: JSON.stringify({ query: document.toString(), variables }),
      });
      const text = await res.text();
      let body: { data?: unknown; errors?: GraphQLErrorEntry[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new WaybillError([{ message: `HTTP ${res.status}: not a GraphQL response (${text.slice(0, 200)})` }], res.status);
      }
      if (body.errors?.length) throw new WaybillError(body.errors, res.status, body.data ?? undefined);
      if (body.data == null) throw new WaybillError([{ message: `HTTP ${res.status}: no data` }], res.status);
      return body.data as never;
    },

    subscribe(document, variables, handlers) {
      const payload = {
        query: document.toString(),
        // Read on every (re)connect: graphql-ws sends this same payload object again.
        get variables() {
          return (typeof variables === 'function' ? (variables as () => unknown)() : variables) as Record<string, unknown>;
        },
      };
      let stop: () => void = () => {};
      let done = false;
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        stop();
        f();
      };
      stop = socket().subscribe<never>(payload, {
        next(result) {
          if (done) return;
          if (result.errors?.length) {
            const err = new WaybillError(result.errors as GraphQLErrorEntry[], undefined, result.data ?? undefined);
            return finish(() => handlers.error?.(err));
          }
          if (result.data != null) handlers.next(result.data);
        },
        error(e) {
          const err = isCloseEvent(e)
            ? new WaybillConnectionError(e.code, e.reason)
            : Array.isArray(e)
              ? new WaybillError(e as GraphQLErrorEntry[])
              : e instanceof Error
                ? e
                : new Error(String(e));
          finish(() => handlers.error?.(err));
        },
        complete() {
          finish(() => handlers.complete?.());
        },
      });
      return () => finish(() => {});
    },

    async dispose() {
      await ws?.dispose();
      ws = undefined;
    },
  };
}
