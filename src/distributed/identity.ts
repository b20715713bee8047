/**
 * What every shard of a distributed run must agree on without talking to each other: which shard it
 * is, when to start, the run id and the seed of the one global schedule. Given the same command line
 * (scenario, --shard count, --start-at), every shard derives the same run id and seed.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { ShardId } from './protocol.js';

/** Parses `--shard i/N`: 0 ≤ i < N (0-based, like a Kubernetes Job's completion index). */
export function parseShardSpec(spec: string): ShardId {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new UsageError(`--shard expects i/N (0-based index, e.g. 0/3, 1/3, 2/3), got "${spec}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 10_000) throw new UsageError(`--shard: N must be between 1 and 10000, got ${count}`);
  if (index >= count) throw new UsageError(`--shard: the index is 0-based and must be below ${count}, got ${index} (did you mean ${index - 1}/${count}?)`);
  return { index, count };
}

/**
 * Parses `--start-at`: an ISO-8601 instant with a time zone (`2025-06-01T12:00:00Z`, `…+02:00`), or
 * `+<seconds>s` from now. Returns epoch ms.
 */
export function parseStartAt(text: string, now: number): number {
  const rel = /^\+(\d+(?:\.\d+)?)s$/.exec(text.trim());
  if (rel) return now + Number(rel[1]) * 1000;
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())) {
    throw new UsageError(`--start-at expects an ISO-8601 instant with a time zone (e.g. 2025-06-01T12:00:00Z) or +Ns, got "${text}"`);
  }
  const at = Date.parse(text);
  if (!Number.isFinite(at)) throw new UsageError(`--start-at: "${text}" is not a valid instant`);
  return at;
}

/** The run id every shard derives from the scenario's hash, the shard count and the start instant. */
export function deriveRunId(scenarioHash: string, count: number, startAt: number | undefined): string {
  const h = createHash('sha256').update(`${scenarioHash}|${count}|${startAt ?? 'now'}`).digest('hex');
  return `run-${h.slice(0, 16)}`;
}

/** A 32-bit seed from a run id: every shard of the run walks one schedule with it. */
export function seedFromRunId(runId: string): number {
  return createHash('sha256').update(runId).digest().readUInt32BE(0);
}

/** Checks a run id given on the command line (it becomes part of Kafka keys and file names). */
export function checkRunId(id: string, flag = '--run-id'): string {
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(id)) throw new UsageError(`${flag}: "${id}" is not a run id (letters, digits, . _ : -, at most 128)`);
  return id;
}
