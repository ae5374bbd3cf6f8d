/** The per-request GraphQL context: the principal, a service context, and lazily built loaders. */
import type { Principal } from '../shared/principal.js';
import type { ServiceContext } from '../shared/service-context.js';

/**
 * Per-request DataLoader sets, built on first use: a module exports a factory and resolvers
 * call `ctx.loaders.get(factory)`; a request that never touches a module never builds its loaders.
 */
export class LoaderSet {
  private readonly sets = new Map<(ctx: ServiceContext) => unknown, unknown>();
  constructor(private readonly services: ServiceContext) {}
  get<T>(factory: (ctx: ServiceContext) => T): T {
    let set = this.sets.get(factory) as T | undefined;
    if (set === undefined) {
      set = factory(this.services);
      this.sets.set(factory, set);
    }
    return set;
  }
}

/** Live events of the pub/sub, for subscriptions that combine a replay with live events. */
export interface EventSource {
  subscribe(topic: string): AsyncIterable<Record<string, unknown>>;
}

export interface GraphQLContext {
  readonly principal: Principal;
  readonly events: EventSource;
  readonly services: ServiceContext;
  readonly loaders: LoaderSet;
  readonly requestId: string;
  /** The caller's address (per-client limits of public fields). */
  readonly clientIp?: string;
}
