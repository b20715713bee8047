import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo } from '../io.js';
import { shownPath, shownProblems } from '../paths.js';
import { EngineError, RampartError, ScenarioError, UsageError, formatProblem } from '../../errors.js';
import { loadScenario } from '../../scenario/index.js';
import { createRegistry } from '../../metrics/index.js';
import { Run } from '../../engine/run.js';
import { createRunCollaborators } from '../../engine/wire.js';
import { createRedactor, headerCredentials } from '../../report/redact.js';
import { assertWritable } from '../../report/atomic-write.js';
import { jsonOutput } from '../../report/json-output.js';
import { summaryOutput } from '../../report/console-summary.js';
import { liveOutput } from '../../report/live-output.js';
import type { Output } from '../../report/model.js';
import { VERSION } from '../../version.js';
import { prepareRunReports, type RunReportFlags, type RunReports } from './report.js';
import { createPrometheusGate } from '../../thresholds/prometheus.js';
import { gatedExitCode } from '../../thresholds/judge/verdict.js';
import { runScaleOut, scaleOutMode, type ScaleOutFlags, type ScaleOutMode } from '../../distributed/scale-out.js';
import { interruptions, stopWithParent } from '../signals.js';
import { EXIT } from '../../exit-codes.js';

export interface RunFlags extends ScaleOutFlags, RunReportFlags {
  readonly target?: string;
  readonly out?: string;
  readonly env: string[];
  readonly quiet?: boolean;
  readonly seed?: string;
  readonly environment?: string;
  /** false with `--no-proxy`. */
  readonly proxy?: boolean;
}

/** `KEY=VALUE` pairs of --env, over nothing (the caller layers them over the process env). */
export function parseEnvFlags(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env expects KEY=VALUE, got "${p}"`);
    const key = p.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`--env: "${key}" is not a variable name (letters, digits, _)`);
    out[key] = p.slice(eq + 1);
  }
  return out;
}

function checkTarget(target: string | undefined): void {
  if (target === undefined) return;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`--target must be an absolute http(s) URL, got "${target}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--target must be an http(s) URL, got "${target}"`);
}

