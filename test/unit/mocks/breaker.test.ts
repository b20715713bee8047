import { describe, expect, it } from 'vitest';
import { Breaker } from '../../../mocks/payments/breaker.js';
import { DEFAULT_CONFIG, type PaymentsConfig } from '../../../mocks/common/config.js';
import { parseUpstreamSettings } from '../../../mocks/payments/upstream.js';

const cfg: PaymentsConfig = { ...DEFAULT_CONFIG.payments, volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 50, callTimeoutMs: 50 };

describe('Breaker', () => {
  it('opens after the threshold, rejects while open, probes half-open and closes on success', async () => {
    let fail = true;
    const seen: string[] = [];
    const b = new Breaker(async () => {
      if (fail) throw new Error('boom');
      return 'ok';
    }, cfg, true, (to) => seen.push(to));
    try {
      expect(b.state).toBe('closed');
      expect((await b.call()).kind).toBe('failed');
      expect((await b.call()).kind).toBe('failed');
      expect(b.state).toBe('open');
      expect((await b.call()).kind).toBe('rejected');
      await new Promise((r) => setTimeout(r, 80));
      expect(b.state).toBe('half-open');
      fail = false;
      expect(await b.call()).toEqual({ kind: 'ok', value: 'ok' });
      expect(b.state).toBe('closed');
      expect(seen).toEqual(['open', 'half-open', 'closed']);
      expect(b.stats()).toMatchObject({ calls: 4, successes: 1, failures: 2, rejected: 1, transitions: { open: 1, halfOpen: 1, close: 1 } });
    } finally {
      b.shutdown();
    }
  });

  it('times slow calls out', async () => {
    const b = new Breaker(() => new Promise<string>((r) => setTimeout(() => r('late'), 200)), cfg, true);
    try {
      expect((await b.call()).kind).toBe('timeout');
    } finally {
      b.shutdown();
    }
  });

  it('disabled: calls straight through, never opens', async () => {
    const b = new Breaker(async () => {
      throw new Error('boom');
    }, cfg, false);
    for (let i = 0; i < 5; i++) expect((await b.call()).kind).toBe('failed');
    expect(b.state).toBe('disabled');
  });
});

describe('parseUpstreamSettings', () => {
  const base = { failureRate: 0.1, latencyMs: 20 };
  it('keeps current values for missing fields', () => {
    expect(parseUpstreamSettings({ latencyMs: 5 }, base)).toEqual({ settings: { failureRate: 0.1, latencyMs: 5 } });
  });
  it('rejects bad values and unknown fields', () => {
    const r = parseUpstreamSettings({ failureRate: -1, latencyMs: 1.5, x: 1 }, base);
    expect('problems' in r && r.problems).toHaveLength(3);
    expect('problems' in parseUpstreamSettings([], base)).toBe(true);
  });
});
