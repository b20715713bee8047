/**
 * The scenario JSON Schema (schemas/scenario.schema.json): loaded and compiled by ajv once per
 * process on first use, and the defaults the normalizer applies, read from the same file.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

/** Any JSON Schema node of the scenario schema. */
export type SchemaNode = Readonly<Record<string, unknown>>;

export interface ScenarioSchema {
  readonly root: SchemaNode;
  readonly ajv: Ajv2020;
  readonly validate: ValidateFunction;
  /** The `default` of property `prop` of `$defs/<def>` (or of the root when def is ''). */
  defaultOf(def: string, prop: string): unknown;
  /** The root pointer (`#/$defs/phase`) of a schema node object (ajv's verbose `schema`/`parentSchema`). */
  pointerOf(node: unknown): string | undefined;
  /** A subschema by JSON pointer from the root (`#/$defs/phase`), compiled on demand. */
  sub(pointer: string): ValidateFunction | undefined;
}

const CANDIDATES = ['../../schemas/scenario.schema.json', '../../../schemas/scenario.schema.json'];

function readSchema(): SchemaNode {
  for (const rel of CANDIDATES) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as SchemaNode;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error('schemas/scenario.schema.json not found next to the rampart sources');
}

/** Walks a `#/a/b` pointer through the schema. */
export function schemaAt(root: SchemaNode, pointer: string): SchemaNode | undefined {
  const parts = pointer.replace(/^#/, '').split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = root;
  for (const p of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[p];
  }
  return node !== null && typeof node === 'object' ? (node as SchemaNode) : undefined;
}

let cached: ScenarioSchema | undefined;

/** The compiled scenario schema (compiled once, then reused). */
export function scenarioSchema(): ScenarioSchema {
  if (cached) return cached;
  const root = readSchema();
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
  const validate = ajv.compile(root);
  const id = String(root.$id);
  const pointers = new WeakMap<object, string>();
  const walk = (node: unknown, ptr: string): void => {
    if (node === null || typeof node !== 'object' || pointers.has(node)) return;
    pointers.set(node, ptr);
    for (const [k, v] of Object.entries(node)) walk(v, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  walk(root, '#');
  const subs = new Map<string, ValidateFunction | undefined>();
  cached = {
    root,
    ajv,
    validate,
    defaultOf(def, prop) {
      const base = def === '' ? root : schemaAt(root, `#/$defs/${def}`);
      const props = base?.properties as Record<string, SchemaNode> | undefined;
      return props?.[prop]?.default;
    },
    pointerOf(node) {
      return node !== null && typeof node === 'object' ? pointers.get(node) : undefined;
    },
    sub(pointer) {
      if (!subs.has(pointer)) subs.set(pointer, ajv.getSchema(`${id}${pointer}`));
      return subs.get(pointer);
    },
  };
  return cached;
}
