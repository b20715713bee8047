/**
 * What a shard tells the collector — over a worker thread's message port or a Kafka topic. Every
 * event names the run and the shard; metrics travel as encoded snapshots (src/metrics codec), so the
 * collector merges them exactly. Events are idempotent: the collector keys intervals by
 * (run, shard, seq) and the final cumulative by (run, shard), so a replayed or duplicated message
 * changes nothing.
 */
import type { GeneratorHealth, PhaseReport, RunInfo, TimelinePoint } from '../report/model.js';
import type { Verdict } from '../thresholds/judge/types.js';

/** Protocol version carried by every event; a collector refuses others. */
export const PROTOCOL_VERSION = 1;

/** Shard `index` (0-based, like a Kubernetes completion index) of `count`. */
export interface ShardId {
  readonly index: number;
  readonly count: number;
}

interface EventBase {
  readonly v: typeof PROTOCOL_VERSION;
  readonly runId: string;
  readonly shard: ShardId;
  /** When the shard sent it (its wall clock, epoch ms). */
  readonly at: number;
  /** Where the shard runs (host name, pid or thread id), for reports naming a lost shard. */
  readonly host: string;
}

/** The shard's Run started (setup begins now). */
export interface StartEvent extends EventBase {
  readonly kind: 'start';
  readonly info: RunInfo;
}

/** One interval (about a second) of the shard's metrics. */
export interface IntervalEvent extends EventBase {
  readonly kind: 'interval';
  /** Interval number since the shard's start: round(offsetMs / intervalMs), the idempotency key. */
  readonly seq: number;
  readonly offsetMs: number;
  readonly phase: string;
  /** The interval snapshot, encoded (encodeSnapshot). */
  readonly snapshot: string;
  /** The shard's timeline point of that interval (its vus, planned arrivals, …). */
  readonly point: TimelinePoint;
  readonly targetRate?: number;
  readonly targetVus?: number;
}

/** I am alive (sent every heartbeat interval, also while setup runs). */
export interface HeartbeatEvent extends EventBase {
  readonly kind: 'heartbeat';
}

/** The shard's Run ended: its whole cumulative snapshot (it supersedes the intervals) and health. */
export interface EndEvent extends EventBase {
  readonly kind: 'end';
  readonly startedAt: number;
  readonly endedAt: number;
  /** Everything the shard recorded, encoded: exact even for the samples of the last partial interval. */
  readonly cumulative: string;
  readonly verdict: Verdict;
  readonly exitCode: number;
  readonly abortReason?: string;
  readonly phases: readonly PhaseReport[];
  readonly generator: GeneratorHealth;
  readonly warnings: readonly string[];
}

export type ShardEvent = StartEvent | IntervalEvent | HeartbeatEvent | EndEvent;

/** The text of an event (JSON). */
export function encodeEvent(e: ShardEvent): string {
  return JSON.stringify(e);
}

/** Thrown for a message that is not a rampart shard event (the collector skips and counts it). */
export class BadEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadEventError';
  }
}

const KINDS = new Set(['start', 'interval', 'heartbeat', 'end']);

/** Parses and checks an event's envelope; throws {@link BadEventError} for anything else. */
export function decodeEvent(text: string): ShardEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BadEventError('not JSON');
  }
  if (raw === null || typeof raw !== 'object') throw new BadEventError('not an object');
  const e = raw as Record<string, unknown>;
  if (e.v !== PROTOCOL_VERSION) throw new BadEventError(`protocol version ${String(e.v)} (this rampart speaks ${PROTOCOL_VERSION})`);
  if (typeof e.kind !== 'string' || !KINDS.has(e.kind)) throw new BadEventError(`unknown kind ${String(e.kind)}`);
  if (typeof e.runId !== 'string' || e.runId === '') throw new BadEventError('no runId');
  const s = e.shard as Record<string, unknown> | undefined;
  if (!s || !Number.isInteger(s.index) || !Number.isInteger(s.count) || (s.count as number) < 1) throw new BadEventError('bad shard');
  if ((s.index as number) < 0 || (s.index as number) >= (s.count as number)) throw new BadEventError('bad shard');
  if (typeof e.at !== 'number') throw new BadEventError('no time');
  if (e.kind === 'interval' && (!Number.isInteger(e.seq) || typeof e.snapshot !== 'string')) throw new BadEventError('bad interval');
  if (e.kind === 'end' && typeof e.cumulative !== 'string') throw new BadEventError('bad end');
  return raw as ShardEvent;
}

/** `1/3` for shard index 1 of 3: the same 0-based `i/N` as `--shard` and a Kubernetes completion index. */
export function shardName(s: ShardId): string {
  return `${s.index}/${s.count}`;
}
