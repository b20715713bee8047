/**
 * Live progress while a run is going: one progress line rewritten in place on a TTY, plain periodic
 * lines otherwise (CI logs), nothing when quiet (the CLI then does not create this output).
 */
import type { IntervalUpdate, Output, RunInfo, RunInfoPhase } from './model.js';
import { fmtDuration, fmtMs, fmtPct, fmtRate } from './format.js';
import type { Redactor } from './redact.js';
import { selectSeries, summarize } from '../metrics/index.js';
import { PROTOCOL_METRICS } from '../metrics/types.js';

/**
 * ` | kafka 40/s p95 12ms errors 0%` for each other protocol busy in the interval (ws: step runs,
 * and the p95 of ws.message, else of ws.connect).
 */
export function protocolParts(u: IntervalUpdate): string {
  let out = '';
  const windowMs = Math.max(1, u.interval.endMs - u.interval.startMs);
  for (const p of PROTOCOL_METRICS) {
    const errs = selectSeries(u.interval, p.errors, {});
    const ops = errs.reduce((n, s) => n + s.count, 0);
    if (ops === 0) continue;
    const failed = errs.reduce((n, s) => n + s.sum, 0);
    let latency = selectSeries(u.interval, p.latency, {});
    if (latency.length === 0 && p.orLatency !== undefined) latency = selectSeries(u.interval, p.orLatency, {});
    const lat = summarize(latency, windowMs);
    out += ` | ${p.protocol} ${fmtRate((ops * 1000) / windowMs)} p95 ${lat.count > 0 ? fmtMs(lat.p95) : '-'} errors ${fmtPct(failed / ops)}`;
  }
  return out;
}

export interface LiveOptions {
  /** Rewrite one line in place (a TTY). */
  readonly tty: boolean;
  /** Without a TTY: print a line at most this often (ms). Default 10 000. */
  readonly everyMs?: number;
  /** Terminal width; the TTY line is cut to it. Default 120. */
  readonly columns?: number;
}

/** The progress line for one interval update. */
export function progressLine(u: IntervalUpdate, info: RunInfo | undefined): string {
  const p = u.point;
  const elapsed = fmtDuration(u.offsetMs);
  const planned = info?.plannedDurationMs;
  const remaining = planned !== undefined ? `, ${fmtDuration(Math.max(0, planned - u.offsetMs))} left` : '';
  const rps = fmtRate(p.requests);
  const vsTarget =
    u.targetRate !== undefined ? ` | arrivals ${fmtRate(p.started)} of ${fmtRate(u.targetRate)}` : u.targetVus !== undefined ? ` of ${u.targetVus}` : '';
  const errRate = p.requests > 0 ? p.errors / p.requests : 0;
  const failing = u.thresholds.filter((t) => !t.passed).length;
  const th = u.thresholds.length === 0 ? '' : failing === 0 ? ` | thresholds ok` : ` | thresholds ${failing}/${u.thresholds.length} failing`;
  const dropped = p.dropped > 0 ? ` | dropped ${p.dropped}` : '';
  const vus = u.targetRate !== undefined ? ` | VUs ${p.vus}` : ` | VUs ${p.vus}${vsTarget}`;
  const arr = u.targetRate !== undefined ? vsTarget : '';
  return `[${u.phase}] ${elapsed}${remaining} | ${rps} req${arr}${vus} | p95 ${fmtMs(p.p95)} | errors ${fmtPct(errRate)}${protocolParts(u)}${dropped}${th}`;
}

/** `steady 2m00s`, or for an iteration-bound stage `stage-1: 10 iterations shared by 2 VUs, max 10m00s` (the cap, not a plan). */
export function phaseText(p: RunInfoPhase): string {
  const it = p.iterations;
  if (it === undefined) return `${p.name} ${fmtDuration(p.durationMs)}`;
  const vus = `${it.vus} VU${it.vus === 1 ? '' : 's'}`;
  const n = (k: number): string => `${k} iteration${k === 1 ? '' : 's'}`;
  const what =
    it.shared === undefined ? `${n(it.perVu ?? 0)} per VU (${vus})` : `${n(it.shared)} shared by ${vus}${it.perVu !== undefined ? `, at most ${it.perVu} per VU` : ''}`;
  return `${p.name}: ${what}, max ${fmtDuration(p.durationMs)}`;
}

/** The live output. `write` receives raw text (the CLI's stderr or stdout). */
export function liveOutput(write: (s: string) => void, redactor: Redactor, opts: LiveOptions): Output {
  let info: RunInfo | undefined;
  let lastPrinted = -Infinity;
  let drawn = false;
  const every = opts.everyMs ?? 10_000;
  const columns = opts.columns ?? 120;
  return {
    name: 'live',
    start(i: RunInfo): void {
      info = i;
      const phases = i.phases.map(phaseText).join(', ');
      write(redactor.text(`running ${i.scenarioName} against ${i.target}${phases ? ` (${phases})` : ''}\n`));
    },
    interval(u: IntervalUpdate): void {
      const line = redactor.text(progressLine(u, info));
      if (opts.tty) {
        write(`\r\x1b[2K${line.slice(0, Math.max(20, columns - 1))}`);
        drawn = true;
      } else if (u.offsetMs - lastPrinted >= every) {
        lastPrinted = u.offsetMs;
        write(`${line}\n`);
      }
    },
    end(): void {
      if (drawn) write('\r\x1b[2K');
    },
  };
}
