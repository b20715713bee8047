/** Markdown tables and number formatting for the benchmark's printout and result files. */

/** A Markdown table; columns after the first are right-aligned. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

/** A number with thousands separators and `digits` decimals; `—` when not finite. */
export function num(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return '—';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A fraction as a percentage (0.034 → `3.4 %`). */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : '—';
}

/** A ratio (`1.07×`). */
export function times(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${x.toFixed(digits)}×` : '—';
}

/** Bytes as MiB. */
export function mib(bytes: number): string {
  return bytes > 0 ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : '—';
}

/** ✓ / ✗ for a goal. */
export function mark(ok: boolean): string {
  return ok ? '✓' : '✗';
}
