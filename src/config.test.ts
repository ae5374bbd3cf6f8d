import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('config', () => {
  it('defaults to the embedded database, port 4000 and in-process pub/sub', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(4000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.PGLITE_DATA_DIR).toBe('./.data');
    expect(c.INTROSPECTION).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names the bad variable in one clear error', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ ADMIN_API_KEY: 'short' })).toThrow(/ADMIN_API_KEY/);
  });

  it('WORKERS > 1 only with PostgreSQL and Redis, which the processes share', () => {
    expect(loadConfig({}).WORKERS).toBe(1);
    expect(() => loadConfig({ WORKERS: '2' })).toThrow(/WORKERS.*DATABASE_URL=postgres/);
    expect(() => loadConfig({ WORKERS: '2', DATABASE_URL: 'memory://' })).toThrow(/WORKERS.*DATABASE_URL=postgres/);
    expect(() => loadConfig({ WORKERS: '2', DATABASE_URL: 'postgres://h/db' })).toThrow(/WORKERS.*REDIS_URL/);
    expect(() => loadConfig({ WORKERS: '0' })).toThrow(/WORKERS/);
    expect(loadConfig({ WORKERS: '2', DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h:6379' }).WORKERS).toBe(2);
  });

  it('limits PostgreSQL statements to 15 s by default; 0 turns the limit off; a negative value is refused', () => {
    expect(loadConfig({}).DB_STATEMENT_TIMEOUT_MS).toBe(15_000);
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '0' }).DB_STATEMENT_TIMEOUT_MS).toBe(0);
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: '-1' })).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
  });

  it('turns introspection off in production unless asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).INTROSPECTION).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'true' }).INTROSPECTION).toBe(true);
  });

  it('keeps the route solver quiet unless VRP_TRACE asks for its progress', () => {
    expect(loadConfig({}).VRP_TRACE).toBe(false);
    expect(loadConfig({ VRP_TRACE: '1' }).VRP_TRACE).toBe(true);
    expect(() => loadConfig({ VRP_TRACE: 'loud' })).toThrow(/VRP_TRACE/);
  });
});
