/**
 * What each recorded request is: a page (document), an API call, or a static asset; which origin
 * is the recording's own; which headers a scenario should carry.
 */
import type { HarEntry, HarHeader } from './read.js';

/** Kinds of recorded requests. */
export type EntryKind = 'document' | 'api' | 'static';

const STATIC_TYPES = new Set(['stylesheet', 'script', 'image', 'font', 'media', 'manifest', 'texttrack', 'ping', 'other-static']);
const STATIC_EXT = /\.(css|js|mjs|map|png|jpe?g|gif|svg|webp|avif|ico|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav|m4a|pdf|wasm)$/i;
const STATIC_MIME = /^(image|font|audio|video)\/|^text\/css|javascript|ecmascript|application\/(font|wasm|pdf)/i;

/** Classifies a request by the recorder's resource type, then by its URL and response type. */
export function kindOf(e: HarEntry): EntryKind {
  const t = e.resourceType?.toLowerCase();
  if (t === 'document') return 'document';
  if (t === 'xhr' || t === 'fetch' || t === 'eventsource') return 'api';
  if (t !== undefined && STATIC_TYPES.has(t)) return 'static';
  if (e.method === 'GET' && (STATIC_EXT.test(e.url.pathname) || STATIC_MIME.test(e.responseMime))) return 'static';
  if (/text\/html/i.test(e.responseMime) && e.method === 'GET') return 'document';
  return 'api';
}

/** The recording's main origin: the first document's, else the origin with the most non-static requests. */
export function mainOrigin(entries: readonly HarEntry[]): string | undefined {
  const doc = entries.find((e) => kindOf(e) === 'document');
  if (doc) return doc.url.origin;
  const counts = new Map<string, number>();
  for (const e of entries) if (kindOf(e) !== 'static') counts.set(e.url.origin, (counts.get(e.url.origin) ?? 0) + 1);
  let best: string | undefined;
  for (const [o, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = o;
  return best ?? entries[0]?.url.origin;
}

/**
 * Headers a scenario never writes: hop-by-hop, computed by the client (length, host, encoding),
 * and browser noise (client hints, fetch metadata, caching validators that would turn answers
 * into 304s). `cookie` is handled apart (the jar, or a secret).
 */
const DROPPED = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length',
  'accept-encoding', 'accept-language', 'cache-control', 'pragma', 'if-none-match', 'if-modified-since', 'dnt', 'priority',
  'upgrade-insecure-requests', 'sec-gpc', 'purpose', 'referer', 'origin', 'user-agent', 'cookie',
]);
const DROPPED_PREFIX = /^(sec-|:|x-devtools)/i;

/** Whether a request header is kept in the scenario (`content-type` is kept only when the body needs it). */
export function keepHeader(h: HarHeader): boolean {
  const n = h.name.toLowerCase();
  return !DROPPED.has(n) && !DROPPED_PREFIX.test(n);
}

/** The first header named `name` (case-insensitive). */
export function header(list: readonly HarHeader[], name: string): string | undefined {
  const n = name.toLowerCase();
  return list.find((h) => h.name.toLowerCase() === n)?.value;
}
