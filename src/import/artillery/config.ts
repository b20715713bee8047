/**
 * Artillery's `config` in rampart terms: phases (arrivalRate, rampTo, arrivalCount, pause),
 * payload CSVs as data feeders, variables, environments, ensure as thresholds, http settings.
 */
import { plain } from '../text.js';
import { asObj, seconds, type MapContext } from './context.js';
import { template, templates } from './templates.js';

/** Phases as an open-model `load`. */
export function mapPhases(phases: unknown, path: (string | number)[], ctx: MapContext, maxVus?: number): Record<string, unknown> {
  const out: Record<string, unknown>[] = [];
  const list = Array.isArray(phases) ? phases : [];
  list.forEach((raw, i) => {
    const p = asObj(raw) ?? {};
    const at = [...path, i];
    const phase: Record<string, unknown> = {};
    if (typeof p['name'] === 'string') phase['name'] = plain(p['name']);
    if (p['pause'] !== undefined) {
      const d = seconds(p['pause']);
      if (d === undefined) return void ctx.unmapped([...at, 'pause'], `pause ${String(p['pause'])} is not a duration`);
      phase['pause'] = d;
      out.push(ctx.notes.flow(phase));
      return;
    }
    const d = seconds(p['duration']);
    if (d === undefined) return void ctx.unmapped(at, `a phase without a duration rampart can read (${JSON.stringify(p['duration'])}) was dropped`);
    phase['duration'] = d;
    if (typeof p['arrivalCount'] === 'number') phase['arrivals'] = p['arrivalCount'];
    else {
      phase['rate'] = typeof p['arrivalRate'] === 'number' ? p['arrivalRate'] : 0;
      if (typeof p['rampTo'] === 'number') phase['rampTo'] = p['rampTo'];
    }
    for (const k of Object.keys(p)) {
      if (!['name', 'duration', 'arrivalRate', 'rampTo', 'arrivalCount', 'pause', 'maxVusers'].includes(k)) ctx.notes.above(phase, ctx.unmapped([...at, k], `phase setting \`${k}\` has no counterpart`));
    }
    out.push(ctx.notes.flow(phase));
  });
  if (out.length === 0) {
    const phase = ctx.notes.flow({ duration: '60s', rate: 1 });
    ctx.notes.above(phase, ctx.unmapped(path.length > 0 ? path : ['config'], 'no phases: one arrival per second for a minute'));
    out.push(phase);
  }
  return maxVus !== undefined ? { phases: out, maxVus } : { phases: out };
}

/** `payload` (one or a list) as data feeders; columns become `feeder.column` in templates. */
export function mapPayload(payload: unknown, ctx: MapContext): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const list = Array.isArray(payload) ? payload : payload !== undefined ? [payload] : [];
  list.forEach((raw, i) => {
    const at = Array.isArray(payload) ? ['config', 'payload', i] : ['config', 'payload'];
    const p = asObj(raw) ?? {};
    const file = typeof p['path'] === 'string' ? p['path'] : undefined;
    if (file === undefined) return void ctx.unmapped(at, 'a payload without `path` was dropped');
    const name = (typeof p['name'] === 'string' ? p['name'] : (file.split('/').at(-1) ?? 'data').replace(/\.[^.]*$/, '')).replace(/[^A-Za-z0-9_]/g, '_') || `data${i}`;
    const feeder: Record<string, unknown> = { file: plain(file) };
    const fields = Array.isArray(p['fields']) ? p['fields'].map(String) : [];
    if (fields.length > 0) {
      feeder['columns'] = ctx.notes.flow(fields);
      if (p['skipHeader'] === true) feeder['skipHeader'] = true;
      // Artillery exposes a column as a bare variable; rampart as feeder.column.
      for (const f of fields) ctx.names.names.set(f, `${name}.${f}`);
    } else {
      const n = ctx.unmapped(at, `payload ${file} lists no fields: rampart reads its header row; write {{ ${name}.<column> }} where the script used a column`);
      ctx.notes.aboveKey(data, name, n);
    }
    if (typeof p['delimiter'] === 'string') feeder['delimiter'] = p['delimiter'];
    if (p['order'] === 'random') feeder['order'] = 'random';
    for (const k of Object.keys(p)) {
      if (!['path', 'fields', 'skipHeader', 'delimiter', 'order', 'name'].includes(k)) ctx.notes.aboveKey(data, name, ctx.unmapped([...at, k], `payload setting \`${k}\` has no counterpart`));
    }
    data[name] = feeder;
  });
  return data;
}

