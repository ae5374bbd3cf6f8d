/**
 * API keys and customer access tokens: issue, revoke, authenticate.
 * Secrets carry 192 bits of randomness behind a readable prefix and are stored as SHA-256 only.
 */
import { hash, randomBytes } from 'node:crypto';
import { secretEquals } from '../../shared/secret-compare.js';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { transact } from '../../events/outbox.js';
import type { EventWatching } from '../../events/relay.js';
import { KeyedCaches } from '../../shared/cache.js';
import type { Clock } from '../../shared/clock.js';
import { BusinessError, ErrorList } from '../../shared/errors.js';
import { ALL_SCOPES, ANONYMOUS, CUSTOMER_SCOPES, excessOver, type Principal, type PrincipalKind } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { isUniqueViolation } from '../catalog/catalog.service.js';
import { customerById, verifyCustomerCredentials } from '../customers/customer.service.js';
import { carrierCatalog } from '../carriers/carrier.service.js';
import { listAllWarehouses } from '../warehouse/warehouse.service.js';
import { apiKeys, customerAccessTokens } from './auth.table.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export const API_KEY_REVOKED = 'auth.api_key_revoked';

export const API_KEY_PREFIX = 'wb_live_';
export const CUSTOMER_TOKEN_PREFIX = 'wb_cat_';

/** One-shot `crypto.hash` (Node 20.12+): no Hash object per call, on every authenticated request. */
export const sha256 = (s: string): string => hash('sha256', s, 'hex');
const newSecret = (prefix: string): string => prefix + randomBytes(24).toString('base64url');

export interface ApiKeyCreateInput {
  name: string;
  kind: PrincipalKind;
  scopes: string[];
  warehouseCodes?: string[] | null;
  carrierCodes?: string[] | null;
}

/**
 * Validates and creates an API key; the secret is returned once and never stored.
 * `ctx.principal`, when given (the API, the CLI), is the creator: the key may be no broader than it
 * (userErrors FORBIDDEN for a more privileged kind or a wider/absent restriction, SCOPE_NOT_HELD for
 * a scope it does not hold). Restriction codes must name existing warehouses/carriers (NOT_FOUND);
 * a code outside the creator's own restriction answers FORBIDDEN whether or not it exists.
 * Without a principal (ADMIN_API_KEY at start-up, benchmarks) the system itself creates it.
 */
export async function createApiKey(
  ctx: Pick<ServiceContext, 'database' | 'relay'> & { principal?: Principal },
  input: ApiKeyCreateInput,
  secret: string = newSecret(API_KEY_PREFIX),
): Promise<{ apiKey: ApiKeyRow; secret: string }> {
  const errors = new ErrorList();
  const name = input.name.trim();
  if (!name || name.length > 100) errors.add('INVALID', 'Name must be 1 to 100 characters.', ['input', 'name']);
  if (input.kind !== 'STAFF' && input.kind !== 'PARTNER') {
    errors.add('INVALID', 'An API key is either STAFF or PARTNER.', ['input', 'kind']);
  }
  const scopes = [...new Set(input.scopes)];
  scopes.forEach((s, i) => {
    if (!ALL_SCOPES.includes(s)) errors.add('INVALID_SCOPE', `Unknown scope "${s}".`, ['input', 'scopes', String(i)]);
  });
  for (const k of ['warehouseCodes', 'carrierCodes'] as const) {
    const codes = input[k];
    if (codes == null) continue;
    if (input.kind !== 'PARTNER') errors.add('INVALID', `${k} restricts PARTNER keys only.`, ['input', k]);
    codes.forEach((c, i) => {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(c)) errors.add('INVALID', `Not a valid code: "${c}".`, ['input', k, String(i)]);
    });
  }
  errors.throwIfAny();
  const grant = { kind: input.kind, scopes, warehouseCodes: input.warehouseCodes ?? null, carrierCodes: input.carrierCodes ?? null };
  const outside = new Set<string>();
  if (ctx.principal) {
    for (const x of excessOver(ctx.principal, grant)) {
      errors.add(x.code, x.message, x.index == null ? ['input', x.field] : ['input', x.field, String(x.index)]);
      if (x.index != null) outside.add(`${x.field}:${x.index}`);
    }
  }
  await checkRestrictionCodes(ctx, grant, errors, outside);
  errors.throwIfAny();
  return transact(ctx, async (tx, events) => {
    const [apiKey] = await tx
      .insert(apiKeys)
      .values({
        name,
        kind: input.kind as 'STAFF' | 'PARTNER',
        scopes,
        prefix: secret.slice(0, API_KEY_PREFIX.length + 4),
        secretHash: sha256(secret),
        warehouseCodes: input.warehouseCodes ?? null,
        carrierCodes: input.carrierCodes ?? null,
      })
      .returning();
    await events.emit({ topic: 'auth.api_key_created', payload: { apiKeyId: apiKey!.id } });
    return { apiKey: apiKey!, secret };
  });
}

