/**
 * Metric handles of journeys, built once per (step, phase, status, error class, attempt, response
 * tags) and cached: the hot path does one Map lookup per request, never builds a tag object.
 */
import type { CounterHandle, MetricsSink, RateHandle, Tags, TrendHandle } from '../metrics/types.js';
import { BUILT_IN as M, METRIC } from '../metrics/catalogue.js';
import type { JourneyPlan } from '../scenario/plan.js';

/** Handles for one request outcome. */
export interface RequestHandles {
  readonly requests: CounterHandle;
  readonly latency: TrendHandle;
  readonly ttfb: TrendHandle;
  readonly connect: TrendHandle;
  readonly blocked: TrendHandle;
  readonly errors: RateHandle;
  readonly sent: CounterHandle;
  readonly received: CounterHandle;
  /** The tags of these handles (base, phase, status, error, attempt, response tags). */
  readonly tags: Tags;
  /** http.latency_scheduled, created on first use (open model only). */
  scheduled: TrendHandle | undefined;
}

/** Handles of one step (request, poll, metric) of one journey, under its group. */
export class StepMetrics {
  private readonly requestHandles = new Map<string, RequestHandles>();
  private readonly rates = new Map<string, RateHandle>();
  private readonly trends = new Map<string, TrendHandle>();
  private readonly counters = new Map<string, CounterHandle>();
  private readonly protocols = new Map<string, { readonly latency: TrendHandle; readonly errors: RateHandle }>();
  /** The outcome asked last (without response tags) and its handles. */
  private last: { readonly phase: string; readonly status: number; readonly cls: string | undefined; readonly attempt: number; readonly handles: RequestHandles } | undefined = undefined;

  /** http.tls handles by version and cipher. */
  private readonly tlsHandles = new Map<string, CounterHandle>();

  /** `base`: journey, step, group, method and user tags; the phase and outcome tags are added here. */
  constructor(private readonly sink: MetricsSink, readonly base: Tags) {}

  /** http.tls: one new TLS connection with this negotiated version and cipher. */
  tls(version: string, cipher: string): CounterHandle {
    const key = `${version}\u0000${cipher}`;
    let h = this.tlsHandles.get(key);
    if (h === undefined) {
      h = this.sink.counter(METRIC.httpTls, { ...this.base, tls_version: version, tls_cipher: cipher }, 'count');
      this.tlsHandles.set(key, h);
    }
    return h;
  }

  /**
   * Handles for a request outcome. `cls` only on failures; `attempt` 1 is untagged; `extra`: the
   * response tags of `tagWith` (already bounded), added last.
   */
  request(phase: string, status: number, cls: string | undefined, attempt: number, extra?: readonly (readonly [string, string])[]): RequestHandles {
    // Most requests repeat the previous outcome: skip building and hashing the key.
    const last = this.last;
    if (extra === undefined && last !== undefined && last.status === status && last.phase === phase && last.cls === cls && last.attempt === attempt) return last.handles;
    let key = `${phase}\u0000${status}\u0000${cls ?? ''}\u0000${attempt}`;
    if (extra !== undefined) for (const [k, v] of extra) key += `\u0000${k}\u0001${v}`;
    let h = this.requestHandles.get(key);
    if (h === undefined) {
      const tags: Record<string, string> = { ...this.base, phase, status: String(status) };
      if (cls !== undefined) tags['error'] = cls;
      if (attempt > 1) tags['attempt'] = String(attempt);
      if (extra !== undefined) for (const [k, v] of extra) tags[k] = v;
      const s = this.sink;
      h = {
        requests: s.counter(M.httpRequests.name, tags, M.httpRequests.unit),
        latency: s.trend(M.httpLatency.name, tags, M.httpLatency.unit),
        ttfb: s.trend(M.httpTtfb.name, tags, M.httpTtfb.unit),
        connect: s.trend(M.httpConnect.name, tags, M.httpConnect.unit),
        blocked: s.trend(M.httpBlocked.name, tags, M.httpBlocked.unit),
        errors: s.rate(METRIC.httpErrors, tags),
        sent: s.counter(M.dataSent.name, tags, M.dataSent.unit),
        received: s.counter(M.dataReceived.name, tags, M.dataReceived.unit),
        tags,
        scheduled: undefined,
      };
      this.requestHandles.set(key, h);
    }
    if (extra === undefined) this.last = { phase, status, cls, attempt, handles: h };
    return h;
  }

  /** http.latency_scheduled for this outcome (recorded by a journey's first request: attempt 1). */
  scheduled(h: RequestHandles): TrendHandle {
    if (h.scheduled === undefined) h.scheduled = this.sink.trend(M.httpLatencyScheduled.name, h.tags, M.httpLatencyScheduled.unit);
    return h.scheduled;
  }

  /** `checks` rate of the named check. */
  check(phase: string, name: string): RateHandle {
    return this.rate(METRIC.checks, phase, 'check', name);
  }

