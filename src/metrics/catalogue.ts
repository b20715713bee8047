/**
 * The catalogue of built-in metrics and tags: every metric the engine records on its own, with its
 * type, its recorded unit and the tags it carries, and the tag keys a threshold may filter on. The
 * journeys and the engine record with these names and units, the scenario checks thresholds against
 * them, and the README's metrics table documents them (a test holds the two in step).
 */
import type { MetricType, MetricUnit } from './types.js';

/** One built-in metric. */
export interface BuiltInMetric {
  readonly name: string;
  readonly type: MetricType;
  /** The recorded unit: µs for time trends (shown in ms), count, bytes; a rate's samples are counts of trues. */
  readonly unit: MetricUnit;
  /** The tags its series carry, in words (the README's column). */
  readonly tags: string;
}

const STEP = 'step tags, phase';
const REQUEST = 'step tags, phase, status, error, attempt, response tags';

/** The built-in metrics by key. */
export const BUILT_IN = {
  httpRequests: { name: 'http.requests', type: 'counter', unit: 'count', tags: REQUEST },
  httpLatency: { name: 'http.latency', type: 'trend', unit: 'us', tags: REQUEST },
  /** Latency from the arrival's scheduled start (open model): free of coordinated omission. */
  httpLatencyScheduled: { name: 'http.latency_scheduled', type: 'trend', unit: 'us', tags: REQUEST },
  httpTtfb: { name: 'http.ttfb', type: 'trend', unit: 'us', tags: REQUEST },
  httpConnect: { name: 'http.connect', type: 'trend', unit: 'us', tags: REQUEST },
  /** Waiting for a connection before the request was written (pool queue, connect): not in http.latency. */
  httpBlocked: { name: 'http.blocked', type: 'trend', unit: 'us', tags: REQUEST },
  /** New TLS connections, tagged with the negotiated `tls_version` and `tls_cipher`. */
  httpTls: { name: 'http.tls', type: 'counter', unit: 'count', tags: 'step tags, phase, tls_version, tls_cipher' },
  httpErrors: { name: 'http.errors', type: 'rate', unit: 'count', tags: REQUEST },
  httpRetries: { name: 'http.retries', type: 'counter', unit: 'count', tags: STEP },
  /** Requests written again because the server closed the kept-alive connection under them before answering. */
  httpResent: { name: 'http.resent', type: 'counter', unit: 'count', tags: STEP },
  checks: { name: 'checks', type: 'rate', unit: 'count', tags: `${STEP}, check` },
  expectations: { name: 'expectations', type: 'rate', unit: 'count', tags: `${STEP}, error` },
  journeyDuration: { name: 'journey.duration', type: 'trend', unit: 'us', tags: 'journey, phase' },
  journeysStarted: { name: 'journeys.started', type: 'counter', unit: 'count', tags: 'journey' },
  journeysCompleted: { name: 'journeys.completed', type: 'counter', unit: 'count', tags: 'journey, phase' },
  journeysFailed: { name: 'journeys.failed', type: 'counter', unit: 'count', tags: 'journey, phase' },
  journeysDropped: { name: 'journeys.dropped', type: 'counter', unit: 'count', tags: 'journey' },
  journeysInterrupted: { name: 'journeys.interrupted', type: 'counter', unit: 'count', tags: 'journey' },
  pollDuration: { name: 'poll.duration', type: 'trend', unit: 'us', tags: STEP },
  vus: { name: 'vus', type: 'gauge', unit: 'count', tags: '' },
  dataSent: { name: 'data.sent', type: 'counter', unit: 'bytes', tags: REQUEST },
  dataReceived: { name: 'data.received', type: 'counter', unit: 'bytes', tags: REQUEST },
  /** WebSocket handshake time. */
  wsConnect: { name: 'ws.connect', type: 'trend', unit: 'us', tags: 'step tags, phase' },
  /** WebSocket: from a step's send (or its start) to the message that matched its `until`. */
  wsMessage: { name: 'ws.message', type: 'trend', unit: 'us', tags: 'step tags, phase' },
  /** ws steps: one sample per step run, true when it failed (tagged with the error class). */
  wsErrors: { name: 'ws.errors', type: 'rate', unit: 'count', tags: 'step tags, phase, error' },
  /** kafka steps: produce → acknowledged, or consume → matching message (from `since`). */
  kafkaLatency: { name: 'kafka.latency', type: 'trend', unit: 'us', tags: 'step tags, phase, error' },
  /** kafka steps: one sample per step run, true when it failed (tagged with the error class). */
  kafkaErrors: { name: 'kafka.errors', type: 'rate', unit: 'count', tags: 'step tags, phase, error' },
  /** Unmatched consumed messages dropped because a topic's buffer was full. */
  kafkaDropped: { name: 'kafka.dropped', type: 'counter', unit: 'count', tags: 'topic' },
  /** redis steps: command → reply. */
  redisLatency: { name: 'redis.latency', type: 'trend', unit: 'us', tags: 'step tags, phase, error' },
  /** redis steps: one sample per command, true when it failed (tagged with the error class). */
  redisErrors: { name: 'redis.errors', type: 'rate', unit: 'count', tags: 'step tags, phase, error' },
} as const satisfies Record<string, BuiltInMetric>;

type Catalogue = typeof BUILT_IN;

/** The built-in metric names by key. */
export const METRIC = Object.freeze(Object.fromEntries(Object.entries(BUILT_IN).map(([k, m]) => [k, m.name]))) as { readonly [K in keyof Catalogue]: Catalogue[K]['name'] };

/**
 * The metrics of each step kind that talks to something: its latency trend and its errors rate
 * (one sample per operation). Reports build their per-step tables from these, the verdict's
 * failure bounds judge each errors rate like `http.errors`, and the timeline counts their failures.
 * A new protocol step kind adds its pair here.
 */
export const PROTOCOL_METRICS: readonly ProtocolMetrics[] = [
  { protocol: 'kafka', latency: BUILT_IN.kafkaLatency.name, errors: BUILT_IN.kafkaErrors.name },
  { protocol: 'redis', latency: BUILT_IN.redisLatency.name, errors: BUILT_IN.redisErrors.name },
  { protocol: 'ws', latency: BUILT_IN.wsMessage.name, orLatency: BUILT_IN.wsConnect.name, errors: BUILT_IN.wsErrors.name },
];

/** One protocol's metrics in {@link PROTOCOL_METRICS}. */
export interface ProtocolMetrics {
  readonly protocol: string;
  readonly latency: string;
  /** The latency of a step with no `latency` samples (ws: the handshake of a step that waits for no message). */
  readonly orLatency?: string;
  readonly errors: string;
}

/** Every built-in metric. */
export const BUILT_IN_METRICS: readonly BuiltInMetric[] = Object.values(BUILT_IN);

const BY_NAME: ReadonlyMap<string, BuiltInMetric> = new Map(BUILT_IN_METRICS.map((m) => [m.name, m]));

/** The built-in metric of that name, if there is one. */
export function builtInMetric(name: string): BuiltInMetric | undefined {
  return BY_NAME.get(name);
}

/**
 * Tag keys the engine sets on its own metrics (a threshold may filter on them). `step tags` are
 * journey, step, group, method and the user's tags; `attempt` (retries) and response tags are set
 * only when the scenario asks for them.
 */
export const ENGINE_TAG_KEYS: readonly string[] = ['journey', 'step', 'group', 'method', 'status', 'error', 'phase', 'check', 'tls_version', 'tls_cipher'];
