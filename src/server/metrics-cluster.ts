/**
 * Metrics with WORKERS > 1: the workers share the port, so a scrape lands on any one of them, and
 * each has only its own counters. The worker that received GET /metrics asks the primary over the
 * cluster IPC channel; the primary collects every worker's registry with prom-client's
 * AggregatorRegistry (its own IPC request to each worker) and answers the sum (gauges that every
 * worker reads from the shared database take the max: see metrics.ts).
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from 'pino';

const REQUEST = 'waybill:metrics-request';
const RESPONSE = 'waybill:metrics-response';
/** prom-client gives up on a silent worker after 5 s; the asking worker waits a little longer. */
const WORKER_WAIT_MS = 6_000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  contentType?: string;
  body?: string;
  error?: string;
}

/** Primary: answers the workers' requests for the aggregate of all workers' registries. */
export function serveClusterMetrics(log: Logger): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: MetricsRequest) => {
    if (message?.type !== REQUEST) return;
    const reply = (r: Omit<MetricsResponse, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, ...r } satisfies MetricsResponse);
    };
    aggregator.clusterMetrics().then(
      (body) => reply({ contentType: aggregator.contentType, body }),
      (err: unknown) => {
        log.warn({ err }, 'aggregating the workers\' metrics failed');
        reply({ error: (err as Error).message });
      },
    );
  });
}

/** Worker: this registry is the one the primary collects (prom-client answers its requests from now on). */
export function joinClusterMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener for the primary's requests in this worker.
  new AggregatorRegistry();
}

let nextId = 0;
const pending = new Map<number, (r: MetricsResponse) => void>();
let listening = false;

/** Worker: the aggregate of all workers, from the primary. */
export function clusterExposition(): Promise<{ contentType: string; body: string }> {
  if (!listening) {
    listening = true;
    process.on('message', (message: MetricsResponse) => {
      if (message?.type === RESPONSE) pending.get(message.id)?.(message);
    });
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the primary did not answer with the metrics in time'));
    }, WORKER_WAIT_MS);
    pending.set(id, (r) => {
      clearTimeout(timer);
      pending.delete(id);
      if (r.body !== undefined && r.contentType) resolve({ contentType: r.contentType, body: r.body });
      else reject(new Error(r.error ?? 'no metrics'));
    });
    process.send!({ type: REQUEST, id } satisfies MetricsRequest);
  });
}
