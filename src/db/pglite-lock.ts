/**
 * One process per embedded database directory. PGlite is a single-process database: a second
 * process opening the same directory (the API key CLI or the seed beside a running server) would
 * write into files the server keeps in memory, and its writes would be lost or the database
 * damaged. So whoever opens a PGlite directory first takes `<dir>/waybill.lock` (created
 * exclusively, holding its pid), and removes it at close; a second process is refused with
 * DatabaseInUseError naming the holder's pid. A lock whose pid is no longer alive (a crash, a
 * kill -9) is taken over at once; so is one holding our own pid (a restarted container, where
 * the server is pid 1 again).
 *
 * Written on node:fs rather than with proper-lockfile: that library judges staleness by the lock's
 * mtime, refreshed on a timer, and PGlite runs SQL on the main thread, so a long statement (the
 * seed's) would starve the timer and mark the lock compromised; and after a crash the lock would
 * block a restart for the stale period. The rule needed here is "held by a live pid", which is
 * these few lines.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'waybill.lock';

export class DatabaseInUseError extends Error {
  readonly code = 'DATABASE_IN_USE';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another process (pid ${pid}), e.g. a running server. ` +
        'PGlite allows one process per directory: stop that process first, or use the running server through its API.',
    );
    this.name = 'DatabaseInUseError';
  }
}

export interface DirLock {
  release(): void;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false; // ours from an earlier life (same pid after a container restart); we are not holding it
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const readPid = (file: string): number => Number.parseInt(readFileSync(file, 'utf8').trim(), 10);

/** Takes the directory's lock for this process, or throws DatabaseInUseError. */
export function lockDataDir(dataDir: string): DirLock {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (readPid(file) === process.pid) unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: number;
    try {
      holder = readPid(file);
    } catch {
      continue; // removed meanwhile: try again
    }
    if (alive(holder)) throw new DatabaseInUseError(dir, holder);
    // Stale: move it aside (atomic, so of two processes taking over only one moves it), then check
    // that what was moved is the stale lock and not a live one another process took meanwhile.
    const aside = `${file}.${process.pid}.stale`;
    try {
      renameSync(file, aside);
    } catch {
      continue;
    }
    const moved = (() => {
      try {
        return readPid(aside);
      } catch {
        return NaN;
      }
    })();
    if (alive(moved)) {
      try {
        linkSync(aside, file);
      } catch {
        // someone holds it again; they keep it
      }
      unlinkSync(aside);
      throw new DatabaseInUseError(dir, moved);
    }
    unlinkSync(aside);
  }
  throw new Error(`Could not take the lock ${file}; try again.`);
}
