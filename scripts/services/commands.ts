/**
 * The `services` commands: `up` starts (or finds) a Redis and a Kafka broker that outlive the
 * command and records what it started; `down` stops exactly the recorded pids; `status` reports.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REDIS_URL } from './ensure.js';
import { kafkaAnswers } from './kafka-probe.js';
import { fetchKafkaJars } from './kafka-jars.js';
import { startKafka } from './kafka.js';
import { withLock } from './lock.js';
import { freePort, portAccepts } from './net.js';
import type { ServicePaths } from './paths.js';
import { stopPid } from './proc.js';
import { redisAnswers, startRedis } from './redis.js';
import { readState, recordAlive, writeState } from './state.js';
import type { ServiceState } from './state.js';
import { ensureTool, TOOLS } from './tools.js';
import { EXIT } from '../../src/exit-codes.js';

/** What every command needs: paths, the environment, and where to print. */
export interface CommandContext {
  readonly paths: ServicePaths;
  readonly env: Record<string, string | undefined>;
  /** One line of output. */
  readonly out: (line: string) => void;
}

/** The standard port if nothing listens on it, else a free one. */
async function preferPort(standard: number): Promise<number> {
  return (await portAccepts(standard)) ? freePort() : standard;
}

/** Where Redis is (and why), or undefined when none answers and none is recorded. */
async function findRedis(ctx: CommandContext, state: ServiceState): Promise<string | undefined> {
  const configured = ctx.env.REDIS_URL?.trim();
  if (configured) {
    if (await redisAnswers(configured)) return `${configured} (REDIS_URL)`;
    ctx.out(`redis: REDIS_URL=${configured} does not answer PING`);
  }
  if (state.redis && recordAlive('redis', state.redis) && (await redisAnswers(state.redis.address))) {
    return `${state.redis.address} (pid ${state.redis.pid}, started by services up at ${state.redis.startedAt})`;
  }
  if (await redisAnswers(DEFAULT_REDIS_URL)) return `${DEFAULT_REDIS_URL} (already running on this machine; not managed here)`;
  return undefined;
}

async function findKafka(ctx: CommandContext, state: ServiceState): Promise<string | undefined> {
  const configured = ctx.env.KAFKA_BROKERS?.trim();
  if (configured) {
    if (await kafkaAnswers(configured)) return `${configured} (KAFKA_BROKERS)`;
    ctx.out(`kafka: KAFKA_BROKERS=${configured} does not answer`);
  }
  if (state.kafka && recordAlive('kafka', state.kafka) && (await kafkaAnswers(state.kafka.address, 5_000))) {
    return `${state.kafka.address} (pid ${state.kafka.pid}, started by services up at ${state.kafka.startedAt})`;
  }
  return undefined;
}

