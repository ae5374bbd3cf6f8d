/**
 * Runs the solver in a worker_thread so that an API process's event loop
 * never blocks for the seconds a solve takes.
 *
 * This same module is the worker entry: when loaded inside a worker with the
 * marker in workerData it solves and posts the result back. When the module
 * is TypeScript (running under tsx or vitest) the worker first registers
 * tsx's ESM hooks so it can import .ts sources; compiled to .js, it is
 * started directly.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { VrpInstance } from './instance.js';
import { solve, type SolveOptions, type SolveResult } from './solver.js';

const MARK = '__waybillVrpSolverWorker';

interface WorkerMessage {
  ok: boolean;
  result?: SolveResult;
  error?: string;
}

if (!isMainThread && parentPort && (workerData as Record<string, unknown> | null)?.[MARK] === true) {
  const data = workerData as { instance: VrpInstance; options: SolveOptions };
  let msg: WorkerMessage;
  try {
    msg = { ok: true, result: solve(data.instance, data.options) };
  } catch (e) {
    msg = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  parentPort.postMessage(msg);
}

/**
 * Starts this module as a worker. From .ts sources, `new Worker(file.ts,
 * { execArgv: ['--import', 'tsx'] })` fails on Node 20 with
 * ERR_UNKNOWN_FILE_EXTENSION: tsx's entry module only registers its hooks on
 * the main thread there. So the worker runs a tiny eval'd bootstrap that
 * calls tsx's ESM `register()` and then imports this module.
 */
function startWorker(moduleUrl: URL, data: unknown): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, { workerData: data });
  // Resolve tsx from this file (not the process cwd) so it works wherever the
  // API is started. createRequire resolves the 'require' export condition,
  // hence the path from the package root to the 'import' target of
  // `tsx/esm/api`.
  const tsxRoot = dirname(createRequire(moduleUrl).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const boot =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(moduleUrl.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

/**
 * Solves an instance on a worker thread.
 *
 * @param instance problem (plain data, structured-cloned to the worker)
 * @param options solver options (time limit, seed, objective, ...)
 * @param signal optional AbortSignal; aborting terminates the worker and rejects
 * @returns the solver's result, as {@link solve} would return it
 */
export function solveInWorker(
  instance: VrpInstance,
  options: SolveOptions = {},
  signal?: AbortSignal,
): Promise<SolveResult> {
  const url = new URL(import.meta.url);
  return new Promise<SolveResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('solve aborted'));
      return;
    }
    const worker = startWorker(url, { [MARK]: true, instance, options });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => finish(() => reject(new Error('solve aborted')));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (msg: WorkerMessage) => {
      finish(() => (msg.ok && msg.result ? resolve(msg.result) : reject(new Error(msg.error ?? 'worker failed'))));
    });
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`solver worker exited with code ${code}`))));
  });
}
