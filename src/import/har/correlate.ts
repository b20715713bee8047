/**
 * Correlation: a value that a response gave and a later request sends back becomes a capture on
 * the step that received it and a template where it is sent. For each request string the spans
 * between non-alphanumeric characters are looked up among the values of earlier responses (the
 * most recent response holding a value wins); a distinctive span no structured place explains is
 * searched for in earlier text bodies and captured with a regex. A value the client sent before
 * any response held it is the client's own, not a correlation. Places that disagree (two JSON keys
 * holding the same value) are listed as ambiguous, and the literal stays.
 */
import { NameBook } from '../text.js';
import { slotsOf, type Draft, type Slot } from './draft.js';
import { regexFor, regexHint, tokenLike, valuesIn, type Found, type Source } from './sources.js';

/** A capture to add to a step. */
export interface CaptureNote {
  readonly name: string;
  readonly capture: Readonly<Record<string, string | number>>;
  /** Where it was found and where it is sent back. */
  readonly comment: string;
}

/** What correlation decided. */
export interface Correlation {
  /** Captures per draft index. */
  readonly captures: Map<number, CaptureNote[]>;
  /** Draft index → the draft indexes whose captures it uses. */
  readonly uses: Map<number, Set<number>>;
  /** Values that look correlated but were left literal, one line each, with why. */
  readonly unresolved: string[];
}

const MAX_INNER_BOUNDARIES = 12;
const MIN_SPAN = 4;
/** Characters of one request string searched for correlated values. */
const MAX_SEARCHED_SLOT = 16 * 1024;
/** How many earlier text bodies a regex fallback searches (most recent first). */
const REGEX_LOOKBACK = 30;

/** Start and end offsets of the alphanumeric runs' borders in `s`. */
function boundaries(s: string): number[] {
  const out = [0];
  // A long body is searched in its first part only: correlation stays linear in the recording.
  const end = Math.min(s.length, MAX_SEARCHED_SLOT);
  for (let i = 1; i < end; i++) {
    const a = /[A-Za-z0-9_-]/.test(s[i - 1] ?? '');
    const b = /[A-Za-z0-9_-]/.test(s[i] ?? '');
    if (a !== b || !a) out.push(i);
  }
  out.push(end === s.length ? s.length : end);
  return [...new Set(out)];
}

/** Spans of `s` between boundaries, longest first (then leftmost). */
function spans(s: string): [number, number][] {
  const b = boundaries(s);
  const out: [number, number][] = [];
  for (let i = 0; i < b.length; i++) {
    for (let j = i + 1; j < b.length && j - i <= MAX_INNER_BOUNDARIES + 1; j++) {
      const start = b[i] as number;
      const end = b[j] as number;
      if (end - start >= MIN_SPAN) out.push([start, end]);
    }
  }
  return out.sort((x, y) => y[1] - y[0] - (x[1] - x[0]) || x[0] - y[0]);
}

const label = (d: Draft): string => `${d.entry.method} ${d.entry.url.pathname} (entry ${d.entry.index + 1})`;
const short = (v: string): string => (v.length > 24 ? `${v.slice(0, 20)}…` : v);

/** Sources of one value that agree: one JSON key (its first path), one header, one selector. */
function pick(sources: readonly Source[]): Source | 'ambiguous' | undefined {
  const capturable = sources.filter((s) => s.capture !== undefined);
  if (capturable.length === 0) return undefined;
  const first = capturable[0] as Source;
  const same = (s: Source): boolean => s.hint === first.hint && Object.keys(s.capture ?? {})[0] === Object.keys(first.capture ?? {})[0];
  // A Location header explains a value whatever else does; otherwise the places must agree.
  const location = capturable.find((s) => s.capture?.['header'] === 'location');
  if (location) return location;
  return capturable.every(same) ? first : 'ambiguous';
}

interface Known {
  readonly producer: number;
  readonly sources: readonly Source[];
}

