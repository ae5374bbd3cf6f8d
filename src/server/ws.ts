/**
 * graphql-ws on the same port and path as HTTP. Authentication comes from the
 * `connection_init` payload `{ authorization: "Bearer …" }`; every operation gets a fresh
 * context (principal, loaders), the rate limit, and the document rules of HTTP (document-rules.ts:
 * limits, introspection, suggestions), with the same error codes.
 *
 * The protocol is graphql-ws's (`makeServer`); the glue to `ws` is ours rather than
 * `graphql-ws/use/ws`, for what 10,000 subscribers on one process need (docs/benchmarks.md,
 * "Subscriber fan-out"):
 * - Slow consumers. use/ws awaits each send's write callback, so a client that stops reading stalls
 *   its subscriptions while their events pile up upstream, unbounded and unseen. Here a send never
 *   waits: what the kernel cannot take waits in ws's buffer, and a socket whose `bufferedAmount`
 *   exceeds WS_MAX_BUFFERED_BYTES is closed with 1013 "Try Again Later" (RFC 6455: the server is
 *   overloaded, reconnect later) and the reason `slow consumer: …` (SLOW_CONSUMER_CLOSE below).
 *   Other subscribers never wait for it; a client reconnects and resubscribes (afterSequence
 *   replays an order's missed events).
 * - Memory per idle connection. One keep-alive timer for all sockets instead of an interval and a
 *   pong listener per socket, and no reference to the upgrade request (only the client address is
 *   kept). Subscriptions run through ws-fanout.ts (one execution per event for identical subscribers).
 */
