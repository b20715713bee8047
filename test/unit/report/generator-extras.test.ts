import { describe, expect, it } from 'vitest';
import { fmtCounted, generatorExtras } from '../../../src/report/format.js';
import { sampleReport } from './fixture-report.js';

describe('the generator line of the summary', () => {
  const base = sampleReport().generator;

  it('says one of a thing in the singular and more in the plural', () => {
    const one = generatorExtras({
      ...base,
      gc: { count: 1, maxMs: 2, totalMs: 2 },
      warmUp: { durationMs: 40, internalRequests: 1, connectionsOpened: 1, connectionsFailed: 0, helperThreadsLowered: 1 },
    });
    expect(one).toContain('GC 1 pause, max');
    expect(one).toContain('1 connection opened, 1 request to its own 127.0.0.1 server');
    expect(one).toContain('1 helper thread set to yield');
    const many = generatorExtras({
      ...base,
      gc: { count: 12, maxMs: 2, totalMs: 9 },
      warmUp: { durationMs: 40, internalRequests: 4_000, connectionsOpened: 1_000, connectionsFailed: 2, helperThreadsLowered: 6 },
    });
    expect(many).toContain('GC 12 pauses, max');
    expect(many).toContain('1,000 connections opened (2 failed), 4,000 requests to its own');
    expect(many).toContain('6 helper threads set to yield');
  });

  it('counts as a reader reads: none is plural', () => {
    expect(fmtCounted(0, 'request')).toBe('0 requests');
    expect(fmtCounted(1, 'request')).toBe('1 request');
    expect(fmtCounted(12_345, 'request')).toBe('12,345 requests');
  });
});
