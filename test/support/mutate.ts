/** Property-test helpers: every path into a parsed document, and a copy with one value replaced. */
export type Path = (string | number)[];

/** Every path into `v` (the root included). */
export function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) paths(c, [...at, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

/** A copy of `v` with the value at `path` replaced by `next` (the input is untouched). */
export function replaceAt(v: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  if (Array.isArray(v)) return v.map((c, i) => (i === head ? replaceAt(c, rest, next) : c));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, k === head ? replaceAt(c, rest, next) : c]));
  return v;
}
