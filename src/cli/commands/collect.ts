import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo } from '../io.js';
import { shownPath, shownProblems } from '../paths.js';
import { gatedExitCode } from '../../thresholds/judge/verdict.js';
import { stopWithParent } from '../signals.js';
import { EngineError, RampartError, ScenarioError, UsageError, formatProblem } from '../../errors.js';
import { loadScenario } from '../../scenario/index.js';
import { createRedactor, headerCredentials } from '../../report/redact.js';
import { assertWritable } from '../../report/atomic-write.js';
import { jsonOutput } from '../../report/json-output.js';
import { summaryOutput } from '../../report/console-summary.js';
import { liveOutput } from '../../report/live-output.js';
import { fileOutput, parseReportTargets } from '../../report/registry.js';
import type { Output } from '../../report/model.js';
import { collectRun } from '../../distributed/collector.js';
import { createPrometheusGate } from '../../thresholds/prometheus.js';
import { DEFAULT_TOPIC, parseBrokers, parseKafkaUrl, type KafkaTarget } from '../../distributed/kafka.js';
import { checkRunId } from '../../distributed/identity.js';
import { VERSION } from '../../version.js';
import { parseEnvFlags } from './run.js';
import { EXIT, signalExitCode } from '../../exit-codes.js';

export interface CollectFlags {
  readonly brokers?: string;
  readonly topic?: string;
  readonly from?: string;
  readonly run?: string;
  readonly shards?: string;
  readonly scenario?: string;
  readonly out?: string;
  readonly report: string[];
  readonly env: string[];
  readonly environment?: string;
  readonly lostAfter?: string;
  readonly wait?: string;
  readonly quiet?: boolean;
}

function whole(flag: string, v: string | undefined, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} expects a whole number from 1 to ${max}, got "${v}"`);
  return n;
}

function kafkaOf(flags: CollectFlags, env: Readonly<Record<string, string | undefined>>): KafkaTarget {
  if (flags.from !== undefined) {
    if (flags.brokers !== undefined || flags.topic !== undefined) throw new UsageError('--from kafka://… already names the brokers and the topic');
    return parseKafkaUrl(flags.from);
  }
  const list = flags.brokers ?? env.KAFKA_BROKERS;
  if (list === undefined || list === '') throw new UsageError('--brokers host:port[,host:port] is required (or --from kafka://host:port/topic, or KAFKA_BROKERS)');
  const topic = flags.topic ?? DEFAULT_TOPIC;
  return { brokers: parseBrokers(list), topic };
}

/** `rampart collect`: merges a distributed run from Kafka, judges it, writes the reports, returns the exit code. */
export async function collectCommand(flags: CollectFlags, io: CliIo): Promise<number> {
  const err = (s: string): void => void io.stderr.write(s);
  try {
    if (flags.run === undefined) throw new UsageError('--run <id> is required: the run id the shards printed (or were given with --run-id)');
    const runId = checkRunId(flags.run, '--run');
    const shards = whole('--shards', flags.shards, 10_000);
    if (shards === undefined) throw new UsageError('--shards <N> is required: how many shards make the run');
    if (flags.scenario === undefined) throw new UsageError('--scenario <file> is required: its thresholds judge the run');
    const lostAfterMs = (whole('--lost-after', flags.lostAfter, 3600) ?? 5) * 1000;
    const waitMs = (whole('--wait', flags.wait, 86_400) ?? 60) * 1000;
    const kafka = kafkaOf(flags, io.env);
    const targets = parseReportTargets(flags.report);
    const env = { ...io.env, ...parseEnvFlags(flags.env) };
    const path = resolve(io.cwd, flags.scenario);
    const plan = await loadScenario(path, { env, ...(flags.environment !== undefined ? { environment: flags.environment } : {}) });
    const outPath = flags.out !== undefined ? resolve(io.cwd, flags.out) : undefined;
    const files = targets.map((t) => ({ ...t, path: resolve(io.cwd, t.path) }));
    for (const p of [outPath, ...files.map((f) => f.path)]) if (p !== undefined) await assertWritable(p);
    const text = await readFile(path, 'utf8').catch(() => undefined);

    const redactor = createRedactor([...plan.secrets, ...headerCredentials(plan)]);
    const prom = plan.prometheus;
    const stderrTty = (io.stderr as { isTTY?: boolean }).isTTY === true;
    const outputs: Output[] = [];
    if (flags.quiet !== true) outputs.push(liveOutput((s) => void io.stderr.write(s), redactor, { tty: stderrTty, columns: (io.stderr as { columns?: number }).columns ?? 120 }));
    if (outPath !== undefined) outputs.push(jsonOutput(outPath, redactor));
    for (const f of files) outputs.push(fileOutput(f, redactor));
    outputs.push(summaryOutput((s) => void io.stdout.write(s), redactor, { color: io.stdout.isTTY === true }));

    const ctl = new AbortController();
    const onInt = (): void => ctl.abort('SIGINT');
    const onTerm = (): void => ctl.abort('SIGTERM');
    io.signals.on('SIGINT', onInt);
    io.signals.on('SIGTERM', onTerm);
    // Started through npx, a SIGTERM to npx would leave the collector running (src/cli/signals.ts).
    const unwatch = stopWithParent(io);
    if (flags.quiet !== true) err(`collecting run ${runId} (${shards} shards) from kafka ${kafka.brokers.join(',')}/${kafka.topic}\n`);
    try {
      const res = await collectRun({
        plan,
        kafka,
        runId,
        shards,
        outputs,
        version: VERSION,
        lostAfterMs,
        firstEventWithinMs: waitMs,
        signal: ctl.signal,
        onWarning: (m) => err(`warning: ${redactor.text(m)}\n`),
        log: (line) => err(`${redactor.text(line)}\n`),
        ...(text !== undefined ? { scenarioText: text } : {}),
        // The shards do not judge: the scenario's Prometheus thresholds are queried here, over the run's window.
        ...(prom !== undefined ? { external: (warn: (m: string) => void) => createPrometheusGate(prom, { warn }) } : {}),
      });
      if (res.outputErrors.length > 0) {
        err(`rampart collect: a report could not be written: ${res.outputErrors.map((e) => e.message).join('; ')}\n`);
        return gatedExitCode(res.report.exitCode, { reportFailed: true });
      }
      if (ctl.signal.aborted) return signalExitCode(ctl.signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
      return res.report.exitCode;
    } finally {
      unwatch();
      io.signals.off('SIGINT', onInt);
      io.signals.off('SIGTERM', onTerm);
    }
  } catch (e) {
    if (e instanceof ScenarioError) {
      for (const p of shownProblems(e.problems, io.cwd)) err(`${formatProblem(p)}\n`);
      err(`${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} in ${flags.scenario !== undefined ? shownPath(flags.scenario, io.cwd) : 'the scenario'}\n`);
      return EXIT.INVALID;
    }
    if (e instanceof UsageError) {
      err(`rampart collect: ${e.message}\n`);
      return EXIT.INVALID;
    }
    if (e instanceof RampartError) {
      err(`rampart collect: ${e.message} [${e.code}]\n`);
      return e instanceof EngineError ? EXIT.ENGINE : EXIT.INVALID;
    }
    // kafkajs failures (broker unreachable) and other environment errors.
    err(`rampart collect: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.ENGINE;
  }
}
