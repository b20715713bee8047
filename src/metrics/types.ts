/**
 * The metrics contract between the producers (executors, journeys, http) and the consumers
 * (thresholds, outputs). Producers get handles once and record numbers; they never build strings
 * per sample and never know which outputs exist.
 */

/** Tag set of a series. Keys and values are plain strings; order does not matter. */
export type Tags = Readonly<Record<string, string>>;

/**
 * - trend: a distribution (HDR histogram) — latencies, durations, custom trends.
 * - counter: a monotonically increasing sum — requests, bytes, dropped journeys.
 * - rate: a fraction of true samples — errors, checks.
 * - gauge: a last value with min/max — VUs.
 */
export type MetricType = 'trend' | 'counter' | 'rate' | 'gauge';

/**
 * Unit of recorded values. Time trends record integer microseconds and display milliseconds;
 * `raw` trends (custom) record numbers scaled by 1000 internally so three decimals survive.
 */
export type MetricUnit = 'us' | 'raw' | 'bytes' | 'count';

export interface TrendHandle {
  /** Record one value in the metric's unit (µs for time trends). */
  record(value: number): void;
}
export interface CounterHandle {
  add(n: number): void;
}
export interface RateHandle {
  add(ok: boolean): void;
}
export interface GaugeHandle {
  set(value: number): void;
}

/** Where samples go. Handles are cached by the sink: asking twice for one series returns one handle. */
export interface MetricsSink {
  trend(metric: string, tags: Tags, unit?: 'us' | 'raw'): TrendHandle;
  counter(metric: string, tags: Tags, unit?: 'bytes' | 'count'): CounterHandle;
  rate(metric: string, tags: Tags): RateHandle;
  gauge(metric: string, tags: Tags): GaugeHandle;
}

/** The built-in metric names. */
export const METRIC = {
  httpRequests: 'http.requests',
  httpLatency: 'http.latency',
  /** Latency from the arrival's scheduled start (open model): free of coordinated omission. */
  httpLatencyScheduled: 'http.latency_scheduled',
  httpTtfb: 'http.ttfb',
  httpConnect: 'http.connect',
  httpErrors: 'http.errors',
  httpRetries: 'http.retries',
  checks: 'checks',
  expectations: 'expectations',
  journeyDuration: 'journey.duration',
  journeysStarted: 'journeys.started',
  journeysCompleted: 'journeys.completed',
  journeysFailed: 'journeys.failed',
  journeysDropped: 'journeys.dropped',
  journeysInterrupted: 'journeys.interrupted',
  pollDuration: 'poll.duration',
  /** WebSocket handshake time (trend, µs). */
  wsConnect: 'ws.connect',
  /** WebSocket: from a step's send (or its start) to the message that matched its `until` (trend, µs). */
  wsMessage: 'ws.message',
  /** WebSocket failures, tagged with the error class (counter). */
  wsErrors: 'ws.errors',
  vus: 'vus',
  dataSent: 'data.sent',
  dataReceived: 'data.received',
} as const;

/** One series in a snapshot: plain data, mergeable with the same series from another snapshot. */
export interface SeriesSnapshot {
  readonly metric: string;
  readonly type: MetricType;
  readonly unit: MetricUnit;
  readonly tags: Tags;
  /** Samples recorded (trend, rate), increments (counter), or sets (gauge). */
  readonly count: number;
  /**
   * Sum of values (trend, counter), of trues (rate), last value (gauge). Trends: in the recorded unit
   * (µs, or the real values of a raw trend — the ×1000 scaling is internal to the histogram); count,
   * sum, min and max are exact, unlike the histogram's percentiles.
   */
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** trend only: the HDR histogram, encoded (compressed base64), in the recorded unit. */
  readonly hist?: string;
  /**
   * gauge only: the instant (ms since the epoch) the value holds at — the end of the snapshot that
   * carried it. Merging keeps the latest value; values of one instant (several agents) add up.
   */
  readonly atMs?: number;
}

/** Everything recorded between two instants (an interval) or since the start (cumulative). */
export interface MetricsSnapshot {
  /** ms since the epoch. */
  readonly startMs: number;
  readonly endMs: number;
  readonly series: readonly SeriesSnapshot[];
}

/** What thresholds and reports read from one or several merged series. Times in ms. */
export interface SeriesSummary {
  readonly count: number;
  /** trend/counter: per second over the window; rate: fraction of trues 0..1; gauge: last value. */
  readonly rate: number;
  readonly sum: number;
  readonly avg: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  /** Any percentile (0..100], for trends; NaN otherwise. */
  percentile(p: number): number;
}
