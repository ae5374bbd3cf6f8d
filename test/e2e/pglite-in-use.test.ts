/**
 * One process per embedded database directory (issue 19 item 5): with a server running on a
 * PGLITE_DATA_DIR (the app over HTTP in the test's process), `npm run apikey` on the same directory
 * stops with a clear message and exit code 3 and claims no key, and a second server (src/main.ts)
 * refuses to start with exit code 1; once the server has stopped, the CLI works and the key it made
 * authenticates on the restarted server. (Taking over a dead process's lock: src/db/pglite-lock.test.ts.)
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/db/pglite-lock.js';
import { ApiKeysDocument, ViewerDocument } from '../generated/graphql.js';
import { startApp } from '../harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'wb-in-use-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const serverEnv = (adminKey: string) => ({ ...process.env, DATABASE_URL: '', PGLITE_DATA_DIR: dataDir, REDIS_URL: '', WORKERS: '1', NODE_ENV: '', PORT: '0', LOG_LEVEL: 'info', CI: '', ADMIN_API_KEY: adminKey });

function apikeyCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', PGLITE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_API_KEY: undefined, NODE_ENV: 'test' };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/apikey.ts', ...args], { cwd: root, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** `src/main.ts` in a child process on dataDir: its output, and its exit code once it exits. */
function server(adminKey: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: serverEnv(adminKey), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out };
}

describe('a PGlite directory in use by a running server', () => {
  it('the apikey CLI and a second server are refused with a clear message; after the stop the CLI works', async () => {
    // The running server: the app over HTTP in this process (its pid holds the directory).
    const running = await startApp({ databaseUrl: `file:${dataDir}` });
    try {
      expect(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
      // Both at once: the CLI and a second server (src/main.ts) on the same directory.
      const second = server(running.adminKey);
      const [refused, secondCode] = await Promise.all([apikeyCli('create', '--name', 'while-serving', '--kind', 'STAFF', '--scopes', 'read_catalog'), second.exited]);
      expect(refused.code).toBe(3);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain(`is in use by another process (pid ${process.pid})`);
      expect(refused.stderr).toContain('Nothing was written.');
      expect(secondCode).toBe(1);
      expect(second.out()).toContain('DATABASE_IN_USE');
      expect(second.out()).toContain(`in use by another process (pid ${process.pid})`);
      // The running server never got a key of that name, and still answers.
      expect((await running.admin(ApiKeysDocument, { first: 100 })).apiKeys.nodes.map((k) => k.name)).not.toContain('while-serving');
    } finally {
      await running.close();
    }
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);

    const created = await apikeyCli('create', '--name', 'after-stop', '--kind', 'STAFF', '--scopes', 'read_catalog');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const secret = created.stdout.trimEnd().split('\n').pop()!;

    const restarted = await startApp({ databaseUrl: `file:${dataDir}` });
    try {
      const viewer = await restarted.gql(ViewerDocument, {}, { token: secret });
      expect(viewer.data!.viewer).toMatchObject({ kind: 'STAFF', name: 'after-stop' });
      const names = (await restarted.admin(ApiKeysDocument, { first: 100 })).apiKeys.nodes.map((k) => k.name);
      expect(names).toContain('after-stop');
      expect(names).not.toContain('while-serving');
    } finally {
      await restarted.close();
    }
  }, 180_000);
});
