/**
 * The run report: what `--out report.json` writes (described by schemas/report.schema.json) and what
 * every other output renders from. `rampart report <report.json>` re-renders any format from it, so
 * renderers take a Report and nothing else. All times in the report are milliseconds; instants are
 * ISO-8601 strings; offsets are ms since the run's start.
 */
import type { HeldBackStats } from '../http/in-flight-limit.js';
import type { MetricsSnapshot, SeriesReport } from '../metrics/types.js';
import type { ThresholdResult, Verdict } from '../thresholds/judge/types.js';

/** One second of the run, for charts and live outputs. */
export interface TimelinePoint {
  /** Seconds since the run's start (the end of the one-second window). */
  readonly t: number;
  readonly phase: string;
  readonly requests: number;
  /** Failed `http.errors` samples in that second. */
  readonly errors: number;
  /**
   * That second's failures by error class (`refused`, `reset`, `timeout`, `4xx`, `5xx`,
   * `expectation`, `capture`, …): `http.errors` by their `error` tag, plus failed expectations and
   * required captures. Only classes that occurred; absent when nothing failed.
   */
  readonly errorsByClass?: Readonly<Record<string, number>>;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly vus: number;
  /** Planned arrivals (open model) in that second, for rate vs plan. */
  readonly planned?: number;
  readonly started: number;
  readonly dropped: number;
  /**
   * The load generator's longest event-loop delay in that second (ms): a second whose requests
   * waited on the generator's own stall shows it here. The worst shard's in a merged run.
   */
  readonly lagMaxMs?: number;
  /** The generator's garbage-collection pause time in that second (ms); the worst shard's in a merged run. */
  readonly gcMs?: number;
  /**
   * The share of that second (0–1) the generator's event loop was busy rather than waiting for I/O
   * or timers; the busiest shard's in a merged run. Arrivals dropped in a second busy at least 90 %
   * are the generator's, not the service's (`generator.overloaded`).
   */
  readonly busy?: number;
  /** WebSocket steps in that second: matched messages (ws.message), their p95 (ms), failed ws step runs (ws.errors). Absent when none ran. */
  readonly ws?: { readonly messages: number; readonly p95: number; readonly errors: number };
}

export interface PhaseReport {
  readonly name: string;
  readonly startOffsetMs: number;
  readonly endOffsetMs: number;
}

/** What the generator itself saw: a late or overloaded generator must never pass for a slow server. */
export interface GeneratorHealth {
  /** Arrivals started later than 10 ms after their scheduled time. */
  readonly lateArrivals: number;
  readonly droppedArrivals: number;
  readonly eventLoopLagP99Ms: number;
  readonly eventLoopLagMaxMs: number;
  /**
   * The share of the load (0–1) the event loop was busy rather than waiting for I/O or timers
   * (`performance.eventLoopUtilization`): near 1, the generator set the pace. Absent in older reports.
   */
  readonly eventLoopBusy?: number;
  readonly overloaded: boolean;
  /** Garbage-collection pauses of the generator during the run (absent in reports of older versions). */
  readonly gc?: GcPauses;
  /** What the generator did before the load to start warm (absent: no warm-up). */
  readonly warmUp?: WarmUpReport;
  /**
   * Requests and iterations the generator held back to keep its event loop on time (more load asked
   * of it than one core sends): absent when it held back nothing, and in older reports.
   */
  readonly heldBack?: HeldBackReport;
}

/**
 * What the generator's limit on requests in flight held back (src/http/in-flight-limit.ts). The
 * waits are the generator's: in `http.blocked`, never in `http.latency`.
 */
export type HeldBackReport = HeldBackStats;

/** Garbage-collection pauses (main thread stopped), ms. */
export interface GcPauses {
  readonly count: number;
  readonly maxMs: number;
  readonly totalMs: number;
}

/** The warm-up before the load (src/engine/warm-up.ts). */
export interface WarmUpReport {
  /** How long it took before the load started, ms. */
  readonly durationMs: number;
  /** Requests sent to the generator's own 127.0.0.1 warm-up server (never to the target). */
  readonly internalRequests: number;
  /** Connections to the target opened ahead of the load, without a request. */
  readonly connectionsOpened: number;
  /** Connections to the target that could not be opened ahead of the load. */
  readonly connectionsFailed: number;
  /**
   * Helper threads (compiler, GC, I/O pool) set to the lowest CPU priority as an open-model load
   * started, so they yield to the event loop; 0 otherwise. Absent in reports of older versions.
   */
  readonly helperThreadsLowered?: number;
  /**
   * Of those, the threads that also got Linux's idle scheduling policy (SCHED_IDLE), which the event
   * loop preempts at once (src/engine/helper-threads.ts). Absent when none did (no `chrt`, not
   * Linux, a closed-model load) and in older reports.
   */
  readonly helperThreadsIdle?: number;
  /**
   * True when the generator had one CPU and turned V8's concurrent GC marking off (right after the
   * warm-up's first full collection): the collector then marks in small steps on the event loop's
   * thread instead of taking its CPU in scheduler slices (src/engine/own-process.ts). Absent
   * otherwise and in older reports.
   */
  readonly gcMarkingOnEventLoop?: boolean;
  /**
   * The full garbage collection before the code warm-up, ms
   * (included in durationMs). Absent when none was done (a library caller) and in older reports.
   */
  readonly gcMs?: number;
  /**
   * The full garbage collection after the code warm-up, ms (included in durationMs): it collects the
   * warm-up's garbage and finishes the marking its allocations started, so that the marking's last
   * pause does not fall inside the load. Unlike the one before it, it keeps compiled code. Absent
   * when none was done (a library caller) and in older reports.
   */
  readonly gcAfterMs?: number;
  /**
   * How long the generator waited, idle, right before the load for its helper threads to finish
   * the work the warm-up left them (optimizing, sweeping), ms (included in durationMs). Absent
   * when it did not (a library caller) and in older reports.
   */
  readonly settleMs?: number;
}

