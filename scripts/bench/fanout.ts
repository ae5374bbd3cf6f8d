/**
 * `npm run bench:fanout [-- --subscribers 10000 --events 10 --postgres --redis --json]`
 *
 * Subscriber fan-out: one Waybill server process (src/main.ts; in-memory PGlite, or with --postgres a
 * fresh database on DATABASE_URL's server; in-process pub/sub, or Redis with --redis) and, in this
 * process, `--subscribers` graphql-ws connections each subscribed to the ops dashboard's feed
 * (`orderStatusChanged` with an admin key). Prints the connect time, the server's idle memory per
 * subscriber (VmRSS from /proc and V8's used heap from /metrics, after minus before the subscribers,
 * divided by their number) and the delivery latency of `--events` order cancellations from the
 * mutation's response to each subscriber's receipt (p50, p99, max over all deliveries).
 *
 * Each side needs one file descriptor per subscriber: the soft limit is raised to the hard one.
 * `--dir <checkout>` runs that checkout's server (the code before a change) against the same client.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createBenchDatabase, describeMachine, loadavg, log, machineInfo, redisUrl, type BenchDatabase } from './lib.js';
import { measureFanout, raiseFileLimit, startFanoutServer } from '../lib/fanout.js';

const { values: flags } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '10000' },
    events: { type: 'string', default: '10' },
    postgres: { type: 'boolean', default: false },
    redis: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    /** Run the server of another checkout (e.g. a worktree of the code before a change), with this client. */
    dir: { type: 'string' },
  },
});
const subscribers = Number(flags.subscribers);
const events = Number(flags.events);

const limit = raiseFileLimit(subscribers + 1000);
if (limit < subscribers + 100) throw new Error(`open-file limit ${limit} is too low for ${subscribers} subscribers (raise the hard limit: ulimit -Hn)`);

let db: BenchDatabase | undefined;
const env: Record<string, string> = {};
if (flags.postgres) {
  db = await createBenchDatabase('wb_bench_fan');
  env.DATABASE_URL = db.url;
}
if (flags.redis) {
  const url = await redisUrl();
  if (!url) throw new Error('--redis: no Redis answers (REDIS_URL or redis://127.0.0.1:6379)');
  env.REDIS_URL = url;
}
const machine = machineInfo();
const server = await startFanoutServer(env, flags.dir ? path.resolve(flags.dir) : undefined);
try {
  const { figures: f, fleet } = await measureFanout(server, { subscribers, events, log });
  await fleet.close();
  const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  if (flags.json) console.log(JSON.stringify({ machine, database: db ? 'postgres' : 'pglite', pubsub: flags.redis ? 'redis' : 'memory', ...f }));
  else {
    console.log(`machine: ${describeMachine(machine, db?.pgVersion ?? 'PGlite (in-memory)')}; pub/sub ${flags.redis ? 'Redis' : 'in-process'}`);
    console.log(`subscribers: ${f.subscribers}`);
    console.log(`connect + subscribe: ${(f.connectMs / 1000).toFixed(1)} s`);
    console.log(`idle memory per subscriber: RSS ${kib(f.rssPerSubscriberBytes)}, V8 heap ${kib(f.heapPerSubscriberBytes)}`);
    console.log(`first event after connecting: at all subscribers within ${f.firstEventMaxMs.toFixed(0)} ms`);
    console.log(`delivery latency from the mutation's response, ${f.events} further events, ${f.deliveries} deliveries (${f.missing} missing): p50 ${f.p50Ms.toFixed(0)} ms, p99 ${f.p99Ms.toFixed(0)} ms, max ${f.maxMs.toFixed(0)} ms`);
    console.log(`CPU per event (cancel to last delivery): server ${f.serverCpuMsPerEvent.toFixed(0)} ms, clients ${f.clientCpuMsPerEvent.toFixed(0)} ms; load average ${loadavg()}`);
  }
} finally {
  await server.stop();
  await db?.close();
}
process.exit(0);