/** `rampart run <scenario.yaml>`: runs a scenario, prints the summary, writes --out, returns the exit code. */
export async function runCommand(file: string, flags: RunFlags, io: CliIo): Promise<number> {
  const err = (s: string): void => void io.stderr.write(s);
  let seed: number | undefined;
  try {
    checkTarget(flags.target);
    if (flags.seed !== undefined) {
      seed = Number(flags.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed expects a non-negative integer, got "${flags.seed}"`);
    }
    const env = { ...io.env, ...parseEnvFlags(flags.env) };
    const path = resolve(io.cwd, file);
    const plan = await loadScenario(path, {
      env,
      ...(flags.target !== undefined ? { target: flags.target } : {}),
      ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
      ...(flags.proxy === false ? { noProxy: true } : {}),
    });
    const outPath = flags.out !== undefined ? resolve(io.cwd, flags.out) : undefined;
    // An unwritable report path is an engine error found BEFORE any load is sent.
    if (outPath !== undefined) await assertWritable(outPath);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    // --workers / --shard / --agents (src/distributed/scale-out.ts); undefined: this process runs the load.
    const scale = scaleOutMode(flags, plan, { env: io.env, now: Date.now(), ...(seed !== undefined ? { seed } : {}) });
    const where = { file: path, env, ...(flags.target !== undefined ? { target: flags.target } : {}), ...(flags.environment !== undefined ? { environment: flags.environment } : {}), ...(flags.proxy === false ? { noProxy: true } : {}) };
    // --report, --baseline, --prometheus, --pushgateway (src/cli/commands/report.ts), checked before any load.
    const reports = await prepareRunReports(flags, io);
    try {
      return await execute(plan, { outPath, quiet: flags.quiet === true, seed, text, scale, where, reports }, io);
    } finally {
      await reports.close();
    }
  } catch (e) {
    if (e instanceof ScenarioError) {
      for (const p of shownProblems(e.problems, io.cwd)) err(`${formatProblem(p)}\n`);
      err(`${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} in ${shownPath(file, io.cwd)}: nothing was sent\n`);
      return EXIT.INVALID;
    }
    if (e instanceof UsageError) {
      err(`rampart run: ${e.message}\n`);
      return EXIT.INVALID;
    }
    if (e instanceof RampartError) {
      err(`rampart run: ${e.message} [${e.code}]\n`);
      return e instanceof EngineError ? EXIT.ENGINE : EXIT.INVALID;
    }
    err(`rampart run: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.ENGINE;
  }
}

interface ExecuteOptions {
  outPath: string | undefined;
  quiet: boolean;
  seed: number | undefined;
  text: string | undefined;
  scale?: ScaleOutMode | undefined;
  where?: { file: string; env: Readonly<Record<string, string | undefined>>; target?: string; environment?: string; noProxy?: boolean };
  reports: RunReports;
}

async function execute(plan: Awaited<ReturnType<typeof loadScenario>>, o: ExecuteOptions, io: CliIo): Promise<number> {
  // Declared secrets and credentials written into sensitive headers are hidden from every output.
  const redactor = createRedactor([...plan.secrets, ...headerCredentials(plan)]);
  const stderrTty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  // A log line first clears the live progress line (a TTY), which the next interval redraws.
  const clear = stderrTty && !o.quiet ? '\r\x1b[2K' : '';
  const warnTo: { run?: Run } = {};
  const pending: string[] = [];
  const registry = createRegistry({
    // Printed by the Run as it records them (below), once each.
    onWarning: (m) => {
      if (warnTo.run) warnTo.run.addWarning(m);
      else pending.push(m);
    },
  });
  const collab = createRunCollaborators(plan, {
    sink: registry,
    log: (line) => void io.stderr.write(`${clear}${redactor.text(line)}\n`),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(io.ownProcess !== undefined ? { ownProcess: io.ownProcess } : {}),
  });
  const outputs: Output[] = [];
  if (!o.quiet) {
    outputs.push(liveOutput((s) => void io.stderr.write(s), redactor, { tty: stderrTty, columns: (io.stderr as { columns?: number }).columns ?? 120 }));
  }
  const json = o.outPath !== undefined ? jsonOutput(o.outPath, redactor) : undefined;
  if (json) outputs.push(json);
  outputs.push(...o.reports.outputs(redactor));
  outputs.push(summaryOutput((s) => void io.stdout.write(s), redactor, { color: io.stdout.isTTY === true }));

  if (o.scale !== undefined && o.where !== undefined) {
    // Scaled out: workers, agents or a collector merge the run; this process's registry stays unused.
    await collab.close().catch(() => undefined);
    registry.dispose();
    return executeScaledOut(plan, { ...o, scale: o.scale, where: o.where }, outputs, (line, prefix = '') => `${clear}${prefix}${redactor.text(line)}`, io);
  }

  const run = new Run({
    plan,
    registry,
    createVu: collab.createVu,
    pacer: collab.pacer,
    ...(collab.warmUp !== undefined ? { warmUp: collab.warmUp } : {}),
    prepare: collab.prepare,
    stopWhen: () => {
      const feed = collab.exhausted();
      return feed !== undefined ? `data feed ${feed} has no unique row left` : undefined;
    },
    outputs,
    version: VERSION,
    // Every warning is said live on stderr as it happens (a generator falling behind, a failed hook, …).
    onWarning: (m) => void io.stderr.write(`${clear}warning: ${redactor.text(m)}\n`),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.text !== undefined ? { scenarioText: o.text } : {}),
    ...(plan.prometheus !== undefined ? { external: createPrometheusGate(plan.prometheus, { warn: (m) => warnTo.run?.addWarning(m) }) } : {}),
  });

  warnTo.run = run;
  for (const m of pending) run.addWarning(m);

  // First signal: stop the load, write the partial report. Second: leave at once.
  const signals = interruptions(io, (sig) => run.abort(sig));
  const unwatch = stopWithParent(io);
  const cleanup = async (): Promise<void> => {
    signals.stop();
    unwatch();
    await collab.close().catch(() => undefined);
    registry.dispose();
  };
  const finished = run.start().then((report) => {
    if (json && run.outputErrors.length > 0) {
      io.stderr.write(`rampart run: the report could not be written: ${run.outputErrors.map((e) => e.message).join('; ')}\n`);
      return gatedExitCode(report.exitCode, { reportFailed: true });
    }
    return o.reports.finish(report, report.exitCode);
  });
  let outcome: { code: number; done: boolean };
  try {
    outcome = await Promise.race([finished.then((code) => ({ code, done: true })), signals.leave.then((code) => ({ code, done: false }))]);
  } catch (e) {
    await cleanup();
    throw e instanceof RampartError ? e : new EngineError(`the run failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  // Left at once on a second signal: the run winds down (cut) in the background, then cleans up.
  if (outcome.done) await cleanup();
  else void finished.then(cleanup, cleanup);
  return outcome.code;
}

/** `--workers`, `--shard` or `--agents`: the scale-out layer runs and merges the load; this returns the exit code. */
async function executeScaledOut(
  plan: Awaited<ReturnType<typeof loadScenario>>,
  o: ExecuteOptions & { scale: ScaleOutMode; where: NonNullable<ExecuteOptions['where']> },
  outputs: readonly Output[],
  /** A line as stderr shows it: after clearing the live line, `prefix` then the line redacted. */
  shown: (line: string, prefix?: string) => string,
  io: CliIo,
): Promise<number> {
  const prom = plan.prometheus;
  // runScaleOut stops the load on the first signal; said here as for one process, and a second leaves.
  const signals = interruptions(io, () => undefined);
  const unwatch = stopWithParent(io);
  const scaled = runScaleOut(o.scale, {
    plan,
    outputs,
    // A shard prints its live line and writes its own --out; the collector judges and summarizes.
    shardOutputs: outputs.filter((x) => x.name !== 'summary'),
    version: VERSION,
    scenarioFile: o.where.file,
    env: o.where.env,
    ...(o.where.target !== undefined ? { target: o.where.target } : {}),
    ...(o.where.environment !== undefined ? { environment: o.where.environment } : {}),
    ...(o.where.noProxy === true ? { noProxy: true } : {}),
    ...(io.ownProcess !== undefined ? { ownProcess: io.ownProcess } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.text !== undefined ? { scenarioText: o.text } : {}),
    log: (line) => void io.stderr.write(`${shown(line)}\n`),
    warn: (m) => void io.stderr.write(`${shown(m, 'warning: ')}\n`),
    signals: io.signals,
    // Prometheus thresholds are judged where the run is merged (a --shard leaves them to collect).
    ...(prom !== undefined && o.scale.kind !== 'shard' ? { external: (warn: (m: string) => void) => createPrometheusGate(prom, { warn }) } : {}),
  });
  let res: Awaited<typeof scaled>;
  try {
    const r = await Promise.race([scaled, signals.leave]);
    if (typeof r === 'number') {
      // Left at once: the shards wind down (or die with this process) in the background.
      void scaled.catch(() => undefined);
      return r;
    }
    res = r;
  } finally {
    signals.stop();
    unwatch();
  }
  if (res.outputErrors.length > 0) {
    io.stderr.write(`rampart run: a report could not be written: ${res.outputErrors.map((e) => e.message).join('; ')}\n`);
    return gatedExitCode(res.exitCode, { reportFailed: true });
  }
  return o.reports.finish(res.report, res.exitCode);
}
