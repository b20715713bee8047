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

/**
 * `${…}` written where YAML reads `{` as the start of a mapping (`{ rate: ${RATE} }`): each reference
 * is swapped for a same-length run of private-use characters before parsing, so it parses as part of
 * a plain scalar and every offset still maps 1:1 to the file; `unmask` restores the text as written.
 */
export interface Masked {
  readonly text: string;
  /** Puts the references back into a parsed string (a key or a value). */
  unmask(s: string): string;
}

const MARK = 0xe000;
const DIGIT = 0xe100;
const MASKED = /\uE000[\uE100-\uF0FF]+/g;

/** Masks every `${…}` of `text` (a no-op for text that already holds the private-use characters). */
export function maskRefs(text: string): Masked {
  const none = { text, unmask: (s: string) => s };
  if (!text.includes('${') || /[\uE000-\uF0FF]/.test(text)) return none;
  const refs: string[] = [];
  const masked = text.replace(REF, (match: string) => {
    if (match === '$${') return match;
    const i = refs.push(match) - 1;
    let out = String.fromCharCode(MARK);
    for (let k = 1; k < match.length; k++) out += String.fromCharCode(DIGIT + (k <= 3 ? (i >> (12 * (k - 1))) & 0xfff : 0));
    return out;
  });
  if (refs.length === 0) return none;
  return {
    text: masked,
    unmask: (s) =>
      s.includes(String.fromCharCode(MARK))
        ? s.replace(MASKED, (m) => {
            let i = 0;
            for (let k = 1; k <= 3 && k < m.length; k++) i += (m.charCodeAt(k) - DIGIT) << (12 * (k - 1));
            return refs[i] ?? m;
          })
        : s,
  };
}
