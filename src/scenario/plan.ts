/**
 * The Plan: the normalized, frozen, serializable output of src/scenario and the only input of the
 * engine. Every duration is in milliseconds, every default is applied, every template is compiled.
 * A Plan contains only plain data (no functions, no class instances, no RegExp objects) so that it
 * can cross worker-thread and process boundaries with structuredClone or JSON.
 */
import type { NetworkSettings } from './plan-network.js';

import type { SourcePos } from '../errors.js';
import type { FailureBounds, PrometheusPlan, ThresholdPlan } from '../thresholds/plan-types.js';

// Owned by lower layers (src/LAYERS.md), named here too because every Plan reader wants them.
export type { SourcePos } from '../errors.js';
export type { Aggregation, ComparisonOp, FailureBounds, PrometheusPlan, PrometheusThresholdPlan, ThresholdExpr, ThresholdPlan } from '../thresholds/plan-types.js';
export { DEFAULT_FAILURE_BOUNDS } from '../thresholds/plan-types.js';

import type { KafkaPlan, ProtocolStep, RedisPlan } from './plan-protocols.js';

export type * from './plan-protocols.js';
import type { WsStep } from './plan-ws.js';

export type { WsSendPlan, WsStep } from './plan-ws.js';

export type * from './plan-matchers.js';
export type * from './plan-load.js';
export { loadModels } from './plan-load.js';
import type { CapturePlan, CheckPlan, Condition, Matcher, Template, TemplateValue } from './plan-matchers.js';
import type { LoadPlan } from './plan-load.js';

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export type BodyPlan =
  | { readonly kind: 'json'; readonly value: TemplateValue }
  | { readonly kind: 'form'; readonly fields: readonly (readonly [string, Template])[] }
  | { readonly kind: 'text'; readonly template: Template; readonly contentType?: string }
  /** multipart/form-data: text fields (templates) and files (read when the scenario loaded, base64 here). */
  | { readonly kind: 'multipart'; readonly parts: readonly MultipartPart[] };

/** A file read when the scenario loaded, ready to send as a multipart part. */
export interface MultipartFile {
  readonly filename: string;
  readonly contentType: string;
  readonly base64: string;
}

export type MultipartPart =
  | { readonly name: string; readonly value: Template }
  | { readonly name: string; readonly file: MultipartFile }
  /**
   * A file chosen per request: `path` renders (from a data feeder's columns) to one of `files`' keys,
   * every one of them read when the scenario loaded.
   */
  | { readonly name: string; readonly choose: { readonly path: Template; readonly files: Readonly<Record<string, MultipartFile>> } };

export interface RetryPlan {
  /** Extra attempts after the first (0 = no retry). */
  readonly attempts: number;
  /** Retry on these failure classes (e.g. `refused`, `reset`, `timeout`, `5xx`). */
  readonly on: readonly string[];
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** 0..1: fraction of the backoff randomized. */
  readonly jitter: number;
}

export interface RequestStep {
  readonly kind: 'request';
  /** Step name: the `step` tag of every metric of this request. Defaults to `METHOD path-source`. */
  readonly name: string;
  readonly method: HttpMethod;
  /** Absolute or relative to the plan's target. */
  readonly url: Template;
  readonly query: readonly (readonly [string, Template])[];
  /** Header names lower-cased; merged over http.headers at run time. */
  readonly headers: readonly (readonly [string, Template])[];
  readonly body?: BodyPlan;
  readonly expect: readonly Matcher[];
  readonly checks: readonly CheckPlan[];
  readonly captures: readonly CapturePlan[];
  /** Overrides http.timeoutMs for this request. */
  readonly timeoutMs?: number;
  /** Extra metric tags. */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Tags whose value comes from the response, e.g. `cache` from the `x-cache` header (absent header:
   * no tag). The runner bounds the distinct values per tag (overflow becomes `other`).
   */
  readonly tagWith?: readonly ResponseTag[];
  readonly retry?: RetryPlan;
  readonly pos: SourcePos;
}

/** One response-derived tag of a request: `tag` takes the value of response header `header` (lower-cased). */
export interface ResponseTag {
  readonly tag: string;
  readonly header: string;
}

export interface ThinkStep {
  readonly kind: 'think';
  /** Uniform in [minMs, maxMs]; fixed when equal. */
  readonly minMs: number;
  readonly maxMs: number;
  readonly pos: SourcePos;
}

export interface LoopStep {
  readonly kind: 'loop';
  /** A fixed count, or items to iterate (`over`); exactly one is set. */
  readonly count?: number;
  readonly over?: TemplateValue;
  /** Variable holding the current item (default `item`); `<as>_index` holds the index. */
  readonly as: string;
  readonly steps: readonly Step[];
  readonly pos: SourcePos;
}

export interface IfStep {
  readonly kind: 'if';
  readonly condition: Condition;
  readonly then: readonly Step[];
  readonly else: readonly Step[];
  readonly pos: SourcePos;
}

export interface PollStep {
  readonly kind: 'poll';
  /** Name of the poll: the step tag of its requests, and of the `poll.duration` trend. */
  readonly name: string;
  readonly request: RequestStep;
  /** The poll succeeds when all matchers hold. */
  readonly until: readonly Matcher[];
  readonly everyMs: number;
  readonly timeoutMs: number;
  readonly pos: SourcePos;
}