/**
 * `variables`: a scalar stays a variable; a list (Artillery picks one per user) becomes a feeder
 * with one column read in random order.
 */
export function mapVariables(vars: unknown, data: Record<string, unknown>, ctx: MapContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(asObj(vars) ?? {})) {
    if (Array.isArray(v)) {
      const feeder = `${k}_values`;
      data[feeder] = { rows: v.map((x) => ctx.notes.flow({ [k]: typeof x === 'string' ? template(x, ctx.names) : x })), order: 'random' };
      ctx.notes.aboveKey(data, feeder, `variable ${k} (a list: one value picked per journey)`);
      ctx.names.names.set(k, `${feeder}.${k}`);
    } else if (['string', 'number', 'boolean'].includes(typeof v)) out[k] = typeof v === 'string' ? template(v, ctx.names) : v;
    else ctx.unmapped(['config', 'variables', k], `variable ${k} is neither a value nor a list`);
  }
  return out;
}

const ENSURE_AGG: Record<string, string> = { p50: 'p(50)', median: 'med', p75: 'p(75)', p90: 'p(90)', p95: 'p(95)', p99: 'p(99)', p999: 'p(99.9)', max: 'max', min: 'min', mean: 'avg' };

/** `ensure` as thresholds: latency aggregates in ms, maxErrorRate in percent. */
export function mapEnsure(ensure: unknown, ctx: MapContext): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (metric: string, expr: string): void => void (out[metric] ??= []).push(expr);
  for (const [k, v] of Object.entries(asObj(ensure) ?? {})) {
    if (ENSURE_AGG[k] !== undefined && typeof v === 'number') add('http.latency', `${ENSURE_AGG[k]} <= ${v}`);
    else if (k === 'maxErrorRate' && typeof v === 'number') add('http.errors', `rate <= ${v}%`);
    else if (k === 'thresholds' && Array.isArray(v)) {
      v.forEach((t, i) => {
        for (const [metric, limit] of Object.entries(asObj(t) ?? {})) {
          const m = /^http\.response_time\.(p\d+|median|max|min|mean)$/.exec(metric);
          const agg = m?.[1] !== undefined ? ENSURE_AGG[m[1]] : undefined;
          if (agg !== undefined && typeof limit === 'number') add('http.latency', `${agg} <= ${limit}`);
          else ctx.unmapped(['config', 'ensure', 'thresholds', i], `ensure threshold on ${metric} has no counterpart metric`);
        }
      });
    } else ctx.unmapped(['config', 'ensure', k], `ensure ${k} (conditions and expressions are JavaScript) is not mapped: write it under thresholds`);
  }
  return out;
}

/** `config.http`: timeout (seconds), pool → connections. */
export function mapHttp(http: unknown, defaults: unknown, ctx: MapContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(asObj(http) ?? {})) {
    if (k === 'timeout' && seconds(v) !== undefined) out['timeout'] = seconds(v);
    else if ((k === 'pool' || k === 'maxSockets') && typeof v === 'number') out['connections'] = v;
    else if (k === 'extendedMetrics') continue; // rampart always records the timing phases
    else ctx.unmapped(['config', 'http', k], `http setting \`${k}\` has no counterpart`);
  }
  const headers = asObj(asObj(defaults)?.['headers']);
  if (headers) out['headers'] = templates(headers, ctx.names);
  return out;
}
