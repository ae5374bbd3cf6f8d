/**
 * The process-wide crash policy (main.ts): a promise rejection nobody handled is logged at error
 * level and the server keeps serving; an uncaught exception is logged at fatal level and the server
 * stops gracefully with exit code 1. The faults come from a test-only preload (test/fixtures/faults.mjs).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash policy', () => {
  it('an unhandled rejection is logged and the server keeps serving; an uncaught exception stops it gracefully with exit code 1', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wb-crash-'));
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/fixtures/faults.mjs', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', PGLITE_DATA_DIR: dataDir, REDIS_URL: '', WORKERS: '1', NODE_ENV: '', PORT: '0', LOG_LEVEL: 'info', CI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (text: string, ms = 30_000) => {
      for (let t = Date.now(); !out.includes(text) && Date.now() - t < ms; ) await sleep(20);
      expect(out).toContain(text);
    };
    const line = (msg: string) => out.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, any>)[0];
    const ask = async (url: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { kind } }"}' });
      return { status: res.status, kind: (await res.json()).data?.viewer?.kind };
    };
    try {
      await waitFor('listening', 90_000);
      const url = /listening on (http:\/\/\S+)"/.exec(out)![1]!;

      child.kill('SIGUSR2'); // a rejected promise nobody handles
      await waitFor('unhandled promise rejection');
      const rejection = line('unhandled promise rejection; still serving')!;
      expect(rejection.level).toBe(50); // error
      expect(rejection.error).toMatchObject({ type: 'Error', message: 'test fault: a promise nobody handles' });
      expect(await ask(url)).toEqual({ status: 200, kind: 'ANONYMOUS' });
      expect(child.exitCode).toBe(null);

      child.kill('SIGUSR2'); // an exception nobody catches
      expect(await exited).toBe(1);
      const crash = line('uncaught exception; stopping with exit code 1')!;
      expect(crash.level).toBe(60); // fatal
      expect(crash.error).toMatchObject({ type: 'Error', message: 'test fault: an exception nobody catches' });
      // Gracefully: the same orderly stop as on SIGTERM.
      expect(line('shutting down')).toMatchObject({ reason: 'uncaughtException' });
      expect(out).toContain('"msg":"stopped"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
