/**
 * The entry of one `rampart run --agents N` shard process. It gets its job over the IPC channel
 * (never argv or the environment: the parent already resolved them), loads the scenario like any
 * shard, streams to Kafka, and leaves with the shard's exit code. Started by {@link runAgents}.
 */
import { hostname } from 'node:os';
import { loadScenario } from '../scenario/index.js';
import { runKafkaShard } from './shard-process.js';
import { ownProcess } from '../engine/own-process.js';
import type { AgentJob, FromAgent } from './agent-protocol.js';
import { EXIT } from '../exit-codes.js';

// Listed at the entry, before anything else runs (src/engine/own-process.ts).
const thisProcess = ownProcess();

async function work(job: AgentJob): Promise<number> {
  const say = (m: FromAgent): void => {
    if (process.connected) process.send?.(m);
  };
  const abort = new AbortController();
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => (): void => abort.abort(sig);
  process.once('SIGINT', onSignal('SIGINT'));
  process.once('SIGTERM', onSignal('SIGTERM'));
  // The parent is gone (its IPC channel closed): nobody collects this shard any more, stop it.
  process.once('disconnect', () => abort.abort('the --agents process is gone'));
  try {
    const plan = await loadScenario(job.scenarioFile, {
      env: job.env,
      ...(job.target !== undefined ? { target: job.target } : {}),
      ...(job.environment !== undefined ? { environment: job.environment } : {}),
      ...(job.noProxy === true ? { noProxy: true } : {}),
    });
    const res = await runKafkaShard({
      plan,
      shard: job.shard,
      runId: job.runId,
      seed: job.seed,
      kafka: job.kafka,
      startAt: job.startAt,
      host: `${hostname()} pid ${process.pid}`,
      version: job.version,
      log: (line) => say({ type: 'log', line }),
      onWarning: (message) => say({ type: 'log', line: `warning: ${message}` }),
      signal: abort.signal,
      // This process is the shard's alone: its warm-up collects the garbage, waits for the helper
      // threads and lowers them for an open-model load, as a single-process run's does.
      ownProcess: thisProcess,
      ...(job.heartbeatMs !== undefined ? { heartbeatMs: job.heartbeatMs } : {}),
    });
    return res.exitCode;
  } catch (err) {
    say({ type: 'log', line: `shard failed: ${err instanceof Error ? err.message : String(err)}` });
    return EXIT.ENGINE;
  }
}

if (process.send !== undefined) {
  process.once('message', (job: AgentJob) => {
    void work(job).then((code) => {
      process.exitCode = code;
      process.disconnect?.();
    });
  });
}
