/** `npm start`'s process: serves, and on SIGTERM stops gracefully and exits 0 within 10 s. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const root = new URL('../../', import.meta.url).pathname;

describe('process lifecycle', () => {
  it('serves GraphQL, then on SIGTERM finishes, closes sockets and exits 0 within 10 s', async () => {
    // The embedded default of `npm start`: PGlite persisted in a data directory.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wb-shutdown-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', PGLITE_DATA_DIR: dataDir, REDIS_URL: '', NODE_ENV: '', PORT: '0', LOG_LEVEL: 'info', CI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 240 && !out.includes('listening'); i++) await new Promise((r) => setTimeout(r, 250));
    expect(out).toContain('listening');
    const url = /listening on (http:\/\/\S+)"/.exec(out)![1]!;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { kind } }"}' });
    expect((await res.json()).data.viewer.kind).toBe('ANONYMOUS');
    // An open WebSocket and a request in flight at the moment of SIGTERM.
    const ws = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws');
    await new Promise((r) => ws.on('open', r));
    const closed = new Promise((r) => ws.on('close', r));
    // The in-flight request: headers and half the body are sent before SIGTERM, the rest after.
    const body = '{"query":"{ viewer { kind } }"}';
    let answer = '';
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const inflight = new Promise<number>((resolve, reject) => {
      req.on('response', (r) => {
        r.on('data', (d) => (answer += d));
        r.on('end', () => resolve(r.statusCode ?? 0));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    req.end(body.slice(10));
    expect(await inflight).toBe(200);
    expect(JSON.parse(answer).data.viewer.kind).toBe('ANONYMOUS');
    const code = await exited;
    await closed;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(out).toContain('stopped');
    rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);
});
