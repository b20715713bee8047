/**
 * Where a value sits in a recorded response, written as the capture that would read it again:
 * a JSON path, a response header, an HTML element (css), or — for anything else in a text body —
 * a regular expression anchored on the text to its left. A cookie set by the server is noted too:
 * the jar sends it back, but a template cannot read it.
 */
import { parseDocument, DomUtils } from 'htmlparser2';
import { selectOne } from 'css-select';
import type { HarEntry } from './read.js';

/** One place a value was found in a response. */
export interface Source {
  /** The capture (`{ json: $.token }`), or undefined for a cookie only the jar can send back. */
  readonly capture?: Readonly<Record<string, string | number>>;
  /** Where, in words, for the comment (`JSON $.token`, `the Location header`). */
  readonly where: string;
  /** A name for the variable (`token`, `csrf`, `location`). */
  readonly hint: string;
  /** The value is only correlated where it is a whole string (an absolute Location read as a path). */
  readonly wholeOnly?: boolean;
}

/** Values a response holds, each with where it holds them (several places: ambiguous unless they agree). */
export type Found = Map<string, Source[]>;

/** Whether a value is distinctive enough to be a correlation (an id, a token), not a word or a small number. */
export function tokenLike(v: string): boolean {
  if (v.length < 4 || v.length > 8192 || /\s/.test(v)) return false;
  if (/^\d+$/.test(v)) return Number(v) >= 1000 && v.length <= 19;
  if (/^\d{4}-\d\d-\d\d/.test(v) || /^(true|false|null)$/i.test(v)) return false;
  return /\d/.test(v) ? /[A-Za-z0-9]{4}/.test(v) : v.length >= 16 && /[A-Z]/.test(v) && /[a-z]/.test(v);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
function jsonPath(path: readonly (string | number)[]): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : IDENT.test(p) ? `.${p}` : `['${p.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`)).join('')}`;
}

/** A variable name from a JSON key: `id` of POST /api/orders → `orderId`. */
function jsonHint(path: readonly (string | number)[], entry: HarEntry): string {
  const keys = path.filter((p): p is string => typeof p === 'string');
  const key = keys.at(-1) ?? 'value';
  if (key.toLowerCase() !== 'id') return key;
  const parent = keys.at(-2);
  if (parent !== undefined) return `${parent.replace(/s$/, '')}Id`;
  const word = entry.url.pathname.split('/').filter((s) => /^[A-Za-z][A-Za-z_-]*$/.test(s)).at(-1);
  return word ? `${word.replace(/s$/, '')}Id` : 'id';
}

function add(found: Found, value: string, source: Source): void {
  const list = found.get(value);
  if (list) list.push(source);
  else found.set(value, [source]);
}

function walkJson(v: unknown, path: (string | number)[], visit: (value: string, path: readonly (string | number)[]) => void, depth = 0): void {
  if (depth > 64) return;
  if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) visit(String(v), path);
  else if (Array.isArray(v)) v.forEach((x, i) => walkJson(x, [...path, i], visit, depth + 1));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walkJson(x, [...path, k], visit, depth + 1);
}

/** Response headers that never carry a value a client sends back. */
const PLAIN_HEADERS = /^(date|server|content-(type|length|encoding|language)|etag|last-modified|expires|cache-control|vary|age|via|connection|keep-alive|transfer-encoding|accept-ranges|x-powered-by|strict-transport-security|x-(frame|content-type|xss)-options|access-control-.*|content-security-policy.*|report-to|nel|alt-svc|x-response-time)$/i;

/** Every token-like value of `entry`'s response, with where it was found. */
export function valuesIn(entry: HarEntry): Found {
  const found: Found = new Map();
  for (const h of entry.responseHeaders) {
    const name = h.name.toLowerCase();
    if (name === 'location') {
      add(found, h.value, { capture: { header: 'location' }, where: 'the Location header', hint: 'location' });
      try {
        const abs = new URL(h.value);
        if (abs.origin === entry.url.origin) add(found, abs.pathname + abs.search, { capture: { header: 'location' }, where: 'the Location header (an absolute URL)', hint: 'location', wholeOnly: true });
      } catch {
        // a relative Location is the value itself
      }
    } else if (name === 'set-cookie') {
      const m = /^\s*([^=;\s]+)=([^;]*)/.exec(h.value);
      if (m?.[2] && tokenLike(m[2])) add(found, m[2], { where: `the cookie ${m[1]} (Set-Cookie)`, hint: m[1] ?? 'cookie' });
    } else if (!PLAIN_HEADERS.test(name) && tokenLike(h.value)) {
      add(found, h.value, { capture: { header: name }, where: `the ${h.name} header`, hint: name });
    }
  }
  const text = entry.responseText;
  if (text === undefined || text === '') return found;
  if (/json/i.test(entry.responseMime) || /^\s*[[{]/.test(text)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return found;
    }
    walkJson(doc, [], (value, path) => {
      if (!tokenLike(value)) return;
      add(found, value, { capture: { json: jsonPath(path) }, where: `JSON ${jsonPath(path)}`, hint: jsonHint(path, entry) });
    });
  } else if (/html/i.test(entry.responseMime) || /^\s*</.test(text)) {
    htmlValues(text, found);
  }
  return found;
}

function cssString(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Hidden inputs and meta tags: the usual homes of CSRF tokens and ids in a page. */
function htmlValues(text: string, found: Found): void {
  const dom = parseDocument(text);
  const elements = DomUtils.findAll((el) => el.name === 'input' || el.name === 'meta', dom.children);
  for (const el of elements) {
    const isInput = el.name === 'input';
    const key = isInput ? 'name' : el.attribs['name'] !== undefined ? 'name' : 'property';
    const name = el.attribs[key];
    const attribute = isInput ? 'value' : 'content';
    const value = el.attribs[attribute];
    if (name === undefined || value === undefined || !tokenLike(value)) continue;
    const css = `${el.name}[${key}=${cssString(name)}]`;
    // The selector must find this element first, or the capture would read another one.
    if ((selectOne(css, dom) as unknown) !== (el as unknown)) continue;
    add(found, value, { capture: { css, attribute }, where: `HTML ${css} (its ${attribute})`, hint: name });
  }
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * A regular expression that finds `value` in `text` again: the text to its left (digits
 * generalised, so another id in the same place still matches) and the value up to the next quote,
 * bracket, space or `&`. Undefined when no such expression finds this value first.
 */
export function regexFor(text: string, value: string): string | undefined {
  const at = text.indexOf(value);
  if (at < 0) return undefined;
  const body = /["'<>\s&]/.test(value) ? undefined : `[^"'<>\\s&]+`;
  for (const width of [16, 32, 64]) {
    const left = text.slice(Math.max(0, at - width), at).replace(/^[^\n]*\n/, '');
    if (left.length < 4) continue;
    const ctx = escapeRe(left).replace(/\d+/g, '\\d+');
    const right = escapeRe(text.slice(at + value.length, at + value.length + 8));
    const source = body ? `${ctx}(${body})` : `${ctx}(.+?)${right}`;
    try {
      if (new RegExp(source).exec(text)?.[1] === value) return source;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A variable name from the text left of a value (`name="token" value=` → `token`). */
export function regexHint(text: string, value: string): string {
  const at = text.indexOf(value);
  const words = text.slice(Math.max(0, at - 40), at).match(/[A-Za-z][A-Za-z_]{2,}/g);
  return words?.at(-1) ?? 'value';
}
