/**
 * Artillery flows as steps: requests (get/post/…, json/form/formData/body, headers, qs, auth,
 * capture, expect, ifTrue), think, loop, log, parallel. `function`, `beforeRequest` and
 * `afterResponse` are JavaScript: a comment where they stood and a line in the final list.
 */
import { plain } from '../text.js';
import { asObj, seconds, type MapContext } from './context.js';
import { template, templates } from './templates.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
type Step = Record<string, unknown>;
type Path = (string | number)[];

/** A flow (list of actions) as steps; comments with nothing after them go above the last step. */
export function mapFlow(flow: unknown, path: Path, ctx: MapContext): Step[] {
  const out: Step[] = [];
  let pending: string[] = [];
  const list = Array.isArray(flow) ? flow : [];
  list.forEach((raw, i) => {
    const r = mapAction(raw, [...path, i], ctx);
    pending.push(...r.comments);
    for (const s of r.steps) {
      // What stood before this action goes above the step's own comments.
      for (const c of [...pending].reverse()) ctx.notes.above(s, c, true);
      pending = [];
      out.push(s);
    }
  });
  if (out.length === 0 && pending.length === 0) {
    // A journey needs a step: an empty flow says so where it ran.
    const s = { log: 'this flow had no step rampart can run' };
    ctx.notes.above(s, ctx.unmapped(path, 'an empty flow: the journey only logs a line'));
    out.push(s);
  }
  if (pending.length > 0) {
    const last = out.at(-1);
    // A flow made only of hooks still needs a step: a log line saying what is missing.
    if (last === undefined) {
      const s = { log: 'this flow was JavaScript only: see the comments above' };
      for (const c of pending) ctx.notes.above(s, c);
      out.push(s);
    } else for (const c of pending) ctx.notes.above(last, `after this step: ${c}`);
  }
  return out;
}

function mapAction(raw: unknown, at: Path, ctx: MapContext): { steps: Step[]; comments: string[] } {
  const a = asObj(raw);
  if (!a) return { steps: [], comments: [ctx.unmapped(at, 'a flow item that is not a mapping')] };
  const method = METHODS.find((m) => a[m] !== undefined);
  if (method !== undefined) return request(method, a[method], [...at, method], ctx);
  if (a['think'] !== undefined) {
    const d = seconds(a['think']);
    return d !== undefined ? { steps: [{ think: d }], comments: [] } : { steps: [], comments: [ctx.unmapped([...at, 'think'], `think ${String(a['think'])} is not a duration`)] };
  }
  if (a['function'] !== undefined) return { steps: [], comments: [ctx.hook([...at, 'function'], `function ${String(a['function'])}`)] };
  if (a['log'] !== undefined) return { steps: [{ log: template(String(a['log']), ctx.names) }], comments: [] };
  if (a['loop'] !== undefined) return loop(a, at, ctx);
  if (a['parallel'] !== undefined) {
    const steps = mapFlow(a['parallel'], [...at, 'parallel'], ctx);
    if (steps.every((s) => METHODS.some((m) => m in s))) return { steps: [{ parallel: steps }], comments: [] };
    return { steps, comments: [ctx.unmapped([...at, 'parallel'], 'parallel holds more than requests: its actions run one after another')] };
  }
  return { steps: [], comments: [ctx.unmapped(at, `flow action \`${Object.keys(a).join(', ')}\` has no counterpart`)] };
}

function loop(a: Record<string, unknown>, at: Path, ctx: MapContext): { steps: Step[]; comments: string[] } {
  const steps = mapFlow(a['loop'], [...at, 'loop'], ctx);
  const comments: string[] = [];
  if (a['whileTrue'] !== undefined) comments.push(ctx.hook([...at, 'whileTrue'], `loop whileTrue ${String(a['whileTrue'])} (runs once here)`));
  let spec: unknown;
  if (typeof a['count'] === 'number') spec = a['count'];
  else if (Array.isArray(a['over'])) spec = { over: templates(a['over'], ctx.names) };
  else if (typeof a['over'] === 'string') spec = { over: `{{ ${template(`{{${a['over']}}}`, ctx.names).slice(3, -3)} }}` };
  else if (a['whileTrue'] !== undefined) spec = 1;
  else {
    spec = 1;
    comments.push(ctx.unmapped(at, 'a loop without count or over (Artillery loops forever): it runs once here'));
  }
  if (a['count'] !== undefined && a['over'] !== undefined) comments.push(ctx.unmapped([...at, 'count'], 'a loop with count and over: over is used'));
  return { steps: [{ loop: spec, steps }], comments };
}

