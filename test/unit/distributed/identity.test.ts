import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { shareOf } from '../../../src/engine/context.js';
import { checkRunId, deriveRunId, parseShardSpec, parseStartAt, seedFromRunId } from '../../../src/distributed/identity.js';
import { parseBrokers, parseKafkaUrl } from '../../../src/distributed/kafka.js';
import { decodeEvent, BadEventError } from '../../../src/distributed/protocol.js';
import { defaultWorkers, isLoopbackTarget } from '../../../src/distributed/threads/pool.js';
import { UsageError } from '../../../src/errors.js';

describe('shares', () => {
  it('sum to the total exactly and differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 64 }), (total, count) => {
        const shares = Array.from({ length: count }, (_, index) => shareOf(total, { index, count }));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
    );
    expect([0, 1, 2].map((index) => shareOf(7, { index, count: 3 }))).toEqual([3, 2, 2]);
    expect(shareOf(7, undefined)).toBe(7);
  });
});

describe('--shard, --start-at, run ids', () => {
  it('parses 0-based i/N and explains mistakes', () => {
    expect(parseShardSpec('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShardSpec(' 2 / 3 ')).toEqual({ index: 2, count: 3 });
    expect(() => parseShardSpec('3/3')).toThrow(/0-based.*did you mean 2\/3/);
    expect(() => parseShardSpec('1-3')).toThrow(UsageError);
    expect(() => parseShardSpec('0/0')).toThrow(UsageError);
  });
  it('parses instants with a zone and +Ns', () => {
    expect(parseStartAt('2030-01-01T00:00:00Z', 0)).toBe(Date.UTC(2030, 0, 1));
    expect(parseStartAt('2030-01-01T02:00:00+02:00', 0)).toBe(Date.UTC(2030, 0, 1));
    expect(parseStartAt('+5s', 1000)).toBe(6000);
    expect(() => parseStartAt('2030-01-01T00:00:00', 0)).toThrow(/time zone/);
    expect(() => parseStartAt('soon', 0)).toThrow(UsageError);
  });
  it('every shard derives the same run id and seed from the same command line', () => {
    const a = deriveRunId('abc', 3, 1000);
    expect(deriveRunId('abc', 3, 1000)).toBe(a);
    expect(deriveRunId('abc', 3, 2000)).not.toBe(a);
    expect(deriveRunId('abd', 3, 1000)).not.toBe(a);
    expect(seedFromRunId(a)).toBe(seedFromRunId(a));
    expect(Number.isInteger(seedFromRunId(a))).toBe(true);
    expect(checkRunId('run-1:x')).toBe('run-1:x');
    expect(() => checkRunId('a b')).toThrow(UsageError);
  });
});

describe('kafka URLs', () => {
  it('parses brokers and topic', () => {
    expect(parseKafkaUrl('kafka://127.0.0.1:9092/loadtest')).toEqual({ brokers: ['127.0.0.1:9092'], topic: 'loadtest' });
    expect(parseKafkaUrl('kafka://a:1,b:2')).toEqual({ brokers: ['a:1', 'b:2'], topic: 'rampart-runs' });
    expect(() => parseKafkaUrl('http://a:1/t')).toThrow(UsageError);
    expect(() => parseKafkaUrl('kafka://a/t')).toThrow(/host:port/);
    expect(() => parseKafkaUrl('kafka://a:1/bad topic')).toThrow(UsageError);
    expect(parseBrokers('a:1, [::1]:9092')).toEqual(['a:1', '[::1]:9092']);
    expect(() => parseBrokers(' , ')).toThrow(/no broker/);
  });
});

describe('events', () => {
  it('refuses what is not a rampart event', () => {
    expect(() => decodeEvent('nope')).toThrow(BadEventError);
    expect(() => decodeEvent('{"v":2}')).toThrow(/protocol version/);
    expect(() => decodeEvent(JSON.stringify({ v: 1, kind: 'heartbeat', runId: 'r', shard: { index: 3, count: 3 }, at: 1, host: 'h' }))).toThrow(/bad shard/);
    expect(decodeEvent(JSON.stringify({ v: 1, kind: 'heartbeat', runId: 'r', shard: { index: 2, count: 3 }, at: 1, host: 'h' })).kind).toBe('heartbeat');
  });
});

describe('default worker count', () => {
  it('is the cores, or 1 against this machine', () => {
    expect(defaultWorkers('https://api.example.com', 8)).toBe(8);
    expect(defaultWorkers('http://127.0.0.1:8080', 8)).toBe(1);
    expect(defaultWorkers('http://localhost:8080', 8)).toBe(1);
    expect(defaultWorkers('http://[::1]:8080', 8)).toBe(1);
    expect(isLoopbackTarget('http://10.0.0.1')).toBe(false);
  });
});
