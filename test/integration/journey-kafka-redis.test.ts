/**
 * kafka and redis steps against the real broker and Redis of the test run: a consume matches a
 * message produced before the step began (the consumer reads from the run's start), `since`,
 * captures, Redis commands with expect and capture; and bad input — unknown brokers, a topic that
 * does not exist, a Redis that is down — fails only the steps concerned, with their error class,
 * within their timeouts, and the report is still written. Secrets in the blocks never show.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli } from '../support/run-helpers.js';
import { seriesOf } from './behaviour-support.js';

let dir: string;
const id = randomUUID().slice(0, 8);
const prefix = `rampart:test:kr-${id}:`;
const topic = `rampart.test.kr-${id}`;
let redis: Redis;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function run(name: string, yaml: string, extra: readonly string[] = []): Promise<{ code: number; stdout: string; stderr: string; report: Report; text: string; ms: number }> {
  const file = join(dir, `${name}.yaml`);
  const out = join(dir, `${name}.json`);
  await writeFile(file, yaml);
  const t0 = Date.now();
  const r = await runCli(['run', file, '--out', out, '--quiet', ...extra], { cwd: dir, env: {} });
  const text = await readFile(out, 'utf8');
  return { ...r, report: JSON.parse(text) as Report, text, ms: Date.now() - t0 };
}

const count = (report: Report, metric: string, tags: Record<string, string>, what: 'count' | 'sum' = 'count'): number =>
  seriesOf(report, metric, tags).reduce((n, s) => n + s[what], 0);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-kr-'));
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: inject('kafkaBrokers').split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: inject('kafkaBrokers').split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('kafka and redis steps', () => {
  it('produces and consumes through one shared consumer; redis commands expect and capture', async () => {
    await redis.hset(`${prefix}h`, { status: 'done', n: '3' });
    await redis.rpush(`${prefix}l`, 'a', 'b');
    const r = await run(
      'ok',
      `name: ok
kafka: { brokers: ["${inject('kafkaBrokers')}"], clientId: "kr-{{ suffix }}" }
redis: { url: "${inject('redisUrl')}" }
variables: { suffix: "${id}" }
load: { vus: 4, iterations: 12, maxDuration: 30s }
journeys:
  - name: j
    steps:
      - name: seed
        redis: { set: "${prefix}v-{{ vu.id }}-{{ iteration }}", value: { id: "{{ vu.id }}" }, expire: 60s }
        expect: { equals: OK }
      - name: read
        redis: { get: "${prefix}v-{{ vu.id }}-{{ iteration }}" }
        expect: { json: $.id, equals: "{{ vu.id }}" }
      - name: hash
        redis: { hget: "${prefix}h", field: status }
        expect: { equals: done }
      - name: all
        redis: { hgetall: "${prefix}h" }
        capture: { n: { json: $.n } }
      - name: len
        redis: { llen: "${prefix}l" }
        expect: { equals: 2 }
      - name: pttl
        redis: { pttl: "${prefix}v-{{ vu.id }}-{{ iteration }}" }
        expect: { gt: 0, lte: 60000 }
      - name: scan
        redis: { keys: "${prefix}v-*", limit: 5 }
        expect: { json: "$[0]", exists: true }
      - name: send
        kafka: { produce: { topic: ${topic}, key: "k-{{ vu.id }}-{{ iteration }}", json: { vu: "{{ vu.id }}", n: "{{ n }}" }, headers: { x-run: "${id}" } } }
      - think: 100ms
      - name: seen
        kafka: { consume: { topic: ${topic}, until: { key: "k-{{ vu.id }}-{{ iteration }}", header: x-run, equals: "${id}" }, since: send, timeout: 5s } }
        capture: { gotVu: { json: $.vu }, gotKey: { key: true } }
      - name: gone
        redis: { del: "${prefix}v-{{ vu.id }}-{{ iteration }}" }
        expect: { equals: 1 }
thresholds:
  "kafka.latency{step:seen}": ["p(95) < 2s"]
  kafka.errors: ["rate == 0"]
  redis.errors: ["rate == 0"]
`,
    );
    expect(r.stderr).not.toContain('internal error');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.report.journeys?.[0]).toMatchObject({ completed: 12, failed: 0 });
    expect(count(r.report, 'kafka.latency', { step: 'seen' })).toBe(12);
    expect(count(r.report, 'kafka.latency', { step: 'send' })).toBe(12);
    expect(count(r.report, 'redis.latency', { step: 'scan' })).toBe(12);
    // Every step in the journey's table, with its own count.
    const steps = new Map(r.report.journeys?.[0]?.steps.map((s) => [s.name, s.requests]));
    expect(Object.fromEntries(steps)).toMatchObject({ seed: 12, read: 12, send: 12, seen: 12, gone: 12 });
  }, 60_000);

  it('merges kafka and redis metrics exactly across worker threads (one consumer per topic in each)', async () => {
    const r = await run(
      'workers',
      `name: workers
kafka: { brokers: ["${inject('kafkaBrokers')}"] }
redis: { url: "${inject('redisUrl')}" }
load: { vus: 4, iterations: 20, maxDuration: 30s }
journeys:
  - name: j
    steps:
      - name: send
        kafka: { produce: { topic: ${topic}, key: "w-{{ uuid() }}", value: x } }
      - name: look
        redis: { exists: "${prefix}nothing" }
        expect: { equals: 0 }
      - name: any
        kafka: { consume: { topic: ${topic}, until: { key: { matches: "^w-" } }, timeout: 5s } }
`,
      ['--workers', '2'],
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(count(r.report, 'kafka.latency', { step: 'send' })).toBe(20);
    expect(count(r.report, 'kafka.errors', { step: 'any' })).toBe(20);
    expect(count(r.report, 'kafka.errors', { step: 'any' }, 'sum')).toBe(0);
    expect(count(r.report, 'redis.latency', { step: 'look' })).toBe(20);
  }, 60_000);

  it('matches a message that arrived before the step began, produced after the run started', async () => {
    const r = await run(
      'early',
      `name: early
kafka: { brokers: ["${inject('kafkaBrokers')}"] }
load: { vus: 1, iterations: 1, maxDuration: 30s }
journeys:
  - name: j
    steps:
      - name: send
        kafka: { produce: { topic: ${topic}, key: early-${id}, value: "plain text {{ vu.id }}" } }
      - think: 1500ms
      - name: seen
        kafka: { consume: { topic: ${topic}, until: { key: early-${id}, body: { contains: plain text } }, timeout: 3s } }
`,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(count(r.report, 'kafka.errors', { step: 'seen' })).toBe(1);
    expect(count(r.report, 'kafka.errors', { step: 'seen' }, 'sum')).toBe(0);
  }, 60_000);

  it('unknown brokers and a Redis that is down: only those steps fail, with their class, in time', async () => {
    const [kafkaPort, redisPort] = [await closedPort(), await closedPort()];
    const missing = `rampart.test.missing-${id}`;
    const r = await run(
      'bad',
      `name: bad
kafka: { brokers: ["127.0.0.1:${kafkaPort}"], connectTimeout: 500ms, sasl: { mechanism: scram-sha-256, username: u, password: "s3cret-${id}" } }
redis: { url: "redis://:hunter2-${id}@127.0.0.1:${redisPort}", timeout: 500ms }
load:
  - name: brokers-away
    journeys: [no-broker]
    vus: 1
    iterations: 2
    maxDuration: 20s
  - name: redis-away
    journeys: [no-redis]
    vus: 1
    iterations: 2
    maxDuration: 20s
  - name: fine
    journeys: [fine]
    vus: 1
    iterations: 2
    maxDuration: 20s
journeys:
  - name: no-broker
    steps:
      - name: produce-away
        kafka: { produce: { topic: ${missing}, value: x } }
  - name: no-redis
    steps:
      - name: get-away
        redis: { get: some-key }
  - name: fine
    steps:
      - think: 10ms
thresholds:
  journeys.failed: ["count <= 100"]
  kafka.errors: ["rate <= 100%"]
  redis.errors: ["rate <= 100%"]
`,
    );
    expect(r.stderr).not.toContain('internal error');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(count(r.report, 'kafka.errors', { step: 'produce-away', error: 'refused' }, 'sum')).toBe(2);
    expect(count(r.report, 'redis.errors', { step: 'get-away', error: 'refused' }, 'sum')).toBe(2);
    expect(r.report.journeys?.find((j) => j.name === 'fine')).toMatchObject({ completed: 2, failed: 0 });
    expect(r.ms).toBeLessThan(30_000);
    // The Redis password appears nowhere: not in the report, not in the output.
    expect(r.text).not.toContain(`hunter2-${id}`);
    expect(r.stdout + r.stderr).not.toContain(`hunter2-${id}`);
    expect(r.text).not.toContain(`s3cret-${id}`);
    expect(r.report.scenario.text).toContain('[redacted]');
  }, 60_000);

  it('a topic that does not exist fails its consume and produce steps as not-found, within the timeout', async () => {
    const missing = `rampart.test.missing-${id}-2`;
    const r = await run(
      'missing',
      `name: missing
kafka: { brokers: ["${inject('kafkaBrokers')}"] }
load:
  - { name: waiting, journeys: [wait], vus: 1, iterations: 1, maxDuration: 20s }
  - { name: sending, journeys: [send], vus: 1, iterations: 1, maxDuration: 20s }
journeys:
  - name: wait
    steps:
      - name: wait-missing
        kafka: { consume: { topic: ${missing}, timeout: 1s } }
  - name: send
    steps:
      - name: send-missing
        kafka: { produce: { topic: ${missing}-produced, value: x } }
`,
    );
    expect(r.code).toBe(1);
    expect(count(r.report, 'kafka.errors', { step: 'wait-missing', error: 'not-found' }, 'sum')).toBe(1);
    expect(count(r.report, 'kafka.errors', { step: 'send-missing', error: 'not-found' }, 'sum')).toBe(1);
    expect(r.report.warnings.join('\n')).toContain('2 of 2 kafka operations failed (not-found 2');
    expect(r.ms).toBeLessThan(20_000);
  }, 60_000);
});
