/**
 * Scope checks for resolvers. `@Authorized('read_catalog')` on a field means: an anonymous
 * caller gets UNAUTHENTICATED, a caller without the scope gets FORBIDDEN. `@Authorized()`
 * with no scope means "any authenticated caller". Fields without it are public.
 */
import { GraphQLError } from 'graphql';
import type { AuthChecker } from 'type-graphql';
import { AccessError } from '../shared/errors.js';
import { hasScope, isAuthenticated, type Principal } from '../shared/principal.js';
import type { GraphQLContext } from './context.js';

export const unauthenticated = () =>
  new GraphQLError('Authentication required: send "Authorization: Bearer <token>".', { extensions: { code: 'UNAUTHENTICATED' } });
export const forbidden = (what: string) =>
  new GraphQLError(`Forbidden: ${what}.`, { extensions: { code: 'FORBIDDEN' } });

/** Role name usable in `@Authorized` that lets a CUSTOMER principal through (ownership is checked by the service). */
export const CUSTOMER = 'CUSTOMER';

/** Throws unless the principal holds one of `scopes` (or is a customer and CUSTOMER is listed). */
export function requireScope(p: Principal, ...scopes: string[]): void {
  if (!isAuthenticated(p)) throw unauthenticated();
  if (!scopes.length) return;
  if (scopes.some((s) => (s === CUSTOMER ? p.kind === 'CUSTOMER' : hasScope(p, s)))) return;
  throw forbidden(`requires scope ${scopes.filter((s) => s !== CUSTOMER).join(' or ')}`);
}

export const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  requireScope(context.principal, ...roles);
  return true;
};

/** Maps service-level access errors to GraphQL errors with `extensions.code`. */
export function toGraphQLError(err: AccessError): GraphQLError {
  return new GraphQLError(err.message, { extensions: { code: err.code, ...err.extra } });
}
