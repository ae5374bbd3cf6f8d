/**
 * The API key CLI end to end: a real process on a PGlite data directory, then a server on the
 * same directory (after the CLI exited: PGlite is single-process) using the key over HTTP.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ViewerDocument, WarehouseCreateDocument } from '../generated/graphql.js';
import { startApp } from '../harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'wb-apikey-'));
const databaseUrl = `file:${dataDir}`;
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ADMIN_API_KEY: undefined, NODE_ENV: 'test' };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/apikey.ts', ...args], { cwd: root, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const lastLine = (s: string) => s.trimEnd().split('\n').pop()!;

describe('npm run apikey', () => {
  it('creates a STAFF key whose secret (last stdout line) authenticates over HTTP, then revokes it', async () => {
    const created = await cli('create', '--name', 'Warehouse robot', '--kind', 'STAFF', '--scopes', 'read_catalog,write_orders');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout.endsWith('\n')).toBe(true);
    const secret = lastLine(created.stdout);
    expect(secret).toMatch(/^wb_live_[A-Za-z0-9_-]{32}$/);
    const id = /API key (\S+) /.exec(created.stdout)![1]!;

    let t = await startApp({ databaseUrl });
    try {
      const viewer = await t.gql(ViewerDocument, {}, { token: secret });
      expect(viewer.errors).toBeUndefined();
      expect(viewer.data!.viewer).toMatchObject({ kind: 'STAFF', name: 'Warehouse robot', scopes: ['read_catalog', 'write_orders'], warehouseCodes: null });
    } finally {
      await t.close();
    }

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('active');

    const revoked = await cli('revoke', '--id', id);
    expect(revoked.code).toBe(0);
    t = await startApp({ databaseUrl });
    try {
      const after = await t.gql(ViewerDocument, {}, { token: secret });
      expect(after.status).toBe(401);
      expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await t.close();
    }
  }, 180_000);

  it('refuses an unknown scope with a clear message on stderr, exit code 1 and no key', async () => {
    const bad = await cli('create', '--name', 'typo', '--kind', 'STAFF', '--scopes', 'read_catalog,read_everything');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('Unknown scope "read_everything"');
    const listed = await cli('list');
    expect(listed.stdout).not.toContain('typo');
  }, 120_000);

  it('refuses restriction codes that name no warehouse or carrier, saying which exist (or to seed first), and creates no key', async () => {
    // An empty database: nothing to restrict to yet.
    const empty = await cli('create', '--name', 'ERP typo', '--kind', 'PARTNER', '--scopes', 'read_catalog', '--warehouses', 'MSK-1');
    expect(empty.code).toBe(1);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toContain('Unknown warehouse code "MSK-1" in --warehouses: this database has no warehouses yet (run `npm run seed`');
    expect(empty.stderr).toContain('No key was created.');

    const t = await startApp({ databaseUrl });
    try {
      const made = await t.admin(WarehouseCreateDocument, { input: { code: 'MSK1', name: 'Москва', address: { line1: 'Складская 1', city: 'Москва', postalCode: '101000', countryCode: 'RU' } } });
      expect(made.warehouseCreate.userErrors).toEqual([]);
    } finally {
      await t.close();
    }
    const typo = await cli('create', '--name', 'ERP typo', '--kind', 'PARTNER', '--scopes', 'read_catalog', '--warehouses', 'MSK1,MSK-1', '--carriers', 'CDEK');
    expect(typo.code).toBe(1);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toContain('Unknown warehouse code "MSK-1" in --warehouses; the warehouses in this database are MSK1.');
    expect(typo.stderr).toContain('Unknown carrier code "CDEK" in --carriers: this database has no carriers yet');
    expect((await cli('list')).stdout).not.toContain('ERP typo');
  }, 240_000);

  it('refuses an unknown option with the usage text', async () => {
    const bad = await cli('create', '--nmae', 'x');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown option '--nmae'[\s\S]*Usage:/);
  }, 60_000);
});
