/**
 * The scenario schema's ahead-of-time validators (src/scenario/generated, `npm run gen:schema`):
 * made from the current schema, they answer exactly as ajv compiling the schema at run time does,
 * and a schema edited without regenerating them falls back to the run-time compile rather than
 * answering for an old schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import * as generated from '../../../src/scenario/generated/scenario-validators.js';
import { buildScenarioSchema, scenarioSchema, type PrecompiledValidators } from '../../../src/scenario/schema.js';
import { paths, replaceAt } from '../../support/mutate.js';
import { GENERATED_FILE, SCHEMA_FILE, generateScenarioValidators } from '../../../scripts/gen-schema-validators.js';

const schemaText = readFileSync(SCHEMA_FILE, 'utf8');
const pre = generated as unknown as PrecompiledValidators;
/** The same schema without the generated validators: ajv compiles it (the reference answer). */
const runtime = buildScenarioSchema(schemaText, { schemaSha256: 'none', validateScenario: () => false, validateInclude: () => false });

const fixtures = (kind: string): { file: string; value: unknown }[] => {
  const dir = fileURLToPath(new URL(`../../fixtures/scenarios/${kind}/`, import.meta.url));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      try {
        return { file: `${kind}/${f}`, value: parse(text) as unknown };
      } catch {
        return { file: `${kind}/${f}`, value: undefined };
      }
    })
    .filter((x) => x.value !== undefined);
};
const scenarios = readdirSync(fileURLToPath(new URL('../../../scenarios/', import.meta.url)))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: `scenarios/${f}`, value: parse(readFileSync(fileURLToPath(new URL(`../../../scenarios/${f}`, import.meta.url)), 'utf8')) as unknown }));
const corpus = [...scenarios, ...fixtures('valid'), ...fixtures('invalid')];

describe('the precompiled scenario validators', () => {
  it('are generated from the current schema (run `npm run gen:schema` after editing it)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8') === generateScenarioValidators(schemaText), 'src/scenario/generated/scenario-validators.ts is stale: run npm run gen:schema').toBe(true);
    expect(scenarioSchema().precompiled).toBe(true);
  });

  it('answer as the run-time validator on every bundled scenario and fixture, valid and invalid', () => {
    expect(corpus.length).toBeGreaterThan(50);
    let invalid = 0;
    for (const { file, value } of corpus) {
      const expected = runtime.isValid(value);
      expect(pre.validateScenario(value), file).toBe(expected);
      if (!expected) invalid++;
    }
    expect(invalid).toBeGreaterThan(10);
  });

  it('answer as the run-time validator on bundled scenarios with one value replaced', () => {
    const odd = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true }), fc.string({ maxLength: 8 }), fc.constant('5s'), fc.constant('80%'), fc.constant([]), fc.constant({}), fc.constant({ get: '/x' }));
    fc.assert(
      fc.property(fc.nat(), fc.nat(), odd, (si, pi, next) => {
        const doc = corpus[si % corpus.length]!.value;
        const all = paths(doc);
        const mutated = replaceAt(doc, all[pi % all.length]!, next);
        expect(pre.validateScenario(mutated)).toBe(runtime.isValid(mutated));
      }),
      { numRuns: 1500 },
    );
  });

  it('answer for includes as the run-time validator does', () => {
    for (const v of [{ target: 'http://127.0.0.1:1' }, { target: 'ftp://x' }, { load: { vus: 1 } }, { variables: { a: 1 } }, { http: { timeout: '2s' } }, { http: { timeout: 2 } }]) {
      expect(pre.validateInclude(v), JSON.stringify(v)).toBe(runtime.isValid(v, '#/$defs/include'));
    }
  });

  it('are not used for a schema they were not made from: ajv compiles that one', () => {
    const edited = JSON.parse(schemaText) as { properties: Record<string, unknown> };
    edited.properties.owner = { type: 'string' };
    const schema = buildScenarioSchema(JSON.stringify(edited), pre);
    expect(schema.precompiled).toBe(false);
    const valid = corpus.find((c) => runtime.isValid(c.value))!.value as object;
    const doc = { ...valid, owner: 'qa' };
    expect(schema.isValid(doc)).toBe(true);
    expect(pre.validateScenario(doc)).toBe(false);
  });
});
