/**
 * Turns a request step into an HttpRequest. Everything constant is computed once per step (the
 * Recipe): the URL when it has no templates, the constant headers (defaults merged with the step's,
 * the step winning), a constant body. Per request only the templated parts are rendered.
 */
import { randomBytes } from 'node:crypto';
import { ACCEPT_ENCODING } from '../http/decode.js';
import type { BodyPlan, HttpDefaults, Matcher, MultipartFile, RequestStep, Template, TemplateValue } from '../scenario/plan.js';
import { RenderError, renderTemplate, renderValue, type Scope } from '../scenario/template/index.js';
import { VERSION } from '../version.js';
import { capturesNeedBody, capturesNeedHtml } from './captures.js';
import { statusMatches } from './matchers.js';

/** The `user-agent` sent unless the scenario sets one. */
export const USER_AGENT = `rampart/${VERSION}`;

export interface Recipe {
  readonly step: RequestStep;
  /** Some matcher or capture reads the body: the client keeps it. */
  readonly needsBody: boolean;
  /** A capture or matcher reads the body as HTML: the HTML libraries load before the first response is judged. */
  readonly needsHtml: boolean;
  readonly staticUrl: string | undefined;
  /** Headers whose value is constant (already merged, lower-case names). */
  readonly staticHeaders: Readonly<Record<string, string>>;
  /** Headers to render per request. */
  readonly dynamicHeaders: readonly (readonly [string, Template])[];
  readonly staticBody: string | Buffer | undefined;
  /** The multipart boundary of this step's body ('' for other bodies). */
  readonly boundary: string;
  readonly statusExpect: readonly Extract<Matcher, { kind: 'status' }>[];
}

function constantText(t: Template): string | undefined {
  let out = '';
  for (const p of t.parts) {
    if (typeof p !== 'string') return undefined;
    out += p;
  }
  return out;
}

function constantValue(tv: TemplateValue): boolean {
  switch (tv.kind) {
    case 'const':
      return true;
    case 'tpl':
      return constantText(tv.template) !== undefined;
    case 'array':
      return tv.items.every(constantValue);
    case 'object':
      return tv.entries.every(([, v]) => constantValue(v));
  }
}

const NO_SCOPE: Scope = { lookup: () => undefined, random: () => 0, now: () => 0 };

function defaultContentType(body: BodyPlan, boundary: string): string {
  switch (body.kind) {
    case 'json':
      return 'application/json';
    case 'form':
      return 'application/x-www-form-urlencoded';
    case 'text':
      return body.contentType ?? 'text/plain; charset=utf-8';
    case 'multipart':
      return `multipart/form-data; boundary=${boundary}`;
  }
}

/** A multipart header value's quoted-string, escaped as browsers do (WHATWG HTML: `"` CR LF percent-encoded). */
function quoted(s: string): string {
  return `"${s.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22')}"`;
}

/** A file part's bytes, decoded from the plan's base64 once per process (not once per request). */
const fileBytes = new WeakMap<object, Buffer>();
const CRLF = Buffer.from('\r\n');
function bytesOf(file: { readonly base64: string }): Buffer {
  let b = fileBytes.get(file);
  if (b === undefined) {
    b = Buffer.from(file.base64, 'base64');
    fileBytes.set(file, b);
  }
  return b;
}

/** The file a templated multipart path names for this request: one of those read at load time. */
function chosenFile(choose: { readonly path: Template; readonly files: Readonly<Record<string, MultipartFile>> }, scope: Scope): MultipartFile {
  const path = renderTemplate(choose.path, scope);
  if (!Object.hasOwn(choose.files, path)) throw new RenderError(`multipart file ${path} was not read when the scenario loaded`, choose.path.source);
  return choose.files[path] as MultipartFile;
}