/** Correlates the drafts, filling each slot's template parts. `taken` are names already in use. */
export function correlate(drafts: readonly Draft[], taken: Iterable<string>): Correlation {
  const names = new NameBook(taken);
  const captures = new Map<number, CaptureNote[]>();
  const uses = new Map<number, Set<number>>();
  const unresolved: string[] = [];
  const known = new Map<string, Known>();
  const sent = new Set<string>();
  // One variable per place (`csrf` re-captured on every page keeps one name).
  const bySignature = new Map<string, string>();
  const captured = new Map<string, string>(); // `${producer}|${signature}` → name
  const reported = new Set<string>();

  const captureFor = (producer: number, source: Source, value: string, consumer: Draft, slot: Slot): string => {
    const signature = JSON.stringify(source.capture);
    const key = `${producer}|${signature}`;
    const existing = captured.get(key);
    if (existing !== undefined) return existing;
    const name = bySignature.get(signature) ?? names.take(source.hint);
    bySignature.set(signature, name);
    captured.set(key, name);
    const list = captures.get(producer) ?? [];
    list.push({ name, capture: source.capture ?? {}, comment: `correlated: "${short(value)}" was found in ${source.where}; first sent back in ${slot.where} of ${label(consumer)}` });
    captures.set(producer, list);
    return name;
  };

  drafts.forEach((d, j) => {
    const mine: string[] = [];
    for (const slot of slotsOf(d)) {
      const taken: [number, number][] = [];
      const free = (s: number, e: number): boolean => taken.every(([a, b]) => e <= a || s >= b);
      for (const [s, e] of spans(slot.raw)) {
        if (!free(s, e)) continue;
        const text = slot.raw.slice(s, e);
        let value = text;
        let hit = known.get(text);
        let encoded = false;
        if (!hit && text.includes('%')) {
          try {
            value = decodeURIComponent(text);
            hit = known.get(value);
            encoded = hit !== undefined;
          } catch {
            hit = undefined;
          }
        }
        if (!hit && tokenLike(text) && !sent.has(text)) hit = regexSource(drafts, j, text, known);
        if (!hit && slot === d.url && tokenLike(text) && !/[/?&=#]/.test(text) && !sent.has(text)) {
          // An id in a URL that nothing recorded explains: often a body the recorder did not keep.
          const line = `"${short(text)}" in the URL of ${label(d)} left as recorded: no earlier response of the recording holds it (a body the recorder did not keep?)`;
          if (!reported.has(line)) unresolved.push(line);
          reported.add(line);
          taken.push([s, e]);
          continue;
        }
        if (!hit || sent.has(value)) continue;
        const source = pick(hit.sources);
        const whole = s === 0 && e === slot.raw.length;
        if (source === undefined || source === 'ambiguous' || (source.wholeOnly === true && !whole)) {
          // The cookie jar sends a server's cookie back on its own: only other uses are worth a line.
          const cookieOnly = hit.sources.every((x) => x.capture === undefined);
          if (cookieOnly && slot.where === 'the cookie header') continue;
          const why =
            source === 'ambiguous'
              ? `it appears in ${hit.sources.map((x) => x.where).join(' and ')} of ${label(drafts[hit.producer] as Draft)}: capture the right one by hand`
              : cookieOnly
                ? `it was set as ${hit.sources[0]?.where ?? 'a cookie'} by ${label(drafts[hit.producer] as Draft)}; the jar sends the cookie back, but a template cannot read it`
                : `it is only part of ${slot.where}`;
          const line = `"${short(value)}" in ${slot.where} of ${label(d)} left as recorded: ${why}`;
          if (!reported.has(line)) unresolved.push(line);
          reported.add(line);
          taken.push([s, e]);
          continue;
        }
        const name = captureFor(hit.producer, source, value, d, slot);
        slot.parts.push([s, e, encoded ? `urlencode(${name})` : name]);
        taken.push([s, e]);
        const u = uses.get(j) ?? new Set<number>();
        u.add(hit.producer);
        uses.set(j, u);
      }
      slot.parts.sort((a, b) => a[0] - b[0]);
      mine.push(slot.raw);
    }
    // What this request sent is the client's own from now on; then its response's values are known.
    for (const raw of mine) for (const [s, e] of spans(raw)) if (!known.has(raw.slice(s, e))) sent.add(raw.slice(s, e));
    for (const [value, sources] of valuesIn(d.entry) as Found) if (!sent.has(value)) known.set(value, { producer: j, sources });
  });
  return { captures, uses, unresolved };
}

/** A value no structured place explains, found in an earlier text body: a regex capture. */
function regexSource(drafts: readonly Draft[], before: number, value: string, known: Map<string, Known>): Known | undefined {
  for (let i = before - 1; i >= 0 && i >= before - REGEX_LOOKBACK; i--) {
    const text = (drafts[i] as Draft).entry.responseText;
    if (text === undefined || !text.includes(value)) continue;
    const regex = regexFor(text, value);
    if (regex === undefined) return undefined;
    const hit: Known = { producer: i, sources: [{ capture: { regex }, where: `the body (regex ${regex})`, hint: regexHint(text, value) }] };
    known.set(value, hit);
    return hit;
  }
  return undefined;
}
