/**
 * Helpers for the behaviour tests: the bundled mocks started in-process (port 0, admin API on) on
 * the test run's Redis and Kafka, each instance with its own key prefix, orders topic and consumer
 * group; and `rampart run` of a committed scenario (shortened through --env) with a JSON report.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import type { BreakName, MocksConfigInput } from '../../mocks/common/config.js';
import { startMocks, type RunningMocks } from '../../mocks/server.js';
import type { Report } from '../../src/report/model.js';
import { runCli } from '../support/run-helpers.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** A mocks instance and how to remove everything it left in Redis. */
export interface BehaviourMocks extends RunningMocks {
  readonly keyPrefix: string;
  /** The orders topic of this instance. */
  readonly ordersTopic: string;
  /** Closes the server and deletes its Redis keys. */
  dispose(): Promise<void>;
}

/** Starts the mocks with `breaks` and config overrides, isolated from every other test. */
export async function startBehaviourMocks(breaks: readonly BreakName[] = [], config: MocksConfigInput = {}): Promise<BehaviourMocks> {
  const id = randomUUID().slice(0, 8);
  const keyPrefix = `rampart:test:behaviour-${id}:`;
  const ordersTopic = config.orders?.topic ?? `rampart.test.behaviour-${id}`;
  const running = await startMocks({
    config: {
      host: '127.0.0.1',
      port: 0,
      redisUrl: inject('redisUrl'),
      kafkaBrokers: inject('kafkaBrokers'),
      keyPrefix,
      logLevel: 'silent',
      breaks,
      admin: { enabled: true },
      shutdownTimeoutMs: 2000,
      ...config,
      orders: { topic: ordersTopic, groupId: `rampart-test-behaviour-${id}`, ...config.orders },
    },
  });
  const dispose = async (): Promise<void> => {
    await running.close();
    const redis = new Redis(inject('redisUrl'), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  };
  return Object.assign(running, { keyPrefix, ordersTopic, dispose });
}

/**
 * Places one order and polls it until `done`: the consumer has joined its group and the queue
 * flows (a new consumer group takes a few seconds to get its partitions).
 */
export async function waitOrdersFlow(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const res = await fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ productId: 'warm-up', qty: 1 }) });
  if (res.status !== 202) throw new Error(`warm-up order refused: ${res.status} ${await res.text()}`);
  const { jobId } = (await res.json()) as { jobId: string };
  while (Date.now() < deadline) {
    const job = (await (await fetch(`${url}/orders/${jobId}`)).json()) as { status?: string };
    if (job.status === 'done') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the warm-up order was not done within ${timeoutMs} ms`);
}

/** What a run of a committed scenario gave. */
export interface ScenarioRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: Report;
}

/** `rampart run scenarios/<name>.yaml --target <url> --out <tmp> --quiet --env K=V…`, in-process. */
export async function runScenario(name: string, target: string, env: Readonly<Record<string, string>>): Promise<ScenarioRun> {
  const out = join(await mkdtemp(join(tmpdir(), `rampart-behaviour-${name}-`)), 'report.json');
  const envFlags = Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const r = await runCli(['run', join(root, 'scenarios', `${name}.yaml`), '--target', target, '--out', out, '--quiet', ...envFlags], { cwd: root, env: {} });
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  return { ...r, report };
}

/** The threshold keys that failed, in report order. */
export function failedThresholds(report: Report): string[] {
  return report.thresholds.filter((t) => !t.passed).map((t) => t.key);
}

/** The series of `metric` whose tags include every one of `tags`. */
export function seriesOf(report: Report, metric: string, tags: Readonly<Record<string, string>>): Report['series'] {
  return report.series.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v));
}
