/**
 * Thresholds on server-side signals: PromQL queries against a Prometheus, judged like every other
 * threshold (same ThresholdResult, same verdict and exit codes). At the end of the run each query is
 * evaluated once over the run's window; abortOnFail ones are also evaluated live every
 * `intervalMs` and can stop the run. A query without data fails; an unreachable Prometheus or a
 * rejected query throws an EngineError (exit 3), never a pass.
 */
import type { PrometheusPlan, PrometheusThresholdPlan } from './plan-types.js';
import type { ThresholdResult } from './judge/types.js';
import { compare } from './evaluate.js';
import type { AbortRequest } from './judge/types.js';
import { queryInstant, substituteWindow, type PromSample } from './prometheus-query.js';

/** The metric name Prometheus thresholds carry in reports. */
export const PROMETHEUS_METRIC = 'prometheus';

function labelText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return parts.length === 0 ? 'the value' : `{${parts.join(', ')}}`;
}

/** Judges one threshold on the series a query returned (pure). Every series must pass. */
export function judgePrometheus(t: PrometheusThresholdPlan, samples: readonly PromSample[], query = t.query): ThresholdResult {
  const base = { key: t.query, metric: PROMETHEUS_METRIC, filter: {}, expression: t.expr.source, abortOnFail: t.abortOnFail };
  if (samples.length === 0) {
    return { ...base, passed: false, observed: null, message: `no data: \`${query}\` returned no series (is Prometheus scraping the service, and is the metric name right?)` };
  }
  const failing = samples.filter((s) => Number.isNaN(s.value) || !compare(s.value, t.expr.op, t.expr.value));
  if (failing.length > 0) {
    const first = failing[0] as PromSample;
    const shown = failing.slice(0, 3).map((s) => `${labelText(s.labels)} = ${s.value}`).join('; ');
    const count = samples.length > 1 ? `${failing.length} of ${samples.length} series fail ${t.expr.source}: ` : '';
    const nan = Number.isNaN(first.value) ? ' (NaN: e.g. a ratio over no traffic in the window)' : '';
    return { ...base, passed: false, observed: Number.isFinite(first.value) ? first.value : null, message: `${count}${shown}${nan}` };
  }
  // Passing: report the series closest to the limit.
  const values = samples.map((s) => s.value);
  const observed = t.expr.op === '<' || t.expr.op === '<=' ? Math.max(...values) : t.expr.op === '>' || t.expr.op === '>=' ? Math.min(...values) : (values[0] as number);
  return { ...base, passed: true, observed: Number.isFinite(observed) ? observed : null };
}

/** Options of {@link createPrometheusGate}. */
export interface PrometheusGateOptions {
  /** Warnings (a live query that failed; the end-of-run evaluation still decides). */
  readonly warn?: (message: string) => void;
  /** Clock, ms since the epoch. Default Date.now. */
  readonly now?: () => number;
  /** Waits `ms` (the settle time). Default a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What the engine drives: live evaluation during the run, then the final results. */
export interface PrometheusGate {
  /** Starts the live evaluation of abortOnFail thresholds; `onAbort` is called at most once. */
  start(startMs: number, onAbort: (a: AbortRequest) => void): void;
  /** Stops the live evaluation and waits for a query in flight. */
  stop(): Promise<void>;
  /**
   * Waits `settleMs`, then evaluates every threshold at that instant over [startMs, that instant].
   * @throws EngineError when Prometheus is unreachable or rejects a query
   */
  final(startMs: number, endMs: number): Promise<ThresholdResult[]>;
}

/** The gate of a scenario's `prometheus:` block. */
export function createPrometheusGate(plan: PrometheusPlan, opts: PrometheusGateOptions = {}): PrometheusGate {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let aborted = false;
  const warned = new Set<string>();

  const evaluate = async (t: PrometheusThresholdPlan, startMs: number, atMs: number): Promise<ThresholdResult> => {
    const query = substituteWindow(t.query, atMs - startMs);
    const samples = await queryInstant(query, { url: plan.url, timeMs: atMs, timeoutMs: plan.timeoutMs });
    return judgePrometheus(t, samples, query);
  };

  return {
    start(startMs, onAbort) {
      const live = plan.thresholds.filter((t) => t.abortOnFail);
      if (live.length === 0) return;
      const round = async (): Promise<void> => {
        const at = now();
        for (const t of live) {
          if (aborted || at - startMs < t.delayAbortEvalMs) continue;
          try {
            const r = await evaluate(t, startMs, at);
            // Live, only a value that fails aborts: a window too young to hold data does not.
            if (!r.passed && r.observed !== null && !aborted) {
              aborted = true;
              onAbort({ key: r.key, expression: r.expression, message: r.message ?? 'failed' });
            }
          } catch (err) {
            const m = `live Prometheus threshold: ${(err as Error).message}`;
            if (!warned.has(m)) opts.warn?.(m);
            warned.add(m);
          }
        }
      };
      timer = setInterval(() => {
        inFlight ??= round().finally(() => (inFlight = undefined));
      }, plan.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
    async final(startMs, endMs) {
      if (plan.settleMs > 0) await sleep(plan.settleMs);
      const at = endMs + plan.settleMs;
      const out: ThresholdResult[] = [];
      for (const t of plan.thresholds) out.push(await evaluate(t, startMs, at));
      return out;
    },
  };
}
