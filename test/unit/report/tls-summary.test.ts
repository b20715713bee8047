/** The negotiated-TLS line of the summaries, from the `http.tls` series (merged over steps, most used first). */
import { describe, expect, it } from 'vitest';
import { tlsSummary } from '../../../src/report/format.js';

const series = (step: string, version: string, cipher: string, n: number) => ({ metric: 'http.tls', tags: { step, tls_version: version, tls_cipher: cipher }, count: n, sum: n });

describe('tlsSummary', () => {
  it('adds up the connections of each version and cipher over steps, most used first', () => {
    const line = tlsSummary([
      series('a', 'TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256', 1),
      series('a', 'TLSv1.3', 'TLS_AES_256_GCM_SHA384', 3),
      series('b', 'TLSv1.3', 'TLS_AES_256_GCM_SHA384', 4),
      { metric: 'http.connect', tags: {}, count: 9, sum: 9 },
    ]);
    expect(line).toBe('TLSv1.3 TLS_AES_256_GCM_SHA384 (7 connections), TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256 (1 connection)');
  });

  it('is empty without TLS connections', () => {
    expect(tlsSummary([{ metric: 'http.requests', tags: {}, count: 1, sum: 1 }])).toBe('');
  });
});
