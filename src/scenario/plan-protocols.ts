/**
 * The Plan's protocol steps beyond HTTP (`kafka`, `redis`) and the scenario-level connections they
 * use. Plain, frozen, serializable data like the rest of the Plan (src/scenario/plan.ts).
 *
 * A protocol step kind has: a step type here (a `kind`, a `name` for the `step` tag, `pos`), a
 * normalizer registered in src/scenario/normalize/step-kinds.ts, a runner registered in
 * src/journey/protocol-steps.ts, and its metrics in METRIC / PROTOCOL_METRICS (src/metrics/types.ts).
 */
import type { CapturePlan, Matcher, SourcePos, Template, TemplateValue } from './plan.js';

/** SASL credentials of the `kafka:` block (the password is one of the plan's secrets). */
export interface KafkaSasl {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

/** The scenario's `kafka:` block, rendered (templates over the declared variables) when it loaded. */
export interface KafkaPlan {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS to the brokers; `tlsVerify: false` only by explicit opt-out. */
  readonly ssl: boolean;
  readonly tlsVerify: boolean;
  readonly sasl?: KafkaSasl;
  /** Connection timeout, ms (default 3000). */
  readonly connectTimeoutMs: number;
  /** Unmatched messages kept per topic for waiters still to come (default 10 000; oldest dropped first). */
  readonly buffer: number;
}

/** The scenario's `redis:` block. */
export interface RedisPlan {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (the password is one of the plan's secrets). */
  readonly url: string;
  /** Timeout of one command (and of connecting), ms (default 2000). */
  readonly timeoutMs: number;
}

/** `kafka: { produce: … }` — one message to a topic; the step ends when the broker acknowledged it. */
export interface KafkaProduce {
  readonly op: 'produce';
  readonly topic: Template;
  readonly key?: Template;
  /** A JSON value (sent as its JSON text) or a text template. */
  readonly value: { readonly kind: 'json'; readonly value: TemplateValue } | { readonly kind: 'text'; readonly template: Template };
  readonly headers: readonly (readonly [string, Template])[];
}

/** `kafka: { consume: … }` — wait for a message of the topic that matches `until`. */
export interface KafkaConsume {
  readonly op: 'consume';
  /** Constant: the process's consumer of this topic starts with the run. */
  readonly topic: string;
  /** Every matcher must hold (json over the value, header, key, body). Empty: the next message. */
  readonly until: readonly Matcher[];
  readonly timeoutMs: number;
  /** Measure kafka.latency from when this earlier step's response arrived (else from this step's start). */
  readonly since?: string;
}

export interface KafkaStep {
  readonly kind: 'kafka';
  /** The `step` tag of kafka.latency and kafka.errors. Default `produce <topic>` / `consume <topic>`. */
  readonly name: string;
  readonly action: KafkaProduce | KafkaConsume;
  readonly captures: readonly CapturePlan[];
  readonly tags: Readonly<Record<string, string>>;
  readonly pos: SourcePos;
}

/** The Redis commands a `redis` step may send. */
export type RedisCommand = 'get' | 'exists' | 'ttl' | 'pttl' | 'hget' | 'hgetall' | 'llen' | 'xlen' | 'keys' | 'set' | 'del';

export interface RedisStep {
  readonly kind: 'redis';
  /** The `step` tag of redis.latency and redis.errors. Default `<command> <key>`. */
  readonly name: string;
  readonly command: RedisCommand;
  /** The key (for `keys`: the MATCH pattern). */
  readonly key: Template;
  /** hget: the field. */
  readonly field?: Template;
  /** set: the value (JSON values are stored as their JSON text). */
  readonly value?: TemplateValue;
  /** set: expiry, ms. */
  readonly ttlMs?: number;
  /** keys: at most this many keys are returned (SCAN stops there). Default 1000. */
  readonly limit: number;
  readonly expect: readonly Matcher[];
  readonly captures: readonly CapturePlan[];
  readonly tags: Readonly<Record<string, string>>;
  readonly pos: SourcePos;
}

/** Steps that talk to something other than the HTTP target. */
export type ProtocolStep = KafkaStep | RedisStep;
