/**
 * A recorded request as the parts of a request step, before correlation: every string that could
 * carry a value from an earlier response is a {@link Slot} that correlation may rewrite.
 */
import { header, keepHeader } from './classify.js';
import { isTextMime } from './read.js';
import type { HarEntry } from './read.js';

/** A string of the request as recorded; `parts` is filled by correlation. */
export interface Slot {
  readonly raw: string;
  /** Where in the request (for comments): `the URL`, `the authorization header`, `form field csrf`. */
  readonly where: string;
  /** A JSON number in a body: a whole-value template keeps it a number. */
  readonly number?: boolean;
  /** Template spans: [start, end, expression] in `raw`, sorted, not overlapping. */
  parts: [number, number, string][];
}

/** Request body forms a scenario can write. */
export type DraftBody =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'form'; readonly fields: readonly (readonly [string, Slot])[]; readonly duplicates: readonly string[] }
  | { readonly kind: 'multipart'; readonly fields: readonly (readonly [string, Slot | { readonly file: string; readonly fileName: string; readonly contentType?: string }])[] }
  | { readonly kind: 'text'; readonly text: Slot; readonly contentType: string }
  | { readonly kind: 'binary'; readonly mimeType: string; readonly bytes: number };

/** A request to become a step. */
export interface Draft {
  readonly entry: HarEntry;
  /** Path and query at the main origin, or the absolute URL elsewhere. */
  readonly url: Slot;
  readonly headers: readonly (readonly [string, Slot])[];
  /** Cookies the request sent: name → value (the jar or a secret decides what happens to them). */
  readonly cookies: readonly (readonly [string, string])[];
  readonly body?: DraftBody;
}

const slot = (raw: string, where: string, number = false): Slot => (number ? { raw, where, number, parts: [] } : { raw, where, parts: [] });

/** Every slot of a draft, in request order (URL, headers, body). */
export function slotsOf(d: Draft): Slot[] {
  const out = [d.url, ...d.headers.map(([, s]) => s)];
  const b = d.body;
  if (b?.kind === 'form') out.push(...b.fields.map(([, s]) => s));
  if (b?.kind === 'multipart') for (const [, s] of b.fields) if ('raw' in s) out.push(s);
  if (b?.kind === 'text') out.push(b.text);
  if (b?.kind === 'json') collectJson(b.value, out);
  return out;
}

function collectJson(v: unknown, out: Slot[]): void {
  if (isSlot(v)) out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectJson(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) collectJson(x, out);
}

/** Whether a JSON body leaf is a slot. */
export function isSlot(v: unknown): v is Slot {
  return v !== null && typeof v === 'object' && 'raw' in v && 'parts' in v && Array.isArray((v as Slot).parts);
}

function jsonSlots(v: unknown, path: string): unknown {
  if (typeof v === 'string') return slot(v, `JSON body ${path}`);
  if (typeof v === 'number') return Number.isInteger(v) ? slot(String(v), `JSON body ${path}`, true) : v;
  if (Array.isArray(v)) return v.map((x, i) => jsonSlots(x, `${path}[${i}]`));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSlots(x, `${path}.${k}`)]));
  return v;
}

function body(e: HarEntry): DraftBody | undefined {
  const b = e.body;
  if (!b || (b.text === '' && (b.params ?? []).length === 0)) return undefined;
  const mime = b.mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (/json/.test(mime)) {
    try {
      return { kind: 'json', value: jsonSlots(JSON.parse(b.text), '$') };
    } catch {
      return { kind: 'text', text: slot(b.text, 'the body'), contentType: b.mimeType };
    }
  }
  if (mime === 'application/x-www-form-urlencoded') {
    const pairs = b.text !== '' ? [...new URLSearchParams(b.text)] : (b.params ?? []).map((p) => [decodeForm(p.name), decodeForm(p.value ?? '')] as [string, string]);
    const seen = new Set<string>();
    const duplicates: string[] = [];
    const fields: [string, Slot][] = [];
    for (const [k, v] of pairs) {
      if (seen.has(k)) {
        duplicates.push(k);
        continue;
      }
      seen.add(k);
      fields.push([k, slot(v, `form field ${k}`)]);
    }
    return { kind: 'form', fields, duplicates };
  }
  if (mime === 'multipart/form-data' && b.params) {
    return {
      kind: 'multipart',
      fields: b.params.map((p) => [p.name, p.fileName !== undefined ? { file: p.value ?? '', fileName: p.fileName, ...(p.contentType ? { contentType: p.contentType } : {}) } : slot(p.value ?? '', `multipart field ${p.name}`)] as const),
    };
  }
  if (isTextMime(mime) && !/multipart/.test(mime)) return { kind: 'text', text: slot(b.text, 'the body'), contentType: b.mimeType || 'text/plain' };
  return { kind: 'binary', mimeType: b.mimeType, bytes: Buffer.byteLength(b.text) };
}

function decodeForm(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** The draft of a recorded request; `origin` is the scenario's target. */
export function draftOf(e: HarEntry, origin: string): Draft {
  const url = e.url.origin === origin ? `${e.url.pathname}${e.url.search}` : e.url.href;
  const b = body(e);
  const headers: [string, Slot][] = [];
  const seen = new Set<string>();
  for (const h of e.headers) {
    const n = h.name.toLowerCase();
    if (!keepHeader(h) || seen.has(n)) continue;
    // json and form bodies set their own content-type; a text body carries it as contentType.
    if (n === 'content-type' && b !== undefined) continue;
    seen.add(n);
    headers.push([n, slot(h.value, `the ${n} header`)]);
  }
  const cookieHeader = header(e.headers, 'cookie');
  const cookies = (cookieHeader ?? '')
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c.includes('='))
    .map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)] as const);
  return { entry: e, url: slot(url, 'the URL'), headers, cookies, ...(b ? { body: b } : {}) };
}
