/**
 * The report of a merged run (worker threads, `--agents`, `rampart collect`): the shards' metrics
 * merged, fed to the judge with how the shards ended (stopped by a signal or short of memory, a
 * failed setup, lost), and one Report with one verdict and exit code.
 */
import { EXIT, interruptedBy } from '../exit-codes.js';
import { cpus, hostname } from 'node:os';
import type { Plan } from '../scenario/plan.js';
import type { Report } from '../report/model.js';
import type { MetricsSnapshot } from '../metrics/types.js';
import { buildReport } from '../report/build-report.js';
import type { Judge, RunEnd } from '../thresholds/judge/judge.js';
import { shardName, type EndEvent } from './protocol.js';
import { mergedCumulative, mergedSecond, mergeHealth, pointOf, type ShardState } from './shards.js';

export interface MergedReportParts {
  readonly plan: Plan;
  readonly runId: string;
  readonly version: string;
  readonly scenarioText?: string;
  readonly shards: readonly ShardState[];
  readonly judge: Judge;
  /** When the aggregator was created, and now (epoch ms): the window of a run that sent nothing. */
  readonly createdAt: number;
  readonly now: number;
  /** Why each lost shard was lost, by index. */
  readonly lostWhy: ReadonlyMap<number, string>;
  readonly lostAfterMs: number;
  /** The warnings said so far; `say` says one (or only keeps it, for a shard's own warnings already said). */
  readonly warnings: string[];
  readonly warn: (message: string) => void;
  readonly shardWarningsSaid: boolean;
  /** Starts the outputs (with what the shards said of the run, or this window) before the report. */
  readonly startOutputs: (startedAt: number) => Promise<void>;
}

/** How the shards ended, as the judge is told it. */
function shardEnding(ends: readonly EndEvent[], lost: readonly ShardState[], p: MergedReportParts): Pick<RunEnd, 'stopped' | 'setupFailed' | 'lost'> {
  const byReason = ends.find((e) => interruptedBy(e.exitCode) !== undefined);
  const aborted = ends.find((e) => e.verdict === 'aborted');
  const setupFailed = ends.find((e) => e.abortReason?.startsWith('setup failed') === true);
  // A shard whose Run stopped itself short of memory ended aborted with exit 3: so does the merged run.
  const shortOfMemory = ends.some((e) => e.verdict === 'aborted' && e.exitCode === EXIT.ENGINE);
  const by = byReason ? interruptedBy(byReason.exitCode) : shortOfMemory ? 'memory' : undefined;
  const names = lost.map((s) => `shard ${shardName(s.id)}${s.host ? ` (${s.host})` : ''} (${p.lostWhy.get(s.id.index) ?? `no heartbeat for ${p.lostAfterMs / 1000} s`})`).join(', ');
  return {
    ...(aborted !== undefined ? { stopped: { ...(aborted.abortReason !== undefined ? { reason: aborted.abortReason } : {}), ...(by !== undefined ? { by } : {}) } } : {}),
    ...(setupFailed?.abortReason !== undefined ? { setupFailed: setupFailed.abortReason } : {}),
    ...(lost.length > 0 ? { lost: `lost ${names}: what every shard sent is merged` } : {}),
  };
}

/** Merges everything, has the judge judge it, and builds the Report (the outputs are the caller's). */
export async function mergedReport(p: MergedReportParts): Promise<Report> {
  const { shards } = p;
  const cumulative: MetricsSnapshot = mergedCumulative(shards) ?? { startMs: p.createdAt, endMs: p.now, series: [] };
  const ends = shards.map((s) => s.end).filter((e): e is EndEvent => e !== undefined);
  const startedAt = Math.min(...shards.map((s) => s.end?.startedAt ?? s.startedAt ?? Infinity), cumulative.startMs);
  const endedAt = Math.max(...ends.map((e) => e.endedAt), cumulative.endMs);
  await p.startOutputs(startedAt);
  const seqs = [...new Set(shards.flatMap((s) => [...s.intervals.keys()]))].sort((a, b) => a - b);
  const timeline = seqs.map((q) => pointOf(shards, q, mergedSecond(shards, q) as MetricsSnapshot));
  for (const e of ends) {
    for (const w of e.warnings) {
      const m = `shard ${shardName(e.shard)}: ${w}`;
      if (!p.shardWarningsSaid) p.warn(m);
      else if (!p.warnings.includes(m)) p.warnings.push(m);
    }
  }
  await p.judge.stop();
  const ending = shardEnding(ends, shards.filter((s) => s.lost), p);
  const judged = await p.judge.final({ cumulative, startMs: startedAt, endMs: endedAt, ...ending });
  for (const w of judged.warnings) p.warn(w);
  return buildReport({
    plan: p.plan,
    version: p.version,
    runId: p.runId,
    startedAt,
    endedAt,
    verdict: judged.verdict,
    exitCode: judged.exitCode,
    ...(judged.abortReason !== undefined ? { abortReason: judged.abortReason } : {}),
    cumulative,
    thresholds: judged.thresholds,
    phases: (ends.find((e) => e.shard.index === 0) ?? ends[0])?.phases ?? [],
    timeline,
    generator: mergeHealth(ends.map((e) => e.generator)),
    warnings: [...p.warnings],
    environment: { node: process.version, platform: `${process.platform}-${process.arch}`, host: hostname(), cpus: cpus().length, workers: shards.length },
    ...(p.scenarioText !== undefined ? { scenarioText: p.scenarioText } : {}),
  });
}
