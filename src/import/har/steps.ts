/** Drafts as request steps: templates rendered, secrets turned into variables, bodies written out. */
import type { Notes } from '../emit.js';
import { literal, type NameBook } from '../text.js';
import { isSlot, type Draft, type Slot } from './draft.js';
import type { CaptureNote } from './correlate.js';

/** Headers whose recorded values are credentials: never written, always a secret variable. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'x-auth-token']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** A slot as a scenario string: literal text escaped, correlated spans as templates. */
export function render(slot: Slot): string {
  let out = '';
  let at = 0;
  for (const [s, e, expr] of slot.parts) {
    out += `${literal(slot.raw.slice(at, s))}{{ ${expr} }}`;
    at = e;
  }
  return out + literal(slot.raw.slice(at));
}

/** A slot as plain text for a name: correlated spans as `{name}` (group names are not templates). */
export function label(slot: Slot): string {
  let out = '';
  let at = 0;
  for (const [s, e, expr] of slot.parts) {
    out += `${slot.raw.slice(at, s)}{${expr.replace(/^urlencode\((.*)\)$/, '$1')}}`;
    at = e;
  }
  return (out + slot.raw.slice(at)).split('?')[0] ?? '';
}

function renderJson(v: unknown): unknown {
  if (isSlot(v)) {
    if (v.number && v.parts.length === 0) return Number(v.raw);
    return render(v);
  }
  if (Array.isArray(v)) return v.map(renderJson);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderJson(x)]));
  return v;
}

/** Credentials found in the recording, as variables read from the environment. */
export class Secrets {
  /** variable name → environment variable it reads. */
  readonly variables = new Map<string, string>();
  private readonly byValue = new Map<string, string>();

  constructor(private readonly names: NameBook) {}

  /** The variable holding `value` (one per distinct value) for header `header`. */
  variable(header: string, value: string): string {
    const key = `${header}\n${value}`;
    let name = this.byValue.get(key);
    if (name === undefined) {
      name = this.names.take(header);
      this.byValue.set(key, name);
      this.variables.set(name, `RAMPART_${name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`);
    }
    return name;
  }
}

/** What a step needs beyond its draft. */
export interface StepContext {
  readonly notes: Notes;
  readonly secrets: Secrets;
  /** Cookie names the server set earlier in the recording (the jar sends those). */
  readonly jarCookies: ReadonlySet<string>;
  readonly captures: readonly CaptureNote[];
  /** Multipart file placeholders to write: path relative to the scenario. */
  readonly placeholder: (fileName: string, content: string) => string;
  readonly warn: (line: string) => void;
}

/** The request step of a draft, or undefined (with a warning) when its method has no step. */
export function requestStep(d: Draft, ctx: StepContext): Record<string, unknown> | undefined {
  const e = d.entry;
  if (!METHODS.has(e.method)) {
    ctx.warn(`${e.method} ${e.url.pathname} (entry ${e.index + 1}) dropped: rampart has no ${e.method} step`);
    return undefined;
  }
  const step: Record<string, unknown> = { [e.method.toLowerCase()]: render(d.url) };
  const headers: Record<string, string> = {};
  for (const [name, slot] of d.headers) {
    headers[name] = SECRET_HEADERS.has(name) && slot.parts.length === 0 ? `{{ ${ctx.secrets.variable(name, slot.raw)} }}` : render(slot);
  }
  const own = d.cookies.filter(([n]) => !ctx.jarCookies.has(n));
  if (own.length > 0) headers['cookie'] = `{{ ${ctx.secrets.variable('cookie', own.map(([n, v]) => `${n}=${v}`).join('; '))} }}`;
  if (Object.keys(headers).length > 0) step['headers'] = headers;
  const b = d.body;
  if (b?.kind === 'json') step['json'] = renderJson(b.value);
  else if (b?.kind === 'form') {
    step['form'] = Object.fromEntries(b.fields.map(([k, s]) => [k, render(s)]));
    if (b.duplicates.length > 0) {
      ctx.notes.above(step, `the recorded form repeats ${b.duplicates.join(', ')}: only the first value of each is sent`);
      ctx.warn(`${e.method} ${e.url.pathname} (entry ${e.index + 1}): form fields ${b.duplicates.join(', ')} repeat; only the first value of each is kept`);
    }
  } else if (b?.kind === 'multipart') {
    const parts: Record<string, unknown> = {};
    for (const [k, v] of b.fields) {
      const part = 'raw' in v ? render(v) : { file: ctx.placeholder(v.fileName, v.file), filename: v.fileName, ...(v.contentType ? { contentType: v.contentType } : {}) };
      const prev = parts[k];
      parts[k] = prev === undefined ? part : Array.isArray(prev) ? [...(prev as unknown[]), part] : [prev, part];
    }
    step['multipart'] = parts;
  } else if (b?.kind === 'text') {
    step['body'] = render(b.text);
    step['contentType'] = b.contentType;
  } else if (b?.kind === 'binary') {
    ctx.notes.above(step, `the recorded body (${b.bytes} bytes of ${b.mimeType || 'unknown type'}) is binary and was not imported: add it with bodyFile or multipart`);
    ctx.warn(`${e.method} ${e.url.pathname} (entry ${e.index + 1}): binary request body (${b.mimeType || 'unknown type'}) not imported; the step is sent without it`);
  }
  // A 304 answered the browser's cache validators, which the scenario does not send.
  step['expect'] = ctx.notes.flow({ status: e.status === 304 ? [200, 304] : e.status });
  if (ctx.captures.length > 0) {
    const capture: Record<string, unknown> = {};
    for (const c of ctx.captures) {
      capture[c.name] = ctx.notes.flow({ ...c.capture });
      ctx.notes.aboveKey(capture, c.name, c.comment);
    }
    step['capture'] = capture;
  }
  return step;
}
