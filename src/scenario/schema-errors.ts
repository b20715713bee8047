/**
 * Turns ajv's raw errors into one clear Problem per mistake, placed at the YAML source position:
 * unknown keys with "did you mean", anyOf cascades collapsed by re-validating each branch and
 * keeping the one the user evidently meant, durations explained by the units parser.
 */
import type { ErrorObject } from 'ajv';
import { ERROR_CODES } from '../errors.js';
import type { Problem } from '../errors.js';
import type { Positions } from './positions.js';
import type { ScenarioSchema, SchemaNode, SchemaPart } from './schema.js';
import { schemaAt } from './schema.js';
import { didYouMean, closest } from './suggest.js';
import { peerHint, peerTypeHint, placeOf } from './peer-hints.js';
import { parseDuration, UnitError } from './units.js';

/** Step keys that select the kind of a step. */
export const STEP_KINDS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'think', 'loop', 'if', 'poll', 'ws', 'group', 'parallel', 'log', 'metric', 'set'] as const;
const STEP_DEFS = ['requestStep', 'thinkStep', 'loopStep', 'ifStep', 'pollStep', 'wsStep', 'groupStep', 'parallelStep', 'logStep', 'metricStep', 'setStep'];

interface Ctx {
  readonly schema: ScenarioSchema;
  readonly pos: Positions;
  readonly out: Problem[];
}

/** Validates `value` against the scenario schema (or a part of it); returns one problem per mistake. */
export function schemaProblems(value: unknown, schema: ScenarioSchema, pos: Positions, part: SchemaPart = ''): Problem[] {
  if (schema.isValid(value, part)) return [];
  // Not valid: the verbose validator says why.
  const validate = part === '' ? schema.validate : schema.sub(part);
  if (validate === undefined || validate(value)) return [];
  const ctx: Ctx = { schema, pos, out: [] };
  explain(ctx, validate.errors ?? [], value, '');
  // A misspelled required key shows once: as the unknown key with its "did you mean".
  const typos = new Set<string>();
  for (const p of ctx.out) {
    const m = p.code === ERROR_CODES.UNKNOWN_KEY ? /^did you mean `([^`]+)`\?$/.exec(p.hint ?? '') : null;
    const at = p.loc.pointer ?? '';
    if (m) typos.add(`${at.slice(0, at.lastIndexOf('/'))}|${m[1] ?? ''}`);
  }
  const seen = new Set<string>();
  return ctx.out.filter((p) => {
    const req = /^missing required key `([^`]+)`$/.exec(p.message);
    if (req && typos.has(`${p.loc.pointer ?? ''}|${req[1] ?? ''}`)) return false;
    const k = `${p.loc.pointer ?? ''}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The action keys of a step, all HTTP methods counting as one action each. */
export function actionsOf(keys: readonly string[]): string[] {
  return keys.filter((k) => (STEP_KINDS as readonly string[]).includes(k));
}

function isPrefix(prefix: string, path: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function valueAt(root: unknown, rel: string): unknown {
  if (rel === '') return root;
  let v: unknown = root;
  for (const raw of rel.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** `errors` were produced validating `data` (found at `base`); their instancePaths are relative to it. */
function explain(ctx: Ctx, errors: readonly ErrorObject[], data: unknown, base: string): void {
  const combos = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  // Outermost combinators only: everything under them is re-derived branch by branch.
  // ajv reports a nested combinator before the one enclosing it, so among equal paths the last is outermost.
  const outer = combos.filter(
    (c, i) =>
      !combos.some((o) => o !== c && isPrefix(o.instancePath, c.instancePath) && o.instancePath !== c.instancePath) &&
      !combos.slice(i + 1).some((o) => o.instancePath === c.instancePath),
  );
  for (const c of outer) explainCombo(ctx, c, valueAt(data, c.instancePath), base + c.instancePath);
  const multi = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties' || !/Step$/.test(ctx.schema.pointerOf(e.parentSchema) ?? '')) continue;
    const step = valueAt(data, e.instancePath);
    const kinds = step !== null && typeof step === 'object' ? actionsOf(Object.keys(step)) : [];
    if (kinds.length > 1 && !multi.has(e.instancePath)) {
      multi.add(e.instancePath);
      push(ctx, ERROR_CODES.SEMANTIC, `a step has exactly one action; this one has ${kinds.map((k) => `\`${k}\``).join(' and ')}`, `${base}${e.instancePath}/${kinds[1] ?? ''}`, true, 'split it into separate steps');
    }
  }
  for (const e of errors) {
    if (multi.has(e.instancePath) && e.keyword === 'additionalProperties') continue;
    if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    if (outer.some((c) => isPrefix(c.instancePath, e.instancePath))) continue;
    one(ctx, e, base + e.instancePath);
  }
}

function explainCombo(ctx: Ctx, e: ErrorObject, data: unknown, at: string): void {
  const ptr = ctx.schema.pointerOf(e.schema) ?? '';
  if (ptr === '#/$defs/step/anyOf') return stepWithoutAction(ctx, data, at);
  const branches = Array.isArray(e.schema) ? (e.schema as SchemaNode[]) : [];
  let best: { errors: readonly ErrorObject[]; score: number } | undefined;
  const titles: string[] = [];
  branches.forEach((b, i) => {
    titles.push(branchTitle(ctx, b));
    const v = ctx.schema.sub(`${ptr}/${i}`);
    if (!v || v(data)) return;
    const errs = v.errors ?? [];
    const mismatch = errs.some((x) => x.instancePath === '' && (x.keyword === 'type' || x.keyword === 'const'));
    const props = propsOf(ctx, b);
    const overlap = data !== null && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data).filter((k) => props.has(k)).length : 0;
    const score = (mismatch ? -1e6 : 0) + overlap * 100 - errs.length;
    if (!best || score > best.score) best = { errors: errs, score };
  });
  if (!best || best.score <= -1e5) {
    const duration = titles.some((t) => t.includes('duration')) && typeof data === 'number';
    const list = titles.length > 1 ? `${titles.slice(0, -1).join(', ')} or ${titles[titles.length - 1] ?? ''}` : (titles[0] ?? 'something else');
    const hint = peerTypeHint(at, data) ?? (duration ? `add a unit: \`${String(data)}s\` or \`${String(data)}ms\`` : undefined);
    push(ctx, duration ? ERROR_CODES.DURATION : ERROR_CODES.SCHEMA, `expected ${list}, got ${describe(data)}`, at, false, hint);
    return;
  }
  explain(ctx, best.errors, data, at);
}

