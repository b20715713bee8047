/**
 * The scenario layer: YAML text → problems, or a frozen Plan.
 * parse (positions, safety, env interpolation) → schema (ajv) → normalize + semantic checks.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ERROR_CODES, ScenarioError } from '../errors.js';
import type { Problem } from '../errors.js';
import { deepFreeze } from './freeze.js';
import { NormContext } from './normalize/context.js';
import type { Obj } from './normalize/context.js';
import { buildPlan } from './normalize/plan.js';
import type { Plan } from './plan.js';
import { scenarioSchema } from './schema.js';
import type { ScenarioSchema } from './schema.js';
import { schemaProblems } from './schema-errors.js';
import { MAX_SCENARIO_BYTES, parseSource } from './source.js';
import type { ParsedSource } from './source.js';
import { applyIncludes } from './include.js';

export { MAX_SCENARIO_BYTES } from './source.js';

/** How a scenario is loaded. */
export interface LoadOptions {
  /** The environment for `${NAME}` interpolation (the CLI passes the process environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Overrides the scenario's `target` (`--target`). */
  readonly target?: string;
  /** Selects a named overlay from `environments` (`--environment`). */
  readonly environment?: string;
  /** `--no-proxy`: ignore HTTP_PROXY / HTTPS_PROXY / NO_PROXY. */
  readonly noProxy?: boolean;
}

/** Every problem of a scenario, and the Plan when there are none. */
export interface ValidationResult {
  readonly plan?: Plan;
  readonly problems: Problem[];
}

/** By position; problems inside other files (includes, body files) after the scenario's own, file by file. */
function sortProblems(problems: readonly Problem[], file?: string): Problem[] {
  const main = file ?? problems[0]?.loc.file;
  const rank = (p: Problem): string => (p.loc.file === main ? '' : p.loc.file);
  return [...problems].sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0) || a.loc.line - b.loc.line || a.loc.col - b.loc.col);
}

/**
 * Validates and normalizes scenario text. `file` names it in problems and anchors relative paths
 * (data files, resolved from `path`, default: `file` against the working directory). Never throws
 * for a bad scenario: problems are returned, sorted by position.
 */
export async function parseScenarioText(text: string, file: string, opts: LoadOptions, path: string = resolve(file)): Promise<ValidationResult> {
  const src = parseSource(text, file, opts.env);
  if (src.value === undefined || src.problems.some((p) => p.code === ERROR_CODES.YAML_SYNTAX)) return { problems: sortProblems(src.problems, file) };
  if (src.value === null || typeof src.value !== 'object' || Array.isArray(src.value)) {
    return { problems: [...src.problems, { code: ERROR_CODES.SCHEMA, message: 'a scenario is a YAML mapping (name:, load:, journeys:, …)', loc: { file, line: 1, col: 1, pointer: '' } }] };
  }
  const schema = scenarioSchema();
  if (Object.hasOwn(src.value, 'include')) {
    const inc = await applyIncludes(src.value as Obj, path, opts.env, src.positions, schema);
    if (inc.problems.length > 0) return { problems: sortProblems([...src.problems, ...inc.problems], file) };
    return finish({ ...src, value: inc.value }, text, file, opts, path, schema);
  }
  return finish(src, text, file, opts, path, schema);
}

async function finish(src: ParsedSource, text: string, file: string, opts: LoadOptions, path: string, schema: ScenarioSchema): Promise<ValidationResult> {
  // A value still holding an unset `${NAME}` fails the schema too: its ENV_UNSET problem says it all.
  const unset = new Set(src.problems.filter((p) => p.code === ERROR_CODES.ENV_UNSET).map((p) => p.loc.pointer));
  const problems = [...src.problems, ...schemaProblems(src.value, schema, src.positions).filter((p) => !unset.has(p.loc.pointer))];
  const ctx = new NormContext(file, src.positions);
  const defaults = (def: string, prop: string): unknown => schema.defaultOf(def, prop);
  if (problems.length > 0) {
    if (src.problems.length === 0) problems.push(...(await independentProblems(ctx, src.value as Obj, text, { ...opts, path }, defaults, problems)));
    return { problems: sortProblems(problems, file) };
  }
  const plan = await buildPlan(ctx, src.value as Obj, text, { ...opts, path }, defaults);
  if (ctx.problems.length > 0) return { problems: sortProblems(ctx.problems, file) };
  return { plan: deepFreeze(plan), problems: [] };
}

/** Reference errors that a malformed step nearby could cause: only reported on a well-formed document. */
const DEPENDENT = /^(unknown variable|`[^`]+` is used before|no (metric|tag|[a-z]+ named)|no data feeder|no environment)/;

/**
 * With schema problems, the semantic pass still runs for what it can say on its own (durations,
 * template and threshold syntax, data files), away from the nodes the schema already rejected, so
 * one run reports every mistake. A shape the normalizer cannot read leaves the schema problems alone.
 */
async function independentProblems(ctx: NormContext, doc: Obj, text: string, opts: Parameters<typeof buildPlan>[3], defaults: (def: string, prop: string) => unknown, schemaFound: readonly Problem[]): Promise<Problem[]> {
  try {
    await buildPlan(ctx, doc, text, opts, defaults);
  } catch {
    return [];
  }
  // An unknown key makes its whole object suspect (a misspelled `max` is also a missing `max`).
  const bad = schemaFound.map((p) => {
    const at = p.loc.pointer ?? '';
    return p.code === ERROR_CODES.UNKNOWN_KEY ? at.slice(0, at.lastIndexOf('/')) : at;
  });
  const related = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
  return ctx.problems.filter(
    (p) => p.code !== ERROR_CODES.CAPTURE_ORDER && p.code !== ERROR_CODES.SEMANTIC && !DEPENDENT.test(p.message) && !bad.some((b) => related(p.loc.pointer ?? '', b)),
  );
}

/** Reads and validates a scenario file; relative data paths resolve against its directory. */
export async function validateScenario(file: string, opts: LoadOptions): Promise<ValidationResult> {
  const path = resolve(file);
  const at = { file, line: 1, col: 1, pointer: '' };
  let text: string;
  try {
    const st = await stat(path);
    if (!st.isFile()) return { problems: [{ code: ERROR_CODES.FILE_READ, message: `${file} is not a file`, loc: at }] };
    if (st.size > MAX_SCENARIO_BYTES) {
      return { problems: [{ code: ERROR_CODES.FILE_TOO_LARGE, message: `the scenario is ${st.size} bytes; rampart reads at most ${MAX_SCENARIO_BYTES} bytes (1 MiB)`, loc: at, hint: 'move large data into a CSV file under `data:`' }] };
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    // Any file-system refusal (missing, a path through a file, permissions, a loop of links, a name
    // too long, …) is the user's to fix: a problem, not a crash.
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      return { problems: [{ code: ERROR_CODES.FILE_READ, message: code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file} (${readReason(code)})`, loc: at }] };
    }
    throw err;
  }
  return parseScenarioText(text, file, opts, path);
}

/** A file-system error code in words. */
function readReason(code: string): string {
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'the name is too long',
  };
  return Object.hasOwn(words, code) ? `${code}: ${words[code]}` : code;
}

/** Loads a scenario file into a frozen Plan. @throws {ScenarioError} with every problem */
export async function loadScenario(file: string, opts: LoadOptions): Promise<Plan> {
  const r = await validateScenario(file, opts);
  if (!r.plan) throw new ScenarioError(r.problems);
  return r.plan;
}

export type { Plan } from './plan.js';
