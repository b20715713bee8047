/**
 * The malformed-scenario corpus: every valid fixture with one mistake of each kind (a misspelled key,
 * a value of the wrong type, a bad duration, a bad threshold, a bad template, truncated YAML, …),
 * written into a temp copy of the valid fixtures' folder (so data files and includes still resolve),
 * plus the hand-written files of test/fixtures/scenarios/malformed/ and the invalid fixtures.
 */
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parseDocument, visit, type Document } from 'yaml';
import { maskRefs } from '../../src/scenario/env.js';

export const VALID_DIR = fileURLToPath(new URL('../fixtures/scenarios/valid/', import.meta.url));
export const INVALID_DIR = fileURLToPath(new URL('../fixtures/scenarios/invalid/', import.meta.url));
export const MALFORMED_DIR = fileURLToPath(new URL('../fixtures/scenarios/malformed/', import.meta.url));

export interface CorpusCase {
  /** `<fixture>~<mutation>` for generated cases, the file name otherwise. */
  readonly name: string;
  /** Absolute path of the scenario file. */
  readonly file: string;
}

const DURATION = /^\d+(\.\d+)?(ms|s|m|h)(\d+(ms|s|m))*$/;

/** The first scalar whose string value satisfies `test`, replaced by `to` (a string or a node value). */
function replaceFirstScalar(doc: Document, test: (v: string) => boolean, to: (v: string) => unknown): boolean {
  let done = false;
  visit(doc, {
    Pair(_key, pair) {
      if (done) return visit.BREAK;
      const v = pair.value;
      if (isScalar(v) && typeof v.value === 'string' && test(v.value)) {
        pair.value = doc.createNode(to(v.value));
        done = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return done;
}

function firstJourneySteps(doc: Document): unknown[] | undefined {
  const steps = doc.getIn(['journeys', 0, 'steps'], true);
  return isSeq(steps) ? steps.items : undefined;
}

/** One mutation: text in, text out (must not be the same text). */
type Mutation = (text: string) => string;

// `${VAR}` in a flow mapping is rampart's, not plain YAML's: masked as the loader masks it.
const viaDoc = (edit: (doc: Document) => void): Mutation => (text) => {
  const masked = maskRefs(text);
  const doc = parseDocument(masked.text, { keepSourceTokens: false });
  edit(doc);
  return masked.unmask(doc.toString({ lineWidth: 0 }));
};

/** Every mutation by name. Each makes a valid scenario invalid in exactly one way. */
export const MUTATIONS: Readonly<Record<string, Mutation>> = {
  'misspelled-top-key': (t) => t.replace(/^journeys:/m, 'journies:'),
  'misspelled-nested-key': viaDoc((doc) => {
    const j = doc.getIn(['journeys', 0], true);
    if (!isMap(j)) throw new Error('no journey');
    const pair = j.items.find((p) => isScalar(p.key) && p.key.value === 'steps');
    if (!pair || !isScalar(pair.key)) throw new Error('no steps');
    pair.key.value = 'stpes';
  }),
  'wrong-type-name': viaDoc((doc) => doc.set('name', doc.createNode([1, 2]))),
  'wrong-type-journeys': viaDoc((doc) => doc.set('journeys', 'all of them')),
  'bad-duration-unit': viaDoc((doc) => {
    if (!replaceFirstScalar(doc, (v) => DURATION.test(v), () => '10 secs')) doc.set('gracefulStop', '10 secs');
  }),
  'bare-number-duration': viaDoc((doc) => {
    if (!replaceFirstScalar(doc, (v) => DURATION.test(v), () => 30)) doc.set('gracefulStop', 30);
  }),
  'bad-threshold-expression': viaDoc((doc) => doc.set('thresholds', doc.createNode({ 'http.latency': ['p95 < 200ms'] }))),
  'bad-threshold-key': viaDoc((doc) => doc.set('thresholds', doc.createNode({ 'http.latency{step:': ['avg < 100'] }))),
  'bad-template-syntax': viaDoc((doc) => {
    const steps = firstJourneySteps(doc);
    if (!steps) throw new Error('no steps');
    steps.unshift(doc.createNode({ log: 'cart {{ upper( }}' }));
  }),
  'bad-template-function': viaDoc((doc) => {
    const steps = firstJourneySteps(doc);
    if (!steps) throw new Error('no steps');
    steps.unshift(doc.createNode({ log: 'cart {{ nosuch(1, 2) }}' }));
  }),
  truncated: (t) => {
    // Cut inside the last flow collection or quoted string of the first two thirds: unclosed.
    const head = t.slice(0, Math.floor((t.length * 2) / 3));
    const at = Math.max(head.lastIndexOf('{'), head.lastIndexOf('['), head.lastIndexOf('"'));
    return at > 0 ? t.slice(0, at + 1) : `${head}\n  bad: "unterminated`;
  },
  'unknown-tag': (t) => t.replace(/^name:\s*/m, 'name: !!js/function '),
  'proto-key': (t) => `${t.trimEnd()}\n__proto__: { polluted: true }\n`,
  'duplicate-key': (t) => `${t.trimEnd()}\nname: again\n`,
  'env-unset': (t) => t.replace(/^name:.*$/m, 'name: ${RAMPART_HARDENING_NEVER_SET}'),
};

/**
 * Writes the generated corpus into a fresh temp dir (a copy of the valid fixtures' folder) and
 * returns every case: generated ones, then malformed/ and invalid/ fixtures.
 */
export async function buildCorpus(): Promise<{ dir: string; cases: CorpusCase[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-malformed-'));
  await cp(VALID_DIR, dir, { recursive: true });
  const valid = (await readdir(VALID_DIR)).filter((f) => f.endsWith('.yaml')).sort();
  const cases: CorpusCase[] = [];
  for (const f of valid) {
    const text = await readFile(join(VALID_DIR, f), 'utf8');
    for (const [m, mutate] of Object.entries(MUTATIONS)) {
      const out = mutate(text);
      if (out === text) throw new Error(`mutation ${m} left ${f} unchanged`);
      const name = `${f.replace(/\.yaml$/, '')}~${m}.yaml`;
      await writeFile(join(dir, name), out);
      cases.push({ name, file: join(dir, name) });
    }
  }
  for (const from of [MALFORMED_DIR, INVALID_DIR]) {
    for (const f of (await readdir(from)).filter((x) => x.endsWith('.yaml')).sort()) cases.push({ name: f, file: join(from, f) });
  }
  return { dir, cases };
}