function branchTitle(ctx: Ctx, b: SchemaNode): string {
  if (typeof b.title === 'string') return b.title;
  if (typeof b.$ref === 'string') {
    const t = schemaAt(ctx.schema.root, b.$ref)?.title;
    if (typeof t === 'string') return t;
  }
  return typeof b.type === 'string' ? `a ${b.type}` : 'a value';
}

function propsOf(ctx: Ctx, b: SchemaNode): Set<string> {
  const target = typeof b.$ref === 'string' ? schemaAt(ctx.schema.root, b.$ref) : b;
  const props = target?.properties;
  return new Set(props && typeof props === 'object' ? Object.keys(props) : []);
}

function stepKeys(ctx: Ctx): Set<string> {
  const all = new Set<string>();
  for (const d of STEP_DEFS) for (const k of propsOf(ctx, schemaAt(ctx.schema.root, `#/$defs/${d}`) ?? {})) all.add(k);
  return all;
}

function stepWithoutAction(ctx: Ctx, data: unknown, at: string): void {
  const keys = data !== null && typeof data === 'object' ? Object.keys(data) : [];
  const known = stepKeys(ctx);
  let hinted = false;
  for (const k of keys) {
    if (known.has(k)) continue;
    const kind = closest(k, STEP_KINDS);
    const peer = peerHint('step', k);
    push(ctx, ERROR_CODES.UNKNOWN_KEY, `unknown key \`${k}\` in a step`, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, true, peer ?? didYouMean(k, kind ? [kind] : known));
    if (kind || peer) hinted = true;
  }
  if (!hinted) {
    push(ctx, ERROR_CODES.SCHEMA, `a step needs one action: ${STEP_KINDS.join(', ')}`, at, false);
  }
}