  /** `expectations` rate; failures carry the error tag (`expectation`, `capture`, `timeout`). */
  expectation(phase: string, cls: string | undefined): RateHandle {
    return this.errors(METRIC.expectations, phase, cls);
  }

  /** `http.retries` counter. */
  retries(phase: string): CounterHandle {
    return this.counter(M.httpRetries.name, phase, M.httpRetries.unit);
  }

  /** `http.resent` counter. */
  resent(phase: string): CounterHandle {
    return this.counter(M.httpResent.name, phase, M.httpResent.unit);
  }

  /** `poll.duration` trend (µs). */
  pollDuration(phase: string): TrendHandle {
    return this.trend(M.pollDuration.name, phase, M.pollDuration.unit);
  }

  /**
   * The latency trend and errors rate of a protocol step's outcome (kafka.latency / kafka.errors,
   * …); `cls` only on failures (the `error` tag).
   */
  protocol(latency: string, errors: string, phase: string, cls: string | undefined): { readonly latency: TrendHandle; readonly errors: RateHandle } {
    const key = `${latency}\u0000${phase}\u0000${cls ?? ''}`;
    let h = this.protocols.get(key);
    if (h === undefined) {
      const tags: Record<string, string> = { ...this.base, phase };
      if (cls !== undefined) tags['error'] = cls;
      h = { latency: this.sink.trend(latency, tags, 'us'), errors: this.sink.rate(errors, tags) };
      this.protocols.set(key, h);
    }
    return h;
  }

  /** `ws.connect` or `ws.message` trend (µs). */
  wsTrend(metric: typeof METRIC.wsConnect | typeof METRIC.wsMessage, phase: string): TrendHandle {
    return this.trend(metric, phase, 'us');
  }

  /** An errors rate (`ws.errors`, …): one sample per operation, true on failure, tagged with its class. */
  errors(metric: string, phase: string, cls: string | undefined): RateHandle {
    return this.rate(metric, phase, cls === undefined ? undefined : 'error', cls);
  }

  /** A custom metric of a `metric` step. */
  custom(type: 'counter' | 'rate' | 'trend', metric: string, phase: string): CounterHandle | RateHandle | TrendHandle {
    if (type === 'counter') return this.counter(metric, phase, 'count');
    if (type === 'rate') return this.rate(metric, phase, undefined, undefined);
    return this.trend(metric, phase, 'raw');
  }

  private rate(metric: string, phase: string, extraKey: string | undefined, extraValue: string | undefined): RateHandle {
    const key = `${metric}\u0000${phase}\u0000${extraKey ?? ''}\u0000${extraValue ?? ''}`;
    let h = this.rates.get(key);
    if (h === undefined) {
      const tags: Record<string, string> = { ...this.base, phase };
      if (extraKey !== undefined && extraValue !== undefined) tags[extraKey] = extraValue;
      h = this.sink.rate(metric, tags);
      this.rates.set(key, h);
    }
    return h;
  }

  private trend(metric: string, phase: string, unit: 'us' | 'raw'): TrendHandle {
    const key = `${metric}\u0000${phase}`;
    let h = this.trends.get(key);
    if (h === undefined) {
      h = this.sink.trend(metric, { ...this.base, phase }, unit);
      this.trends.set(key, h);
    }
    return h;
  }

  private counter(metric: string, phase: string, unit: 'count' | 'bytes'): CounterHandle {
    const key = `${metric}\u0000${phase}`;
    let h = this.counters.get(key);
    if (h === undefined) {
      h = this.sink.counter(metric, { ...this.base, phase }, unit);
      this.counters.set(key, h);
    }
    return h;
  }
}

/**
 * Handles of one journey, per phase: duration of completed iterations and the completed/failed
 * counters. (journeys.started, .dropped and .interrupted are the executor's to count.)
 */
export class JourneyMetrics {
  private readonly perPhase = new Map<string, { duration: TrendHandle; completed: CounterHandle; failed: CounterHandle }>();

  constructor(private readonly sink: MetricsSink, private readonly base: Tags) {}

  for(phase: string): { duration: TrendHandle; completed: CounterHandle; failed: CounterHandle } {
    let h = this.perPhase.get(phase);
    if (h === undefined) {
      const tags = { ...this.base, phase };
      h = {
        duration: this.sink.trend(M.journeyDuration.name, tags, M.journeyDuration.unit),
        completed: this.sink.counter(M.journeysCompleted.name, tags, M.journeysCompleted.unit),
        failed: this.sink.counter(M.journeysFailed.name, tags, M.journeysFailed.unit),
      };
      this.perPhase.set(phase, h);
    }
    return h;
  }
}

/** The journey's handles in a VU group's cache, made on its first iteration. */
export function journeyMetricsOf(cache: WeakMap<JourneyPlan, JourneyMetrics>, sink: MetricsSink, journey: JourneyPlan): JourneyMetrics {
  let jm = cache.get(journey);
  if (jm === undefined) {
    jm = new JourneyMetrics(sink, { ...journey.tags, journey: journey.name });
    cache.set(journey, jm);
  }
  return jm;
}