function request(method: string, raw: unknown, at: Path, ctx: MapContext): { steps: Step[]; comments: string[] } {
  const r = asObj(raw) ?? (typeof raw === 'string' ? { url: raw } : {});
  const comments: string[] = [];
  const step: Step = {};
  if (typeof r['name'] === 'string') step['name'] = plain(r['name']);
  step[method] = template(String(r['url'] ?? '/'), ctx.names);
  if (asObj(r['qs'])) step['query'] = templates(r['qs'], ctx.names);
  const headers: Record<string, unknown> = { ...(asObj(templates(r['headers'] ?? {}, ctx.names)) ?? {}) };
  const cookie = asObj(r['cookie']);
  if (cookie) headers['cookie'] = Object.entries(cookie).map(([k, v]) => `${k}=${template(String(v), ctx.names)}`).join('; ');
  if (Object.keys(headers).length > 0) step['headers'] = headers;
  if (r['json'] !== undefined) step['json'] = templates(r['json'], ctx.names);
  else if (asObj(r['form'])) step['form'] = templates(r['form'], ctx.names);
  else if (asObj(r['formData'])) step['multipart'] = multipart(asObj(r['formData']) ?? {}, [...at, 'formData'], ctx, comments);
  else if (typeof r['body'] === 'string') step['body'] = template(r['body'], ctx.names);
  const auth = asObj(r['auth']);
  if (auth) step['auth'] = { user: template(String(auth['user'] ?? ''), ctx.names), password: template(String(auth['pass'] ?? ''), ctx.names) };
  const expect = mapExpect(r['expect'], [...at, 'expect'], ctx, comments);
  if (expect) step['expect'] = expect;
  const capture = mapCaptures(r['capture'], [...at, 'capture'], ctx, comments);
  if (capture) step['capture'] = capture;
  for (const hook of ['beforeRequest', 'afterResponse']) {
    const v = r[hook];
    for (const [i, name] of (Array.isArray(v) ? v : v !== undefined ? [v] : []).entries()) comments.push(ctx.hook(Array.isArray(v) ? [...at, hook, i] : [...at, hook], `${hook} ${String(name)}`));
  }
  if (r['followRedirect'] === false) comments.push(ctx.unmapped([...at, 'followRedirect'], 'followRedirect: false is set for the whole scenario in rampart (http.followRedirects): set it there if every request needs it'));
  for (const k of Object.keys(r)) {
    if (!['url', 'name', 'qs', 'headers', 'cookie', 'json', 'form', 'formData', 'body', 'auth', 'expect', 'capture', 'beforeRequest', 'afterResponse', 'followRedirect', 'ifTrue'].includes(k)) comments.push(ctx.unmapped([...at, k], `request setting \`${k}\` has no counterpart`));
  }
  if (r['ifTrue'] !== undefined) {
    const cond = condition(String(r['ifTrue']), ctx);
    if (cond) {
      const wrapped: Step = { if: cond, then: [step] };
      for (const c of comments) ctx.notes.above(step, c);
      return { steps: [wrapped], comments: [] };
    }
    comments.push(ctx.unmapped([...at, 'ifTrue'], `ifTrue "${String(r['ifTrue'])}" is a JavaScript expression rampart cannot read: the request always runs`));
  }
  for (const c of comments) ctx.notes.above(step, c);
  return { steps: [step], comments: [] };
}

const OPS: Record<string, string> = { '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte', '==': 'equals', '===': 'equals', '!=': 'notEquals', '!==': 'notEquals' };

/** `ifTrue` when it is a variable, or a variable compared with a literal. */
function condition(expr: string, ctx: MapContext): Record<string, unknown> | undefined {
  const e = expr.trim();
  if (/^[A-Za-z_$][\w$.]*$/.test(e)) return { value: template(`{{ ${e} }}`, ctx.names) };
  const m = /^([A-Za-z_$][\w$.]*)\s*(<=|>=|===|!==|==|!=|<|>)\s*(-?\d+(?:\.\d+)?|"[^"]*"|'[^']*')$/.exec(e);
  if (!m) return undefined;
  const lit = m[3] ?? '';
  const value = /^-?\d/.test(lit) ? Number(lit) : lit.slice(1, -1);
  return { value: template(`{{ ${m[1] ?? ''} }}`, ctx.names), [OPS[m[2] ?? ''] ?? 'equals']: value };
}

