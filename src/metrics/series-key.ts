import type { Tags } from './types.js';

/** Backslash-escapes the characters that structure a key, so distinct tag sets never collide. */
function esc(s: string): string {
  return /[\\{},=]/.test(s) ? s.replace(/[\\{},=]/g, (c) => `\\${c}`) : s;
}

/**
 * The canonical key of a series: `metric{k1=v1,k2=v2}` with tags sorted by name, and `\`, `{`, `}`,
 * `,`, `=` backslash-escaped — so tag order never matters and two different series never share a
 * key. Built when a handle is asked for, never per sample.
 */
export function seriesKey(metric: string, tags: Tags): string {
  const names = Object.keys(tags).sort();
  let out = `${esc(metric)}{`;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (i > 0) out += ',';
    out += `${esc(name)}=${esc(tags[name] as string)}`;
  }
  return `${out}}`;
}

/** A frozen copy of a tag set with its names in sorted order (stable JSON, stable display). */
export function canonicalTags(tags: Tags): Tags {
  // fromEntries defines own properties, so even a tag named `__proto__` stays plain data.
  return Object.freeze(Object.fromEntries(Object.keys(tags).sort().map((name) => [name, String(tags[name])])));
}

/** True when `tags` has every tag of `filter` with the same value. */
export function hasTags(tags: Tags, filter: Tags): boolean {
  for (const name in filter) {
    if (!Object.prototype.hasOwnProperty.call(filter, name)) continue;
    if (!Object.prototype.hasOwnProperty.call(tags, name) || tags[name] !== filter[name]) return false;
  }
  return true;
}