function push(ctx: Ctx, code: Problem['code'], message: string, pointer: string, onKey: boolean, hint?: string): void {
  const loc = ctx.pos.locate(pointer, onKey);
  ctx.out.push(hint === undefined ? { code, message, loc } : { code, message, loc, hint });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v} ${String(v)}`;
}

function lastKey(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = parts[parts.length - 1];
  if (last === undefined) return '(root)';
  if (/^[0-9]+$/.test(last)) return `${parts[parts.length - 2] ?? ''}[${last}]`;
  return last;
}

const OTHER_MODEL: Record<string, string> = {
  vus: 'closed', stages: 'closed', iterations: 'closed', iterationsPerVu: 'closed', duration: 'closed', maxDuration: 'closed',
};

function one(ctx: Ctx, e: ErrorObject, at: string): void {
  const p = e.params as Record<string, unknown>;
  const isDuration = ctx.schema.pointerOf(e.parentSchema) === '#/$defs/duration';
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const ptr = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const props = Object.keys((e.parentSchema as SchemaNode | undefined)?.properties ?? {});
      const place = placeOf(ctx.schema.pointerOf(e.parentSchema));
      let hint = (place && peerHint(place, key)) ?? didYouMean(key, props);
      if (!hint && (STEP_KINDS as readonly string[]).includes(key) && /Step$/.test(ctx.schema.pointerOf(e.parentSchema) ?? '')) hint = 'a step has exactly one action: split it into two steps';
      if (!hint && ctx.schema.pointerOf(e.parentSchema) === '#/$defs/openLoad' && OTHER_MODEL[key]) hint = 'a scenario has exactly one load model: `phases` (open) or `vus`/`stages` (closed)';
      const where = lastKey(at);
      return push(ctx, ERROR_CODES.UNKNOWN_KEY, `unknown key \`${key}\`${where === '(root)' ? '' : ` in \`${where}\``}`, ptr, true, hint ?? (props.length > 0 && props.length <= 12 ? `known keys: ${props.join(', ')}` : undefined));
    }
    case 'required':
      if ((ctx.schema.pointerOf(e.parentSchema) ?? '').startsWith('#/$defs/parallelStep/properties/parallel/items/anyOf/')) {
        return push(ctx, ERROR_CODES.SCHEMA, 'a parallel step holds requests only: get, post, put, patch, delete, head or options', at, false, 'a `think`, `loop` or other step goes before or after the parallel step');
      }
      return push(ctx, ERROR_CODES.SCHEMA, `missing required key \`${String(p.missingProperty)}\``, at, false);
    case 'type': {
      if (isDuration && typeof e.data === 'number') {
        return push(ctx, ERROR_CODES.DURATION, `a bare number is not a duration: ${String(e.data)}`, at, false, `add a unit: \`${String(e.data)}s\` or \`${String(e.data)}ms\``);
      }
      const t = Array.isArray(p.type) ? p.type.join(', ').replace(/, ([^,]*)$/, ' or $1') : String(p.type);
      const what = t.includes('object') && !t.includes(',') ? 'an object' : t === 'array' ? 'a list' : t === 'integer' ? 'an integer' : `a ${t}`;
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` must be ${what}, got ${describe(e.data)}`, at, false, peerTypeHint(at, e.data));
    }
    case 'pattern': {
      if (isDuration) {
        let msg = `not a duration: "${String(e.data)}"`;
        try {
          parseDuration(String(e.data).trim());
        } catch (err) {
          if (err instanceof UnitError) msg = err.message;
        }
        return push(ctx, ERROR_CODES.DURATION, msg, at, false, 'use a number with a unit: 250ms, 5s, 2m, 1h');
      }
      const title = (e.parentSchema as SchemaNode | undefined)?.title;
      const key = lastKey(at);
      if (key === 'target') return push(ctx, ERROR_CODES.SCHEMA, `target must be an http:// or https:// URL, got ${describe(e.data)}`, at, false);
      if (String(p.pattern).startsWith('^\\$')) return push(ctx, ERROR_CODES.SCHEMA, `a JSON path starts with \`$\`, got ${describe(e.data)}`, at, false, 'e.g. `$.items[0].id`');
      return push(ctx, ERROR_CODES.SCHEMA, `\`${key}\` must be ${typeof title === 'string' ? title : `of the form ${String(p.pattern)}`}, got ${describe(e.data)}`, at, false);
    }
    case 'propertyNames':
      return push(ctx, ERROR_CODES.SCHEMA, `\`${String(p.propertyName)}\` is not a valid name here (letters, digits, _ and -; not starting with a digit)`, `${at}/${String(p.propertyName)}`, true);
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` must be one of: ${allowed.join(', ')}; got ${describe(e.data)}`, at, false, typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined);
    }
    case 'const':
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` must be ${JSON.stringify(p.allowedValue)}`, at, false);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` must be ${String(p.comparison)} ${String(p.limit)}, got ${String(e.data)}`, at, false);
    case 'minItems':
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` needs at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`, at, false);
    case 'maxItems':
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` has more than ${String(p.limit)} items`, at, false);
    case 'minLength':
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` must not be empty`, at, false);
    case 'maxLength':
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` must be at most ${String(p.limit)} characters`, at, false);
    case 'minProperties':
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` must not be empty`, at, false);
    case 'uniqueItems':
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` lists the same item twice`, at, false);
    default:
      return push(ctx, ERROR_CODES.SCHEMA, `\`${lastKey(at)}\` ${e.message ?? 'is invalid'}`, at, false);
  }
}