/** Requests of one step of one journey over the whole run (all statuses merged). Times in ms. */
export interface StepReport {
  readonly name: string;
  readonly requests: number;
  /** Requests per second over the run. */
  readonly rps: number;
  /** Fraction 0..1 of requests counted in http.errors. */
  readonly errorRate: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** One journey over the whole run: its iterations, their duration, and its steps. */
export interface JourneyReport {
  readonly name: string;
  readonly started: number;
  readonly completed: number;
  readonly failed: number;
  readonly interrupted: number;
  readonly dropped: number;
  /** journey.duration in ms. */
  readonly duration: { readonly count: number; readonly p50: number; readonly p90: number; readonly p95: number; readonly p99: number; readonly max: number };
  readonly steps: readonly StepReport[];
}

/** One named check over the whole run. */
export interface CheckReport {
  readonly name: string;
  readonly passes: number;
  readonly fails: number;
  /** passes / (passes + fails); 0 when never evaluated. */
  readonly rate: number;
}

export interface Report {
  readonly schemaVersion: 1;
  readonly rampart: { readonly version: string };
  readonly runId: string;
  readonly scenario: {
    readonly name: string;
    readonly description?: string;
    readonly file: string;
    readonly hash: string;
    readonly target: string;
    readonly model: 'open' | 'closed' | 'blocks';
    /** The scenario text as run, secrets redacted. */
    readonly text?: string;
  };
  readonly verdict: Verdict;
  /** The exit code the CLI returned (DESIGN.md). */
  readonly exitCode: number;
  readonly abortReason?: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly host: string;
    readonly cpus: number;
    readonly workers?: number;
  };
  readonly phases: readonly PhaseReport[];
  readonly thresholds: readonly ThresholdResult[];
  readonly series: readonly SeriesReport[];
  readonly timeline: readonly TimelinePoint[];
  /** Per journey and step summaries (what the console summary prints). */
  readonly journeys?: readonly JourneyReport[];
  readonly checks?: readonly CheckReport[];
  readonly generator: GeneratorHealth;
  readonly warnings: readonly string[];
}

/** Run-time information given to outputs when a run starts. */
export interface RunInfo {
  readonly runId: string;
  readonly scenarioName: string;
  readonly target: string;
  readonly startedAt: number;
  /** Planned total duration (ms) excluding the graceful stop; undefined when iteration-bound. */
  readonly plannedDurationMs?: number;
  /** Phases and stages; an iteration-bound stage's `durationMs` is its cap, not a plan. */
  readonly phases: readonly RunInfoPhase[];
}

/** A phase or stage as the run announces it. */
export interface RunInfoPhase {
  readonly name: string;
  readonly durationMs: number;
  /** Set when iterations bound the stage: it ends when they are done, at `durationMs` at the latest. */
  readonly iterations?: { readonly shared?: number; readonly perVu?: number; readonly vus: number };
}

/** Each second while running: the interval's snapshot, the cumulative one, and live threshold states. */
export interface IntervalUpdate {
  readonly offsetMs: number;
  readonly phase: string;
  readonly interval: MetricsSnapshot;
  readonly cumulative: MetricsSnapshot;
  readonly point: TimelinePoint;
  readonly thresholds: readonly ThresholdResult[];
  /** Target arrivals/s (open) or VUs (closed) right now. */
  readonly targetRate?: number;
  readonly targetVus?: number;
}

/**
 * An output: every hook optional. Outputs are chosen by the CLI from an explicit registry; the
 * engine only calls hooks. `end` must write atomically (temp file + rename).
 */
export interface Output {
  readonly name: string;
  start?(info: RunInfo): void | Promise<void>;
  interval?(update: IntervalUpdate): void;
  /**
   * An aborted run's report before its teardown, so that a slow teardown, or a second signal that
   * leaves during it, never loses the run: report files write it, `end` then rewrites them.
   */
  provisional?(report: Report): void | Promise<void>;
  end?(report: Report): void | Promise<void>;
}
