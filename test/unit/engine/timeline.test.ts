import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CLASSES } from '../../../src/http/types.js';
import { errorsByClass, timelinePoint } from '../../../src/engine/timeline.js';
import type { MetricsSnapshot, SeriesSnapshot, Tags } from '../../../src/metrics/types.js';

const rate = (metric: string, tags: Tags, count: number, trues: number): SeriesSnapshot => ({ metric, type: 'rate', unit: 'count', tags, count, sum: trues, min: 0, max: trues > 0 ? 1 : 0 });
const counter = (metric: string, tags: Tags, sum: number): SeriesSnapshot => ({ metric, type: 'counter', unit: 'count', tags, count: sum, sum, min: 1, max: 1 });
const snap = (series: SeriesSnapshot[]): MetricsSnapshot => ({ startMs: 0, endMs: 1000, series });

describe('timeline errors by class', () => {
  it('counts failed http.errors samples by their error tag, and failed expectations and captures', () => {
    const s = snap([
      counter('http.requests', { step: 'a', status: '200' }, 5),
      counter('http.requests', { step: 'a', status: '0', error: 'refused' }, 3),
      rate('http.errors', { step: 'a', status: '200' }, 5, 0),
      rate('http.errors', { step: 'a', status: '0', error: 'refused' }, 3, 3),
      rate('http.errors', { step: 'b', status: '0', error: 'refused' }, 2, 2),
      rate('http.errors', { step: 'b', status: '503', error: '5xx' }, 4, 4),
      rate('expectations', { step: 'a', error: 'expectation' }, 2, 0),
      rate('expectations', { step: 'b', error: 'capture' }, 1, 0),
      rate('expectations', { step: 'b' }, 6, 6),
      // A poll that did not hold in time is not a request failure.
      rate('expectations', { step: 'p', error: 'timeout' }, 1, 0),
    ]);
    expect(errorsByClass(s)).toEqual({ refused: 5, '5xx': 4, expectation: 2, capture: 1 });
    const p = timelinePoint(s, 3, 'steady', 2);
    expect(p.errors).toBe(9);
    expect(p.errorsByClass).toEqual({ refused: 5, '5xx': 4, expectation: 2, capture: 1 });
  });

  it('a journey-layer failure also recorded on http.errors is counted once', () => {
    const s = snap([rate('http.errors', { step: 'a', status: '200', error: 'expectation' }, 2, 2), rate('expectations', { step: 'a', error: 'expectation' }, 2, 0)]);
    expect(errorsByClass(s)).toEqual({ expectation: 2 });
  });

  it('a second without failures has no errorsByClass', () => {
    const p = timelinePoint(snap([counter('http.requests', { status: '200' }, 4), rate('http.errors', { status: '200' }, 4, 0)]), 1, 'steady', 1);
    expect(p.errors).toBe(0);
    expect(p).not.toHaveProperty('errorsByClass');
  });
});

describe('the report schema for errorsByClass', () => {
  it('names exactly the error classes the engine produces', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8')) as {
      $defs: { timelinePoint: { properties: { errorsByClass: { propertyNames: { enum: string[] } } } } };
    };
    expect([...schema.$defs.timelinePoint.properties.errorsByClass.propertyNames.enum].sort()).toEqual([...ERROR_CLASSES].sort());
  });
});
