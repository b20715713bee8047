/**
 * A Run's report: at the end, or (provisional) an aborted run's before its teardown. The judge
 * decides the thresholds, verdict and exit code from the run's cumulative snapshot and how it
 * ended; this adds the generator's health, the phases and the timeline.
 */
import { cpus, hostname } from 'node:os';
import type { Plan } from '../scenario/plan.js';
import type { HeldBackReport, PhaseReport, Report, WarmUpReport } from '../report/model.js';
import { buildReport } from '../report/build-report.js';
import { fmtCounted } from '../report/format.js';
import type { Judge, RunEnd } from '../thresholds/judge/judge.js';
import type { JourneyTracker } from './context.js';
import { droppedWarning, droppedWhileBusy, generatorHealth, overloadWarnings } from './health.js';
import type { LagStats } from './lag-monitor.js';
import type { PhaseEntry } from './run-blocks.js';
import type { Intervals } from './run-intervals.js';
import type { Clock, RunRegistry } from './types.js';
import { selectSeries, summarize } from '../metrics/summary.js';
import { METRIC } from '../metrics/catalogue.js';
import { KEEP_ALIVE_TIMEOUT_MS } from '../http/dispatchers.js';
import type { MetricsSnapshot } from '../metrics/types.js';

/** What a Run's report is made of. */
export interface RunReportParts {
  readonly plan: Plan;
  readonly version: string;
  readonly runId: string;
  readonly startedAt: number;
  readonly clock: Clock;
  readonly registry: RunRegistry;
  readonly tracker: JourneyTracker;
  readonly lag: { stop(): LagStats; peek(): LagStats };
  readonly judge: Judge;
  readonly intervals: Intervals;
  readonly phases: readonly PhaseEntry[];
  /** The warnings said so far, and where a new one is said. */
  readonly warnings: readonly string[];
  readonly warn: (message: string) => void;
  /** How the run ended besides its metrics: stopped early, a failed setup. */
  readonly ending: () => Pick<RunEnd, 'stopped' | 'setupFailed'>;
  /** The warm-up's report, when the run warmed up. */
  readonly warmUp: () => WarmUpReport | undefined;
  /** What the limit on requests in flight held back, when the run has one. */
  readonly heldBack?: () => HeldBackReport;
  readonly scenarioText?: string;
}

/**
 * The report as of now. `provisional`: an aborted run's before its teardown — Prometheus is not
 * asked (its answer could be as slow as the teardown), and its warnings are said live once, at the end.
 */
export async function runReport(p: RunReportParts, provisional: boolean): Promise<Report> {
  const extra: string[] = [];
  const warn = (m: string): void => {
    if (!provisional) p.warn(m);
    else if (!p.warnings.includes(m) && !extra.includes(m)) extra.push(m);
  };
  const { tracker } = p;
  p.intervals.tick(true);
  const lagStats = provisional ? p.lag.peek() : p.lag.stop();
  const endedAt = p.clock.now();

  if (tracker.errors > 0) warn(`${tracker.errors} journey iterations ended with an internal error`);
  const cumulative = p.registry.cumulative();
  const ending = p.ending();
  const judged = await p.judge.final({ cumulative, startMs: p.startedAt, endMs: endedAt, external: !provisional, ...ending });
  for (const w of judged.warnings) warn(w);
  const busyDropped = droppedWhileBusy(p.intervals.timeline);
  const generator = generatorHealth(lagStats, tracker, p.warmUp(), p.heldBack?.(), busyDropped);
  for (const w of overloadWarnings(generator, tracker, busyDropped)) warn(w);
  if (tracker.dropped > 0) warn(droppedWarning(tracker.dropped, busyDropped));
  const waited = connectionWait(cumulative);
  if (waited !== undefined) warn(waited);
  const resent = resentWarning(cumulative);
  if (resent !== undefined) warn(resent);

  return buildReport({
    plan: p.plan,
    version: p.version,
    runId: p.runId,
    startedAt: p.startedAt,
    endedAt,
    verdict: judged.verdict,
    exitCode: judged.exitCode,
    ...(judged.abortReason !== undefined ? { abortReason: judged.abortReason } : {}),
    cumulative,
    thresholds: judged.thresholds,
    phases: p.phases.map((ph): PhaseReport => ({ name: ph.name, startOffsetMs: ph.startOffsetMs, endOffsetMs: ph.endOffsetMs ?? ph.startOffsetMs })),
    // A copy: the teardown's seconds go on after the report before it.
    timeline: [...p.intervals.timeline],
    generator,
    warnings: [...p.warnings, ...extra],
    environment: { node: process.version, platform: `${process.platform}-${process.arch}`, host: hostname(), cpus: cpus().length },
    ...(p.scenarioText !== undefined ? { scenarioText: p.scenarioText } : {}),
  });
}

