import CircuitBreaker from 'opossum';
import type { PaymentsConfig } from '../common/config.js';

/** The breaker's state as the `x-circuit` header shows it; `disabled` under `--break breaker`. */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'disabled';

/** The outcome of one guarded call. */
export type Guarded<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: Error }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'rejected' };

/** Counts since start (not windowed) plus the breaker's rolling window. */
export interface CircuitStats {
  readonly calls: number;
  readonly successes: number;
  readonly failures: number;
  readonly timeouts: number;
  readonly rejected: number;
  readonly transitions: { readonly open: number; readonly halfOpen: number; readonly close: number };
  /** opossum's rolling-window counts (the numbers the open decision uses). */
  readonly window: { readonly fires: number; readonly failures: number; readonly successes: number; readonly timeouts: number; readonly rejects: number };
}

/**
 * A circuit breaker around an async call (opossum): closed → open when, with at least
 * `volumeThreshold` calls in the rolling window, more than `errorThresholdPercentage` % failed or
 * timed out → after `resetTimeoutMs` half-open, where one probe call is let through → closed on its
 * success, open again on its failure. While open (and for the probe's concurrent calls) calls are
 * rejected at once. The state is per instance. `enabled: false` (`--break breaker`) calls straight
 * through with no breaker and no timeout.
 */
export class Breaker<T> {
  private readonly cb: CircuitBreaker<[], T> | undefined;
  private readonly counts = { calls: 0, successes: 0, failures: 0, timeouts: 0, rejected: 0 };
  private readonly transitions = { open: 0, halfOpen: 0, close: 0 };

  constructor(
    private readonly action: () => Promise<T>,
    cfg: PaymentsConfig,
    enabled: boolean,
    onTransition: (to: Exclude<CircuitState, 'disabled'>) => void = () => {},
  ) {
    if (!enabled) return;
    const buckets = cfg.rollingWindowMs % 10 === 0 ? 10 : 1;
    this.cb = new CircuitBreaker(action, {
      timeout: cfg.callTimeoutMs,
      errorThresholdPercentage: cfg.errorThresholdPercentage,
      rollingCountTimeout: cfg.rollingWindowMs,
      rollingCountBuckets: buckets,
      volumeThreshold: cfg.volumeThreshold,
      resetTimeout: cfg.resetTimeoutMs,
      enableSnapshots: false,
    });
    this.cb.on('open', () => {
      this.transitions.open++;
      onTransition('open');
    });
    this.cb.on('halfOpen', () => {
      this.transitions.halfOpen++;
      onTransition('half-open');
    });
    this.cb.on('close', () => {
      this.transitions.close++;
      onTransition('closed');
    });
  }

  /** The state now. */
  get state(): CircuitState {
    if (this.cb === undefined) return 'disabled';
    if (this.cb.halfOpen) return 'half-open';
    return this.cb.opened ? 'open' : 'closed';
  }

  /** Runs the action through the breaker; never rejects. */
  async call(): Promise<Guarded<T>> {
    this.counts.calls++;
    try {
      const value = this.cb === undefined ? await this.action() : await this.cb.fire();
      this.counts.successes++;
      return { kind: 'ok', value };
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.code === 'EOPENBREAKER') {
        this.counts.rejected++;
        return { kind: 'rejected' };
      }
      if (err.code === 'ETIMEDOUT') {
        this.counts.timeouts++;
        return { kind: 'timeout' };
      }
      this.counts.failures++;
      return { kind: 'failed', error: err };
    }
  }

  /** Counts since start and the rolling window. */
  stats(): CircuitStats {
    const s = this.cb?.stats;
    return {
      ...this.counts,
      transitions: { ...this.transitions },
      window: {
        fires: s?.fires ?? 0,
        failures: s?.failures ?? 0,
        successes: s?.successes ?? 0,
        timeouts: s?.timeouts ?? 0,
        rejects: s?.rejects ?? 0,
      },
    };
  }

  /** Stops the breaker's timers (on app close). */
  shutdown(): void {
    this.cb?.shutdown();
  }
}
