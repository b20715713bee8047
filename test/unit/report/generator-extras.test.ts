import { describe, expect, it } from 'vitest';
import { fmtCounted, generatorExtras } from '../../../src/report/format.js';
import { sampleReport } from './fixture-report.js';

describe('the generator line of the summary', () => {
  const base = sampleReport().generator;

  it.each([
    ['one of a thing in the singular', { pauses: 1, requests: 1, opened: 1, failed: 0, threads: 1 }, ['GC 1 pause, max', '1 connection opened, 1 request to its own 127.0.0.1 server', '1 helper thread set to yield']],
    ['more in the plural', { pauses: 12, requests: 4_000, opened: 1_000, failed: 2, threads: 6 }, ['GC 12 pauses, max', '1,000 connections opened (2 failed), 4,000 requests to its own', '6 helper threads set to yield']],
  ])('says %s', (_what, n, said) => {
    const line = generatorExtras({
      ...base,
      gc: { count: n.pauses, maxMs: 2, totalMs: 9 },
      warmUp: { durationMs: 40, internalRequests: n.requests, connectionsOpened: n.opened, connectionsFailed: n.failed, helperThreadsLowered: n.threads },
    });
    for (const s of said) expect(line).toContain(s);
  });

  it('counts as a reader reads: none is plural', () => {
    expect(fmtCounted(0, 'request')).toBe('0 requests');
    expect(fmtCounted(1, 'request')).toBe('1 request');
    expect(fmtCounted(12_345, 'request')).toBe('12,345 requests');
  });
});
