import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/index.js';
import { parseSource } from '../../../src/scenario/source.js';
import { paths, replaceAt } from '../../support/mutate.js';

const dir = fileURLToPath(new URL('../../fixtures/scenarios/valid/', import.meta.url));
const docs = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  // Read as rampart reads them: a fixture may write `${VAR}` inside a flow mapping.
  .map((f) => ({ file: join(dir, f), value: parseSource(readFileSync(join(dir, f), 'utf8'), f, {}).value }));

const weird = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.string(), fc.constant('{{ x'), fc.constant('0s'),
  fc.constant([]), fc.constant({}), fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

describe('loading never throws and never returns both a plan and problems', () => {
  it('for any text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
        const r = await parseScenarioText(text, '/tmp/fuzz.yaml', { env: {} });
        expect(r.plan === undefined || r.problems.length === 0).toBe(true);
        if (!r.plan) expect(r.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('for every valid fixture with one value replaced by something odd', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), weird, async (di, pi, next) => {
        const doc = docs[di % docs.length]!;
        const all = paths(doc.value);
        const mutated = replaceAt(doc.value, all[pi % all.length]!, next);
        const r = await parseScenarioText(stringify(mutated), doc.file, { env: {} });
        for (const p of r.problems) {
          expect(p.loc.line).toBeGreaterThanOrEqual(1);
          expect(p.loc.col).toBeGreaterThanOrEqual(1);
          expect(typeof p.message).toBe('string');
        }
        expect(r.plan === undefined || r.problems.length === 0).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