export interface GroupStep {
  readonly kind: 'group';
  /** The `group` tag of nested requests (nested groups join with `::`, as k6 does). */
  readonly name: string;
  readonly steps: readonly Step[];
  readonly pos: SourcePos;
}

/** Requests sent at the same time; the step ends when every one has ended, and fails when one fails. */
export interface ParallelStep {
  readonly kind: 'parallel';
  readonly requests: readonly RequestStep[];
  readonly pos: SourcePos;
}

export interface LogStep {
  readonly kind: 'log';
  readonly message: Template;
  readonly pos: SourcePos;
}

/** Adds to a custom metric (counter, rate or trend) that thresholds treat like built-in ones. */
export interface MetricStep {
  readonly kind: 'metric';
  readonly metric: string;
  readonly type: 'counter' | 'rate' | 'trend';
  /** Rendered and converted to a number (counter, trend) or boolean (rate). */
  readonly value: TemplateValue;
  /** Tags with a constant value. */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Tags whose value is a template, rendered with each sample. Each tag keeps at most 20 distinct
   * values per run (later ones, and values over 64 characters, read `other`), as `tagWith` does;
   * an empty value leaves the tag off.
   */
  readonly tagTemplates?: readonly (readonly [string, Template])[];
  readonly pos: SourcePos;
}

/** Sets journey variables from templates. */
export interface SetStep {
  readonly kind: 'set';
  readonly vars: readonly (readonly [string, TemplateValue])[];
  readonly pos: SourcePos;
}

export type Step = RequestStep | ThinkStep | LoopStep | IfStep | PollStep | GroupStep | ParallelStep | LogStep | MetricStep | SetStep | ProtocolStep | WsStep;

export interface JourneyPlan {
  readonly name: string;
  /** Relative weight (> 0); the probability of a start is weight / sum of weights. */
  readonly weight: number;
  readonly steps: readonly Step[];
  /** Extra tags on every metric of this journey. */
  readonly tags: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Data, HTTP defaults, thresholds
// ---------------------------------------------------------------------------------------------

export interface DataFeed {
  readonly name: string;
  /** Absolute path of the CSV file (resolved against the scenario file), or absent for inline rows. */
  readonly file?: string;
  readonly columns: readonly string[];
  /** Rows are loaded at plan time (small files) so the plan is self-contained. */
  readonly rows: readonly (readonly string[])[];
  readonly order: 'sequential' | 'random' | 'unique';
  /** unique only: what happens when every row was used: end the run (`stop`) or start over (`recycle`). */
  readonly onExhausted: 'stop' | 'recycle';
}

/** HTTP defaults; the network part (tls, proxy, hosts) is in plan-network.ts. */
export interface HttpDefaults extends NetworkSettings {
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Connections per origin (shared pool), or per VU when `connectionPolicy` is `per-vu`. */
  readonly connections: number;
  readonly connectionPolicy: 'shared' | 'per-vu';
  readonly keepAlive: boolean;
  readonly headers: readonly (readonly [string, Template])[];
  /** TLS certificate verification; false only by explicit opt-out. */
  readonly tlsVerify: boolean;
  readonly followRedirects: boolean;
  readonly maxRedirects: number;
  /** Larger bodies are cut and the request is classified `protocol` (body too large). */
  readonly maxResponseBytes: number;
  readonly http2: boolean;
  readonly cookies: boolean;
  /**
   * Send `accept-encoding` (every coding this Node.js decodes) unless a request sets its own. A
   * compressed body that a matcher or capture reads is decoded either way.
   */
  readonly compression: boolean;
}

export interface Plan {
  readonly name: string;
  readonly description?: string;
  /** The scenario file, its sha256 (hex) and its text with secrets redacted (for reports). */
  readonly source: { readonly file: string; readonly hash: string };
  /** Base URL; relative request URLs resolve against it. */
  readonly target: string;
  readonly http: HttpDefaults;
  /** Declared variables after interpolation; the VU scope starts with these. */
  readonly variables: Readonly<Record<string, string | number | boolean>>;
  /** Values that must never appear in any output (declared secret variables). */
  readonly secrets: readonly string[];
  readonly data: readonly DataFeed[];
  readonly load: LoadPlan;
  readonly journeys: readonly JourneyPlan[];
  readonly setup: readonly Step[];
  readonly teardown: readonly Step[];
  readonly thresholds: readonly ThresholdPlan[];
  /**
   * The failures a run accepts when no threshold judges them (`maxFailures`, fractions 0..1):
   * see src/thresholds/judge/failure-bounds.ts. Absent: the defaults (10 % each).
   */
  readonly maxFailures?: FailureBounds;
  /** Server-side thresholds on PromQL queries; absent when the scenario has no `prometheus:` block. */
  readonly prometheus?: PrometheusPlan;
  /** After the last phase/stage, running journeys get this long to finish, then are interrupted. */
  readonly gracefulStopMs: number;
  /** Warm the generator (code, connections) before the load starts (src/engine/warm-up.ts). Default true. */
  readonly warmUp: boolean;
  /** The `kafka:` block: where `kafka` steps connect. Absent: the scenario has none. */
  readonly kafka?: KafkaPlan;
  /** The `redis:` block: where `redis` steps connect. Absent: the scenario has none. */
  readonly redis?: RedisPlan;
}
