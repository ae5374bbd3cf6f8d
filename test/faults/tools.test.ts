/**
 * The suite's own services behave as the scenarios assume: a PostgreSQL cluster and a redis-server
 * on spare ports, which a crash takes down and start() brings back on the same port with the data.
 */
import postgres from 'postgres';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { OwnPostgres, OwnRedis, requireServices } from './lib.js';

describe('fault suite tools', () => {
  const shared = requireServices();
  const started: { destroy?: () => Promise<void>; kill: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of started) await (s.destroy ? s.destroy() : s.kill());
  });

  it('its own PostgreSQL survives a crash with its committed data, on a port that is not the shared one', async () => {
    const pg = await OwnPostgres.start();
    started.push(pg);
    expect(pg.port).not.toBe(Number(new URL(shared.postgresUrl).port || 5432));
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    await sql`create table t (x int)`;
    await sql`insert into t values (1)`;
    await sql.end();
    await pg.kill();
    await expect(postgres(pg.url, { max: 1, connect_timeout: 1 })`select 1`).rejects.toThrow();
    await pg.start();
    const again = postgres(pg.url, { max: 1, onnotice: () => {} });
    expect(await again`select x from t`).toEqual([{ x: 1 }]);
    await again.end();
  });

  it('its own Redis goes down and comes back on the same port', async () => {
    const r = await OwnRedis.start();
    started.push(r);
    const client = new Redis(r.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    await r.kill();
    await expect(client.ping()).rejects.toThrow();
    await r.start();
    for (let i = 0; i < 50 && client.status !== 'ready'; i++) await new Promise((res) => setTimeout(res, 100));
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });
});
