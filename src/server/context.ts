/** Builds the per-request (and per-WebSocket-operation) context: principal, services, fresh loaders. */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { LoaderSet, type EventSource, type GraphQLContext } from '../graphql/context.js';
import type { Clock } from '../shared/clock.js';
import type { Extensions } from '../shared/extensions.js';
import type { Principal } from '../shared/principal.js';
import type { RelayHandle, ServiceContext } from '../shared/service-context.js';

export interface ContextDeps {
  config: Config;
  database: Database;
  clock: Clock;
  relay: RelayHandle;
  log: Logger;
  events: EventSource;
  extensions: Extensions;
}

export function buildContext(deps: ContextDeps, principal: Principal, requestId: string, clientIp?: string): GraphQLContext {
  const services: ServiceContext = {
    database: deps.database,
    principal,
    clock: deps.clock,
    relay: deps.relay,
    log: deps.log,
    config: deps.config,
    extensions: deps.extensions,
  };
  return { principal, events: deps.events, services, loaders: new LoaderSet(services), requestId, clientIp };
}
