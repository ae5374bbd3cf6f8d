/** The embedded database directory lock (pglite-lock.ts): live holders refuse, dead ones are taken over. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, LOCK_FILE, lockDataDir } from './pglite-lock.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'wb-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A pid that certainly belonged to a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout.trim();

describe('lockDataDir', () => {
  it('writes our pid, and release removes the file', () => {
    const dir = tempDir();
    const lock = lockDataDir(dir);
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a directory held by another live process, naming its pid, and leaves its lock alone', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid}\n`);
    const err = (() => {
      try {
        lockDataDir(dir);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DatabaseInUseError);
    expect((err as Error).message).toContain(`pid ${process.ppid}`);
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.ppid));
  });

  it("takes over a lock whose process is dead, or one with our own pid (a restarted container's)", () => {
    for (const stale of [deadPid(), String(process.pid)]) {
      const dir = tempDir();
      writeFileSync(path.join(dir, LOCK_FILE), `${stale}\n`);
      const lock = lockDataDir(dir);
      expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
      lock.release();
    }
  });

  it('release does not remove a lock another process holds now', () => {
    const dir = tempDir();
    const lock = lockDataDir(dir);
    writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid}\n`);
    lock.release();
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.ppid));
  });
});
