/** Request steps: method and URL, headers, query, bodies (inline, file, form, multipart), auth, retry. */
import { ERROR_CODES } from '../../errors.js';
import { dirname, extname, join } from 'node:path';
import type { BodyPlan, Expr, HttpMethod, RequestStep, RetryPlan, Template } from '../plan.js';
import { exprText } from '../template/coerce.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';
import { jsonBodyFile, textBodyFile } from './body-file.js';
import { MAX_BODY_FILE_BYTES, readBeside } from './beside.js';
import { multipartBody } from './multipart.js';
import { captures, matchers } from './matchers.js';
import type { VarScope } from './scope.js';
import { entries, tagsOf, type StepEnv } from './step-env.js';

export const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export function request(env: StepEnv, s: Obj, at: string, scope: VarScope, name: string | undefined, forced?: HttpMethod): RequestStep {
  const { ctx } = env;
  const method = forced ?? METHODS.find((m) => Object.hasOwn(s, m.toLowerCase())) ?? 'GET';
  const key = method.toLowerCase();
  const urlPtr = ptr(at, key);
  const url = ctx.template(String(s[key] ?? ''), urlPtr, scope);
  if (!env.hasTarget && !/^(https?:\/\/|\{\{)/.test(url.source)) {
    ctx.problem(ERROR_CODES.SEMANTIC, `the relative URL \`${url.source}\` needs a \`target\``, urlPtr, 'set `target:` (or pass --target), or write an absolute URL');
  }
  const stepName = name ?? `${method} ${url.source}`;
  env.names.steps.add(stepName);
  env.names.methods.add(method);
  const pairs = (o: unknown, p: string, lower: boolean): (readonly [string, Template])[] =>
    entries(o).map(([k, v]) => [lower ? k.toLowerCase() : k, ctx.template(String(v), ptr(at, p, k), scope)] as const);
  const bodies = ['json', 'body', 'form', 'multipart', 'bodyFile'].filter((b) => Object.hasOwn(s, b));
  if (bodies.length > 1) ctx.problem(ERROR_CODES.SEMANTIC, `a request has one body: ${bodies.join(' and ')} given`, ptr(at, bodies[1] ?? ''), undefined, true);
  if (Object.hasOwn(s, 'contentType') && !Object.hasOwn(s, 'body') && !Object.hasOwn(s, 'bodyFile')) ctx.problem(ERROR_CODES.SEMANTIC, '`contentType` applies to a `body`', ptr(at, 'contentType'), undefined, true);
  let body: BodyPlan | undefined;
  if (Object.hasOwn(s, 'json')) body = { kind: 'json', value: ctx.templateValue(s.json, ptr(at, 'json'), scope) };
  else if (Object.hasOwn(s, 'form')) body = { kind: 'form', fields: pairs(s.form, 'form', false) };
  else if (Object.hasOwn(s, 'multipart')) body = multipartBody(env, s.multipart as Obj, ptr(at, 'multipart'), scope);
  else if (Object.hasOwn(s, 'body')) {
    const template = ctx.template(String(s.body), ptr(at, 'body'), scope);
    body = typeof s.contentType === 'string' ? { kind: 'text', template, contentType: s.contentType } : { kind: 'text', template };
  } else if (Object.hasOwn(s, 'bodyFile')) body = bodyFromFile(env, String(s.bodyFile), typeof s.contentType === 'string' ? s.contentType : undefined, ptr(at, 'bodyFile'), scope);
  const headers = pairs(s.headers, 'headers', true);
  if (Object.hasOwn(s, 'auth')) {
    const a = s.auth as Obj;
    if (headers.some(([k]) => k === 'authorization')) ctx.problem(ERROR_CODES.SEMANTIC, '`auth` and an `authorization` header: give one', ptr(at, 'auth'), undefined, true);
    headers.push(['authorization', basicAuth(ctx.template(String(a.user), ptr(at, 'auth', 'user'), scope), ctx.template(String(a.password), ptr(at, 'auth', 'password'), scope))]);
  }
  const checks = entries(s.check).map(([checkName, c]) => {
    env.names.checks.add(checkName);
    return { name: checkName, all: matchers(ctx, c as Obj, ptr(at, 'check', checkName), scope) };
  });
  const tags = tagsOf(env, s.tags);
  const tagWith = entries(s.tagWith).map(([tag, src]) => {
    if (Object.hasOwn(tags, tag)) ctx.problem(ERROR_CODES.SEMANTIC, `tag \`${tag}\` is set by both \`tags\` and \`tagWith\``, ptr(at, 'tagWith', tag), undefined, true);
    if (['journey', 'step', 'group', 'method', 'status', 'error', 'phase', 'check'].includes(tag)) {
      ctx.problem(ERROR_CODES.SEMANTIC, `\`${tag}\` is a tag the engine sets`, ptr(at, 'tagWith', tag), 'pick another tag name', true);
    }
    env.names.tagKeys.add(tag);
    return { tag, header: String((src as Obj).header).toLowerCase() };
  });
  const req: RequestStep = {
    kind: 'request',
    name: stepName,
    method,
    url,
    query: pairs(s.query, 'query', false),
    headers,
    ...(body ? { body } : {}),
    expect: Object.hasOwn(s, 'expect') ? matchers(ctx, s.expect as Obj, ptr(at, 'expect'), scope) : [],
    checks,
    captures: Object.hasOwn(s, 'capture') ? captures(ctx, s.capture as Obj, ptr(at, 'capture')) : [],
    ...(Object.hasOwn(s, 'timeout') ? { timeoutMs: ctx.duration(s.timeout, ptr(at, 'timeout')) } : {}),
    tags,
    ...(tagWith.length > 0 ? { tagWith } : {}),
    ...(Object.hasOwn(s, 'retry') ? { retry: retry(ctx, s.retry, ptr(at, 'retry')) } : {}),
    pos: ctx.sourcePos(at),
  };
  return req;
}

/** A template part as an expression: text becomes a literal. */
function partsExpr(t: Template): Expr {
  const exprs: Expr[] = t.parts.map((p) => (typeof p === 'string' ? { kind: 'lit', value: p } : p));
  return exprs.length === 1 ? (exprs[0] as Expr) : { kind: 'call', fn: 'concat', args: exprs };
}

/** `Basic {{ base64(concat(user, ":", password)) }}`, built from the two compiled templates. */
function basicAuth(user: Template, password: Template): Template {
  const creds: Expr = { kind: 'call', fn: 'concat', args: [partsExpr(user), { kind: 'lit', value: ':' }, partsExpr(password)] };
  const b64: Expr = { kind: 'call', fn: 'base64', args: [creds] };
  return { source: `Basic {{ ${exprText(b64)} }}`, parts: ['Basic ', b64], single: false };
}

function bodyFromFile(env: StepEnv, rel: string, contentType: string | undefined, at: string, scope: VarScope): BodyPlan | undefined {
  const { ctx } = env;
  const bytes = readBeside(env, rel, MAX_BODY_FILE_BYTES, 'body file', at);
  if (bytes === undefined) return undefined;
  const text = bytes.toString('utf8');
  // Problems inside the file point into it, named as the scenario's own path is (relative stays relative).
  const shown = join(dirname(ctx.file), rel);
  if (extname(rel).toLowerCase() === '.json' && contentType === undefined) {
    const value = jsonBodyFile(ctx, text, shown, at, scope);
    return value === undefined ? undefined : { kind: 'json', value };
  }
  const template = textBodyFile(ctx, text, shown, at, scope);
  if (template === undefined) return undefined;
  return contentType !== undefined ? { kind: 'text', template, contentType } : { kind: 'text', template };
}

const RETRY_DEFAULT_ON = ['refused', 'reset', 'timeout', '5xx', '429'];

function retry(ctx: NormContext, r: unknown, at: string): RetryPlan {
  const o = (typeof r === 'number' ? { attempts: r } : r) as Obj;
  const backoffMs = ctx.duration(o.backoff ?? '100ms', ptr(at, 'backoff'));
  const maxBackoffMs = ctx.duration(o.maxBackoff ?? '2s', ptr(at, 'maxBackoff'));
  if (backoffMs > maxBackoffMs) ctx.problem(ERROR_CODES.SEMANTIC, '`backoff` is longer than `maxBackoff`', ptr(at, 'backoff'));
  return {
    attempts: typeof o.attempts === 'number' ? o.attempts : 2,
    on: Array.isArray(o.on) ? o.on.map(String) : RETRY_DEFAULT_ON,
    backoffMs,
    maxBackoffMs,
    jitter: Object.hasOwn(o, 'jitter') ? ctx.fraction(o.jitter, ptr(at, 'jitter')) : 0.2,
  };
}
