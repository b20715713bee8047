/**
 * Environment interpolation on the YAML text values, before validation: `${NAME}` and
 * `${NAME:-default}`; `$${` writes a literal `${`. Keys are never interpolated.
 */

/** A `${NAME}` without a default whose variable is not set, with its offset in the string. */
export interface UnsetRef {
  readonly name: string;
  readonly offset: number;
}

export interface Interpolated {
  readonly value: string;
  readonly unset: readonly UnsetRef[];
  /** True when the string was exactly one `${…}` and nothing else (its result may be re-typed). */
  readonly whole: boolean;
}

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces every `${NAME}` / `${NAME:-default}` in `text` from `env` (an empty value counts as set). */
export function interpolateEnv(text: string, env: Readonly<Record<string, string | undefined>>): Interpolated {
  if (!text.includes('$')) return { value: text, unset: [], whole: false };
  const unset: UnsetRef[] = [];
  let refs = 0;
  const value = text.replace(REF, (match: string, name: string | undefined, def: string | undefined, offset: number) => {
    if (match === '$${') return '${';
    refs++;
    const v = name !== undefined && Object.hasOwn(env, name) ? env[name] : undefined;
    if (v !== undefined) return v;
    if (def !== undefined) return def;
    unset.push({ name: name ?? '', offset });
    return match;
  });
  const whole = refs === 1 && /^\$\{[^}]*\}$/.test(text);
  return { value, unset, whole };
}
