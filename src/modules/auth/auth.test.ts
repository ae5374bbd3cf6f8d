/** API keys, customer tokens, scopes and the viewer, over real HTTP and WebSocket. */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyCreateDocument,
  ApiKeyRevokeDocument,
  ApiKeysDocument,
  CarrierCreateDocument,
  CustomerAccessTokenCreateDocument,
  CustomerCreateDocument,
  CustomersDocument,
  NodeDocument,
  ProductCreateDocument,
  ProductsDocument,
  ProductVariantDocument,
  ViewerDocument,
  WarehouseCreateDocument,
} from '../../../test/generated/graphql.js';
import { productInput } from '../../../test/factories/catalog.js';
import { warehouseInput } from '../../../test/factories/warehouse.js';
import { collect, freshPostgresDatabase, realPostgresUrl, realRedisUrl, startApp, type TestApp } from '../../../test/harness.js';
import { ManualClock } from '../../shared/clock.js';
import type { EventWatcher } from '../../events/relay.js';
import { API_KEY_REVOKED, Authenticator, ensureAdminKey } from './auth.service.js';

let t: TestApp;
const clock = new ManualClock(new Date('2026-11-25T10:00:00Z'));
beforeAll(async () => {
  t = await startApp({ clock });
});
afterAll(async () => t?.close());

async function key(scopes: string[], kind: 'STAFF' | 'PARTNER' = 'STAFF', extra: Record<string, unknown> = {}) {
  const r = await t.admin(ApiKeyCreateDocument, { input: { name: `k-${scopes.join('+')}`, kind, scopes, ...extra } });
  expect(r.apiKeyCreate.userErrors).toEqual([]);
  return { secret: r.apiKeyCreate.secret!, id: r.apiKeyCreate.apiKey!.id };
}

