/**
 * The threshold parts of a Plan: what the scenario layer produces from `thresholds:`,
 * `prometheus:` and `maxFailures`, and what the judge reads. Owned here, the lowest layer that uses
 * them; src/scenario/plan.ts names them too.
 */
import type { SourcePos } from '../errors.js';

export type Aggregation =
  | { readonly fn: 'p'; readonly percentile: number }
  | { readonly fn: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'sum' | 'value' };

export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** One parsed threshold expression, e.g. `p(95) < 250ms` → { p 95, '<', 250, unit ms }. */
export interface ThresholdExpr {
  readonly source: string;
  readonly agg: Aggregation;
  readonly op: ComparisonOp;
  /** Right-hand side in the metric's display unit: ms for time, a fraction 0..1 for rates. */
  readonly value: number;
}

export interface ThresholdPlan {
  /** The key as written, e.g. `http.latency{step:product}`. */
  readonly key: string;
  readonly metric: string;
  /** Tag filter: a series matches when it has every one of these tags with these values. */
  readonly filter: Readonly<Record<string, string>>;
  readonly expr: ThresholdExpr;
  readonly abortOnFail: boolean;
  readonly delayAbortEvalMs: number;
  readonly pos: SourcePos;
}

/**
 * A threshold on a PromQL query (the scenario's `prometheus.thresholds`): the query's value at the
 * end of the run (and live, with abortOnFail) compared like any other threshold.
 */
export interface PrometheusThresholdPlan {
  /** The query as written (the key of `prometheus.thresholds`); `$window` is substituted when evaluated. */
  readonly query: string;
  /** The expression; its aggregation is always `value`. */
  readonly expr: ThresholdExpr;
  readonly abortOnFail: boolean;
  readonly delayAbortEvalMs: number;
  readonly pos: SourcePos;
}

/** The scenario's `prometheus:` block: where to query and what to gate on. */
export interface PrometheusPlan {
  /** Base URL of the Prometheus HTTP API, e.g. `http://127.0.0.1:9090`. */
  readonly url: string;
  /** Timeout of one query, ms. Default 5000. */
  readonly timeoutMs: number;
  /** Wait after the run before the end-of-run queries (lets the last scrape land), ms. Default 2000. */
  readonly settleMs: number;
  /** Interval of the live evaluation of abortOnFail thresholds, ms. Default 5000. */
  readonly intervalMs: number;
  readonly thresholds: readonly PrometheusThresholdPlan[];
}

/** Shares of failures a run accepts without a threshold on them (fractions 0..1; 1 turns a bound off). */
export interface FailureBounds {
  /** Of finished journey iterations (completed + failed), the share that may fail. */
  readonly journeys: number;
  /** Of requests, the share that may count in `http.errors`. */
  readonly errors: number;
}

/** The schema's defaults of `maxFailures`. */
export const DEFAULT_FAILURE_BOUNDS: FailureBounds = Object.freeze({ journeys: 0.1, errors: 0.1 });