import { GraphQLError, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { randomUUID } from 'node:crypto';
import { WebSocket, type WebSocketServer } from 'ws';
import type { Principal } from '../shared/principal.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { DocumentRules } from './document-rules.js';
import { findUnsafeString } from '../graphql/input-guard.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { fanoutSubscribe, operationContext, SHARE_KEY, shareKey, type FanoutArgs } from './ws-fanout.js';

/** The close code and reason of a slow consumer's socket (documented in the README). */
export const SLOW_CONSUMER_CLOSE = { code: 1013, reason: (limit: number) => `slow consumer: more than ${limit} bytes waiting to be sent` } as const;

/**
 * The close of a socket whose message could not be handled because the database is unavailable
 * (authenticating connection_init, say): 1013 "Try Again Later", which graphql-ws clients retry,
 * where 4500 (internal error) would end them for good.
 */
export const DATABASE_UNAVAILABLE_CLOSE = { code: 1013, reason: 'database unavailable: try again later' } as const;

/** Ping every socket this often; one that has not answered the previous ping by then is cut. */
const KEEP_ALIVE_MS = 12_000;

export interface WsDeps {
  schema: GraphQLSchema;
  rules: DocumentRules;
  authenticate(header: string | undefined): Promise<Principal | null>;
  context(principal: Principal, requestId: string, clientIp?: string): GraphQLContext;
  rateLimit(principal: Principal, ip: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  formatError(err: GraphQLError): GraphQLFormattedError;
  /** WS_MAX_BUFFERED_BYTES. */
  maxBufferedBytes: number;
  /** Told of every socket closed as a slow consumer (metrics, logs). */
  onSlowConsumer?(): void;
  /** Told of an unexpected error that closed a socket with 4500 (logs). */
  onInternalError?(err: unknown): void;
}

type Extra = {
  principal?: Principal;
  ip: string;
  socket: WebSocket;
};

/** Sockets that answered the last keep-alive ping. */
const alive = new WeakSet<WebSocket>();

/** Open connections and active subscriptions (metrics). */
export interface WsActivity {
  connections: number;
  subscriptions: number;
}

export function attachGraphQLWs(wss: WebSocketServer, deps: WsDeps) {
  // Acknowledged connections; graphql-ws keeps each one's running operations in `subscriptions`
  // (null while an operation is being set up, its iterator while a subscription is live).
  const open = new Set<{ subscriptions: Record<string, unknown> }>();
  const activity = (): WsActivity => {
    let subscriptions = 0;
    for (const ctx of open) for (const op of Object.values(ctx.subscriptions)) if (op) subscriptions++;
    return { connections: open.size, subscriptions };
  };
  const documents = new LRUCache<string, DocumentNode>({ max: 500 });
  const server = makeServer<Record<string, unknown>, Extra>(
    {
      schema: deps.schema,
      subscribe: fanoutSubscribe as never,
      onClose(ctx) {
        open.delete(ctx);
      },
      async onConnect(ctx) {
        const auth = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const principal = await deps.authenticate(typeof auth === 'string' ? auth : undefined);
        if (!principal) return false; // closes with 4403 Forbidden
        (ctx.extra as Extra).principal = principal;
        open.add(ctx);
        return true;
      },
      async onSubscribe(ctx, _id, params) {
        const extra = ctx.extra as Extra;
        const decision = await deps.rateLimit(extra.principal!, extra.ip ?? '');
        if (!decision.allowed) {
          return [new GraphQLError('Rate limit exceeded.', { extensions: { code: 'RATE_LIMITED', retryAfterSeconds: decision.retryAfterSeconds } })];
        }
        // Strings PostgreSQL cannot store (NUL, unpaired surrogates) stop here, as over HTTP.
        const unsafe = findUnsafeString(params);
        if (unsafe) return [unsafe];
        // Parsed and validated here, not by graphql-ws, so that the rules and error codes are HTTP's;
        // a valid document is kept by its text (10,000 dashboards send the same one: validating it
        // took about 1 ms of each subscribe). Errors are not kept: onError edits their messages per caller.
        let document = documents.get(params.query);
        if (!document) {
          const checked = deps.rules.parseAndValidate(deps.schema, params.query);
          if (checked.errors) return checked.errors;
          documents.set(params.query, (document = checked.document));
        }
        const unresolved = deps.rules.resolveOperation(document, params.operationName);
        if (unresolved) return [unresolved];
        const args: FanoutArgs = { schema: deps.schema, document, variableValues: params.variables, operationName: params.operationName ?? undefined };
        args[SHARE_KEY] = shareKey(extra.principal!, params.query, params.operationName, params.variables);
        return args;
      },
      context: (ctx) => operationContext(deps.context((ctx.extra as Extra).principal!, randomUUID(), (ctx.extra as Extra).ip)),
      onError(ctx, _id, _payload, errors) {
        deps.rules.hideSuggestions(errors, (ctx.extra as Extra).principal!);
        return errors.map((e) => deps.formatError(e));
      },
      onNext(ctx, _id, _payload, _args, result) {
        if ('errors' in result && result.errors?.length) {
          const errors = deps.rules.tagUserInput(result.errors);
          deps.rules.hideSuggestions(errors, (ctx.extra as Extra).principal!);
          return { ...result, errors: errors.map((e) => deps.formatError(e)) };
        }
        return result;
      },
    },
  );

  wss.options.handleProtocols = handleProtocols;
  wss.on('connection', (socket, request) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    socket.once('error', (err) => {
      // A socket error (a reset, a frame over maxPayload) ends this connection only.
      socket.close(CloseCode.InternalServerError, err.message.slice(0, 100));
    });
    const extra: Extra = { socket, ip: request.socket.remoteAddress ?? '' };
    const closed = server.opened(
      {
        protocol: socket.protocol,
        // Never waits for the write: see the module comment.
        send(data) {
          if (socket.readyState !== WebSocket.OPEN) return;
          socket.send(data);
          if (socket.bufferedAmount > deps.maxBufferedBytes) {
            deps.onSlowConsumer?.();
            socket.close(SLOW_CONSUMER_CLOSE.code, SLOW_CONSUMER_CLOSE.reason(deps.maxBufferedBytes));
          }
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data: Buffer) => {
            cb(data.toString()).catch((err: unknown) => {
              if (isDatabaseUnavailable(err)) {
                socket.close(DATABASE_UNAVAILABLE_CLOSE.code, DATABASE_UNAVAILABLE_CLOSE.reason);
                return;
              }
              deps.onInternalError?.(err);
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      extra,
    );
    socket.once('close', (code, reason) => void closed(code, reason.toString()));
  });
  const keepAlive = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, KEEP_ALIVE_MS);
  keepAlive.unref();

  const dispose = async () => {
    clearInterval(keepAlive);
    for (const client of wss.clients) client.close(1001, 'Going away');
    wss.removeAllListeners();
    await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
  };
  return { dispose, activity };
}