describe('API keys', () => {
  it('shows the secret once, with a readable prefix and ≥128 bits, and stores only its SHA-256', async () => {
    const r = await t.admin(ApiKeyCreateDocument, { input: { name: 'ERP', kind: 'STAFF', scopes: ['read_catalog'] } });
    const secret = r.apiKeyCreate.secret!;
    expect(secret).toMatch(/^wb_live_[A-Za-z0-9_-]{32,}$/);
    expect(Buffer.from(secret.slice(8), 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(secret.startsWith(r.apiKeyCreate.apiKey!.prefix)).toBe(true);
    const rows = await t.app.database.rows<Record<string, unknown>>(sql`select * from api_keys`);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(secret);
    expect(dump).toContain(createHash('sha256').update(secret).digest('hex'));
    const list = await t.admin(ApiKeysDocument, { first: 50 });
    expect(JSON.stringify(list)).not.toContain(secret);
  });

  it('is refused at once after revocation', async () => {
    const k = await key(['read_catalog']);
    expect((await t.gql(ViewerDocument, {}, { token: k.secret })).data!.viewer.kind).toBe('STAFF');
    const rev = await t.admin(ApiKeyRevokeDocument, { input: { id: k.id } });
    expect(rev.apiKeyRevoke.apiKey!.revokedAt).toBeTruthy();
    const after = await t.gql(ViewerDocument, {}, { token: k.secret });
    expect(after.status).toBe(401);
    expect(after.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('rejects unknown scopes, CUSTOMER kind and restrictions on STAFF keys as userErrors', async () => {
    const r = await t.admin(ApiKeyCreateDocument, { input: { name: 'x', kind: 'STAFF', scopes: ['read_everything'], warehouseCodes: ['MSK'] } });
    expect(r.apiKeyCreate.apiKey).toBeNull();
    expect(r.apiKeyCreate.secret).toBeNull();
    expect(r.apiKeyCreate.userErrors.map((e) => e.code).sort()).toEqual(['INVALID', 'INVALID_SCOPE']);
    const c = await t.admin(ApiKeyCreateDocument, { input: { name: 'x', kind: 'CUSTOMER', scopes: [] } });
    expect(c.apiKeyCreate.userErrors[0]!.code).toBe('INVALID');
    const nf = await t.admin(ApiKeyRevokeDocument, { input: { id: 'bm90LWFuLWlk' } });
    expect(nf.apiKeyRevoke.userErrors[0]!.code).toBe('NOT_FOUND');
  });

  it('carries PARTNER restrictions into the viewer', async () => {
    // Restriction codes must name existing warehouses and carriers.
    await t.admin(WarehouseCreateDocument, { input: warehouseInput({ code: 'MSK-1' }) });
    await t.admin(CarrierCreateDocument, {
      input: {
        code: 'CDEK',
        name: 'CDEK',
        services: [{ code: 'CDEK_COURIER', name: 'Courier', deliveryType: 'COURIER', transitDaysMin: 1, transitDaysMax: 3, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 300_00, currency: 'RUB' } }] }],
      },
    });
    const k = await key(['read_inventory'], 'PARTNER', { warehouseCodes: ['MSK-1'], carrierCodes: ['CDEK'] });
    const v = await t.gql(ViewerDocument, {}, { token: k.secret });
    expect(v.data!.viewer).toMatchObject({ kind: 'PARTNER', scopes: ['read_inventory'], warehouseCodes: ['MSK-1'], carrierCodes: ['CDEK'] });
  });

  it('bootstraps ADMIN_API_KEY idempotently', async () => {
    await ensureAdminKey(t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services, t.adminKey);
    await ensureAdminKey(t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services, t.adminKey);
    const rows = await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from api_keys where name = 'admin (ADMIN_API_KEY)'`);
    expect(rows[0]!.n).toBe(1);
    const v = await t.gql(ViewerDocument, {});
    expect(v.data!.viewer).toMatchObject({ kind: 'STAFF', scopes: ['admin'] });
  });

  it('rotates ADMIN_API_KEY: a revoked bootstrap key stays revoked when the server starts again with it (README)', async () => {
    const ctx = t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services;
    const old = `wb_live_${'o'.repeat(32)}`;
    const next = `wb_live_${'n'.repeat(32)}`;
    await ensureAdminKey(ctx, old);
    // A new value at the next start, then the old key revoked with the new one.
    await ensureAdminKey(ctx, next);
    const keys = await t.gql(ApiKeysDocument, { first: 100 }, { token: next });
    const hash = createHash('sha256').update(old).digest('hex');
    const [row] = await t.app.database.rows<{ id: string }>(sql`select id from api_keys where secret_hash = ${hash}`);
    const oldNode = keys.data!.apiKeys.nodes.find((k) => k.prefix && old.startsWith(k.prefix) && k.name === 'admin (ADMIN_API_KEY)');
    expect(oldNode).toBeTruthy();
    const rev = await t.gql(ApiKeyRevokeDocument, { input: { id: oldNode!.id } }, { token: next });
    expect(rev.data!.apiKeyRevoke.userErrors).toEqual([]);
    // A restart that still has the old value does not bring it back.
    await ensureAdminKey(ctx, old);
    const again = await t.app.database.rows<{ id: string; revoked: boolean }>(sql`select id, revoked_at is not null as revoked from api_keys where secret_hash = ${hash}`);
    expect(again).toEqual([{ id: row!.id, revoked: true }]);
    expect((await t.gql(ViewerDocument, {}, { token: old })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(ViewerDocument, {}, { token: next })).data!.viewer).toMatchObject({ kind: 'STAFF', scopes: ['admin'] });
  });

  it('bootstraps a new ADMIN_API_KEY from several instances starting at once: one key, no start-up failure', async () => {
    // Each instance checks, finds nothing, inserts: all but one meet the unique secret hash (drizzle wraps that error).
    const secret = `wb_live_${'k'.repeat(32)}`;
    const ctx = t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services;
    await Promise.all(Array.from({ length: 6 }, () => ensureAdminKey(ctx, secret)));
    const rows = await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from api_keys where secret_hash = ${createHash('sha256').update(secret).digest('hex')}`);
    expect(rows[0]!.n).toBe(1);
    expect((await t.gql(ViewerDocument, {}, { token: secret })).data!.viewer).toMatchObject({ kind: 'STAFF', scopes: ['admin'] });
  });
});

describe('revocation reaches the auth cache through relay.watch only', () => {
  /** A stand-in for the relay: the test decides when an event arrives and whether the pub/sub is reliable. */
  const fakeRelay = () => {
    const watchers = new Map<string, EventWatcher[]>();
    const listeners: ((r: boolean) => void)[] = [];
    return {
      reliable: true,
      watch: (topic: string, w: EventWatcher) => void watchers.set(topic, [...(watchers.get(topic) ?? []), w]),
      onReliability: (l: (r: boolean) => void) => void listeners.push(l),
      tell(topic: string, payload: Record<string, unknown>) {
        for (const w of watchers.get(topic) ?? []) w(payload);
      },
      setReliable(r: boolean) {
        this.reliable = r;
        for (const l of listeners) l(r);
      },
    };
  };
  /** Revokes in the database only, as another instance's commit would look to this one before its event arrives. */
  const revokeInDatabase = (id: string) => t.app.database.db.execute(sql`update api_keys set revoked_at = now() where id = ${id}`);
  const uuidOf = (gid: string) => Buffer.from(gid, 'base64url').toString('utf8').split(':')[1]!;

  it('serves a verified key from its cache until the revocation event arrives, then refuses it', async () => {
    const relay = fakeRelay();
    const auth = new Authenticator(t.app.database, clock, 60_000);
    auth.watchRevocations(relay);
    const k = await key(['read_catalog']);
    expect((await auth.authenticate(`Bearer ${k.secret}`))?.kind).toBe('STAFF');
    await revokeInDatabase(uuidOf(k.id));
    expect((await auth.authenticate(`Bearer ${k.secret}`))?.kind).toBe('STAFF'); // cached: no SQL per request
    relay.tell(API_KEY_REVOKED, { apiKeyId: uuidOf(k.id) });
    expect(await auth.authenticate(`Bearer ${k.secret}`)).toBeNull();
  });

  it('caches nothing while the pub/sub is unreliable (a revocation elsewhere could go unheard), and starts empty after', async () => {
    const relay = fakeRelay();
    const auth = new Authenticator(t.app.database, clock, 60_000);
    auth.watchRevocations(relay);
    const k1 = await key(['read_catalog']);
    const k2 = await key(['read_catalog']);
    expect((await auth.authenticate(`Bearer ${k1.secret}`))?.kind).toBe('STAFF');
    relay.setReliable(false);
    expect((await auth.authenticate(`Bearer ${k2.secret}`))?.kind).toBe('STAFF');
    await revokeInDatabase(uuidOf(k2.id));
    expect(await auth.authenticate(`Bearer ${k2.secret}`)).toBeNull(); // read through: refused at once
    await revokeInDatabase(uuidOf(k1.id)); // its event is lost in the gap
    relay.setReliable(true);
    expect(await auth.authenticate(`Bearer ${k1.secret}`)).toBeNull(); // nothing from before the gap
  });
});

describe.skipIf(!realPostgresUrl || !realRedisUrl)('revocation across two instances (PostgreSQL + Redis)', () => {
  it('a key revoked on instance A is refused by instance B at once, though B had it cached', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const env = { REDIS_URL: realRedisUrl! };
    const a = await startApp({ databaseUrl: db.url, env });
    const b = await startApp({ databaseUrl: db.url, env });
    try {
      expect(b.app.relay.reliable).toBe(true);
      const created = await a.admin(ApiKeyCreateDocument, { input: { name: 'two instances', kind: 'STAFF', scopes: ['read_catalog'] } });
      const secret = created.apiKeyCreate.secret!;
      expect((await b.gql(ViewerDocument, {}, { token: secret })).data!.viewer.kind).toBe('STAFF'); // now in B's cache (10 s)
      await a.admin(ApiKeyRevokeDocument, { input: { id: created.apiKeyCreate.apiKey!.id } });
      expect((await a.gql(ViewerDocument, {}, { token: secret })).status).toBe(401); // the revoking instance: before the mutation answered
      // B hears it through the pub/sub: well within a second, not after its cache's 10 s.
      const until = Date.now() + 2000;
      let status = 0;
      while (Date.now() < until && (status = (await b.gql(ViewerDocument, {}, { token: secret })).status) !== 401) await new Promise((r) => setTimeout(r, 50));
      expect(status).toBe(401);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  }, 60_000);
});

describe('scopes on every operation class', () => {
  it('anonymous callers get UNAUTHENTICATED on protected queries, mutations and subscriptions', async () => {
    const q = await t.gql(ProductsDocument, { first: 1 }, { token: null });
    expect(q.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const m = await t.gql(ProductCreateDocument, { input: productInput() }, { token: null });
    expect(m.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const n = await t.gql(NodeDocument, { id: 'x' }, { token: null });
    expect(n.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const sub = collect(t.ws(null), 'subscription { productCreated { id } }');
    const items = await sub.next(1);
    expect(items[0]!.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    // The public ones work without a token.
    expect((await t.gql(ViewerDocument, {}, { token: null })).data!.viewer.kind).toBe('ANONYMOUS');
  });

  it('a key without the scope gets FORBIDDEN on queries, mutations and subscriptions', async () => {
    const k = await key(['read_orders']);
    const q = await t.gql(ProductsDocument, { first: 1 }, { token: k.secret });
    expect(q.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const m = await t.gql(ProductCreateDocument, { input: productInput() }, { token: k.secret });
    expect(m.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const admin = await t.gql(ApiKeysDocument, { first: 1 }, { token: k.secret });
    expect(admin.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const sub = collect(t.ws(k.secret), 'subscription { productCreated { id } }');
    expect((await sub.next(1))[0]!.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('write_X implies read_X, admin implies everything, read does not imply write', async () => {
    const writer = await key(['write_catalog']);
    expect((await t.gql(ProductsDocument, { first: 1 }, { token: writer.secret })).errors).toBeUndefined();
    const created = await t.gql(ProductCreateDocument, { input: productInput() }, { token: writer.secret });
    expect(created.data!.productCreate.product).toBeTruthy();
    const reader = await key(['read_catalog']);
    expect((await t.gql(ProductCreateDocument, { input: productInput() }, { token: reader.secret })).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const admin = await key(['admin']);
    expect((await t.gql(CustomersDocument, { first: 1 }, { token: admin.secret })).errors).toBeUndefined();
  });

  it('an unknown or malformed token is UNAUTHENTICATED over HTTP and refused on WebSocket', async () => {
    const r = await t.gql(ViewerDocument, {}, { token: 'wb_live_not-a-real-key-xxxxxxxxxxxxxxxxxxxx' });
    expect(r.status).toBe(401);
    expect(r.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const sub = collect(t.ws('wb_live_nope'), 'subscription { productCreated { id } }');
    await sub.next(1, 3000).catch(() => {});
    expect(String((sub.error as { code?: number })?.code ?? sub.error)).toMatch(/4403|Forbidden/);
  });
});

describe('customers', () => {
  it('creates a customer, issues an expiring token, and the customer sees only itself', async () => {
    const created = await t.admin(CustomerCreateDocument, { input: { email: 'Anna@Example.ru', name: 'Анна', locale: 'ru', password: 'correct horse' } });
    expect(created.customerCreate.customer).toMatchObject({ email: 'anna@example.ru', locale: 'ru' });
    const other = await t.admin(CustomerCreateDocument, { input: { email: 'bob@example.com', password: 'another secret' } });
    expect(other.customerCreate.customer!.locale).toBe('en');

    const wrong = await t.gql(CustomerAccessTokenCreateDocument, { input: { email: 'anna@example.ru', password: 'nope nope' } }, { token: null });
    expect(wrong.data!.customerAccessTokenCreate).toMatchObject({ accessToken: null, userErrors: [{ code: 'INVALID_CREDENTIALS' }] });
    const unknown = await t.gql(CustomerAccessTokenCreateDocument, { input: { email: 'ghost@example.ru', password: 'nope nope' } }, { token: null });
    expect(unknown.data!.customerAccessTokenCreate.userErrors[0]!.code).toBe('INVALID_CREDENTIALS');

    const tok = await t.gql(CustomerAccessTokenCreateDocument, { input: { email: 'ANNA@example.ru', password: 'correct horse' } }, { token: null });
    const { accessToken, expiresAt } = tok.data!.customerAccessTokenCreate;
    expect(accessToken).toMatch(/^wb_cat_/);
    expect(new Date(expiresAt!).getTime()).toBeGreaterThan(clock.now().getTime());

    const v = await t.gql(ViewerDocument, {}, { token: accessToken });
    expect(v.data!.viewer).toMatchObject({ kind: 'CUSTOMER', customer: { email: 'anna@example.ru', locale: 'ru' } });
    // Catalog reads are open to customers.
    expect((await t.gql(ProductsDocument, { first: 1 }, { token: accessToken })).errors).toBeUndefined();
    expect((await t.gql(ProductVariantDocument, { sku: 'x' }, { token: accessToken })).errors).toBeUndefined();
    // Its own record is visible, another customer's is not, the customer list is forbidden.
    expect((await t.gql(NodeDocument, { id: created.customerCreate.customer!.id }, { token: accessToken })).data!.node).toMatchObject({ email: 'anna@example.ru' });
    expect((await t.gql(NodeDocument, { id: other.customerCreate.customer!.id }, { token: accessToken })).data!.node).toBeNull();
    expect((await t.gql(CustomersDocument, { first: 5 }, { token: accessToken })).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await t.gql(ProductCreateDocument, { input: productInput() }, { token: accessToken })).errors![0]!.extensions!.code).toBe('FORBIDDEN');

    // Tokens expire.
    clock.advance(31 * 24 * 3600_000);
    t.app.authenticator.evictAll();
    const expired = await t.gql(ViewerDocument, {}, { token: accessToken });
    expect(expired.status).toBe(401);
    clock.set(new Date('2026-11-25T10:00:00Z'));
  });

  it('refuses a taken e-mail and invalid fields without writing', async () => {
    await t.admin(CustomerCreateDocument, { input: { email: 'dup@example.com' } });
    const dup = await t.admin(CustomerCreateDocument, { input: { email: 'DUP@example.com' } });
    expect(dup.customerCreate.userErrors[0]!.code).toBe('EMAIL_TAKEN');
    const bad = await t.admin(CustomerCreateDocument, { input: { email: 'not-an-email', locale: 'xx-!!', password: 'short' } });
    expect(bad.customerCreate.userErrors.map((e) => e.field!.join('.')).sort()).toEqual(['input.email', 'input.locale', 'input.password']);
    const list = await t.admin(CustomersDocument, { first: 100, query: 'not-an-email' });
    expect(list.customers.totalCount).toBe(0);
  });
});