function multipart(form: Record<string, unknown>, at: Path, ctx: MapContext, comments: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(form)) {
    const o = asObj(v);
    if (o && typeof o['fromFile'] === 'string') out[k] = { file: plain(o['fromFile']), ...(typeof o['contentType'] === 'string' ? { contentType: o['contentType'] } : {}) };
    else if (o && o['value'] !== undefined) out[k] = template(String(o['value']), ctx.names);
    else if (!o) out[k] = typeof v === 'string' ? template(v, ctx.names) : v;
    else comments.push(ctx.unmapped([...at, k], `formData field ${k} has no value or fromFile`));
  }
  return out;
}

/** Captures (one or a list): json, header, regex, selector. */
function mapCaptures(raw: unknown, at: Path, ctx: MapContext, comments: string[]): Record<string, unknown> | undefined {
  const list = Array.isArray(raw) ? raw : raw !== undefined ? [raw] : [];
  const out: Record<string, unknown> = {};
  list.forEach((c0, i) => {
    const c = asObj(c0) ?? {};
    const where = Array.isArray(raw) ? [...at, i] : at;
    const as = typeof c['as'] === 'string' ? c['as'] : undefined;
    if (as === undefined) return void comments.push(ctx.unmapped(where, 'a capture without `as`'));
    let src: Record<string, unknown> | undefined;
    if (typeof c['json'] === 'string') {
      if (c['json'].includes('..') || c['json'].includes('?(')) return void comments.push(ctx.unmapped(where, `capture ${as}: JSON path ${c['json']} uses recursive descent or a filter, which rampart's paths do not have`));
      src = { json: c['json'] };
    } else if (typeof c['header'] === 'string') src = { header: c['header'] };
    else if (typeof c['regexp'] === 'string' || typeof c['regex'] === 'string') {
      src = { regex: String(c['regexp'] ?? c['regex']) };
      if (typeof c['group'] === 'number') src['group'] = c['group'];
      if (typeof c['flags'] === 'string' && /^[imsu]*$/.test(c['flags'])) src['flags'] = c['flags'];
    } else if (typeof c['selector'] === 'string') {
      src = { css: c['selector'] };
      if (typeof c['attr'] === 'string') src['attribute'] = c['attr'];
      if (c['index'] !== undefined && c['index'] !== 0) comments.push(ctx.unmapped([...where, 'index'], `capture ${as}: index ${String(c['index'])} (rampart takes the first match, or all with all: true)`));
    } else return void comments.push(ctx.unmapped(where, `capture ${as}: ${Object.keys(c).filter((k) => k !== 'as').join(', ')} has no counterpart (xpath, transform)`));
    if (c['strict'] === false) src['optional'] = true;
    if (c['transform'] !== undefined) comments.push(ctx.unmapped([...where, 'transform'], `capture ${as}: transform is JavaScript and was dropped`));
    out[as] = ctx.notes.flow(src);
    // Later templates use the capture by its own name, even where a payload column had it.
    ctx.names.names.delete(as);
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

/** artillery-plugin-expect's list: statusCode, contentType, hasProperty, hasHeader, headerEquals, matchesRegexp. */
function mapExpect(raw: unknown, at: Path, ctx: MapContext, comments: string[]): Record<string, unknown> | undefined {
  const list = Array.isArray(raw) ? raw : raw !== undefined ? [raw] : [];
  const out: Record<string, unknown> = {};
  const headers: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {};
  list.forEach((e0, i) => {
    for (const [k, v] of Object.entries(asObj(e0) ?? {})) {
      if (k === 'statusCode') out['status'] = Array.isArray(v) ? ctx.notes.flow(v.map(Number)) : Number(v);
      else if (k === 'contentType') headers['content-type'] = { contains: v === 'json' ? 'application/json' : String(v) };
      else if (k === 'hasProperty') paths[`$.${String(v)}`] = { exists: true };
      else if (k === 'notHasProperty') paths[`$.${String(v)}`] = { exists: false };
      else if (k === 'hasHeader') headers[String(v).toLowerCase()] = { exists: true };
      else if (k === 'headerEquals' && Array.isArray(v)) headers[String(v[0]).toLowerCase()] = template(String(v[1]), ctx.names);
      else if (k === 'matchesRegexp') out['body'] = { matches: String(v) };
      else comments.push(ctx.unmapped([...at, i, k], `expect ${k} has no counterpart`));
    }
  });
  if (Object.keys(headers).length > 0) out['headers'] = headers;
  if (Object.keys(paths).length > 0) out['jsonPaths'] = paths;
  return Object.keys(out).length > 0 ? out : undefined;
}
