import { existsSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaAnswers, startKafka } from '../../scripts/services/index.js';
import type { KafkaInstance } from '../../scripts/services/index.js';
import { portAccepts } from '../../scripts/services/net.js';
import { isAlive } from '../../scripts/services/proc.js';

describe('startKafka', () => {
  let broker: KafkaInstance | undefined;
  afterAll(async () => {
    await broker?.stop();
  });

  it('runs a private broker that a consumer group reads from, and stop() ends only that pid', async () => {
    broker = await startKafka({ heapMb: 256 });
    expect(broker.brokers).toBe(`127.0.0.1:${broker.port}`);
    expect(broker.controllerPort).not.toBe(broker.port);
    expect(isAlive(broker.pid)).toBe(true);

    const kafka = new Kafka({ clientId: 'services-test', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'services-test', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'services-test', messages: [{ key: 'k', value: 'hello' }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'services-test-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'services-test', fromBeginning: true });
    const t0 = Date.now();
    const value = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
    });
    // __consumer_offsets was created during start, so the first join does not wait for it
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(value).toBe('hello');
    await consumer.disconnect();

    await broker.stop();
    expect(isAlive(broker.pid)).toBe(false);
    expect(await portAccepts(broker.port)).toBe(false);
    expect(await kafkaAnswers(broker.brokers, 500)).toBe(false);
    expect(existsSync(broker.runDir)).toBe(false);
  }, 90_000);
});
