/**
 * Reads a HAR file (HTTP Archive 1.2, as DevTools, Firefox, Charles and mitmproxy export it) into
 * plain entries: the size is checked before anything is read, malformed JSON is reported at its
 * line and column, and response bodies are decoded only when they are text.
 */
import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { ERROR_CODES } from '../../errors.js';
import { ImportError, lineCol, problemAt } from '../problems.js';

/** HAR files larger than this are refused before they are read (bytes): parsing holds them whole. */
export const MAX_HAR_BYTES = 128 * 1024 * 1024;
/** Response bodies longer than this are not searched for correlations (characters). */
export const MAX_SEARCHED_BODY = 2 * 1024 * 1024;

/** A header as recorded (name as written). */
export interface HarHeader {
  readonly name: string;
  readonly value: string;
}

/** One request/response pair of the recording, in the recording's order. */
export interface HarEntry {
  /** Position in `log.entries`. */
  readonly index: number;
  readonly method: string;
  readonly url: URL;
  readonly headers: readonly HarHeader[];
  /** The request body: its mime type and text (undefined: no body). */
  readonly body?: { readonly mimeType: string; readonly text: string; readonly params?: readonly { name: string; value?: string; fileName?: string; contentType?: string }[] };
  readonly status: number;
  readonly responseHeaders: readonly HarHeader[];
  /** The response body when it is text (JSON, HTML, XML, JavaScript, plain text) and not too long. */
  readonly responseText?: string;
  readonly responseMime: string;
  /** When the request started and how long it took (ms since the epoch, ms). */
  readonly started: number;
  readonly time: number;
  /** `pageref` of the entry (the page it belongs to), when the recorder wrote one. */
  readonly page?: string;
  /** Chrome's `_resourceType` (document, xhr, fetch, script, stylesheet, image, font, …). */
  readonly resourceType?: string;
}

/** A page of the recording (`log.pages`). */
export interface HarPage {
  readonly id: string;
  readonly title: string;
}

/** The recording. */
export interface Har {
  readonly entries: readonly HarEntry[];
  readonly pages: readonly HarPage[];
  readonly creator: string;
  /** Entries that are not HTTP request/response pairs, one line each (they are not imported). */
  readonly skipped: readonly string[];
}

const TEXT_MIME = /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|graphql)|application\/ecmascript)/i;

