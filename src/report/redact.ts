/**
 * Redaction used by every output: values of declared secret variables never appear in anything
 * rampart writes or prints, and neither do credentials carried in well-known headers.
 */

/** Header names whose values are always replaced (compared case-insensitively). */
export const SENSITIVE_HEADERS: readonly string[] = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-api-key'];

/** What replaces a redacted value. */
export const REDACTED = '[redacted]';

export interface Redactor {
  /** The text with every secret value replaced and `Header: value` lines of sensitive headers masked. */
  text(s: string): string;
  /**
   * A deep copy of a plain-data value (objects, arrays, strings) with every string redacted as by
   * {@link Redactor.text} and the values of sensitive header keys replaced wherever such a key appears.
   */
  value<T>(v: T): T;
}

/** Shortest encoded form worth hiding: shorter ones would match ordinary text by chance. */
const MIN_ENCODED_LENGTH = 6;

/**
 * A secret and the forms a target may echo it back in: base64 (with and without padding),
 * base64url, and URL encoding (component and form). Each is hidden like the secret itself.
 */
export function encodings(secret: string): string[] {
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  const forms = [b64, b64.replace(/=+$/, ''), Buffer.from(secret, 'utf8').toString('base64url'), encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
  return [secret, ...forms.filter((f) => f !== secret && f.length >= MIN_ENCODED_LENGTH)];
}

/**
 * Credentials written as constants in the plan's sensitive headers (`authorization: Basic …`,
 * `x-api-key: …`, in `http.headers` or on any request): the whole value and the part after an auth
 * scheme, so an echo of either is redacted like a declared secret. Templated values are covered by
 * the secrets they are made of.
 */
export function headerCredentials(plan: unknown, headers: readonly string[] = []): string[] {
  const names = new Set([...SENSITIVE_HEADERS, ...headers].map((h) => h.toLowerCase()));
  const out = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 64) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'headers' && Array.isArray(x)) {
        for (const h of x) {
          if (!Array.isArray(h) || typeof h[0] !== 'string' || !names.has(h[0].toLowerCase())) continue;
          const parts = (h[1] as { parts?: unknown } | undefined)?.parts;
          if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string')) continue;
          const value = parts.join('').trim();
          const cred = value.replace(/^[A-Za-z][A-Za-z0-9_-]*\s+/, '');
          for (const c of [value, cred]) if (c.length >= MIN_ENCODED_LENGTH) out.add(c);
        }
      } else {
        walk(x, depth + 1);
      }
    }
  };
  walk(plan, 0);
  return [...out];
}

/**
 * @param secrets values to hide (plan.secrets); empty strings are ignored. Their base64 and URL
 *   encodings are hidden too (see {@link encodings}).
 * @param headers extra header names to hide on top of {@link SENSITIVE_HEADERS}.
 */
export function createRedactor(secrets: readonly string[], headers: readonly string[] = []): Redactor {
  const values = [...new Set(secrets.filter((s) => s.length > 0).flatMap(encodings))].sort((a, b) => b.length - a.length);
  const names = new Set([...SENSITIVE_HEADERS, ...headers].map((h) => h.toLowerCase()));
  const headerLine = new RegExp(`^(\\s*(?:${[...names].map(escapeRegExp).join('|')})\\s*:\\s*)(.+)$`, 'gim');

  const replaceSecrets = (s: string): string => {
    let out = s;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  };

  const text = (s: string): string => replaceSecrets(s).replace(headerLine, (_m, head: string) => `${head}${REDACTED}`);

  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return text(v);
    if (v === null || typeof v !== 'object' || depth > 64) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v instanceof Uint8Array) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out[k] = names.has(k.toLowerCase()) && x !== undefined && x !== null ? redactHeaderValue(x) : walk(x, depth + 1);
    }
    return out;
  };

  return { text, value: <T>(v: T): T => walk(v, 0) as T };
}

function redactHeaderValue(x: unknown): unknown {
  return Array.isArray(x) ? x.map(() => REDACTED) : REDACTED;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
