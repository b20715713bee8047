import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../../src/scenario/index.js';

const dir = fileURLToPath(new URL('../../fixtures/scenarios/invalid/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

/** `# expect: CODE line:col pointer ; CODE [other-file:]line:col pointer` on the first line of each fixture. */
function expectations(file: string): string[] {
  const first = readFileSync(join(dir, file), 'utf8').replace(/^\uFEFF/, '').split('\n')[0] ?? '';
  const m = /^# expect: (.+)$/.exec(first);
  if (!m?.[1]) throw new Error(`${file}: the first line must be "# expect: CODE line:col pointer"`);
  return m[1].split(';').map((s) => s.trim());
}

describe('invalid scenarios: every problem at its exact position', () => {
  it('has at least 40 broken fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)('%s', async (file) => {
    const r = await validateScenario(join(dir, file), { env: {} });
    expect(r.plan).toBeUndefined();
    // A problem inside another file (a body file) names it: `CODE bodies/x.txt:2:42 pointer`.
    const where = (f: string): string => (f === join(dir, file) ? '' : `${relative(dir, f)}:`);
    const got = r.problems.map((p) => `${p.code} ${where(p.loc.file)}${p.loc.line}:${p.loc.col} ${p.loc.pointer === undefined || p.loc.pointer === '' ? '-' : p.loc.pointer}`);
    expect(got).toEqual(expectations(file));
    for (const p of r.problems) {
      expect(p.message.length).toBeGreaterThan(10);
      expect(p.message).not.toMatch(/\n|at .*\.ts:\d+/);
    }
  });
});