/** Unknown warehouse or carrier codes in a restriction are NOT_FOUND (codes already refused as outside the creator's restriction are skipped, so they reveal nothing). */
async function checkRestrictionCodes(
  ctx: Pick<ServiceContext, 'database'>,
  grant: { warehouseCodes: string[] | null; carrierCodes: string[] | null },
  errors: ErrorList,
  skip: Set<string>,
): Promise<void> {
  const check = async (field: 'warehouseCodes' | 'carrierCodes', known: () => Promise<string[]>, what: string) => {
    const codes = grant[field];
    if (!codes?.length) return;
    const have = new Set(await known());
    codes.forEach((c, i) => {
      if (!skip.has(`${field}:${i}`) && !have.has(c)) errors.add('NOT_FOUND', `No ${what} with code ${c}.`, ['input', field, String(i)]);
    });
  };
  await check('warehouseCodes', async () => (await listAllWarehouses(ctx)).map((w) => w.code), 'warehouse');
  await check('carrierCodes', async () => (await carrierCatalog(ctx)).carriers.map((c) => c.code), 'carrier');
}

/**
 * Revokes a key (idempotent: revoking twice keeps the first time). Errors: NOT_FOUND; FORBIDDEN
 * when `ctx.principal` is narrower than the key (a restricted or PARTNER key cannot revoke a
 * broader one, see excessOver).
 */
export async function revokeApiKey(ctx: ServiceContext, id: string): Promise<ApiKeyRow> {
  const [target] = await ctx.database.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  if (!target) throw BusinessError.of('NOT_FOUND', 'No API key with this id.', ['input', 'id']);
  const targetGrant = {
    kind: target.kind,
    scopes: target.scopes,
    warehouseCodes: target.kind === 'PARTNER' ? target.warehouseCodes : null,
    carrierCodes: target.kind === 'PARTNER' ? target.carrierCodes : null,
  };
  if (excessOver(ctx.principal, targetGrant).length) {
    throw BusinessError.of('FORBIDDEN', 'This key may not revoke a key broader than itself (kind, scopes or warehouse/carrier restriction).', ['input', 'id']);
  }
  const row = await transact(ctx, async (tx, events) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: ctx.clock.now() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    if (row) {
      // Every instance's Authenticator forgets the key when it hears this (watchRevocations): this
      // one at commit, before revokeApiKey returns; the others through the pub/sub.
      await events.emit({ topic: API_KEY_REVOKED, payload: { apiKeyId: row.id } });
      return row;
    }
    const [existing] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id));
    if (!existing) throw BusinessError.of('NOT_FOUND', 'No API key with this id.', ['input', 'id']);
    return existing;
  });
  return row;
}

/** Creates the ADMIN_API_KEY key if it does not exist yet (idempotent across restarts). */
export async function ensureAdminKey(ctx: Pick<ServiceContext, 'database' | 'relay'>, secret: string): Promise<void> {
  const [existing] = await ctx.database.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.secretHash, sha256(secret)));
  if (existing) return;
  try {
    await createApiKey(ctx, { name: 'admin (ADMIN_API_KEY)', kind: 'STAFF', scopes: ['admin'] }, secret);
  } catch (err) {
    // Another instance created it at the same moment: the unique hash makes that a no-op. The driver's
    // error is the cause of drizzle's "Failed query" (instances started together failed start-up on it).
    if (!isUniqueViolation(err)) throw err;
  }
}

export async function listApiKeys(ctx: ServiceContext, args: PageArgs): Promise<Page<ApiKeyRow>> {
  const plan = planPage(args, apiKeys.id);
  const rows = await ctx.database.db.select().from(apiKeys).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => ctx.database.db.$count(apiKeys));
}

/** Exchanges e-mail and password for an expiring customer token. Errors: INVALID_CREDENTIALS. */
export async function createCustomerAccessToken(
  ctx: ServiceContext,
  input: { email: string; password: string },
  ttlHours: number,
): Promise<{ accessToken: string; expiresAt: Date }> {
  const customer = await verifyCustomerCredentials(ctx, input.email, input.password);
  if (!customer) throw BusinessError.of('INVALID_CREDENTIALS', 'Unknown e-mail or wrong password.', ['input']);
  const accessToken = newSecret(CUSTOMER_TOKEN_PREFIX);
  const expiresAt = new Date(ctx.clock.now().getTime() + ttlHours * 3600_000);
  await ctx.database.db.insert(customerAccessTokens).values({ customerId: customer.id, tokenHash: sha256(accessToken), expiresAt });
  return { accessToken, expiresAt };
}

