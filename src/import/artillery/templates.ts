/**
 * Artillery's `{{ … }}` templates in rampart's language: the same braces, other names. Payload
 * columns become `feeder.column`, `$processEnvironment.X` a variable read from the environment,
 * `$randomNumber(a, b)` `random.int(a, b)`, loop variables `item`/`item_index`. What has no
 * counterpart is reported and left as it is (validation then names it).
 */

/** How names in templates are rewritten. */
export interface TemplateMap {
  /** Artillery variable → rampart expression (`email` → `users.email`). */
  readonly names: Map<string, string>;
  /** Environment variables used (`$processEnvironment.TOKEN` → variable `TOKEN`). */
  readonly env: Set<string>;
  /** Function names with no counterpart, as found. */
  readonly unknown: Set<string>;
}

const FUNCS: Record<string, string> = {
  $randomNumber: 'random.int',
  $randomString: 'random.string',
  $uuid: 'uuid',
  $randomUUID: 'uuid',
};

function expr(e: string, map: TemplateMap): string {
  let out = e.trim();
  out = out.replace(/\$(processEnvironment|env)\.([A-Za-z_][A-Za-z0-9_]*)/g, (_m, _k, name: string) => {
    map.env.add(name);
    return name;
  });
  out = out.replace(/\$loopElement/g, 'item').replace(/\$loopCount/g, 'item_index');
  out = out.replace(/\$[A-Za-z_]+/g, (f) => {
    const to = FUNCS[f];
    if (to === undefined) {
      map.unknown.add(f);
      return f;
    }
    return to;
  });
  // `uuid` with no arguments is a call in rampart.
  out = out.replace(/^uuid$/, 'uuid()');
  return out.replace(/(^|[^.\w$'"])([A-Za-z_][A-Za-z0-9_]*)(?![\w(])/g, (m, pre: string, name: string) => {
    const to = map.names.get(name);
    return to === undefined ? m : `${pre}${to}`;
  });
}

/** A string with Artillery templates as a rampart string (`${` escaped for the environment pass). */
export function template(s: string, map: TemplateMap): string {
  return s.replace(/\$\{/g, '$$$${').replace(/\{\{([\s\S]*?)\}\}/g, (_m, e: string) => `{{ ${expr(e, map)} }}`);
}

/** Every string of a value rewritten with {@link template}. */
export function templates(v: unknown, map: TemplateMap): unknown {
  if (typeof v === 'string') return template(v, map);
  if (Array.isArray(v)) return v.map((x) => templates(x, map));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, templates(x, map)]));
  return v;
}
