/**
 * `rampart run --agents N`: the whole distributed path on this machine — N shard processes that
 * stream to Kafka exactly as remote shards would, and a collector in this process that merges them,
 * judges the thresholds and writes the reports. Useful to try a distributed setup (and to test it);
 * for load beyond one machine, run the shards on several machines (`--shard`, deploy/kubernetes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Plan } from '../scenario/plan.js';
import type { Output } from '../report/model.js';
import { collectRun, type CollectResult } from './collector.js';
import type { ExternalThresholdsFactory } from '../thresholds/judge/types.js';
import type { KafkaTarget } from './kafka.js';
import { shardName } from './protocol.js';
import type { AgentJob, FromAgent } from './agent-protocol.js';
import { dieWithParent } from '../../mocks/topology/process.js';

export interface AgentsOptions {
  /** The plan (the collector's: thresholds, report); each agent loads the scenario itself. */
  readonly plan: Plan;
  readonly scenarioFile: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly target?: string;
  readonly environment?: string;
  /** `--no-proxy`: the agents load the scenario ignoring HTTP_PROXY / HTTPS_PROXY / NO_PROXY. */
  readonly noProxy?: boolean;
  readonly agents: number;
  readonly kafka: KafkaTarget;
  readonly runId: string;
  readonly seed: number;
  readonly version: string;
  readonly outputs?: readonly Output[];
  readonly scenarioText?: string;
  /** Thresholds judged outside the merged metrics (Prometheus queries); see AggregatorOptions.external. */
  readonly external?: ExternalThresholdsFactory;
  /** Lines from the agents (prefixed with their shard) and kafkajs warnings. */
  readonly log: (line: string) => void;
  readonly onWarning?: (message: string) => void;
  /** SIGINT/SIGTERM as `signal.reason`: forwarded to every agent (they end their runs gracefully). */
  readonly signal?: AbortSignal;
  /** Seconds between the collector being ready and the shards' common start. Default 3 (process boot). */
  readonly startDelayMs?: number;
  readonly lostAfterMs?: number;
  readonly heartbeatMs?: number;
  /** Called with each agent process once spawned (tests kill one to see it reported lost). */
  readonly onAgent?: (index: number, child: ChildProcess) => void;
}

export interface AgentsResult extends CollectResult {
  /** Each agent's exit code (null: killed by a signal). */
  readonly agentExitCodes: readonly (number | null)[];
}

/**
 * How an agent process is started: compiled JS, or TypeScript through tsx's loader. It dies with
 * this process as the topology's instances do (setpriv --pdeathsig, mocks/topology/process.ts):
 * killed outright, this process can no longer stop it, and nothing would collect its load. Where
 * there is no setpriv, the agent stops when its IPC channel closes (agent-main.ts).
 */
function forkAgent(): ChildProcess {
  const self = import.meta.url;
  const ts = self.endsWith('.ts');
  const entry = fileURLToPath(new URL(ts ? './agent-main.ts' : './agent-main.js', self));
  const node = dieWithParent(process.execPath, ts ? ['--import', 'tsx'] : []);
  return fork(entry, [], { execPath: node.command, execArgv: node.args, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
}

/** Runs the plan as `agents` shard processes over Kafka plus a collector here. */
export async function runAgents(o: AgentsOptions): Promise<AgentsResult> {
  const children: ChildProcess[] = [];
  const exits: Promise<number | null>[] = [];
  const spawnAll = (lose: (index: number, why: string) => void): void => {
    const startAt = Date.now() + (o.startDelayMs ?? 3000);
    for (let index = 0; index < o.agents; index++) {
      const shard = { index, count: o.agents };
      const child = forkAgent();
      children.push(child);
      const prefix = `[shard ${shardName(shard)}] `;
      const lines = (buf: Buffer): void => {
        for (const l of buf.toString('utf8').split('\n')) if (l.trim() !== '') o.log(prefix + l);
      };
      child.stdout?.on('data', lines);
      child.stderr?.on('data', lines);
      child.on('message', (m: FromAgent) => {
        if (m.type === 'log') o.log(prefix + m.line);
      });
      exits.push(
        new Promise((resolve) =>
          child.once('exit', (code, signal) => {
            resolve(code);
            if (code === 0) return;
            // Its end event may still be on its way: a dead process is lost unless the end arrives soon.
            const why = signal !== null ? `its process (pid ${child.pid ?? '?'}) was killed by ${signal}` : `its process exited with code ${code ?? '?'}`;
            // Killed outright: it sent nothing more. Exited with a code: its end event may be in flight.
            setTimeout(() => lose(index, why), signal !== null ? 1500 : (o.lostAfterMs ?? 5000)).unref();
          }),
        ),
      );
      const job: AgentJob = {
        scenarioFile: o.scenarioFile,
        env: o.env,
        shard,
        runId: o.runId,
        seed: o.seed,
        startAt,
        kafka: o.kafka,
        version: o.version,
        ...(o.target !== undefined ? { target: o.target } : {}),
        ...(o.environment !== undefined ? { environment: o.environment } : {}),
        ...(o.noProxy === true ? { noProxy: true } : {}),
        ...(o.heartbeatMs !== undefined ? { heartbeatMs: o.heartbeatMs } : {}),
      };
      child.send(job);
      o.onAgent?.(index, child);
    }
  };
  const stopAgents = (sig: 'SIGINT' | 'SIGTERM'): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(sig);
  };
  const forward = (): void => stopAgents(o.signal?.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  o.signal?.addEventListener('abort', forward, { once: true });
  try {
    const res = await collectRun({
      plan: o.plan,
      kafka: o.kafka,
      runId: o.runId,
      shards: o.agents,
      version: o.version,
      firstEventWithinMs: (o.startDelayMs ?? 3000) + 30_000,
      log: o.log,
      onReady: spawnAll,
      // Each agent's warnings reach stderr through its own lines as they happen.
      shardWarningsSaid: true,
      // An abortOnFail threshold failed on the merged data: the shards stop their load gracefully.
      onAbort: () => stopAgents('SIGTERM'),
      ...(o.lostAfterMs !== undefined ? { lostAfterMs: o.lostAfterMs } : {}),
      ...(o.outputs !== undefined ? { outputs: o.outputs } : {}),
      ...(o.scenarioText !== undefined ? { scenarioText: o.scenarioText } : {}),
      ...(o.onWarning !== undefined ? { onWarning: o.onWarning } : {}),
      ...(o.external !== undefined ? { external: o.external } : {}),
    });
    // Agents exit right after their end event; one that hangs is not waited for long.
    const codes = await Promise.race([Promise.all(exits), new Promise<null>((r) => setTimeout(() => r(null), 5000).unref())]);
    return { ...res, agentExitCodes: codes ?? children.map((c) => c.exitCode) };
  } finally {
    o.signal?.removeEventListener('abort', forward);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}