/** `up`: exit code 0 when both services are available. */
export async function up(ctx: CommandContext): Promise<number> {
  return withLock(join(ctx.paths.root, 'services.lock'), async () => {
    const state = readState(ctx.paths.stateFile);
    const log = (line: string): void => ctx.out(`  ${line}`);
    const redis = await findRedis(ctx, state);
    if (redis !== undefined) {
      ctx.out(`redis: up at ${redis}`);
    } else {
      const inst = await startRedis({ port: await preferPort(6379), detached: true, log });
      state.redis = { pid: inst.pid, port: inst.port, address: inst.url, dir: inst.dir, startedAt: new Date().toISOString() };
      writeState(ctx.paths.stateFile, state);
      ctx.out(`redis: started pid ${inst.pid} at ${inst.url}`);
    }
    const kafka = await findKafka(ctx, state);
    if (kafka !== undefined) {
      ctx.out(`kafka: up at ${kafka}`);
    } else {
      if (state.kafka && recordAlive('kafka', state.kafka)) {
        ctx.out(`kafka: recorded broker pid ${state.kafka.pid} does not answer; stopping it before a fresh start`);
        await stopPid(state.kafka.pid);
      }
      const inst = await startKafka({
        port: await preferPort(9092),
        controllerPort: await preferPort(9093),
        dataDir: ctx.paths.kafkaData,
        detached: true,
        log,
      });
      state.kafka = {
        pid: inst.pid, port: inst.port, controllerPort: inst.controllerPort, address: inst.brokers,
        dir: inst.dataDir, runDir: inst.runDir, startedAt: new Date().toISOString(),
      };
      writeState(ctx.paths.stateFile, state);
      ctx.out(`kafka: started pid ${inst.pid} at ${inst.brokers} (data in ${inst.dataDir})`);
    }
    const now = readState(ctx.paths.stateFile);
    ctx.out('');
    ctx.out('Use them with:');
    ctx.out(`  export REDIS_URL=${ctx.env.REDIS_URL && (await redisAnswers(ctx.env.REDIS_URL)) ? ctx.env.REDIS_URL : (now.redis?.address ?? DEFAULT_REDIS_URL)}`);
    ctx.out(`  export KAFKA_BROKERS=${ctx.env.KAFKA_BROKERS && (await kafkaAnswers(ctx.env.KAFKA_BROKERS)) ? ctx.env.KAFKA_BROKERS : (now.kafka?.address ?? '')}`);
    return EXIT.OK;
  });
}

/** `down`: stops the recorded pids (SIGTERM, up to 30 s, then SIGKILL); `purge` drops Kafka's data. */
export async function down(ctx: CommandContext, purge = false): Promise<number> {
  return withLock(join(ctx.paths.root, 'services.lock'), async () => {
    const state = readState(ctx.paths.stateFile);
    for (const kind of ['redis', 'kafka'] as const) {
      const rec = state[kind];
      if (rec === undefined) {
        ctx.out(`${kind}: nothing recorded`);
        continue;
      }
      if (recordAlive(kind, rec)) {
        const t0 = Date.now();
        await stopPid(rec.pid);
        ctx.out(`${kind}: stopped pid ${rec.pid} (${rec.address}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } else {
        ctx.out(`${kind}: recorded pid ${rec.pid} is no longer running`);
      }
      if (kind === 'redis') rmSync(rec.dir, { recursive: true, force: true });
      delete state[kind];
      writeState(ctx.paths.stateFile, state);
    }
    if (purge) {
      rmSync(ctx.paths.kafkaData, { recursive: true, force: true });
      rmSync(`${ctx.paths.kafkaData}-run`, { recursive: true, force: true });
      ctx.out('kafka: data removed');
    }
    return EXIT.OK;
  });
}

/** `status`: exit code 0 when both services answer, 1 otherwise. */
export async function status(ctx: CommandContext): Promise<number> {
  const state = readState(ctx.paths.stateFile);
  const [redis, kafka] = await Promise.all([findRedis(ctx, state), findKafka(ctx, state)]);
  ctx.out(`redis: ${redis === undefined ? 'down' : `up at ${redis}`}`);
  ctx.out(`kafka: ${kafka === undefined ? 'down' : `up at ${kafka}`}`);
  for (const kind of ['redis', 'kafka'] as const) {
    const rec = state[kind];
    if (rec && !recordAlive(kind, rec)) ctx.out(`${kind}: recorded pid ${rec.pid} is gone (run down to clear the record)`);
  }
  return redis !== undefined && kafka !== undefined ? EXIT.OK : EXIT.FAILED;
}

/** `fetch`: makes sure java and mvn exist and the broker jars are cached (for CI, before tests). */
export async function fetch(ctx: CommandContext): Promise<number> {
  const log = (line: string): void => ctx.out(line);
  ensureTool(TOOLS.java, { log });
  const t0 = Date.now();
  const lib = fetchKafkaJars(ctx.paths, { log });
  ctx.out(`kafka jars: ${lib} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return EXIT.OK;
}
