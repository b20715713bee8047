/**
 * A minimal client of the Prometheus HTTP API for thresholds: instant queries (`/api/v1/query`) at a
 * given time, with the run's window substituted into the query. Transport failures and queries that
 * Prometheus rejects are EngineErrors (code RAMPART_PROMETHEUS): a gate that cannot be evaluated is
 * never a pass.
 */
import { ERROR_CODES, EngineError } from '../errors.js';

/** One series of a query's result: its labels and its value (NaN and ±Inf as Prometheus sends them). */
export interface PromSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Placeholders replaced by the window: `$window`, `${window}` and Grafana's `$__range`. */
const WINDOW = /\$\{window\}|\$window\b|\$__range\b/g;

/**
 * The query with every window placeholder replaced by `windowMs` as whole seconds (at least 1 s,
 * rounded up), e.g. `rate(x[$window])` with 41.2 s → `rate(x[42s])`.
 */
export function substituteWindow(query: string, windowMs: number): string {
  const seconds = Math.max(1, Math.ceil(windowMs / 1000));
  return query.replace(WINDOW, `${seconds}s`);
}

/** Options of {@link queryInstant}. */
export interface QueryOptions {
  /** Base URL, e.g. `http://127.0.0.1:9090`. */
  readonly url: string;
  /** Evaluation instant, ms since the epoch. */
  readonly timeMs: number;
  /** Timeout, ms. */
  readonly timeoutMs: number;
}

interface ApiAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

function parseValue(v: unknown): number {
  // Prometheus sends values as strings: "0.5", "NaN", "+Inf".
  const s = Array.isArray(v) ? v[1] : undefined;
  return typeof s === 'string' ? Number(s === '+Inf' ? 'Infinity' : s === '-Inf' ? '-Infinity' : s) : Number.NaN;
}

/**
 * Runs `query` at `timeMs` and returns its series (a scalar is one series without labels; an empty
 * vector is an empty list).
 * @throws EngineError (RAMPART_PROMETHEUS) when Prometheus cannot be reached, times out, or rejects the query
 */
export async function queryInstant(query: string, o: QueryOptions): Promise<PromSample[]> {
  const body = new URLSearchParams({ query, time: (o.timeMs / 1000).toFixed(3) });
  let res: Response;
  try {
    res = await fetch(`${o.url}/api/v1/query`, { method: 'POST', body, signal: AbortSignal.timeout(o.timeoutMs) });
  } catch (err) {
    const why = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : String((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
    throw new EngineError(`Prometheus at ${o.url} is unreachable (${why}): the Prometheus thresholds cannot be evaluated`, { cause: err, code: ERROR_CODES.PROMETHEUS });
  }
  let answer: ApiAnswer;
  try {
    answer = (await res.json()) as ApiAnswer;
  } catch (err) {
    throw new EngineError(`Prometheus at ${o.url} answered ${res.status} without a JSON body: is this the Prometheus API?`, { cause: err, code: ERROR_CODES.PROMETHEUS });
  }
  if (answer.status !== 'success') {
    throw new EngineError(`Prometheus rejected the query \`${query}\`: ${answer.errorType ?? `HTTP ${res.status}`}: ${answer.error ?? 'no reason given'}`, { code: ERROR_CODES.PROMETHEUS });
  }
  const data = answer.data ?? {};
  if (data.resultType === 'scalar') return [{ labels: {}, value: parseValue(data.result) }];
  if (data.resultType !== 'vector' || !Array.isArray(data.result)) {
    throw new EngineError(`the query \`${query}\` returned a ${data.resultType ?? 'result'} (a range vector?): a threshold needs an instant vector or a scalar, e.g. wrap it in max_over_time(…)`, { code: ERROR_CODES.PROMETHEUS });
  }
  return (data.result as { metric?: Record<string, string>; value?: unknown }[]).map((r) => ({ labels: r.metric ?? {}, value: parseValue(r.value) }));
}
