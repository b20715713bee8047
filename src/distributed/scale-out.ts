/**
 * The scale-out modes of `rampart run`, parsed from its flags and run with the outputs the command
 * built: `--workers N` (threads of this process), `--shard i/N --output kafka://…` (one shard of a
 * distributed run), `--agents N` (shard processes and a collector on this machine, over Kafka).
 * Nothing here reads the environment or argv: the command passes them in.
 */
import type { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import type { Plan } from '../scenario/plan.js';
import type { ExternalThresholdsFactory } from '../thresholds/judge/types.js';
import type { Output, Report } from '../report/model.js';
import { UsageError } from '../errors.js';
import { defaultWorkers, runWithWorkers } from './threads/pool.js';
import { runAgents } from './agents.js';
import { runKafkaShard } from './shard-process.js';
import { DEFAULT_TOPIC, parseBrokers, parseKafkaUrl, type KafkaTarget } from './kafka.js';
import { checkRunId, deriveRunId, parseShardSpec, parseStartAt, seedFromRunId } from './identity.js';
import { shardName, type ShardId } from './protocol.js';
import type { OwnProcess } from '../engine/own-process.js';

/** The scale-out flags of `rampart run`, as commander gives them (strings). */
export interface ScaleOutFlags {
  readonly workers?: string;
  readonly shard?: string;
  readonly startAt?: string;
  readonly runId?: string;
  readonly output?: string;
  readonly agents?: string;
  readonly lostAfter?: string;
}

export type ScaleOutMode =
  | { readonly kind: 'workers'; readonly workers: number }
  | { readonly kind: 'shard'; readonly shard: ShardId; readonly startAt?: number; readonly runId: string; readonly seed: number; readonly kafka: KafkaTarget }
  | {
      readonly kind: 'agents';
      readonly agents: number;
      readonly runId: string;
      readonly seed: number;
      readonly kafka: KafkaTarget;
      readonly lostAfterMs: number;
      /** No --output nor KAFKA_BROKERS: `kafka` is {@link DEFAULT_BROKER}, used when it answers (else a UsageError). */
      readonly defaultBroker?: true;
    };

/** The broker `--agents` uses when none is given: the one `npm run services -- up` starts. */
export const DEFAULT_BROKER = '127.0.0.1:9092';

const positiveInt = (flag: string, v: string, max: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} expects a whole number from 1 to ${max}, got "${v}"`);
  return n;
};

/**
 * Decides the mode from the flags. Undefined: one in-process run (no flag, or `--workers` resolving
 * to 1 — the default against a loopback target). @throws UsageError on contradictions.
 */
export function scaleOutMode(
  flags: ScaleOutFlags,
  plan: Plan,
  o: { readonly seed?: number; readonly env: Readonly<Record<string, string | undefined>>; readonly now: number; readonly cores?: number },
): ScaleOutMode | undefined {
  const given = (['workers', 'shard', 'agents'] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 1) throw new UsageError(`--${given.join(' and --')} cannot be combined: pick one way to scale out`);
  if (flags.shard === undefined && flags.agents === undefined) {
    for (const f of ['startAt', 'runId', 'output'] as const) {
      if (flags[f] !== undefined) throw new UsageError(`--${f === 'startAt' ? 'start-at' : f === 'runId' ? 'run-id' : 'output'} needs --shard i/N or --agents N`);
    }
  }
  const lostAfterMs = flags.lostAfter !== undefined ? positiveInt('--lost-after', flags.lostAfter, 3600) * 1000 : 5000;
  if (flags.shard !== undefined) {
    const shard = parseShardSpec(flags.shard);
    if (flags.output === undefined) throw new UsageError('--shard needs --output kafka://host:port/topic: the collector (rampart collect) merges the shards');
    const kafka = parseKafkaUrl(flags.output);
    const startAt = flags.startAt !== undefined ? parseStartAt(flags.startAt, o.now) : undefined;
    if (startAt === undefined && flags.runId === undefined) {
      // Without either, two runs of one scenario would share an id and the collector would mix them.
      throw new UsageError('--shard needs --start-at <instant> (the run id is derived from it) or --run-id <id>, the same for every shard');
    }
    const runId = flags.runId !== undefined ? checkRunId(flags.runId) : deriveRunId(plan.source.hash, shard.count, startAt);
    return { kind: 'shard', shard, ...(startAt !== undefined ? { startAt } : {}), runId, seed: o.seed ?? seedFromRunId(runId), kafka };
  }
  if (flags.agents !== undefined) {
    const agents = positiveInt('--agents', flags.agents, 64);
    if (flags.startAt !== undefined) throw new UsageError('--start-at is for --shard; --agents starts its shards together itself');
    let kafka: KafkaTarget;
    let defaultBroker = false;
    if (flags.output !== undefined) kafka = parseKafkaUrl(flags.output);
    else if ((o.env.KAFKA_BROKERS ?? '') !== '') kafka = { brokers: parseBrokers(o.env.KAFKA_BROKERS ?? '', 'KAFKA_BROKERS'), topic: DEFAULT_TOPIC };
    else {
      kafka = { brokers: [DEFAULT_BROKER], topic: DEFAULT_TOPIC };
      defaultBroker = true;
    }
    const runId = flags.runId !== undefined ? checkRunId(flags.runId) : deriveRunId(plan.source.hash, agents, o.now);
    return { kind: 'agents', agents, runId, seed: o.seed ?? seedFromRunId(runId), kafka, lostAfterMs, ...(defaultBroker ? { defaultBroker: true as const } : {}) };
  }
  const workers = flags.workers !== undefined ? positiveInt('--workers', flags.workers, 256) : defaultWorkers(plan.target, o.cores);
  return workers > 1 ? { kind: 'workers', workers } : undefined;
}

export interface ScaleOutContext {
  readonly plan: Plan;
  /** The merged run's outputs (live, report files, summary). */
  readonly outputs: readonly Output[];
  /** A shard's own outputs (its live line, its partial --out report). */
  readonly shardOutputs: readonly Output[];
  readonly seed?: number;
  readonly version: string;
  readonly scenarioText?: string;
  readonly scenarioFile: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly target?: string;
  readonly environment?: string;
  /** `--no-proxy`: agents ignore the environment's proxy variables too. */
  readonly noProxy?: boolean;
  /** This process, when the CLI owns it: a --shard run warms it up like a single-process run. */
  readonly ownProcess?: OwnProcess;
  /** Lines for stderr (log steps, agents' lines, warnings). */
  readonly log: (line: string) => void;
  readonly warn: (message: string) => void;
  /** SIGINT/SIGTERM arrive here. */
  readonly signals: EventEmitter;
  /** Thresholds judged outside the merged metrics (Prometheus queries); judged where the run is merged: here with --workers and --agents, by `rampart collect` for --shard. */
  readonly external?: ExternalThresholdsFactory;
}

export interface ScaleOutResult {
  readonly report: Report;
  readonly exitCode: number;
  readonly outputErrors: readonly Error[];
}

/** Runs the mode to its end. The first SIGINT/SIGTERM stops the load gracefully everywhere. */
export async function runScaleOut(mode: ScaleOutMode, c: ScaleOutContext): Promise<ScaleOutResult> {
  const ctl = new AbortController();
  const onInt = (): void => ctl.abort('SIGINT');
  const onTerm = (): void => ctl.abort('SIGTERM');
  c.signals.on('SIGINT', onInt);
  c.signals.on('SIGTERM', onTerm);
  try {
    switch (mode.kind) {
      case 'workers': {
        const r = await runWithWorkers({
          plan: c.plan,
          workers: mode.workers,
          outputs: c.outputs,
          version: c.version,
          log: c.log,
          onWarning: c.warn,
          signal: ctl.signal,
          ...(c.seed !== undefined ? { seed: c.seed } : {}),
          ...(c.scenarioText !== undefined ? { scenarioText: c.scenarioText } : {}),
          ...(c.external !== undefined ? { external: c.external } : {}),
        });
        return { report: r.report, exitCode: r.report.exitCode, outputErrors: r.outputErrors };
      }
      case 'shard': {
        c.log(`shard ${shardName(mode.shard)} of run ${mode.runId} → kafka ${mode.kafka.brokers.join(',')}/${mode.kafka.topic}${mode.startAt !== undefined ? `, starting at ${new Date(mode.startAt).toISOString()}` : ''}`);
        const r = await runKafkaShard({
          plan: c.plan,
          shard: mode.shard,
          runId: mode.runId,
          seed: mode.seed,
          kafka: mode.kafka,
          host: `${hostname()} pid ${process.pid}`,
          version: c.version,
          log: c.log,
          onWarning: c.warn,
          signal: ctl.signal,
          outputs: c.shardOutputs,
          ...(mode.startAt !== undefined ? { startAt: mode.startAt } : {}),
          ...(c.scenarioText !== undefined ? { scenarioText: c.scenarioText } : {}),
          ...(c.ownProcess !== undefined ? { ownProcess: c.ownProcess } : {}),
        });
        const requests = r.report.series.filter((s) => s.metric === 'http.requests').reduce((n, s) => n + s.sum, 0);
        c.log(
          `shard ${shardName(mode.shard)} of run ${mode.runId} ended (${r.report.verdict === 'aborted' ? 'interrupted' : 'completed'}): ${requests} requests; ` +
            (r.emitErrors.length > 0 ? `${r.emitErrors.length} events did not reach Kafka` : 'every event reached Kafka; rampart collect judges the run'),
        );
        return { report: r.report, exitCode: r.exitCode, outputErrors: [] };
      }
      case 'agents': {
        const broker = mode.kafka.brokers[0] ?? DEFAULT_BROKER;
        if (mode.defaultBroker === true && !(await answers(broker, 1000))) {
          throw new UsageError(
            `--agents needs a Kafka broker and none answers on the default ${broker}: start one there (npm run services -- up) or name one with --output kafka://host:port/topic (or KAFKA_BROKERS)`,
          );
        }
        c.log(`run ${mode.runId}: ${mode.agents} shard processes → kafka ${mode.kafka.brokers.join(',')}/${mode.kafka.topic}, collected here`);
        const r = await runAgents({
          plan: c.plan,
          scenarioFile: c.scenarioFile,
          env: c.env,
          agents: mode.agents,
          kafka: mode.kafka,
          runId: mode.runId,
          seed: mode.seed,
          version: c.version,
          outputs: c.outputs,
          log: c.log,
          onWarning: c.warn,
          signal: ctl.signal,
          lostAfterMs: mode.lostAfterMs,
          ...(c.target !== undefined ? { target: c.target } : {}),
          ...(c.environment !== undefined ? { environment: c.environment } : {}),
          ...(c.noProxy === true ? { noProxy: true } : {}),
          ...(c.scenarioText !== undefined ? { scenarioText: c.scenarioText } : {}),
          ...(c.external !== undefined ? { external: c.external } : {}),
        });
        return { report: r.report, exitCode: r.report.exitCode, outputErrors: r.outputErrors };
      }
    }
  } finally {
    c.signals.off('SIGINT', onInt);
    c.signals.off('SIGTERM', onTerm);
  }
}

/** Whether something accepts a TCP connection on `host:port` within `timeoutMs`. */
function answers(hostPort: string, timeoutMs: number): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect({ host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)), timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
