/**
 * examples/watch-order.ts (the graphql-ws client the README points to) run as a real process against
 * a test server: with a good key it prints the order's timeline; with a bad key it prints the close
 * code and reason and exits 1 after one connection attempt (graphql-ws alone would retry 4403).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderDocument } from '../generated/graphql.js';
import { startApp, type TestApp } from '../harness.js';
import { shippedParcel } from '../factories/shipments-seed.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Run {
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (null if killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves once stdout holds `n` lines. */
  lines(n: number): Promise<string[]>;
  kill(): void;
}

function watch(t: TestApp, key: string, ...args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/watch-order.ts', ...args], {
    cwd: root,
    env: { ...process.env, KEY: key, WAYBILL_WS_URL: t.wsUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    lines: (n) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const lines = run.stdout.split('\n').filter(Boolean);
          if (lines.length >= n) resolve(lines);
        };
        child.stdout.on('data', check);
        void run.exited.then(() => reject(new Error(`exited before ${n} lines; stdout: ${run.stdout}; stderr: ${run.stderr}`)));
        check();
      }),
    kill: () => child.kill('SIGTERM'),
  };
  child.stdout.setEncoding('utf8').on('data', (s: string) => (run.stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (run.stderr += s));
  return run;
}

describe('examples/watch-order.ts', () => {
  let t: TestApp;
  let upgrades = 0;
  beforeAll(async () => {
    t = await startApp();
    t.app.server.on('upgrade', () => upgrades++);
  });
  afterAll(() => t?.close());

  it('prints the order timeline after afterSequence, one line per event', async () => {
    const { orderId } = await shippedParcel(t);
    const order = (await t.admin(OrderDocument, { id: orderId })).order!;
    const timeline = order.events;
    expect(timeline.length).toBeGreaterThanOrEqual(3);

    const run = watch(t, t.adminKey, orderId, '1');
    try {
      const lines = await run.lines(timeline.length - 1);
      expect(lines).toHaveLength(timeline.length - 1);
      for (const [i, e] of timeline.slice(1).entries()) {
        expect(lines[i]).toMatch(new RegExp(`^#${e.sequence} \\S+ ${order.number} `));
        expect(lines[i]).toContain(e.status);
      }
      expect(run.stderr).toBe('');
    } finally {
      run.kill();
    }
    // Ctrl+C / SIGTERM: a clean exit.
    expect(await run.exited).toBe(0);
  });

  it('with a bad key: prints the close code and reason and exits 1 after a single connection attempt', async () => {
    const before = upgrades;
    // Refused at connection_init, before any subscription: the order id does not matter.
    const run = watch(t, 'wb_live_not-a-real-key-at-all-000000000000', 'any-order-id');
    expect(await run.exited).toBe(1);
    expect(run.stderr).toContain('connection closed: 4403 Forbidden');
    expect(run.stderr).toContain('check KEY');
    expect(run.stderr).not.toContain('reconnecting');
    expect(run.stdout).toBe('');
    expect(upgrades - before).toBe(1);
  });

  it('rejects a missing orderId with usage and exit code 2', async () => {
    const run = watch(t, t.adminKey);
    expect(await run.exited).toBe(2);
    expect(run.stderr).toContain('usage: KEY=');
  });
});
