/** Number and duration formatting shared by the console outputs. */
import type { GeneratorHealth, HeldBackReport } from './model.js';

/** A latency in ms: `850µs`, `12.3ms`, `1.24s`. Non-finite values print as `-`. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 100) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/** A duration in ms as `1m05s`, `12s`, `2h03m`. */
export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A fraction 0..1 as a percentage with two decimals at most: `0%`, `1.25%`, `100%`. */
export function fmtPct(f: number): string {
  if (!Number.isFinite(f)) return '-';
  const p = f * 100;
  return `${Number.isInteger(p) ? p : Number(p.toFixed(2))}%`;
}

/** A rate per second: `12.5/s`. */
export function fmtRate(r: number): string {
  if (!Number.isFinite(r)) return '-';
  return `${r >= 100 ? Math.round(r) : Number(r.toFixed(1))}/s`;
}

/** A plain count with thousands separators. */
export function fmtCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';
}

/** A count and its noun, singular for one: `1 connection`, `1,200 connections`. */
export function fmtCounted(n: number, noun: string): string {
  return `${fmtCount(n)} ${noun}${Math.round(n) === 1 ? '' : 's'}`;
}

/** Lays rows out in left-aligned columns (first column) and right-aligned numbers (others). */
export function table(header: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Event-loop lag p99 above this (ms) marks the generator overloaded. */
export const OVERLOAD_LAG_MS = 50;

/**
 * What an overloaded generator means for the numbers (undefined when it was not): a generator that
 * kept its loop on time by holding load back measured the service; one whose loop ran late did not.
 */
export function overloadNote(g: GeneratorHealth): string | undefined {
  if (!g.overloaded) return undefined;
  if (g.heldBack !== undefined && g.eventLoopLagP99Ms <= OVERLOAD_LAG_MS) {
    return 'the load generator held back load to keep its event loop on time: latencies are the service\'s, but the request rate is the generator\'s ceiling, not the scenario\'s';
  }
  return 'the load generator was overloaded: latencies may include its own delay';
}

/** What the generator held back, as a reader counts it: `35,000 iterations and 1,200 requests`. */
export function heldBackWhat(h: Pick<HeldBackReport, 'requests' | 'iterations'>): string {
  return [...(h.iterations > 0 ? [`${fmtCount(h.iterations)} iterations`] : []), ...(h.requests > 0 ? [`${fmtCount(h.requests)} requests`] : [])].join(' and ');
}

/** The generator's garbage-collection pauses, warm-up and held-back load, as a reader sees them ('' when the report has none). */
export function generatorExtras(g: GeneratorHealth): string {
  const parts: string[] = [];
  if (g.gc !== undefined) parts.push(`GC ${fmtCounted(g.gc.count, 'pause')}, max ${fmtMs(g.gc.maxMs)}, total ${fmtMs(g.gc.totalMs)}`);
  const w = g.warmUp;
  if (w !== undefined) {
    const conns = w.connectionsOpened > 0 || w.connectionsFailed > 0
      ? `${fmtCounted(w.connectionsOpened, 'connection')} opened${w.connectionsFailed > 0 ? ` (${fmtCount(w.connectionsFailed)} failed)` : ''}, `
      : '';
    const idle = (w.helperThreadsIdle ?? 0) > 0 ? ` (${fmtCount(w.helperThreadsIdle ?? 0)} with the idle scheduling policy)` : '';
    const threads = (w.helperThreadsLowered ?? 0) > 0 ? `, ${fmtCounted(w.helperThreadsLowered ?? 0, 'helper thread')} set to yield to the event loop${idle}` : '';
    const gcTimes = [w.gcMs !== undefined ? fmtMs(w.gcMs) : undefined, w.gcAfterMs !== undefined ? `${fmtMs(w.gcAfterMs)} after it` : undefined].filter((x) => x !== undefined);
    const gc = gcTimes.length > 0 ? `, its garbage collected (${gcTimes.join(', ')})` : '';
    const settle = w.settleMs !== undefined ? `, ${fmtMs(w.settleMs)} for the compiler and GC threads to finish` : '';
    const marking = w.gcMarkingOnEventLoop === true ? ', GC marking moved to the event loop\'s thread (one CPU)' : '';
    parts.push(`warm-up ${fmtMs(w.durationMs)}: ${conns}${fmtCounted(w.internalRequests, 'request')} to its own 127.0.0.1 server, not to the target${gc}${settle}${threads}${marking}`);
  }
  const h = g.heldBack;
  if (h !== undefined) {
    parts.push(`held back ${heldBackWhat(h)} to keep its event loop on time (waits up to ${fmtMs(h.maxWaitMs)}, not in http.latency; as few as ${fmtCount(h.lowestLimit)} requests in flight)`);
  }
  return parts.join('; ');
}

/**
 * The TLS the target's connections negotiated, from the `http.tls` series: `TLSv1.3
 * TLS_AES_256_GCM_SHA384 (12 connections)`, most used first; '' when no TLS connection was opened.
 */
export function tlsSummary(series: readonly { readonly metric: string; readonly tags: Readonly<Record<string, string>>; readonly count: number; readonly sum: number }[]): string {
  const by = new Map<string, number>();
  for (const s of series) {
    if (s.metric !== 'http.tls') continue;
    const key = `${s.tags['tls_version'] ?? '?'} ${s.tags['tls_cipher'] ?? '?'}`;
    by.set(key, (by.get(key) ?? 0) + s.sum);
  }
  return [...by].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} (${fmtCounted(n, 'connection')})`).join(', ');
}
