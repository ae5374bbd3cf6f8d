/**
 * graphql-ws on the same port and path as HTTP. Authentication comes from the
 * `connection_init` payload `{ authorization: "Bearer …" }`; every operation gets a fresh
 * context (principal, loaders), the rate limit, and the document rules of HTTP (document-rules.ts:
 * limits, introspection, suggestions), with the same error codes.
 */
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { randomUUID } from 'node:crypto';
import type { WebSocketServer } from 'ws';
import type { Principal } from '../shared/principal.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { DocumentRules } from './document-rules.js';
import { findUnsafeString } from '../graphql/input-guard.js';

export interface WsDeps {
  schema: GraphQLSchema;
  rules: DocumentRules;
  authenticate(header: string | undefined): Promise<Principal | null>;
  context(principal: Principal, requestId: string, clientIp?: string): GraphQLContext;
  rateLimit(principal: Principal, ip: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  formatError(err: GraphQLError): GraphQLFormattedError;
}

type Extra = {
  principal?: Principal;
  ip?: string;
  [key: string]: unknown;
};

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
  const server = useServer<Record<string, unknown>, Extra>(
    {
      schema: deps.schema,
      onClose(ctx) {
        open.delete(ctx);
      },
      async onConnect(ctx) {
        const auth = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const principal = await deps.authenticate(typeof auth === 'string' ? auth : undefined);
        if (!principal) return false; // closes with 4403 Forbidden
        (ctx.extra as Extra).principal = principal;
        (ctx.extra as unknown as { ip: string }).ip = (ctx.extra as unknown as { request: { socket: { remoteAddress?: string } } }).request.socket.remoteAddress ?? '';
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
        // Parsed and validated here, not by graphql-ws, so that the rules and error codes are HTTP's.
        const checked = deps.rules.parseAndValidate(deps.schema, params.query);
        if (checked.errors) return checked.errors;
        const unresolved = deps.rules.resolveOperation(checked.document, params.operationName);
        if (unresolved) return [unresolved];
        return { schema: deps.schema, document: checked.document, variableValues: params.variables, operationName: params.operationName ?? undefined };
      },
      context: (ctx) => deps.context((ctx.extra as Extra).principal!, randomUUID(), (ctx.extra as Extra).ip),
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
    wss,
  );
  return Object.assign(server, { activity });
}
