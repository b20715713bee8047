/**
 * What the floor loops (bench/undici-loop.ts, bench/socket-loop.ts) share: their command line
 * (`<url> <connections> <seconds>` and the load's options), an open model's evenly spaced
 * arrivals, and the figures they print.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** The event loop's delay is sampled at this resolution (ms), as rampart's lag monitor does. */
export const LAG_RESOLUTION_MS = 10;

/** A floor loop's command line, read from `argv` (process.argv). */
export interface LoopArgs {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  /** `--vus` (default: one per connection). */
  readonly vus: number;
  /** Whether `--vus` was given. */
  readonly vusGiven: boolean;
  readonly rampMs: number;
  readonly perVu: boolean;
  /** `--rate` (0: no open model). */
  readonly rate: number;
  readonly thinkMin: number;
  readonly thinkMax: number;
  /** The value after `--name`, when given. */
  option(name: string): string | undefined;
  /** A number ≥ 0 from `text`, `fallback` when it is missing; an error naming `what` and the usage otherwise. */
  count(text: string | undefined, fallback: number, what: string): number;
}

export function loopArgs(argv: readonly string[], usage: string): LoopArgs {
  const option = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const count = (text: string | undefined, fallback: number, what: string): number => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${what} must be a number ≥ 0, got ${text}\n${usage}`);
    return n;
  };
  const [url, connArg, secArg] = argv.slice(2);
  if (url === undefined || url.startsWith('--')) throw new Error(usage);
  const connections = count(connArg, 50, 'connections');
  const thinkText = option('--think') ?? '0-0';
  const think = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(thinkText);
  if (think === null) throw new Error(`--think must be MIN-MAX in ms, got ${thinkText}\n${usage}`);
  const thinkMin = Number(think[1]);
  return {
    url,
    connections,
    seconds: count(secArg, 10, 'seconds'),
    vus: count(option('--vus'), connections, '--vus'),
    vusGiven: option('--vus') !== undefined,
    rampMs: count(option('--ramp'), 0, '--ramp'),
    perVu: argv.includes('--per-vu'),
    rate: count(option('--rate'), 0, '--rate'),
    thinkMin,
    thinkMax: Math.max(thinkMin, Number(think[2])),
    option,
    count,
  };
}

/** The `q` quantile of `values` (sorted in place), NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(values.length * q))] as number;
}

/**
 * Open model: `rate` GETs per second for `seconds`, evenly spaced from now (a 1 ms timer sends the
 * ones due, as rampart's open executor does). `get` sends one and calls `done` once it completed or
 * failed; each latency (ms, from `get` to `done`) goes to `bySecond` by the second it was sent in.
 * Resolves once every GET sent is done, with their count.
 */
export function openArrivals(rate: number, seconds: number, bySecond: number[][], get: (done: () => void) => void): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    let settled = 0;
    let closed = false;
    const t0 = performance.now();
    const send = (): void => {
      const at = performance.now();
      const second = bySecond[Math.min(bySecond.length - 1, Math.floor((at - t0) / 1000))] as number[];
      get(() => {
        second.push(performance.now() - at);
        settled++;
        if (closed && settled === sent) resolve(settled);
      });
    };
    const tick = (): void => {
      const elapsed = performance.now() - t0;
      const due = Math.floor((Math.min(elapsed, seconds * 1000) * rate) / 1000);
      while (sent < due) {
        sent++;
        send();
      }
      if (elapsed < seconds * 1000) setTimeout(tick, 1);
      else {
        closed = true;
        if (settled === sent) resolve(settled);
      }
    };
    tick();
  });
}

/** An open model's latency figures (ms): the whole run's p50 and p99, and each second's p99. */
export function latencyFigures(bySecond: readonly number[][]): { p50Ms: number; p99Ms: number; secondP99Ms: number[] } {
  const all = bySecond.flat();
  return { p50Ms: quantile([...all], 0.5), p99Ms: quantile(all, 0.99), secondP99Ms: bySecond.map((l) => quantile([...l], 0.99)) };
}

/** Starts measuring the event loop's delay, at rampart's lag monitor's resolution. */
export function startLag(): IntervalHistogram {
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();
  return lag;
}

/** Empty lists for an open model's latencies (ms), one per second of a `seconds` load. */
export function latencyBuckets(seconds: number): number[][] {
  return Array.from({ length: Math.ceil(seconds) }, () => []);
}

/** The event loop's delay (ms) as rampart's lag monitor reads it: the resolution taken off each figure. */
export function lagFigures(lag: IntervalHistogram): { lagP99Ms: number; lagMaxMs: number } {
  return { lagP99Ms: Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS), lagMaxMs: Math.max(0, lag.max / 1e6 - LAG_RESOLUTION_MS) };
}
