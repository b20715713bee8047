import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAnswers, ServiceError, startRedis } from '../../scripts/services/index.js';
import type { RedisInstance } from '../../scripts/services/index.js';
import { portAccepts } from '../../scripts/services/net.js';
import { isAlive } from '../../scripts/services/proc.js';

describe('startRedis', () => {
  const started: RedisInstance[] = [];
  afterAll(async () => {
    await Promise.all(started.map((r) => r.stop()));
  });

  it('starts a private server on a free port that answers PING, and stop() kills only its pid', async () => {
    const redis = await startRedis();
    started.push(redis);
    expect(redis.port).toBeGreaterThan(0);
    expect(redis.port).not.toBe(6379);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(isAlive(redis.pid)).toBe(true);

    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');
    client.disconnect();

    await redis.stop();
    await redis.stop(); // idempotent
    expect(isAlive(redis.pid)).toBe(false);
    expect(await portAccepts(redis.port)).toBe(false);
    expect(await redisAnswers(redis.url)).toBe(false);
    expect(existsSync(redis.dir)).toBe(false);
    // the machine's Redis (if any) is untouched
    expect(await redisAnswers('redis://127.0.0.1:6379')).toBe(await portAccepts(6379));
  });

  it('keeps a folder it was given, on an explicit port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-redis-'));
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const redis = await startRedis({ port, dir });
    started.push(redis);
    expect(redis.port).toBe(port);
    expect(await redisAnswers(redis.url)).toBe(true);
    await redis.stop();
    expect(existsSync(join(dir, 'redis.log'))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with START_FAILED and the server log when the port is taken', async () => {
    const srv = createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as AddressInfo).port;
    try {
      const err = await startRedis({ port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ServiceError);
      expect((err as ServiceError).code).toBe('START_FAILED');
      const message = (err as ServiceError).message;
      expect(message).toMatch(/address already in use/i);
      // the log is kept for a look, and named in the message
      const logFile = /last lines of (\S+redis\.log):/.exec(message)?.[1];
      expect(logFile && existsSync(logFile)).toBe(true);
    } finally {
      srv.close();
    }
  });
});