/** Below this, a p95 wait for a connection is not worth a warning (ms). */
const WAIT_WARN_MS = 10;
/**
 * Below this many requests, a p95 is one or two requests' wait: in a run without the warm-up, the
 * first one's, which also waited for cold code (undici compiles its HTTP parser on the first
 * connection). Such a run is warned only when its median request waited too.
 */
const FEW_REQUESTS = 60;

/**
 * A warning when requests waited for a connection longer than the service took to answer them
 * (p95 against p95), so that `http.latency` leaves out a wait a user would have had. Two causes,
 * told apart by `http.connect` (the requests that opened a connection, and how long that took):
 * - the waits are connections being opened: at least 5 % of the requests opened one (enough to
 *   make the p95) and opening took at least half the p95 wait. Each VU opens its own with
 *   `connectionPolicy: per-vu`, each request with `keepAlive: false`, a run's first requests without
 *   the warm-up; more connections would not help, and saying so would mislead;
 * - otherwise every `http.connections` was busy (a queue), or the generator was short of CPU.
 * With fewer than {@link FEW_REQUESTS} requests, the median wait must be over the median answer too.
 */
export function connectionWait(s: MetricsSnapshot): string | undefined {
  const blocked = summarize(selectSeries(s, METRIC.httpBlocked, {}), 0);
  const latency = summarize(selectSeries(s, METRIC.httpLatency, {}), 0);
  if (!(blocked.count > 0 && blocked.p95 > WAIT_WARN_MS && blocked.p95 > latency.p95)) return undefined;
  if (blocked.count < FEW_REQUESTS && !(blocked.p50 > WAIT_WARN_MS && blocked.p50 > latency.p50)) return undefined;
  const waits = `http.blocked p95 ${blocked.p95.toFixed(1)} ms, http.latency p95 ${latency.p95.toFixed(1)} ms`;
  const connect = summarize(selectSeries(s, METRIC.httpConnect, {}), 0);
  if (connect.count >= blocked.count * 0.05 && connect.p95 >= blocked.p95 / 2) {
    return (
      `requests waited for a connection longer than the service took to answer (${waits}), much of it opening one: ` +
      `${fmtCounted(connect.count, 'request')} of ${blocked.count} opened a connection (http.connect p95 ${connect.p95.toFixed(1)} ms). ` +
      'Each VU opens its own with connectionPolicy: per-vu, each request with keepAlive: false, the first requests without the warm-up; ' +
      'raising http.connections does not shorten it'
    );
  }
  return (
    `requests waited for a free connection longer than the service took to answer (${waits}): every http.connections was busy, or the generator was short of CPU; ` +
    'raise http.connections, and read http.latency_scheduled (open model) for what a user arriving on time waited'
  );
}

/** From this share of the requests on, requests written again (http.resent) are worth a warning. */
const RESENT_WARN_SHARE = 0.01;

/**
 * A warning when at least 1 % of the requests were written again because the server closed the
 * kept-alive connection under them (see `http.resent`): the server closes idle connections sooner
 * than the client keeps them (its own idle time, or the server's `Keep-Alive: timeout`), or it was
 * restarting. Each such request paid for a new connection, and a POST among them failed as `reset`.
 */
export function resentWarning(s: MetricsSnapshot): string | undefined {
  const resent = summarize(selectSeries(s, METRIC.httpResent, {}), 0).sum;
  const requests = summarize(selectSeries(s, METRIC.httpRequests, {}), 0).sum;
  if (resent === 0 || resent < requests * RESENT_WARN_SHARE) return undefined;
  return (
    `${fmtCounted(resent, 'request')} (${((100 * resent) / requests).toFixed(1)} % of ${requests}) had to be written again on a new connection: ` +
    'the server closed the kept-alive connection under them before answering (http.resent). It closes idle connections sooner than rampart keeps them ' +
    `(${KEEP_ALIVE_TIMEOUT_MS / 1000} s, or less when the server's Keep-Alive: timeout header says so), or it was restarting. ` +
    'Idempotent requests were sent again (their latency includes it), other methods fail as reset: lengthen the server\'s keep-alive timeout, or have it send that header'
  );
}
