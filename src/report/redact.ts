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

/**
 * @param secrets values to hide (plan.secrets); empty strings are ignored.
 * @param headers extra header names to hide on top of {@link SENSITIVE_HEADERS}.
 */
export function createRedactor(secrets: readonly string[], headers: readonly string[] = []): Redactor {
  const values = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
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
