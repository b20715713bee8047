/**
 * What a run's failures say about its verdict when no threshold judges them: the one rule shared by
 * a single-process run and every merged run (workers, agents, `collect`), fed the run's cumulative
 * snapshot.
 *
 * - No request got an HTTP answer at all → the run fails, whatever its thresholds (a latency
 *   threshold alone would pass on refused requests' few microseconds).
 * - No threshold on `journeys.failed` (any tag filter) → more than `maxFailures.journeys` of the
 *   finished iterations (completed + failed) failing fails the run.
 * - No threshold on `http.errors` (any tag filter) → more than `maxFailures.errors` of the requests
 *   counting in `http.errors` (every class: status, expectation, capture, timeout, refused, reset,
 *   protocol, …) fails the run.
 * - The same bound applies to each other protocol's errors rate (`ws.errors`, `kafka.errors`,
 *   `redis.errors`, …: PROTOCOL_METRICS) that no threshold judges: more than `maxFailures.errors` of
 *   its operations (ws, kafka: step runs; redis: commands) failing fails the run.
 *
 * Requests rampart cut itself (class `aborted`: a signal, a stopping run) say nothing of the target
 * and are left out. Each failing rule gives a warning naming the classes seen and how to accept them.
 */
import { DEFAULT_FAILURE_BOUNDS, type FailureBounds, type ThresholdPlan } from '../plan-types.js';
import type { MetricsSnapshot } from '../../metrics/types.js';
import { METRIC, PROTOCOL_METRICS } from '../../metrics/catalogue.js';

/** What the failure bounds read of a plan. */
export interface JudgedPlan {
  readonly target: string;
  readonly thresholds: readonly Pick<ThresholdPlan, 'metric'>[];
  readonly maxFailures?: FailureBounds;
}

/** The rule's answer: whether the failures fail the run, and why (one warning per failing rule). */
export interface FailureJudgement {
  readonly failed: boolean;
  readonly warnings: readonly string[];
}

/** What the rule reads of a run's snapshot. */
export interface FailureCounts {
  /** Requests sent, and those that got an HTTP answer (any status). */
  readonly sent: number;
  readonly answered: number;
  /** Samples of `http.errors`, and the true ones by error class. */
  readonly errorSamples: number;
  readonly errorsByClass: ReadonlyMap<string, number>;
  readonly journeysCompleted: number;
  readonly journeysFailed: number;
  /** Per protocol errors rate (`ws.errors`, `kafka.errors`, …): samples, and the true ones by error class. */
  readonly protocols: ReadonlyMap<string, { samples: number; byClass: Map<string, number> }>;
}

/**
 * How many requests were sent and how many got an HTTP answer (any status), from a snapshot's
 * `http.requests` series (a request with no answer is tagged `status: "0"`).
 */
export function requestsAnswered(snapshot: MetricsSnapshot): { sent: number; answered: number } {
  const c = failureCounts(snapshot);
  return { sent: c.sent, answered: c.answered };
}

/** The counts of {@link judgeFailures}, in one pass over the snapshot's series. */
export function failureCounts(snapshot: MetricsSnapshot): FailureCounts {
  let sent = 0;
  let answered = 0;
  let errorSamples = 0;
  let journeysCompleted = 0;
  let journeysFailed = 0;
  const errorsByClass = new Map<string, number>();
  const protocols = new Map<string, { samples: number; byClass: Map<string, number> }>();
  const protocolErrors = new Set(PROTOCOL_METRICS.map((p) => p.errors));
  for (const s of snapshot.series) {
    const cls = s.tags['error'];
    if (cls === 'aborted') continue;
    if (protocolErrors.has(s.metric)) {
      let p = protocols.get(s.metric);
      if (p === undefined) protocols.set(s.metric, (p = { samples: 0, byClass: new Map() }));
      p.samples += s.count;
      if (s.sum > 0) p.byClass.set(cls ?? 'unknown', (p.byClass.get(cls ?? 'unknown') ?? 0) + s.sum);
      continue;
    }
    switch (s.metric) {
      case METRIC.httpRequests:
        sent += s.sum;
        if (s.tags['status'] !== '0') answered += s.sum;
        break;
      case METRIC.httpErrors:
        errorSamples += s.count;
        if (s.sum > 0) errorsByClass.set(cls ?? 'unknown', (errorsByClass.get(cls ?? 'unknown') ?? 0) + s.sum);
        break;
      case METRIC.journeysCompleted:
        journeysCompleted += s.sum;
        break;
      case METRIC.journeysFailed:
        journeysFailed += s.sum;
        break;
    }
  }
  return { sent, answered, errorSamples, errorsByClass, journeysCompleted, journeysFailed, protocols };
}

/** Judges a finished run's failures; see the module comment for the rule. */
export function judgeFailures(plan: JudgedPlan, snapshot: MetricsSnapshot): FailureJudgement {
  const c = failureCounts(snapshot);
  const bounds = plan.maxFailures ?? DEFAULT_FAILURE_BOUNDS;
  const judged = (metric: string): boolean => plan.thresholds.some((t) => t.metric === metric);
  const warnings: string[] = [];
  const classes = [...c.errorsByClass].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  const seen = classes === '' ? '' : ` (${classes})`;

  if (c.sent > 0 && c.answered === 0) {
    warnings.push(`no request got an HTTP answer from ${plan.target} (${c.sent} sent, none answered${classes === '' ? '' : `: ${classes}`}): a run that reached nothing cannot pass`);
  }
  const finished = c.journeysCompleted + c.journeysFailed;
  if (!judged(METRIC.journeysFailed) && finished > 0 && c.journeysFailed / finished > bounds.journeys) {
    warnings.push(
      `${c.journeysFailed} of ${finished} journey iterations failed (${pct(c.journeysFailed / finished)}${classes === '' ? '' : `; http.errors by class: ${classes}`}), ` +
        `more than maxFailures.journeys ${pct(bounds.journeys)}: the run fails. To accept it, judge it with a threshold on journeys.failed ` +
        `(e.g. "journeys.failed": ["count <= ${c.journeysFailed}"]) or raise maxFailures.journeys`,
    );
  }
  const errors = sumOf(c.errorsByClass);
  if (!judged(METRIC.httpErrors) && c.errorSamples > 0 && errors / c.errorSamples > bounds.errors) {
    warnings.push(
      `${errors} of ${c.errorSamples} requests failed${seen} (${pct(errors / c.errorSamples)}), more than maxFailures.errors ${pct(bounds.errors)}: the run fails. ` +
        `To accept it, judge it with a threshold on http.errors (e.g. http.errors: ["rate <= ${Math.ceil((errors / c.errorSamples) * 1000) / 10}%"]) or raise maxFailures.errors`,
    );
  }
  for (const [metric, p] of c.protocols) {
    const failed = sumOf(p.byClass);
    if (judged(metric) || p.samples === 0 || failed / p.samples <= bounds.errors) continue;
    const by = [...p.byClass].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    warnings.push(
      `${failed} of ${p.samples} ${metric.split('.')[0]} operations failed (${by}; ${pct(failed / p.samples)}), more than maxFailures.errors ${pct(bounds.errors)}: the run fails. ` +
        `To accept it, judge it with a threshold on ${metric} (e.g. ${metric}: ["rate <= ${Math.ceil((failed / p.samples) * 1000) / 10}%"]) or raise maxFailures.errors`,
    );
  }
  return { failed: warnings.length > 0, warnings };
}

function sumOf(m: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

function pct(f: number): string {
  return `${Math.round(f * 1000) / 10}%`;
}
