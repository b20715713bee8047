/**
 * One Redis and one Kafka broker for a test run or a demo: reuse what is configured or already
 * running, start only what is missing, and stop only what was started here.
 */
import { kafkaAnswers } from './kafka-probe.js';
import { startKafka } from './kafka.js';
import { servicePaths } from './paths.js';
import { redisAnswers, startRedis } from './redis.js';
import { readState, recordAlive } from './state.js';

/** Options of {@link ensureServices}. */
export interface EnsureServicesOptions {
  /** The environment to read REDIS_URL and KAFKA_BROKERS from (pass `process.env`). */
  readonly env: Record<string, string | undefined>;
  /** Progress messages, one line each. */
  readonly log?: (line: string) => void;
  /** Install missing tools with apt-get; default when root. */
  readonly allowInstall?: boolean;
  /** Project root whose `.cache/services/state.json` is consulted; default this checkout. */
  readonly root?: string;
}

/** The addresses to use, and how to stop what was started for them. */
export interface EnsuredServices {
  /** e.g. `redis://127.0.0.1:6379` */
  readonly redisUrl: string;
  /** Comma-separated `host:port` list, e.g. `127.0.0.1:9092` */
  readonly kafkaBrokers: string;
  /** What was started here (empty when everything was reused). */
  readonly started: readonly ('redis' | 'kafka')[];
  /** Stops only the processes ensureServices started; reused services are left alone. */
  stop(): Promise<void>;
}

/** The default Redis address tried before starting one. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Redis: REDIS_URL if it answers PING, else the one recorded by `services up`, else
 * 127.0.0.1:6379 if it answers, else a new one on a free port. Kafka: KAFKA_BROKERS if it answers, else the
 * broker recorded by `services up`, else a new one on free ports. Both are looked up in parallel.
 */
export async function ensureServices(opts: EnsureServicesOptions): Promise<EnsuredServices> {
  const log = opts.log ?? (() => undefined);
  const state = readState(servicePaths(opts.root).stateFile);
  const stops: (() => Promise<void>)[] = [];
  const started: ('redis' | 'kafka')[] = [];

  const redis = async (): Promise<string> => {
    const candidates: string[] = [];
    const configured = opts.env.REDIS_URL?.trim();
    if (configured) candidates.push(configured);
    if (state.redis && recordAlive('redis', state.redis)) candidates.push(state.redis.address);
    candidates.push(DEFAULT_REDIS_URL);
    for (const url of candidates) {
      if (await redisAnswers(url)) return url;
      if (url === configured) log(`REDIS_URL=${url} does not answer PING; looking for another Redis`);
    }
    const inst = await startRedis({ allowInstall: opts.allowInstall, log });
    stops.push(inst.stop);
    started.push('redis');
    log(`started redis-server pid ${inst.pid} at ${inst.url}`);
    return inst.url;
  };

  const kafka = async (): Promise<string> => {
    const configured = opts.env.KAFKA_BROKERS?.trim();
    if (configured) {
      if (await kafkaAnswers(configured)) return configured;
      log(`KAFKA_BROKERS=${configured} does not answer; looking for another broker`);
    }
    if (state.kafka && recordAlive('kafka', state.kafka) && (await kafkaAnswers(state.kafka.address))) {
      return state.kafka.address;
    }
    const inst = await startKafka({ allowInstall: opts.allowInstall, log });
    stops.push(inst.stop);
    started.push('kafka');
    log(`started Kafka broker pid ${inst.pid} at ${inst.brokers}`);
    return inst.brokers;
  };

  const stopAll = async (): Promise<void> => {
    await Promise.all(stops.splice(0).map((s) => s()));
  };
  const [r, k] = await Promise.allSettled([redis(), kafka()]);
  if (r.status === 'rejected' || k.status === 'rejected') {
    await stopAll();
    throw r.status === 'rejected' ? r.reason : (k as PromiseRejectedResult).reason;
  }
  return { redisUrl: r.value, kafkaBrokers: k.value, started, stop: stopAll };
}
