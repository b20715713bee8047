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

  it('falls back when REDIS_URL does not answer, and stop() ends only what it started', async () => {
    const lines: string[] = [];
    const svc = await ensureServices({
      env: { REDIS_URL: 'redis://127.0.0.1:1', KAFKA_BROKERS: inject('kafkaBrokers') },
      log: (l) => lines.push(l),
    });
    expect(lines[0]).toBe('REDIS_URL=redis://127.0.0.1:1 does not answer PING; looking for another Redis');
    expect(svc.redisUrl).not.toBe('redis://127.0.0.1:1');
    expect(await redisAnswers(svc.redisUrl)).toBe(true);
    expect(svc.started).not.toContain('kafka');
    await svc.stop();
    // a started Redis is gone; a reused one still answers
    expect(await redisAnswers(svc.redisUrl)).toBe(!svc.started.includes('redis'));
    expect(await kafkaAnswers(inject('kafkaBrokers'))).toBe(true);
  });
});
