/**
 * A server started through npm, the way a test harness or a terminal starts it, always exits after
 * SIGTERM (or SIGHUP) to its process group, even when npm dies first and nobody reads its stdout any
 * more: its node process is gone within SHUTDOWN_TIMEOUT_MS + 2 s, every time (20 runs).
 *
 * The bug this guards against: pino's default destination flushed synchronously on exit, retrying
 * EAGAIN with Atomics.wait for as long as the stdout pipe stayed full, so `process.exit` never
 * returned and the process lived on for hours, deaf to further signals.
 *
 * `npm start` builds first (`npm run build && <serve>`): the test builds once and starts each server
 * with `npm run serve`, which is what `npm start` runs after the build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';

const root = new URL('../../', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GRACE_MS = 1500;
/** What the test allows: the grace period plus 2 s. */
const GONE_WITHIN_MS = GRACE_MS + 2000;
/** Servers started and stopped at a time. */
const WAVE = 5;

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
const descendantsOf = (pid: number): number[] => childrenOf(pid).flatMap((c) => [c, ...descendantsOf(c)]);
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};
/** Gone, or a zombie waiting for whoever adopted it to reap it (it has exited). */
const isGone = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
};
const kill = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(pid, signal);
  } catch {
    /* gone already */
  }
};

/** Run a command in the repository; resolves with its exit code and output. */
function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('exit', (code) => resolve({ code, out }));
  });
}

type Variant = 'stdout not read' | 'reader leaves' | 'stdout closed' | 'SIGHUP';

interface Outcome {
  variant: Variant;
  /** When the process was last seen alive (ms after the signal); null: still alive GONE_WITHIN_MS + 5 s after it. */
  goneAfterMs: number | null;
  /** Requests answered before the signal (with stdout closed: after EPIPE, which must not stop it from serving). */
  requests: number;
  out: string;
}

let work: string;
let template: string;

