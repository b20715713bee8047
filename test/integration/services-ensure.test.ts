import { describe, expect, inject, it } from 'vitest';
import { ensureServices, kafkaAnswers, redisAnswers } from '../../scripts/services/index.js';

describe('global setup and ensureServices', () => {
  it('provides answering Redis and Kafka addresses to test files and child processes', async () => {
    const redisUrl = inject('redisUrl');
    const kafkaBrokers = inject('kafkaBrokers');
    expect(redisUrl).toMatch(/^rediss?:\/\//);
    expect(kafkaBrokers).toMatch(/^[^,\s]+:\d+/);
    expect(process.env.REDIS_URL).toBe(redisUrl);
    expect(process.env.KAFKA_BROKERS).toBe(kafkaBrokers);
    expect(await redisAnswers(redisUrl)).toBe(true);
    expect(await kafkaAnswers(kafkaBrokers)).toBe(true);
  });

  it('reuses running services instead of starting new ones, and stop() leaves them running', async () => {
    const redisUrl = inject('redisUrl');
    const kafkaBrokers = inject('kafkaBrokers');
    const lines: string[] = [];
    const svc = await ensureServices({ env: { REDIS_URL: redisUrl, KAFKA_BROKERS: kafkaBrokers }, log: (l) => lines.push(l) });
    expect(svc.started).toEqual([]);
    expect(svc.redisUrl).toBe(redisUrl);
    expect(svc.kafkaBrokers).toBe(kafkaBrokers);
    await svc.stop();
    expect(await redisAnswers(redisUrl)).toBe(true);
    expect(await kafkaAnswers(kafkaBrokers)).toBe(true);
    expect(lines).toEqual([]);
  });
});
