/**
 * A worker thread's entry: runs shard `job.shard` of the plan and posts its events (start,
 * intervals, heartbeats, end) to the main thread, which merges them. Started by {@link runWithWorkers}.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { hostname } from 'node:os';
import { runShard } from '../shard-runner.js';
import type { FromWorker, ToWorker, WorkerJob } from './protocol.js';

async function work(job: WorkerJob): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('worker-main runs in a worker thread');
  const post = (m: FromWorker): void => port.postMessage(m);
  const abort = new AbortController();
  let go: (at: number) => void = () => undefined;
  const started = new Promise<number>((resolve) => (go = resolve));
  const onMessage = (m: ToWorker): void => {
    if (m.type === 'abort') {
      abort.abort(m.reason);
      go(Date.now());
    } else go(m.at);
  };
  port.on('message', onMessage);
  post({ type: 'ready' });
  // Every worker starts at the instant the main thread names once all of them are loaded.
  const startAt = await started;
  try {
    const res = await runShard({
      plan: job.plan,
      shard: job.shard,
      runId: job.runId,
      seed: job.seed,
      startAt,
      heartbeatMs: job.heartbeatMs,
      intervalMs: job.intervalMs,
      host: `${hostname()} thread ${threadId}`,
      emit: (event) => post({ type: 'event', event }),
      log: (line) => post({ type: 'log', line }),
      onWarning: (message) => post({ type: 'warning', message }),
      signal: abort.signal,
      version: job.version,
      ...(job.scenarioText !== undefined ? { scenarioText: job.scenarioText } : {}),
    });
    post({ type: 'done', emitErrors: res.emitErrors.length });
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  } finally {
    // Nothing keeps the thread alive after this: it exits once the posted messages are out.
    port.off('message', onMessage);
  }
}

const data = workerData as { job?: WorkerJob } | undefined;
if (data?.job !== undefined) void work(data.job);
