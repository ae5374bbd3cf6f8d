/**
 * `npm run forecast -- --train FILE --horizon 13 [--json]` (issue 15, item 2): the CLI as a real
 * process (node --import tsx scripts/forecast.ts, what the npm script runs) on a small wide CSV in
 * the M4 layout. No database.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { forecastSeries } from '../src/modules/planning/forecast/select.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'wb-forecast-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const constant = Array.from({ length: 30 }, () => 7);
const trend = Array.from({ length: 60 }, (_, t) => 100 + 3 * t + ((t * 13) % 5));
const intermittent = Array.from({ length: 40 }, (_, t) => (t % 4 === 0 ? 3 + (t % 3) : 0));
const train = path.join(dir, 'train.csv');
// Header row, quoted ids, and the empty padding cells a shorter series has in the M4 files.
const width = 1 + Math.max(constant.length, trend.length, intermittent.length);
const row = (id: string, ys: number[]) => [`"${id}"`, ...ys.map((y) => `"${y}"`), ...Array<string>(width - 1 - ys.length).fill('""')].join(',');
writeFileSync(
  train,
  [Array.from({ length: width }, (_, i) => `"V${i + 1}"`).join(','), row('C1', constant), row('T1', trend), row('I1', intermittent)].join('\n') + '\n',
);

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/forecast.ts', ...args], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run forecast', () => {
  it('--json prints one object per series: the engine’s method, backtest and 13 points with lower80 ≤ mean ≤ upper80', async () => {
    const r = await cli('--train', train, '--horizon', '13', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual(['C1', 'T1', 'I1']);
    for (const [l, ys] of [
      [lines[0]!, constant],
      [lines[1]!, trend],
      [lines[2]!, intermittent],
    ] as const) {
      const want = forecastSeries(ys, { horizon: 13 });
      expect(l.method).toBe(want.method);
      expect(l.historyWeeks).toBe(ys.length);
      expect(l.backtest).toEqual(want.backtest);
      const mean = l.mean as number[];
      const lower = l.lower80 as number[];
      const upper = l.upper80 as number[];
      expect(mean).toHaveLength(13);
      mean.forEach((m, i) => {
        expect(m).toBeCloseTo(want.mean[i]!, 3);
        expect(lower[i]!).toBeLessThanOrEqual(m);
        expect(m).toBeLessThanOrEqual(upper[i]!);
        expect(lower[i]!).toBeGreaterThanOrEqual(0);
      });
    }
    // A constant series forecasts that constant.
    expect(lines[0]!.mean).toEqual(Array(13).fill(7));
    // The intermittent series competes with Croston/SBA/TSB and forecasts its rate (about 1 a week), not a spike or zero.
    for (const m of lines[2]!.mean as number[]) expect(m > 0.3 && m < 3).toBe(true);
  }, 60_000);

  it('prints a readable table by default, honours --horizon, and refuses bad arguments with exit code 2', async () => {
    const text = await cli('--train', train, '--horizon', '4');
    expect(text.code).toBe(0);
    const out = text.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(6); // two lines per series
    // A constant series has no naive error to scale MASE by: no backtest; the trend has one.
    expect(out[0]).toBe('C1  NAIVE  30 weeks  no backtest');
    expect(out[2]).toMatch(/^T1 {2}[A-Z_]+ {2}60 weeks {2}backtest MASE \d+\.\d{3} \(naive \d+\.\d{3}, 4 origins\)$/);
    expect(out[1]!.trim().split(/\s{2}/)).toHaveLength(4); // 4 points "mean [lower, upper]"

    for (const args of [[], ['--train', train, '--horizon', '0'], ['--train', train, '--horizon', 'x'], ['--train', train, '--period', '0'], ['--nope']]) {
      const bad = await cli(...args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toMatch(/usage: npm run forecast/);
    }
  }, 60_000);
});