/** A verified principal and until when it may be served (a customer token's expiry; Infinity for keys), epoch ms of the app's clock. */
interface Verified {
  principal: Principal;
  until: number;
}

/**
 * Resolves bearer tokens to principals. Verified principals are cached for a few seconds (a
 * KeyedCache per token hash) so authentication costs no SQL on the hot path. A revocation reaches
 * the cache through one channel, the API_KEY_REVOKED event (watchRevocations: relay.watch, at
 * commit on the revoking instance and through the pub/sub on every other); it drops every cached
 * principal, and a verification under way at that moment keeps nothing. While the pub/sub may lose
 * events nothing is cached (every request checks the key in the database), so a revocation made on
 * another instance is never missed.
 */
export class Authenticator {
  private readonly caches = new KeyedCaches<Authenticator, string, Verified>(20_000);
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly ttlMs = 10_000,
  ) {}

  /** Listens for revocations (from any instance) and suspends caching while they may be lost. */
  watchRevocations(relay: EventWatching): void {
    relay.watch(API_KEY_REVOKED, () => this.caches.invalidateAll(this));
    this.caches.followReliability(this, relay);
  }

  /** The principal for an `Authorization` header value; ANONYMOUS when absent; null when the token is invalid. */
  async authenticate(header: string | null | undefined): Promise<Principal | null> {
    if (!header) return ANONYMOUS;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return null;
    const token = m[1]!;
    const hash = sha256(token);
    const verify = async (): Promise<Map<string, Verified>> => {
      if (token.startsWith(CUSTOMER_TOKEN_PREFIX)) {
        const found = await this.customerPrincipal(hash);
        return found ? new Map([[hash, { principal: found.principal, until: found.expiresAt.getTime() }]]) : new Map();
      }
      const principal = await this.keyPrincipal(hash);
      return principal ? new Map([[hash, { principal, until: Infinity }]]) : new Map();
    };
    const cache = this.caches.of(this, this.ttlMs);
    const found = (cache ? await cache.getMany([hash], verify) : await verify()).get(hash);
    if (!found) return null;
    // Never serve a customer token past its expiry.
    if (found.until <= this.clock.now().getTime()) {
      cache?.invalidate([hash]);
      return null;
    }
    return found.principal;
  }

  /** Forgets every cached principal (tests moving the clock). */
  evictAll(): void {
    this.caches.invalidateAll(this);
  }

  private async keyPrincipal(hash: string): Promise<Principal | null> {
    const [row] = await this.database.db.select().from(apiKeys).where(eq(apiKeys.secretHash, hash)).limit(1);
    // The index found the row by hash; compare again in constant time so timing tells nothing.
    if (!row || row.revokedAt || !secretEquals(row.secretHash, hash)) return null;
    return Object.freeze({
      kind: row.kind,
      name: row.name,
      scopes: Object.freeze([...row.scopes]),
      apiKeyId: row.id,
      warehouseCodes: row.kind === 'PARTNER' ? row.warehouseCodes : null,
      carrierCodes: row.kind === 'PARTNER' ? row.carrierCodes : null,
    });
  }

  private async customerPrincipal(hash: string): Promise<{ principal: Principal; expiresAt: Date } | null> {
    const [token] = await this.database.db
      .select({ customerId: customerAccessTokens.customerId, expiresAt: customerAccessTokens.expiresAt })
      .from(customerAccessTokens)
      .where(and(eq(customerAccessTokens.tokenHash, hash), gt(customerAccessTokens.expiresAt, this.clock.now())))
      .limit(1);
    // Once per token and cache lifetime: the customer through its module's service.
    const customer = token ? await customerById(this.database.db, token.customerId) : null;
    if (!token || !customer) return null;
    return {
      principal: Object.freeze({ kind: 'CUSTOMER', name: customer.name ?? customer.email, scopes: CUSTOMER_SCOPES, customerId: customer.id }),
      expiresAt: token.expiresAt,
    };
  }
}

export async function listOneApiKey(ctx: ServiceContext, id: string): Promise<ApiKeyRow | null> {
  const [row] = await ctx.database.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row ?? null;
}
