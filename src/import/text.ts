/** Text helpers shared by the importers: literal escaping and variable names. */

/**
 * A recorded or imported literal as a scenario string: `{{` would start a template and `${` an
 * environment variable, so both are escaped (`\{{`, `$${`).
 */
export function literal(text: string): string {
  return text.replace(/\{\{/g, '\\{{').replace(/\$\{/g, '$$$${');
}

/** A plain (non-template) string: only `${` is escaped, as environment interpolation would read it. */
export function plain(text: string): string {
  return text.replace(/\$\{/g, '$$$${');
}

/** Names a template cannot use for a capture: the built-ins every template sees. */
const RESERVED = new Set(['vu', 'iteration', 'random', 'true', 'false', 'null', 'item', 'item_index']);

/** Hands out distinct template variable names (`[A-Za-z_$][A-Za-z0-9_$]*`). */
export class NameBook {
  private readonly used = new Set<string>();

  constructor(taken: Iterable<string> = []) {
    for (const t of taken) this.used.add(t);
  }

  /** A fresh name close to `hint` (`csrf_token`, `orderId`, `location_2`). */
  take(hint: string): string {
    let base = hint
      .replace(/[^A-Za-z0-9_$]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))
      .replace(/^[^A-Za-z_$]+/, '');
    if (base === '') base = 'value';
    base = base.charAt(0).toLowerCase() + base.slice(1);
    if (RESERVED.has(base)) base = `${base}Value`;
    let name = base;
    for (let n = 2; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }

  /** Marks `name` as used (a variable the importer wrote itself). */
  reserve(name: string): void {
    this.used.add(name);
  }
}

/** Milliseconds as a rampart duration (`1.2s`, `350ms`), rounded to 100 ms above one second. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(1, Math.round(ms))}ms`;
  const tenths = Math.round(ms / 100) / 10;
  return `${tenths}s`;
}
