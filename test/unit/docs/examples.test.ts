/**
 * Every `yaml` example of the manual is a scenario, or a part of one, that rampart accepts. A whole
 * scenario must validate as written. A part (top-level keys, a step, a list of steps) is set into a
 * small scenario and must raise no problem of its own: only references to what the part leaves out
 * (a variable, an environment variable, a step, a data or certificate file) are forgiven. A block that is no scenario at all (an Artillery
 * script, a CI step) says so with `<!-- example: not a scenario -->` just above it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/index.js';
import { ERROR_CODES, formatProblem, type Problem } from '../../../src/errors.js';
import { fences, manualFiles, readManual, repoRoot } from '../../support/manual.js';

/** The scenario's top-level keys, from the schema. */
const ROOT_KEYS = new Set(Object.keys((JSON.parse(readFileSync(new URL('../../../schemas/scenario.schema.json', import.meta.url), 'utf8')) as { properties: object }).properties));
const STEP_KINDS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'think', 'loop', 'if', 'group', 'parallel', 'poll', 'log', 'metric', 'set', 'kafka', 'redis', 'ws'];
/** A problem that only says the example refers to something outside it (a data file is the user's). */
const REFERENCE = /unknown variable|is used before|no (metric|tag|[a-z]+ named|[a-z]+ is named)|no data feeder|no such file|cannot read|no environment|is in no load block|needs the scenario's `(kafka|redis):` block/;
/** A step written `…` stands for any steps. */
const PLACEHOLDER = '…';

interface Example {
  readonly where: string;
  readonly text: string;
  readonly whole: boolean;
}

const base = { name: 'example', target: 'http://127.0.0.1:1', load: { vus: 1, duration: '1s' }, journeys: [{ name: 'j', steps: [{ get: '/' }] }] };

/** The part as a scenario: top-level keys over the base, or steps in its journey. */
function asScenario(part: unknown): object {
  if (Array.isArray(part) && part.every((p) => typeof p === 'object' && p !== null && 'duration' in p && !STEP_KINDS.some((k) => k in p))) return { ...base, load: { phases: part } };
  if (Array.isArray(part)) return { ...base, journeys: [{ name: 'j', steps: part }] };
  const o = part as Record<string, unknown>;
  if (Object.keys(o).every((k) => ROOT_KEYS.has(k))) return { ...base, ...o };
  const step = STEP_KINDS.some((k) => k in o) ? o : { get: '/', ...o };
  return { ...base, journeys: [{ name: 'j', steps: [step] }] };
}

/** The example with each placeholder step made a real one. */
function fill(node: unknown): unknown {
  if (Array.isArray(node)) return node.map((n) => (n === PLACEHOLDER ? { log: 'any step' } : fill(n)));
  if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
  return node;
}

function examples(): Example[] {
  return manualFiles().flatMap((file) =>
    fences(readManual(file))
      .filter((f) => /^ya?ml$/.test(f.lang) && !/example: not a scenario/.test(f.note))
      // Alternatives are separate documents (`---`); a block of comments only holds nothing to check.
      .flatMap((f) => parseAllDocuments(f.text).map((d, i) => ({ f, i, doc: d.errors.length > 0 ? d : (d.toJS() as unknown), source: String(d) })))
      .filter(({ doc }) => doc !== null)
      .map(({ f, i, doc: parsed, source }) => {
        let doc = parsed;
        const where = `${file}:${f.line}${i > 0 ? ` (document ${i + 1})` : ''}`;
        if (typeof doc === 'object' && !(doc instanceof Document)) doc = fill(doc);
        const whole = doc !== null && typeof doc === 'object' && !Array.isArray(doc) && ((doc as object) instanceof Document || ('journeys' in doc && 'name' in doc));
        return { where, text: whole ? source : JSON.stringify(asScenario(doc), null, 1), whole };
      }),
  );
}

async function problems(e: Example): Promise<Problem[]> {
  const r = await parseScenarioText(e.text, e.where, { env: {} }, join(repoRoot, 'scenarios', 'example.yaml'));
  return r.problems.filter((p) => !(REFERENCE.test(p.message) || p.code === ERROR_CODES.DATA_FILE || p.code === ERROR_CODES.FILE_READ || p.code === ERROR_CODES.CAPTURE_ORDER || p.code === ERROR_CODES.ENV_UNSET || p.code === ERROR_CODES.TLS_FILE));
}

describe('the examples of the manual', () => {
  const all = examples();

  it('finds the examples, whole scenarios among them', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((e) => e.whole).length).toBeGreaterThanOrEqual(3);
    expect(all.some((e) => e.where.startsWith('README.md'))).toBe(true);
  });

  it.each(all.map((e) => [e.where, e] as const))('%s is valid', async (_where, e) => {
    expect((await problems(e)).map(formatProblem)).toEqual([]);
  });

  it('would catch a broken example', async () => {
    const bad: Example = { where: 'x.md:1', text: JSON.stringify(asScenario([{ get: '/', expect: { statu: 200 } }])), whole: false };
    expect((await problems(bad)).length).toBeGreaterThan(0);
    const think: Example = { where: 'x.md:1', text: JSON.stringify(asScenario({ think: '5x' })), whole: false };
    expect((await problems(think)).length).toBeGreaterThan(0);
  });
});
