/**
 * The in-flight hops of every request, by the signal that aborts them (see {@link AbortWatch}).
 */
import type { Hop } from './hop.js';

/**
 * One abort listener per signal for all its in-flight hops (a run shares one signal among every
 * VU): registering a hop is an array push instead of an EventTarget listener, and removing it a
 * swap with the last one (each hop knows its index) — no allocation per request, where a Set's
 * entries churn its backing store.
 */
export class AbortWatch {
  private readonly bySignal = new WeakMap<AbortSignal, Hop[]>();
  /** The signal asked last and its hops: almost every request of a run carries the same signal. */
  private lastSignal: AbortSignal | undefined = undefined;
  private lastHops: Hop[] = [];

  private hopsOf(signal: AbortSignal): Hop[] {
    if (signal === this.lastSignal) return this.lastHops;
    let hops = this.bySignal.get(signal);
    if (hops === undefined) {
      const list: Hop[] = [];
      hops = list;
      this.bySignal.set(signal, list);
      signal.addEventListener('abort', () => {
        const all = list.splice(0);
        for (const h of all) h.watchIndex = -1;
        for (const h of all) h.abort();
      }, { once: true });
    }
    this.lastSignal = signal;
    this.lastHops = hops;
    return hops;
  }

  /** Hops registered for this signal and not finished. */
  inFlight(signal: AbortSignal): number {
    return this.bySignal.get(signal)?.length ?? 0;
  }

  add(signal: AbortSignal, hop: Hop): void {
    const hops = this.hopsOf(signal);
    hop.watchIndex = hops.length;
    hops.push(hop);
  }

  remove(signal: AbortSignal, hop: Hop): void {
    const i = hop.watchIndex;
    if (i < 0) return;
    hop.watchIndex = -1;
    const hops = this.hopsOf(signal);
    if (hops[i] !== hop) return;
    const last = hops.pop() as Hop;
    if (last !== hop) {
      hops[i] = last;
      last.watchIndex = i;
    }
  }
}
