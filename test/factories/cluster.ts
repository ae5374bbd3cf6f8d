/**
 * `WORKERS=2` servers for tests: the real entry point (`src/main.ts`, the primary and its workers)
 * on a fresh PostgreSQL database and the shared Redis, started as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freshPostgresDatabase, realPostgresUrl, realRedisUrl } from '../harness.js';

const root = new URL('../../', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ClusterServer {
  /** The primary. */
  child: ChildProcess;
  /** The GraphQL endpoint both workers serve. */
  url: string;
  /** Everything the processes wrote so far (stdout and stderr). */
  output(): string;
  /** How many "listening on" lines there are so far (one per worker started). */
  listening(): number;
  /** The primary's exit code, once it exits. */
  exited: Promise<number | null>;
  /** Kills whatever still runs and drops the database. */
  close(): Promise<void>;
}

/**
 * Starts `WORKERS=2` with `env` added and waits until both workers listen (else throws with the
 * output). Needs PostgreSQL and Redis (realPostgresUrl, realRedisUrl).
 */
export async function startCluster(env: Record<string, string> = {}): Promise<ClusterServer> {
  const db = await freshPostgresDatabase(realPostgresUrl!);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, WORKERS: '2', DATABASE_URL: db.url, REDIS_URL: realRedisUrl!, NODE_ENV: '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = () => out.split('\n').filter((l) => l.includes('listening on')).length;
  const close = async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await db.drop();
  };
  for (let i = 0; i < 240 && listening() < 2; i++) await sleep(250);
  const url = /listening on (http:\/\/\S+)"/.exec(out)?.[1];
  if (listening() < 2 || !url) {
    await close();
    throw new Error(`WORKERS=2 did not start both workers:\n${out}`);
  }
  return { child, url, output: () => out, listening, exited, close };
}
