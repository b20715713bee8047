/** Raw response headers (undici's flat [name, value, …] Buffers) to what users read. */

/** Parses raw headers into lower-case names; repeated names become arrays (set-cookie). */
export function parseRawHeaders(raw: readonly Buffer[] | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (raw === undefined) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

/** Every value of one header (name lower-case), without parsing the others. */
export function rawHeaderValues(raw: readonly Buffer[] | undefined, name: string): string[] {
  const out: string[] = [];
  if (raw === undefined) return out;
  const len = name.length;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const n = raw[i] as Buffer;
    if (n.length === len && n.toString('latin1').toLowerCase() === name) out.push((raw[i + 1] as Buffer).toString('latin1'));
  }
  return out;
}

/**
 * Joins the jar's cookies with a request's own `cookie` header: the request's cookies are sent after
 * the jar's and replace a jar cookie of the same name.
 */
export function mergeCookieHeaders(jar: string, own: string): string {
  const ownNames = new Set<string>();
  for (const part of own.split(';')) {
    const name = part.split('=')[0]?.trim();
    if (name) ownNames.add(name);
  }
  const kept = jar
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '' && !ownNames.has((p.split('=')[0] ?? '').trim()));
  return kept.length === 0 ? own : `${kept.join('; ')}; ${own}`;
}
