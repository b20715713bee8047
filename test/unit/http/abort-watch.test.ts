import { describe, expect, it } from 'vitest';
import { AbortWatch } from '../../../src/http/abort-watch.js';
import { Hop } from '../../../src/http/hop.js';

function outcome(h: Hop): string {
  if (h.endMs < 0) return 'in flight';
  if (h.error === undefined) return 'done';
  return (h.error as { code?: string }).code ?? 'error';
}

describe('AbortWatch', () => {
  it('aborts exactly the hops still in flight when their signal fires', () => {
    const watch = new AbortWatch();
    const ac = new AbortController();
    const hops = Array.from({ length: 6 }, () => new Hop(10_000, 1_000_000, false, true, ac.signal, watch));
    // First, middle and last finish first: each leaves the watch (swapped with the last one).
    for (const i of [0, 2, 5]) hops[i]?.onComplete();
    expect(watch.inFlight(ac.signal)).toBe(3);
    ac.abort();
    expect(watch.inFlight(ac.signal)).toBe(0);
    expect(hops.map(outcome)).toEqual(['done', 'RAMPART_ABORTED', 'done', 'RAMPART_ABORTED', 'RAMPART_ABORTED', 'done']);
  });

  it('forgets hops as they finish, in any order', () => {
    const watch = new AbortWatch();
    const ac = new AbortController();
    const hops = Array.from({ length: 50 }, () => new Hop(10_000, 1_000_000, false, true, ac.signal, watch));
    const order = [...hops.keys()].sort((x, y) => ((x * 37) % 50) - ((y * 37) % 50));
    for (const [n, i] of order.entries()) {
      hops[i]?.onComplete();
      expect(watch.inFlight(ac.signal)).toBe(49 - n);
    }
  });

  it('keeps the hops of other signals apart', () => {
    const watch = new AbortWatch();
    const a = new AbortController();
    const b = new AbortController();
    const onA = [new Hop(10_000, 1_000_000, false, true, a.signal, watch), new Hop(10_000, 1_000_000, false, true, a.signal, watch)];
    const onB = [new Hop(10_000, 1_000_000, false, true, b.signal, watch), new Hop(10_000, 1_000_000, false, true, b.signal, watch)];
    onB[0]?.onComplete();
    a.abort();
    expect(onA.map(outcome)).toEqual(['RAMPART_ABORTED', 'RAMPART_ABORTED']);
    expect(onB.map(outcome)).toEqual(['done', 'in flight']);
    b.abort();
    expect(onB.map(outcome)).toEqual(['done', 'RAMPART_ABORTED']);
    // Finishing twice, or after the abort, changes nothing.
    onB[1]?.onComplete();
    expect(outcome(onB[1] as Hop)).toBe('RAMPART_ABORTED');
  });
});
