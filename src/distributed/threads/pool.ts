/**
 * `--workers N`: one run on N worker threads of this process. Each worker runs shard i of N of the
 * plan (arrivals k ≡ i mod N of the one global schedule, its share of the VUs, its partition of the
 * data rows); the main thread merges their per-second snapshots exactly and drives the thresholds
 * and the outputs, which see one run. The main thread sends no load itself.
 *
 * Workers import compiled JavaScript next to this file (dist/ after `npm run build`); when this file
 * runs as TypeScript (tests, `tsx`), the worker registers tsx's loader first (tsx-bootstrap.mjs).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Plan } from '../../scenario/plan.js';
import type { Output, Report } from '../../report/model.js';
import { createAggregator } from '../aggregator.js';
import type { ExternalThresholdsFactory } from '../../thresholds/judge/types.js';
import { newRunId } from '../shard-runner.js';
import { EngineError } from '../../errors.js';
import type { FromWorker, ToWorker, WorkerJob } from './protocol.js';

export interface WorkersOptions {
  readonly plan: Plan;
  /** Worker threads (≥ 1). */
  readonly workers: number;
  readonly outputs?: readonly Output[];
  /** Seed shared by the workers (one global schedule). Default random. */
  readonly seed?: number;
  readonly runId?: string;
  readonly version: string;
  readonly scenarioText?: string;
  /** `log` step lines of every worker. */
  readonly log: (line: string) => void;
  /** Thresholds judged outside the merged metrics (Prometheus queries); see AggregatorOptions.external. */
  readonly external?: ExternalThresholdsFactory;
  readonly onWarning?: (message: string) => void;
  /** Aborting stops every worker's load; `signal.reason` (SIGINT, SIGTERM or a text) is the reason. */
  readonly signal?: AbortSignal;
  /** Snapshot interval (ms). Default 1000. */
  readonly intervalMs?: number;
  /** A worker silent this long (ms) is lost (exit 4). Default 5000. */
  readonly lostAfterMs?: number;
}

export interface WorkersResult {
  readonly report: Report;
  readonly outputErrors: readonly Error[];
}

/**
 * The default worker count: the machine's cores, but 1 when the target is this machine (loopback),
 * because then the target competes with the generator for the same cores and more generator
 * threads only take them from the server under test.
 */
export function defaultWorkers(target: string, cores: number = availableParallelism()): number {
  return isLoopbackTarget(target) ? 1 : Math.max(1, cores);
}

/** True for `localhost`, `127.0.0.0/8`, `::1` (and `*.localhost`). */
export function isLoopbackTarget(target: string): boolean {
  let host: string;
  try {
    host = new URL(target).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/** How a worker is started: compiled JS, or TypeScript through tsx's loader. */
function spawnWorker(job: WorkerJob): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    return new Worker(new URL('./tsx-bootstrap.mjs', self), { workerData: { job, entry: new URL('./worker-main.ts', self).href } });
  }
  return new Worker(new URL('./worker-main.js', self), { workerData: { job } });
}

/** Runs the plan on `workers` threads and resolves to the merged Report (outputs have been given it). */
export async function runWithWorkers(o: WorkersOptions): Promise<WorkersResult> {
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new EngineError(`workers must be a positive integer, got ${o.workers}`);
  const runId = o.runId ?? newRunId();
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 32);
  const intervalMs = o.intervalMs ?? 1000;
  const threads: Worker[] = [];
  const broadcast = (m: ToWorker): void => {
    for (const w of threads) w.postMessage(m);
  };
  const agg = createAggregator({
    plan: o.plan,
    runId,
    shards: o.workers,
    version: o.version,
    lostAfterMs: o.lostAfterMs ?? 5000,
    firstEventWithinMs: 30_000,
    ...(o.outputs !== undefined ? { outputs: o.outputs } : {}),
    ...(o.scenarioText !== undefined ? { scenarioText: o.scenarioText } : {}),
    ...(o.onWarning !== undefined ? { onWarning: o.onWarning } : {}),
    ...(o.external !== undefined ? { external: o.external } : {}),
    onAbort: (reason) => broadcast({ type: 'abort', reason }),
    // Each worker's warnings are said live as it posts them (`worker N: …`).
    shardWarningsSaid: true,
  });
  const exited: Promise<void>[] = [];
  // Workers start their Runs together once every one of them is loaded (or after 30 s: the rest
  // start late and a worker that never loads is lost).
  const ready = new Set<number>();
  let allReady: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => (allReady = resolve));
  const readyTimer = setTimeout(allReady, 30_000);
  for (let index = 0; index < o.workers; index++) {
    const job: WorkerJob = {
      plan: o.plan,
      shard: { index, count: o.workers },
      runId,
      seed,
      version: o.version,
      intervalMs,
      heartbeatMs: Math.min(1000, intervalMs),
      ...(o.scenarioText !== undefined ? { scenarioText: o.scenarioText } : {}),
    };
    const w = spawnWorker(job);
    threads.push(w);
    let finished = false;
    w.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        ready.add(index);
        if (ready.size === o.workers) allReady();
      } else if (m.type === 'event') agg.accept(m.event);
      else if (m.type === 'log') o.log(m.line);
      else if (m.type === 'warning') o.onWarning?.(`worker ${index}: ${m.message}`);
      else if (m.type === 'done') finished = true;
      else agg.lose(index, `worker ${index} failed: ${m.message.split('\n')[0] ?? ''}`);
    });
    exited.push(
      new Promise((resolve) => {
        w.on('error', (err) => agg.lose(index, `worker ${index} crashed: ${err.message}`));
        w.on('exit', (code) => {
          if (!finished) agg.lose(index, `worker ${index} exited (code ${code}) before its run ended`);
          // A worker that died before loading must not hold the others back.
          ready.add(index);
          if (ready.size === o.workers) allReady();
          resolve();
        });
      }),
    );
  }
  await loaded;
  clearTimeout(readyTimer);
  broadcast({ type: 'start', at: Date.now() + 50 });
  const onAbort = (): void => broadcast({ type: 'abort', reason: typeof o.signal?.reason === 'string' ? o.signal.reason : 'aborted' });
  if (o.signal?.aborted === true) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    while (!agg.done) {
      await agg.poll();
      await new Promise((r) => setTimeout(r, 100));
    }
    await agg.poll();
    const report = await agg.finish();
    return { report, outputErrors: agg.outputErrors };
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    // A worker that lingers after its end (an open handle) is not waited for.
    const grace = new Promise((r) => setTimeout(r, 2000).unref());
    await Promise.race([Promise.all(exited), grace]);
    await Promise.all(threads.map((t) => t.terminate().catch(() => undefined)));
  }
}
