/**
 * Hand-built Plans for journey tests (the shape src/scenario normalizes to), and helpers that read
 * a metrics snapshot.
 */
import type { CapturePlan, CheckPlan, HttpDefaults, JourneyPlan, Matcher, Plan, RequestStep, Step } from '../../src/scenario/plan.js';
import type { MetricsSnapshot, Tags } from '../../src/metrics/types.js';
import { compileJsonPath } from '../../src/scenario/jsonpath.js';
import { compileTemplate, compileTemplateValue } from '../../src/scenario/template/index.js';
import { httpDefaults } from './target-server.js';

export const POS = { file: 'test.yaml', line: 1, col: 1 } as const;
export const tpl = compileTemplate;
export const tval = compileTemplateValue;
export const jp = compileJsonPath;

export function request(method: RequestStep['method'], url: string, extra: Partial<RequestStep> = {}): RequestStep {
  return {
    kind: 'request',
    name: extra.name ?? `${method} ${url}`,
    method,
    url: tpl(url),
    query: [],
    headers: [],
    expect: [],
    checks: [],
    captures: [],
    tags: {},
    pos: POS,
    ...extra,
  };
}

export const status = (...oneOf: number[]): Matcher => ({ kind: 'status', oneOf });
export const jsonEq = (path: string, value: unknown): Matcher => ({ kind: 'json', path: jp(path), cmp: { op: 'equals', value: tval(value) } });
export const check = (name: string, ...all: Matcher[]): CheckPlan => ({ name, all });
export const capJson = (as: string, path: string, optional = false): CapturePlan => ({ kind: 'json', as, path: jp(path), optional });

export function journey(name: string, steps: readonly Step[], tags: Record<string, string> = {}): JourneyPlan {
  return { name, weight: 1, steps, tags };
}

export function plan(target: string, journeys: readonly JourneyPlan[], opts: { http?: Partial<HttpDefaults>; data?: Plan['data'] } = {}): Plan {
  return {
    name: 'test',
    source: { file: 'test.yaml', hash: '0' },
    target,
    http: httpDefaults(opts.http),
    variables: {},
    secrets: [],
    data: opts.data ?? [],
    load: { model: 'closed', startVus: 1, stages: [{ name: 'main', durationMs: 1000, target: 1, onStart: [], onEnd: [] }] },
    journeys,
    setup: [],
    teardown: [],
    thresholds: [],
    gracefulStopMs: 1000,
    warmUp: false,
  };
}

function hasTags(tags: Tags, filter: Tags): boolean {
  return Object.entries(filter).every(([k, v]) => tags[k] === v);
}

/** Sum of `count` over the series of `metric` whose tags include `filter`. */
export function countOf(snap: MetricsSnapshot, metric: string, filter: Tags = {}): number {
  return snap.series.filter((s) => s.metric === metric && hasTags(s.tags, filter)).reduce((n, s) => n + s.count, 0);
}

/** Sum of `sum` (trues for rates, totals for counters). */
export function sumOf(snap: MetricsSnapshot, metric: string, filter: Tags = {}): number {
  return snap.series.filter((s) => s.metric === metric && hasTags(s.tags, filter)).reduce((n, s) => n + s.sum, 0);
}

/** The tag sets of a metric's series. */
export function tagsOf(snap: MetricsSnapshot, metric: string): Tags[] {
  return snap.series.filter((s) => s.metric === metric).map((s) => s.tags);
}
