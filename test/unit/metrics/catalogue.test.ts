/**
 * The catalogue of built-in metrics (src/metrics/catalogue.ts) and the manual's metrics table say
 * the same: the same metric names, each with its type and unit, and every engine tag key named.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_METRICS, ENGINE_TAG_KEYS, METRIC } from '../../../src/metrics/catalogue.js';

/** The page of the manual that holds the built-in metrics table (the one place to repoint it). */
const METRICS_PAGE = new URL('../../../docs/metrics.md', import.meta.url);

interface Row {
  readonly names: readonly string[];
  readonly type: string;
  readonly unit: string;
}

/** The rows of the "Built-in metrics" table, with `a.b`, `.c` shorthands expanded to full names. */
function tableRows(page: string): { rows: Row[]; text: string } {
  const start = page.indexOf('## Built-in metrics');
  expect(start, 'a "## Built-in metrics" heading').toBeGreaterThanOrEqual(0);
  const text = page.slice(start, page.indexOf('\n## ', start + 1));
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const first = cells[0];
    if (cells.length < 4 || first === undefined || !first.startsWith('`')) continue;
    const written = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    const prefix = (written[0] ?? '').replace(/\.[^.]*$/, '');
    rows.push({ names: written.map((n) => (n.startsWith('.') ? `${prefix}${n}` : n)), type: cells[1] ?? '', unit: cells[2] ?? '' });
  }
  return { rows, text };
}

describe('the catalogue of built-in metrics', () => {
  const { rows, text } = tableRows(readFileSync(METRICS_PAGE, 'utf8'));

  it('names each metric once, and METRIC names them all', () => {
    const names = BUILT_IN_METRICS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.values(METRIC).sort()).toEqual([...names].sort());
  });

  it('is the manual\'s metrics table: the same names, types and units', () => {
    const documented = rows.flatMap((r) => r.names.map((name) => ({ name, type: r.type, unit: r.unit })));
    expect(documented.map((d) => d.name).sort()).toEqual(BUILT_IN_METRICS.map((m) => m.name).sort());
    for (const m of BUILT_IN_METRICS) {
      const d = documented.find((x) => x.name === m.name);
      expect(d?.type, m.name).toBe(m.type);
      // The manual shows what a user reads: time in µs (shown in ms), a rate as a fraction.
      const unit = m.type === 'rate' ? 'fraction' : m.unit === 'us' ? 'µs' : m.unit;
      expect(d?.unit.startsWith(unit), `${m.name}: ${d?.unit ?? ''} is not ${unit}`).toBe(true);
    }
  });

  it('has every engine tag key named in the manual\'s table', () => {
    for (const tag of ENGINE_TAG_KEYS) expect(text, tag).toMatch(new RegExp(`\\b${tag}\\b`));
  });
});