/** A multipart/form-data body (RFC 7578), parts in the scenario's order. */
function renderMultipart(parts: Extract<BodyPlan, { kind: 'multipart' }>['parts'], boundary: string, scope: Scope): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('value' in p) {
      // Text fields: line breaks normalized to CRLF, as a browser sends them.
      const value = renderTemplate(p.value, scope).replace(/\r\n|\r|\n/g, '\r\n');
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(p.name)}\r\n\r\n${value}\r\n`));
    } else {
      const file = 'file' in p ? p.file : chosenFile(p.choose, scope);
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(p.name)}; filename=${quoted(file.filename)}\r\nContent-Type: ${file.contentType}\r\n\r\n`));
      chunks.push(bytesOf(file), CRLF);
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** Renders a body to its wire form (`boundary`: a multipart body's, see {@link newBoundary}). */
export function renderBody(body: BodyPlan, scope: Scope, boundary = ''): string | Buffer {
  switch (body.kind) {
    case 'json':
      return JSON.stringify(renderValue(body.value, scope)) ?? 'null';
    case 'form':
      return body.fields.map(([k, t]) => `${encodeURIComponent(k)}=${encodeURIComponent(renderTemplate(t, scope))}`).join('&');
    case 'text':
      return renderTemplate(body.template, scope);
    case 'multipart':
      return renderMultipart(body.parts, boundary, scope);
  }
}

/** A multipart boundary: random, so no field or file holds it (the odds of a collision are 2^-96). */
export function newBoundary(): string {
  return `----rampart${randomBytes(12).toString('hex')}`;
}

function bodyIsConstant(body: BodyPlan): boolean {
  switch (body.kind) {
    case 'json':
      return constantValue(body.value);
    case 'form':
      return body.fields.every(([, t]) => constantText(t) !== undefined);
    case 'text':
      return constantText(body.template) !== undefined;
    case 'multipart':
      return body.parts.every((p) => ('value' in p ? constantText(p.value) !== undefined : 'file' in p));
  }
}

/** Joins a URL with the target (unless absolute) and appends the query. */
export function resolveUrl(target: string, path: string, query: readonly (readonly [string, string])[]): string {
  let url: string;
  if (/^https?:\/\//i.test(path)) url = path;
  else if (path === '') url = target;
  else url = target.endsWith('/') ? (path.startsWith('/') ? target + path.slice(1) : target + path) : path.startsWith('/') ? target + path : `${target}/${path}`;
  if (query.length === 0) return url;
  let q = '';
  for (const [k, v] of query) q += `${q === '' ? '' : '&'}${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
  return url + (url.includes('?') ? '&' : '?') + q;
}

/** Precomputes what never changes between two runs of this step. */
export function buildRecipe(step: RequestStep, http: HttpDefaults, target: string, extra: readonly Matcher[] = []): Recipe {
  const merged = new Map<string, Template>();
  for (const [name, t] of http.headers) merged.set(name.toLowerCase(), t);
  for (const [name, t] of step.headers) merged.set(name.toLowerCase(), t);
  const staticHeaders: Record<string, string> = {};
  const dynamicHeaders: (readonly [string, Template])[] = [];
  for (const [name, t] of merged) {
    const c = constantText(t);
    if (c === undefined) dynamicHeaders.push([name, t]);
    else staticHeaders[name] = c;
  }
  if (!merged.has('user-agent')) staticHeaders['user-agent'] = USER_AGENT;
  if (http.compression && !merged.has('accept-encoding')) staticHeaders['accept-encoding'] = ACCEPT_ENCODING;
  const boundary = step.body?.kind === 'multipart' ? newBoundary() : '';
  if (step.body !== undefined && !merged.has('content-type')) staticHeaders['content-type'] = defaultContentType(step.body, boundary);
  const urlText = constantText(step.url);
  const queryConst = step.query.every(([, t]) => constantText(t) !== undefined);
  const staticUrl = urlText !== undefined && queryConst
    ? resolveUrl(target, urlText, step.query.map(([k, t]) => [k, constantText(t) ?? ''] as const))
    : undefined;
  const staticBody = step.body !== undefined && bodyIsConstant(step.body) ? renderBody(step.body, NO_SCOPE, boundary) : undefined;
  const matchers = [...step.expect, ...step.checks.flatMap((c) => c.all), ...extra];
  const needsHtml = capturesNeedHtml(step.captures) || matchers.some((m) => m.kind === 'css');
  const needsBody = needsHtml || capturesNeedBody(step.captures) || matchers.some((m) => m.kind === 'json' || m.kind === 'body');
  const statusExpect = step.expect.filter((m): m is Extract<Matcher, { kind: 'status' }> => m.kind === 'status');
  return { step, needsBody, needsHtml, staticUrl, staticHeaders, dynamicHeaders, staticBody, boundary, statusExpect };
}

/** The request's URL, headers and body, rendered for this scope. @throws {RenderError} */
export function renderRequest(r: Recipe, target: string, scope: Scope): { url: string; headers: Record<string, string>; body: string | Buffer | undefined } {
  const step = r.step;
  const url = r.staticUrl ?? resolveUrl(target, renderTemplate(step.url, scope), step.query.map(([k, t]) => [k, renderTemplate(t, scope)] as const));
  let headers = r.staticHeaders as Record<string, string>;
  if (r.dynamicHeaders.length > 0) {
    headers = { ...r.staticHeaders };
    for (const [name, t] of r.dynamicHeaders) headers[name] = renderTemplate(t, scope);
  }
  const body = step.body === undefined ? undefined : (r.staticBody ?? renderBody(step.body, scope, r.boundary));
  return { url, headers, body };
}

/** Whether the step's `expect` explicitly accepts this status (then a 4xx/5xx is not an error). */
export function statusExpected(r: Recipe, status: number): boolean {
  for (const m of r.statusExpect) if (statusMatches(m, status)) return true;
  return false;
}
