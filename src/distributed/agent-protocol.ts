/** What `--agents` tells each shard process (over IPC), and what it hears back. */
import type { KafkaTarget } from './kafka.js';
import type { ShardId } from './protocol.js';

export interface AgentJob {
  /** Absolute path of the scenario. */
  readonly scenarioFile: string;
  /** Interpolation variables, already resolved by the parent (process env + --env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly target?: string;
  readonly environment?: string;
  /** `--no-proxy`. */
  readonly noProxy?: boolean;
  readonly shard: ShardId;
  readonly runId: string;
  readonly seed: number;
  readonly startAt: number;
  readonly kafka: KafkaTarget;
  readonly version: string;
  readonly heartbeatMs?: number;
}

export type FromAgent = { readonly type: 'log'; readonly line: string };