/** Whether a mime type names text a scenario can hold. */
export function isTextMime(mime: string): boolean {
  return mime === '' || TEXT_MIME.test(mime.trim());
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function headers(v: unknown): HarHeader[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((h) => {
    const o = obj(h);
    const name = str(o?.['name']);
    return name !== undefined ? [{ name, value: String(o?.['value'] ?? '') }] : [];
  });
}

/** Reads and parses `path` (`file` names it in problems). @throws ImportError */
export async function readHar(path: string, file: string): Promise<Har> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new ImportError([problemAt(file, 1, 1, `cannot read the HAR file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, undefined, ERROR_CODES.FILE_READ)]);
  }
  if (size > MAX_HAR_BYTES) {
    throw new ImportError([
      problemAt(file, 1, 1, `the HAR file is ${Math.round(size / 1048576)} MiB; rampart imports at most ${MAX_HAR_BYTES / 1048576} MiB`, 'record fewer pages, or export without response bodies of images and media ("Export HAR (sanitized)" / filter by Fetch/XHR and Doc)', ERROR_CODES.FILE_TOO_LARGE),
    ]);
  }
  const text = await readFile(path, 'utf8');
  return parseHar(text, file);
}

/** Texts up to this size are re-read to place a JSON error when the parser gives no position (characters). */
const MAX_LOCATED_TEXT = 8 * 1024 * 1024;

/** Where JSON.parse failed: its position when it says, else the YAML reader's (JSON is YAML), else 1:1. */
function jsonErrorAt(text: string, message: string): { line: number; col: number } {
  const at = /position (\d+)/.exec(message);
  if (at) return lineCol(text, Number(at[1]));
  if (text.length > MAX_LOCATED_TEXT) return { line: 1, col: 1 };
  const lines = new LineCounter();
  const err = parseDocument(text, { lineCounter: lines }).errors[0];
  return err ? lines.linePos(err.pos[0]) : { line: 1, col: 1 };
}

/** Parses HAR text. @throws ImportError with the line and column of malformed JSON */
export function parseHar(text: string, file: string): Har {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const lc = jsonErrorAt(text, message);
    const what = message.split('\n')[0]?.replace(/, ".*$|\.\.\.".*$| in JSON at position \d+.*$/, '') ?? message;
    throw new ImportError([problemAt(file, lc.line, lc.col, `not a HAR file: malformed JSON (${what})`, 'export the recording again ("Save all as HAR with content")')]);
  }
  const log = obj(obj(doc)?.['log']);
  if (!log || !Array.isArray(log['entries'])) throw new ImportError([problemAt(file, 1, 1, 'not a HAR file: no `log.entries` list', 'a HAR file is JSON with { "log": { "entries": [ … ] } }')]);
  const entries: HarEntry[] = [];
  const problems = [];
  for (const [index, raw] of (log['entries'] as unknown[]).entries()) {
    const e = obj(raw);
    const req = obj(e?.['request']);
    const res = obj(e?.['response']);
    const urlText = str(req?.['url']);
    let url: URL | undefined;
    try {
      url = urlText !== undefined ? new URL(urlText) : undefined;
    } catch {
      url = undefined;
    }
    if (!e || !req || !res || !url || !/^https?:$/.test(url.protocol)) {
      // The entry's position: the index-th "request" is close enough to find it in any editor.
      problems.push(problemAt(file, 1, 1, `log.entries[${index}] is not an HTTP request/response pair (request.url${urlText ? ` "${urlText.slice(0, 80)}"` : ''})`, 'entries other than http(s) requests (websockets, data: URLs) are not imported; remove it'));
      continue;
    }
    const post = obj(req['postData']);
    const content = obj(res['content']);
    const mime = str(content?.['mimeType']) ?? '';
    let responseText = str(content?.['text']);
    if (responseText !== undefined && content?.['encoding'] === 'base64') responseText = isTextMime(mime) ? Buffer.from(responseText, 'base64').toString('utf8') : undefined;
    if (responseText !== undefined && (!isTextMime(mime) || responseText.length > MAX_SEARCHED_BODY)) responseText = undefined;
    const started = Date.parse(str(e['startedDateTime']) ?? '');
    const params = Array.isArray(post?.['params']) ? (post['params'] as unknown[]).flatMap((p) => (obj(p) && str(obj(p)?.['name']) !== undefined ? [obj(p) as { name: string }] : [])) : undefined;
    const page = str(e['pageref']);
    const resourceType = str(e['_resourceType']);
    entries.push({
      index,
      method: (str(req['method']) ?? 'GET').toUpperCase(),
      url,
      headers: headers(req['headers']),
      ...(post ? { body: { mimeType: str(post['mimeType']) ?? '', text: str(post['text']) ?? '', ...(params ? { params } : {}) } } : {}),
      status: typeof res['status'] === 'number' ? res['status'] : 0,
      responseHeaders: headers(res['headers']),
      ...(responseText !== undefined ? { responseText } : {}),
      responseMime: mime,
      started: Number.isFinite(started) ? started : 0,
      time: typeof e['time'] === 'number' && e['time'] >= 0 ? e['time'] : 0,
      ...(page !== undefined ? { page } : {}),
      ...(resourceType !== undefined ? { resourceType } : {}),
    });
  }
  if (problems.length > 0 && entries.length === 0) throw new ImportError(problems);
  const pages = Array.isArray(log['pages'])
    ? (log['pages'] as unknown[]).flatMap((p) => {
        const o = obj(p);
        const id = str(o?.['id']);
        return id !== undefined ? [{ id, title: str(o?.['title']) ?? id }] : [];
      })
    : [];
  const creator = obj(log['creator']);
  return { entries, pages, creator: `${str(creator?.['name']) ?? 'unknown'} ${str(creator?.['version']) ?? ''}`.trim(), skipped: problems.map((p) => p.message) };
}
