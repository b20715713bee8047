/**
 * The scenario JSON Schema (schemas/scenario.schema.json) and the defaults the normalizer applies,
 * read from the same file. Whether a scenario is valid is answered by validators compiled ahead of
 * time (generated/scenario-validators.ts, made by `npm run gen:schema`) when they were made from
 * this very schema text; the verbose validator that explains problems is compiled by ajv on first
 * use, which is only when something is wrong (compiling costs ~100 ms of start-up).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import * as precompiled from './generated/scenario-validators.js';

/** Any JSON Schema node of the scenario schema. */
export type SchemaNode = Readonly<Record<string, unknown>>;

/** ajv options that decide what is valid: the generated and the run-time validators share them. */
export const SCHEMA_VALIDITY_OPTIONS = { strict: true, strictRequired: false, allowUnionTypes: true } as const;

/** The fingerprint generated validators record of the schema text they were made from. */
export function schemaFingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The parts of the schema a document is checked against on its own. */
export type SchemaPart = '' | '#/$defs/include';

export interface ScenarioSchema {
  readonly root: SchemaNode;
  /** Whether `value` is valid against the whole schema (`''`) or one part of it. */
  isValid(value: unknown, part?: SchemaPart): boolean;
  /** Whether the ahead-of-time validators answer {@link isValid} (false: the schema changed since `npm run gen:schema`). */
  readonly precompiled: boolean;
  /** The verbose run-time validators (compiled on first use). */
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

function readSchemaText(): string {
  for (const rel of CANDIDATES) {
    try {
      return readFileSync(new URL(rel, import.meta.url), 'utf8');
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

/** Validators compiled ahead of time (the shape of generated/scenario-validators.ts). */
export interface PrecompiledValidators {
  readonly schemaSha256: string;
  readonly validateScenario: (value: unknown) => boolean;
  readonly validateInclude: (value: unknown) => boolean;
}

let cached: ScenarioSchema | undefined;

/** The scenario schema (read once, then reused). */
export function scenarioSchema(): ScenarioSchema {
  return (cached ??= buildScenarioSchema(readSchemaText(), precompiled as PrecompiledValidators));
}

/**
 * The schema of `text`. `pre` answers validity when it was generated from this exact text;
 * otherwise ajv compiles `text` (on first use) and answers.
 */
export function buildScenarioSchema(text: string, pre: PrecompiledValidators): ScenarioSchema {
  const root = JSON.parse(text) as SchemaNode;
  const id = String(root.$id);
  const fresh = pre.schemaSha256 === schemaFingerprint(text);
  let full: { ajv: Ajv2020; validate: ValidateFunction; pointers: WeakMap<object, string> } | undefined;
  const compiled = (): NonNullable<typeof full> => {
    if (full) return full;
    // ajv itself loads here, not at start-up: only a scenario with a problem needs it.
    const { Ajv2020: Ajv } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    const ajv = new Ajv({ ...SCHEMA_VALIDITY_OPTIONS, allErrors: true, verbose: true });
    const validate = ajv.compile(root);
    const pointers = new WeakMap<object, string>();
    const walk = (node: unknown, ptr: string): void => {
      if (node === null || typeof node !== 'object' || pointers.has(node)) return;
      pointers.set(node, ptr);
      for (const [k, v] of Object.entries(node)) walk(v, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    };
    walk(root, '#');
    return (full = { ajv, validate, pointers });
  };
  const subs = new Map<string, ValidateFunction | undefined>();
  const sub = (pointer: string): ValidateFunction | undefined => {
    if (!subs.has(pointer)) subs.set(pointer, compiled().ajv.getSchema(`${id}${pointer}`));
    return subs.get(pointer);
  };
  return {
    root,
    precompiled: fresh,
    isValid(value, part = '') {
      if (fresh) return (part === '' ? pre.validateScenario : pre.validateInclude)(value);
      const v = part === '' ? compiled().validate : sub(part);
      return v === undefined || (v(value) as boolean);
    },
    get ajv() {
      return compiled().ajv;
    },
    get validate() {
      return compiled().validate;
    },
    defaultOf(def, prop) {
      const base = def === '' ? root : schemaAt(root, `#/$defs/${def}`);
      const props = base?.properties as Record<string, SchemaNode> | undefined;
      return props?.[prop]?.default;
    },
    pointerOf(node) {
      return node !== null && typeof node === 'object' ? compiled().pointers.get(node) : undefined;
    },
    sub,
  };
}
