/** Who is calling, as the services see it. Pure data and scope rules; no GraphQL here. */

export type PrincipalKind = 'STAFF' | 'PARTNER' | 'CUSTOMER' | 'ANONYMOUS';

export const SCOPE_AREAS = [
  'catalog',
  'inventory',
  'orders',
  'fulfillment',
  'shipping',
  'returns',
  'customers',
  'loyalty',
  'support',
] as const;

/** Every scope a key may hold (the contract's list). */
export const ALL_SCOPES: readonly string[] = Object.freeze([
  ...SCOPE_AREAS.flatMap((a) => [`read_${a}`, `write_${a}`]),
  'read_metrics',
  'admin',
]);

export interface Principal {
  readonly kind: PrincipalKind;
  readonly name: string | null;
  readonly scopes: readonly string[];
  readonly apiKeyId?: string;
  readonly customerId?: string;
  /** PARTNER restriction to warehouses (by code); null = unrestricted. */
  readonly warehouseCodes?: readonly string[] | null;
  /** PARTNER restriction to carriers (by code); null = unrestricted. */
  readonly carrierCodes?: readonly string[] | null;
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'ANONYMOUS', name: null, scopes: [] });

/** Scopes a customer token carries implicitly: catalog reads; its own data is checked by ownership. */
export const CUSTOMER_SCOPES: readonly string[] = Object.freeze(['read_catalog']);

/** `admin` implies every scope; `write_X` implies `read_X`. */
export function hasScope(p: Principal, scope: string): boolean {
  if (p.scopes.includes('admin') || p.scopes.includes(scope)) return true;
  if (scope.startsWith('read_')) return p.scopes.includes(`write_${scope.slice(5)}`);
  return false;
}

export const isAuthenticated = (p: Principal): boolean => p.kind !== 'ANONYMOUS';

/** True when a PARTNER restricted to warehouses may touch the warehouse with this code. */
export function mayAccessWarehouse(p: Principal, code: string): boolean {
  return !p.warehouseCodes || p.warehouseCodes.includes(code);
}

/** True when a PARTNER restricted to carriers may touch this carrier's objects. */
export function mayAccessCarrier(p: Principal, code: string): boolean {
  return !p.carrierCodes || p.carrierCodes.includes(code);
}
