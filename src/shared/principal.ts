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

/** What an API key grants, as far as comparing it with its creator goes. */
export interface Grant {
  readonly kind: PrincipalKind;
  readonly scopes: readonly string[];
  readonly warehouseCodes?: readonly string[] | null;
  readonly carrierCodes?: readonly string[] | null;
}

/** One way a grant exceeds a holder: field names the input that is too broad, index the list entry if any. */
export interface Excess {
  readonly field: 'kind' | 'scopes' | 'warehouseCodes' | 'carrierCodes';
  readonly index?: number;
  readonly code: 'FORBIDDEN' | 'SCOPE_NOT_HELD';
  readonly message: string;
}

const KIND_RANK: Record<PrincipalKind, number> = { ANONYMOUS: 0, CUSTOMER: 1, PARTNER: 2, STAFF: 3 };

/**
 * Every way `grant` is broader than what `holder` holds: a more privileged kind (STAFF over
 * PARTNER), a scope the holder does not hold (`admin` implies all, `write_X` implies `read_X`),
 * or a wider or absent warehouse/carrier restriction where the holder is restricted. Empty when
 * `grant` is at most `holder`: the rule that keeps a key from minting or revoking a broader key.
 */
export function excessOver(holder: Principal, grant: Grant): Excess[] {
  const out: Excess[] = [];
  if (KIND_RANK[grant.kind] > KIND_RANK[holder.kind]) {
    out.push({ field: 'kind', code: 'FORBIDDEN', message: `A ${holder.kind} key cannot act on a ${grant.kind} key.` });
  }
  grant.scopes.forEach((s, index) => {
    if (!hasScope(holder, s)) out.push({ field: 'scopes', index, code: 'SCOPE_NOT_HELD', message: `This key does not hold the scope "${s}".` });
  });
  for (const field of ['warehouseCodes', 'carrierCodes'] as const) {
    const mine = holder[field];
    if (!mine) continue;
    const theirs = grant[field];
    const what = field === 'warehouseCodes' ? 'warehouses' : 'carriers';
    if (!theirs) out.push({ field, code: 'FORBIDDEN', message: `This key is restricted to ${what}; the key must be restricted to some of them too.` });
    else
      theirs.forEach((c, index) => {
        if (!mine.includes(c)) out.push({ field, index, code: 'FORBIDDEN', message: `This key may not grant access to ${what} outside its own restriction ("${c}").` });
      });
  }
  return out;
}
