/**
 * `include:` shared configuration files. Each is read with the same safety rules and env
 * interpolation, validated against `$defs/include`, and merged under the scenario: later files
 * override earlier ones, the scenario overrides them all; maps (http, http.headers, variables,
 * data, thresholds, environments) merge key by key, secrets are the union. Data file paths stay
 * relative to the file that names them. Included files cannot include further files.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ERROR_CODES } from '../errors.js';
import type { Problem } from '../errors.js';
import type { Positions } from './positions.js';
import { escapePointer } from './positions.js';
import type { ScenarioSchema } from './schema.js';
import { schemaProblems } from './schema-errors.js';
import { MAX_SCENARIO_BYTES, parseSource } from './source.js';

type Obj = Record<string, unknown>;
const MAPS = ['variables', 'data', 'thresholds', 'environments'] as const;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function nullObj(): Obj {
  return Object.create(null) as Obj;
}

export interface Included {
  /** The scenario with every include merged under it (a new object; the input is untouched). */
  readonly value: Obj;
  readonly problems: readonly Problem[];
}

/** Merges the files named by `doc.include` (relative to `path`) under `doc`. */
export async function applyIncludes(doc: Obj, path: string, env: Readonly<Record<string, string | undefined>>, pos: Positions, schema: ScenarioSchema): Promise<Included> {
  const raw = doc.include;
  const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
  const problems: Problem[] = [];
  // Lowest precedence first: includes in order, then the scenario itself.
  const layers: { value: Obj; pos: Positions | undefined }[] = [];
  for (const [i, rel] of list.entries()) {
    const at = typeof raw === 'string' ? '/include' : `/include/${i}`;
    const file = resolve(dirname(path), rel);
    const fail = (message: string): void => {
      problems.push({ code: ERROR_CODES.FILE_READ, message, loc: pos.locate(at) });
    };
    let text: string;
    try {
      const st = await stat(file);
      if (st.size > MAX_SCENARIO_BYTES) {
        fail(`included file ${rel} is larger than 1 MiB`);
        continue;
      }
      text = await readFile(file, 'utf8');
    } catch (err) {
      fail((err as NodeJS.ErrnoException).code === 'ENOENT' ? `included file not found: ${rel}` : `cannot read included file ${rel}`);
      continue;
    }
    const src = parseSource(text, file, env);
    problems.push(...src.problems);
    if (src.value === undefined || src.problems.length > 0) continue;
    if (!isObj(src.value)) {
      problems.push({ code: ERROR_CODES.SCHEMA, message: 'an included file is a YAML mapping (target:, http:, variables:, …)', loc: { file, line: 1, col: 1 } });
      continue;
    }
    const found = schemaProblems(src.value, schema, src.positions, '#/$defs/include');
    problems.push(...found);
    if (found.length > 0) continue;
    layers.push({ value: withDataPaths(src.value, dirname(file)), pos: src.positions });
  }
  layers.push({ value: doc, pos: undefined });

  const out = nullObj();
  for (const { value, pos: lp } of layers) {
    const overlay = (pointer: string): void => {
      if (lp) pos.addOverlay(pointer, lp, pointer);
    };
    for (const [k, v] of Object.entries(value)) {
      if ((MAPS as readonly string[]).includes(k) && isObj(v) && isObj(out[k])) {
        const merged = Object.assign(nullObj(), out[k], v);
        for (const sub of Object.keys(v)) overlay(`/${k}/${escapePointer(sub)}`);
        out[k] = merged;
      } else if (k === 'http' && isObj(v) && isObj(out.http)) {
        const prev = out.http;
        const merged = Object.assign(nullObj(), prev, v);
        if (isObj(prev.headers) && isObj(v.headers)) merged.headers = Object.assign(nullObj(), prev.headers, v.headers);
        for (const sub of Object.keys(v)) if (sub !== 'headers') overlay(`/http/${escapePointer(sub)}`);
        if (isObj(v.headers)) for (const h of Object.keys(v.headers)) overlay(`/http/headers/${escapePointer(h)}`);
        out.http = merged;
      } else if (k === 'secrets' && Array.isArray(v) && Array.isArray(out.secrets)) {
        const prev = out.secrets as unknown[];
        const add = v.filter((s) => !prev.includes(s));
        if (lp) v.forEach((s, j) => add.includes(s) && pos.addOverlay(`/secrets/${prev.length + add.indexOf(s)}`, lp, `/secrets/${j}`));
        out.secrets = [...prev, ...add];
      } else {
        overlay(`/${escapePointer(k)}`);
        out[k] = v;
      }
    }
  }
  return { value: out, problems };
}

/** Copies an included document with its feeders' and TLS files' relative paths made absolute. */
function withDataPaths(value: Obj, dir: string): Obj {
  const out = withTlsPaths(value, dir);
  if (!isObj(out.data)) return out;
  const data = nullObj();
  for (const [name, f] of Object.entries(out.data)) {
    data[name] = isObj(f) && typeof f.file === 'string' && !isAbsolute(f.file) ? Object.assign(nullObj(), f, { file: resolve(dir, f.file) }) : f;
  }
  return Object.assign(nullObj(), out, { data });
}

/** `http.tls` (and its `origins`) with `ca`, `cert`, `key`, `pfx` made absolute. */
function withTlsPaths(value: Obj, dir: string): Obj {
  if (!isObj(value.http) || !isObj(value.http.tls)) return value;
  const abs = (p: unknown): unknown => (typeof p === 'string' && !isAbsolute(p) ? resolve(dir, p) : p);
  const block = (b: Obj): Record<string, unknown> => {
    const o: Record<string, unknown> = Object.assign(nullObj(), b);
    for (const k of ['cert', 'key', 'pfx']) if (k in o) o[k] = abs(o[k]);
    if ('ca' in o) o.ca = Array.isArray(o.ca) ? o.ca.map(abs) : abs(o.ca);
    return o;
  };
  const tls = block(value.http.tls);
  if (isObj(tls.origins)) {
    const origins: Record<string, unknown> = Object.assign(nullObj(), {});
    for (const [k, v] of Object.entries(tls.origins)) origins[k] = isObj(v) ? block(v) : v;
    tls.origins = origins;
  }
  return Object.assign(nullObj(), value, { http: Object.assign(nullObj(), value.http, { tls }) });
}
