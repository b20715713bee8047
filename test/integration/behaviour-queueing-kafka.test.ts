/**
 * scenarios/queueing-kafka.yaml watches the orders queue from Kafka and Redis, not from the
 * service's status endpoint: it passes against healthy mocks, and fails against `--break consumer`
 * (orders queued, never processed — the negative twin), naming the processing threshold, while
 * every order is still seen on the topic. Real Kafka and Redis, a topic and key prefix per test.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { failedThresholds, runScenario, seriesOf, startBehaviourMocks, waitOrdersFlow, type BehaviourMocks } from './behaviour-support.js';

const SHORT = { CALM: '2s', SPIKE: '3s', SPIKE_RATE: '20', SEEN_TIMEOUT: '5s', PROCESS_WAIT: '1500ms' };
const ORDERS = 2 * 5 + 3 * 20;

let healthy: BehaviourMocks;
let broken: BehaviourMocks;
beforeAll(async () => {
  [healthy, broken] = await Promise.all([startBehaviourMocks(), startBehaviourMocks(['consumer'])]);
  await waitOrdersFlow(healthy.url); // the topic exists and the workers hold their partitions
  // The broken twin's topic exists once it accepted an order (its worker never starts).
  await fetch(`${broken.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ productId: 'warm-up', qty: 1 }) });
}, 90_000);
afterAll(async () => {
  await Promise.all([healthy?.dispose(), broken?.dispose()]);
});

const envOf = (m: BehaviourMocks): Record<string, string> => ({
  ...SHORT,
  ORDERS_TOPIC: m.ordersTopic,
  KEY_PREFIX: m.keyPrefix,
  KAFKA_BROKERS: inject('kafkaBrokers'),
  REDIS_URL: inject('redisUrl'),
});

describe('queueing-kafka.yaml', () => {
  it('passes against working workers: every order seen on the topic from its 202, and processed', async () => {
    const r = await runScenario('queueing-kafka', healthy.url, envOf(healthy));
    expect(r.stderr).not.toContain('internal error');
    expect(failedThresholds(r.report), r.stdout).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report.journeys?.[0]).toMatchObject({ name: 'place-order', completed: ORDERS, failed: 0 });
    // One kafka.latency sample per order, and the step in the journey's table.
    const seen = seriesOf(r.report, 'kafka.latency', { step: 'order-queued' });
    expect(seen.reduce((n, s) => n + s.count, 0)).toBe(ORDERS);
    const steps = r.report.journeys?.[0]?.steps.map((s) => [s.name, s.requests]);
    expect(steps).toEqual(expect.arrayContaining([['order-queued', ORDERS], ['order-processed', ORDERS]]));
    expect(seriesOf(r.report, 'redis.latency', { step: 'order-processed' }).reduce((n, s) => n + s.count, 0)).toBe(ORDERS);
  }, 120_000);

  it('fails against --break consumer: the orders reach the topic, none is processed', async () => {
    const r = await runScenario('queueing-kafka', broken.url, envOf(broken));
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ verdict: 'failed', exitCode: 1 });
    expect(failedThresholds(r.report)).toEqual(['expectations{step:order-processed}']);
    expect(r.stdout).toMatch(/✗ FAIL\s+expectations\{step:order-processed\}: rate == 1\s+observed 0%/);
    // Queueing itself still works: every order was seen on the topic.
    expect(r.report.thresholds.find((t) => t.key === 'kafka.errors{step:order-queued}')?.passed).toBe(true);
    expect(seriesOf(r.report, 'redis.errors', { step: 'order-processed', error: 'expectation' }).reduce((n, s) => n + s.sum, 0)).toBe(ORDERS);
    expect(r.stderr).toContain('expected equals "done", got "queued"');
  }, 120_000);
});
