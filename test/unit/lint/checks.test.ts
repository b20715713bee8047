/**
 * The lint checks of src/ that `npm run lint` runs (scripts/lint/): each one passes on src/ as it is
 * and fails, naming the file and line, on a fixture tree that breaks its rule.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = (name: string): string => new URL(`../../../scripts/lint/${name}`, import.meta.url).pathname;

/** Runs a check on `root`: its exit code and what it printed. */
async function check(name: string, root?: string): Promise<{ code: number; stderr: string }> {
  try {
    const r = await run(process.execPath, [script(name), ...(root !== undefined ? [root] : [])]);
    return { code: 0, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
}

/** A src/ tree in a temp dir: path → text. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'rampart-lint-'));
  for (const [p, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), text);
  }
  return root;
}

const LAYERS = '# Layers\n\n```layers\nhigh   imports low\nlow    the bottom\n.      root files\n```\n';

describe('check-layers', () => {
  it('passes on src/', async () => {
    expect(await check('check-layers.mjs')).toEqual({ code: 0, stderr: '' });
  });

  it('fails when a lower layer imports a higher one, statically, by re-export or dynamically', async () => {
    const root = await tree({
      'LAYERS.md': LAYERS,
      'errors.ts': 'export const E = 1;\n',
      'high/a.ts': "import { B } from '../low/b.js';\nimport { E } from '../errors.js';\nexport const A = B + E;\n",
      'low/b.ts': 'export const B = 1;\n',
      'low/bad.ts': "import type { A } from '../high/a.js';\nexport type { A };\n",
      'low/reexport.ts': "export { A } from '../high/a.js';\n",
      'low/dynamic.ts': "export const load = () => import('../high/a.js');\n",
    });
    const r = await check('check-layers.mjs', root);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').sort()).toEqual([
      'low/bad.ts:1: low imports high (../high/a.js), which is not below it in src/LAYERS.md: move the shared part down, or invert the dependency',
      'low/dynamic.ts:1: low imports high (../high/a.js), which is not below it in src/LAYERS.md: move the shared part down, or invert the dependency',
      'low/reexport.ts:1: low imports high (../high/a.js), which is not below it in src/LAYERS.md: move the shared part down, or invert the dependency',
    ]);
  });

  it('fails on a folder the list does not name', async () => {
    const root = await tree({ 'LAYERS.md': LAYERS, 'stray/x.ts': 'export const X = 1;\n' });
    const r = await check('check-layers.mjs', root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stray/x.ts: folder stray is not in src/LAYERS.md');
  });
});

describe('check-size', () => {
  it('passes on src/ (its known exceptions listed in one place)', async () => {
    expect(await check('check-size.mjs')).toEqual({ code: 0, stderr: '' });
  });

  it('fails on a file over 300 lines and a function over 120 lines', async () => {
    const long = Array.from({ length: 301 }, (_, i) => `export const c${i} = ${i};`).join('\n');
    const body = Array.from({ length: 119 }, (_, i) => `  n += ${i};`).join('\n');
    const root = await tree({
      'a/long.ts': `${long}\n`,
      'a/fn.ts': `export function big(): number {\n  let n = 0;\n${body}\n  return n;\n}\n`,
      'a/ok.ts': `export function small(): number {\n${body.split('\n').slice(0, 100).join('\n')}\n}\n`,
    });
    const r = await check('check-size.mjs', root);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').sort()).toEqual([
      'a/fn.ts:1: function big is 123 lines, more than 120: split it',
      'a/long.ts: 301 lines, more than 300: split it by concern',
    ]);
  });
});