describe('npm start, stopped through its process group', () => {
  beforeAll(async () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // What the test starts is what `npm start` runs once it has built.
    expect(pkg.scripts.start).toBe(`npm run build --silent && ${pkg.scripts.serve}`);
    const build = await run('npm', ['run', 'build', '--silent']);
    expect(build.code, build.out).toBe(0);
    // A migrated PGlite data directory, copied for each server (a fresh one each, without migrating 20 times).
    work = mkdtempSync(path.join(tmpdir(), 'wb-npm-stop-'));
    template = path.join(work, 'template');
    const db = await openDatabase({ dataDir: template, poolSize: 1 });
    await db.close();
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function once(variant: Variant, n: number): Promise<Outcome> {
    const dataDir = path.join(work, `run-${n}`);
    cpSync(template, dataDir, { recursive: true });
    const npm: ChildProcess = spawn('npm', ['run', 'serve', '--silent'], {
      cwd: root,
      detached: true, // its own process group, as a harness or a terminal session gives it
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATABASE_URL: '',
        PGLITE_DATA_DIR: dataDir,
        REDIS_URL: '',
        WORKERS: '1',
        NODE_ENV: 'development',
        LOG_LEVEL: 'debug', // a line per request
        SHUTDOWN_TIMEOUT_MS: String(GRACE_MS),
        PORT: '0',
        CI: '',
      },
    });
    let out = '';
    const onData = (d: Buffer) => (out += d);
    npm.stdout!.on('data', onData);
    npm.stderr!.on('data', onData);
    let nodePid = 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      for (let i = 0; i < 1200 && !out.includes('listening on'); i++) await sleep(100);
      const url = /listening on (http:\/\/\S+)"/.exec(out)?.[1];
      if (!url) throw new Error(`server did not start:\n${out}`);
      nodePid = descendantsOf(npm.pid!).find((p) => cmdline(p).includes('dist/main.js')) ?? 0;
      if (!nodePid) throw new Error(`no node process under npm ${npm.pid}`);

      if (variant === 'stdout not read' || variant === 'reader leaves') {
        npm.stdout!.off('data', onData);
        npm.stdout!.pause(); // the pipe fills up: the server's writes to stdout fail with EAGAIN
      } else if (variant === 'stdout closed') {
        npm.stdout!.destroy(); // no reader at all: writes fail with EPIPE
        npm.stderr!.destroy();
      }

      // Requests with long paths (each logs a ~8 kB line: the pipe fills up) and GraphQL requests, in
      // flight at the signal. Where stdout is read (SIGHUP), short lines only: its last lines must get through.
      const origin = new URL(url).origin;
      const ask = (i: number) =>
        new Promise<number>((resolve) => {
          const long = i % 2 === 0 && variant !== 'SIGHUP';
          const req = http.request(long ? `${origin}/${'x'.repeat(8000)}` : url, { method: long ? 'GET' : 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', () => resolve(0));
          });
          req.on('error', () => resolve(0));
          req.end(long ? undefined : '{"query":"{ viewer { kind } }"}');
        });
      let requests = 0; // answered (any status)
      let loading = true;
      const load = Array.from({ length: 8 }, async (_, k) => {
        for (let i = k; loading; i += 8) if ((await ask(i)) > 0) requests++;
      });
      // At least 200 kB of log lines before the signal: far more than a pipe holds (64 kB).
      for (let i = 0; i < 600 && requests < 50; i++) await sleep(50);

      const t0 = Date.now();
      process.kill(-npm.pid!, variant === 'SIGHUP' ? 'SIGHUP' : 'SIGTERM');
      kill(npm.pid!, 'SIGKILL'); // npm is gone first, whatever it does with the signal
      // The harness that started npm goes away too while the pipe is full: the end of the pipe the
      // server's exit would have flushed into is gone (the hang of issue 12, item 13).
      if (variant === 'reader leaves') npm.stdout!.destroy();
      const loadStopped = sleep(200).then(() => {
        loading = false;
        return Promise.all(load);
      });
      // The time of the last look that still found the process: on a busy machine this test's own
      // timers run late, so "seen alive at t" is the fact to judge by, not "seen gone at t".
      let aliveAfterMs = 0;
      let goneAfterMs: number | null = null;
      while (Date.now() - t0 < GONE_WITHIN_MS + 5000) {
        if (isGone(nodePid)) {
          goneAfterMs = aliveAfterMs;
          break;
        }
        aliveAfterMs = Date.now() - t0;
        await sleep(50);
      }
      await loadStopped;
      // What the process wrote last may still be in the pipe: read to its end (every writer is gone by now).
      if (variant === 'SIGHUP' && !npm.stdout!.readableEnded) await Promise.race([new Promise((r) => npm.stdout!.once('end', r)), sleep(3000)]);
      return { variant, goneAfterMs, requests, out };
    } finally {
      agent.destroy();
      kill(-npm.pid!, 'SIGKILL');
      if (nodePid) kill(nodePid, 'SIGKILL');
      npm.stdout!.destroy();
      npm.stderr!.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it(`the node process is gone within SHUTDOWN_TIMEOUT_MS + 2 s, 20 times out of 20 (stdout unread, closed; SIGTERM, SIGHUP)`, async () => {
    const variants: Variant[] = [
      ...Array<Variant>(5).fill('stdout not read'),
      ...Array<Variant>(5).fill('reader leaves'),
      ...Array<Variant>(5).fill('stdout closed'),
      ...Array<Variant>(5).fill('SIGHUP'),
    ];
    const outcomes: Outcome[] = [];
    // Four waves of five servers at a time. Each start costs a few CPU seconds, and a server's stop
    // waits for whatever synchronous work its main thread is in (the label renderer's warm-up after
    // start-up holds it for about 0.4 s on an idle core): ten at once on the CI's two cores, beside
    // the suite's other files, once stretched such a block past the bound (4.7 and 5.0 s).
    for (let wave = 0; wave < variants.length; wave += WAVE) {
      outcomes.push(...(await Promise.all(variants.slice(wave, wave + WAVE).map((v, i) => once(v, wave + i)))));
    }
    const report = [
      ...outcomes.map((o, i) => `${i}: ${o.variant}: last seen alive ${o.goneAfterMs ?? 'at the end'} ms after the signal, ${o.requests} requests`),
      `load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`,
    ].join('\n');
    for (const o of outcomes) {
      expect(o.goneAfterMs, `${report}\n--- end of the output of a run that did not exit:\n${o.out.slice(-1500)}`).not.toBeNull();
      expect(o.goneAfterMs!, report).toBeLessThanOrEqual(GONE_WITHIN_MS);
      expect(o.requests, report).toBeGreaterThanOrEqual(50);
    }
    // SIGHUP stops it gracefully (stdout was read there): not Node's default of dying on the spot.
    for (const o of outcomes.filter((o) => o.variant === 'SIGHUP')) {
      const tail = o.out.split('\n').slice(-6).join('\n').slice(-2000);
      expect(o.out.includes('"reason":"SIGHUP"') && o.out.includes('"msg":"stopped"'), tail).toBe(true);
    }
  }, 240_000);
});
