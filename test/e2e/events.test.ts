/** Outbox -> relay -> pub/sub -> subscriptions, on one instance and across two instances with Redis. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transact } from '../../src/events/outbox.js';
import { ProductCreateDocument } from '../generated/graphql.js';
import { productInput } from '../factories/catalog.js';
import { collect, freshPostgresDatabase, realPostgresUrl, realRedisUrl, settle, startApp, type TestApp } from '../harness.js';

const SUB = 'subscription { productCreated { id title } }';

describe('events on one instance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => t?.close());

  it('delivers a committed change to a graphql-ws subscriber', async () => {
    const sub = collect<{ productCreated: { title: string } }>(t.ws(), SUB);
    await settle();
    await t.admin(ProductCreateDocument, { input: productInput({ title: 'Live one' }) });
    const items = await sub.next(1);
    expect(items[0]!.data!.productCreated.title).toBe('Live one');
    sub.dispose();
  });

  it('never publishes an event whose transaction rolled back', async () => {
    const sub = collect<{ productCreated: { title: string } }>(t.ws(), SUB);
    await settle();
    const ctx = t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services;
    const before = await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from outbox`);
    await expect(
      transact(ctx, async (_tx, events) => {
        await events.emit({ topic: 'catalog.product_created', payload: { productId: '00000000-0000-7000-8000-000000000000' } });
        throw new Error('business failure after the event was written');
      }),
    ).rejects.toThrow('business failure');
    await t.app.relay.drain();
    const after = await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from outbox`);
    expect(after[0]!.n).toBe(before[0]!.n);
    // A later committed event still arrives, and it is the only one.
    await t.admin(ProductCreateDocument, { input: productInput({ title: 'After rollback' }) });
    const items = await sub.next(1);
    await settle(300);
    expect(items.map((i) => i.data?.productCreated.title)).toEqual(['After rollback']);
    sub.dispose();
  });

  it('delivers an event id at most once per subscriber even if published twice', async () => {
    const sub = collect<{ productCreated: { title: string } }>(t.ws(), SUB);
    await settle();
    const { productCreate } = await t.admin(ProductCreateDocument, { input: productInput({ title: 'Twice' }) });
    await sub.next(1);
    const rows = await t.app.database.rows<{ id: string; payload: { productId: string } }>(
      sql`select id, payload from outbox where topic = 'catalog.product_created' order by id desc limit 1`,
    );
    const msg = { ...rows[0]!.payload, eventId: rows[0]!.id, topic: 'catalog.product_created' };
    t.app.pubSub.pubSub.publish('catalog.product_created', msg); // a second delivery of the same event
    await settle(300);
    expect(sub.items.length).toBe(1);
    expect(productCreate.product!.title).toBe('Twice');
    sub.dispose();
  });
});

describe.skipIf(!realPostgresUrl || !realRedisUrl)('events across two instances (PostgreSQL + Redis)', () => {
  it('a subscriber on instance A receives the event of a mutation on instance B', async () => {
    const db = await freshPostgresDatabase(realPostgresUrl!);
    const env = { REDIS_URL: realRedisUrl! };
    const a = await startApp({ databaseUrl: db.url, env });
    const b = await startApp({ databaseUrl: db.url, env });
    try {
      expect(a.app.pubSub.kind).toBe('redis');
      const sub = collect<{ productCreated: { title: string } }>(a.ws(), SUB);
      await settle(300);
      const created = await b.gql(ProductCreateDocument, { input: productInput({ title: `Made on B ${Date.now()}` }) }, { token: b.adminKey });
      const title = created.data!.productCreate.product!.title;
      const items = await sub.next(1, 8000);
      expect(items[0]!.data!.productCreated.title).toBe(title);
      // Both relays poll the same outbox; the event still reaches the subscriber once.
      await Promise.all([a.app.relay.drain(), b.app.relay.drain()]);
      await settle(500);
      expect(sub.items.filter((i) => i.data?.productCreated.title === title).length).toBe(1);
      sub.dispose();
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
