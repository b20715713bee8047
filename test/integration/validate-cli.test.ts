import { readdirSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function captured(env: Record<string, string> = {}): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return { io: { stdout, stderr, env, cwd: root, signals: new EventEmitter() }, out: () => o, err: () => e };
}

describe('rampart validate', () => {
  it('passes every example under scenarios/', async () => {
    const files = readdirSync(`${root}scenarios`).filter((f) => f.endsWith('.yaml')).map((f) => `scenarios/${f}`);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const c = captured();
    const code = await main(['validate', ...files], c.io);
    expect(c.out()).toContain(`${files.length} files valid`);
    expect(code).toBe(0);
  });

  it('prints one line per problem with file:line:col, pointer and code, then a count; exit 2', async () => {
    const c = captured();
    const code = await main(['validate', 'test/fixtures/scenarios/invalid/many-problems.yaml', 'test/fixtures/scenarios/valid/02-minimal-closed.yaml'], c.io);
    expect(code).toBe(2);
    const lines = c.out().split('\n');
    expect(lines).toContain('test/fixtures/scenarios/invalid/many-problems.yaml:7:33: unknown key `rampTO` in `phases[0]` (at /load/phases/0/rampTO) [RAMPART_UNKNOWN_KEY]');
    expect(lines).toContain('  hint: did you mean `rampTo`?');
    expect(lines).toContain('test/fixtures/scenarios/valid/02-minimal-closed.yaml: valid');
    expect(lines).toContain('5 problems in 1 of 2 files');
    expect(c.out() + c.err()).not.toMatch(/\s+at .+\.(ts|js):\d+/);
  });

  it('validate and run name every file alike: relative to the working directory when under it, absolute otherwise', async () => {
    const rel = 'test/fixtures/scenarios/invalid/body-file-template-problems.yaml';
    const body = 'test/fixtures/scenarios/invalid/bodies/broken-template.txt:2:42: ';
    for (const given of [rel, `${root}${rel}`, `./${rel}`]) {
      const v = captured();
      expect(await main(['validate', given], v.io)).toBe(2);
      const r = captured();
      expect(await main(['run', given, '--quiet'], r.io)).toBe(2);
      expect(v.out().split('\n').filter((l) => l.startsWith(body))).toHaveLength(1);
      expect(r.err().split('\n').filter((l) => l.startsWith(body))).toHaveLength(1);
      expect(r.err()).toContain(`8 problems in ${rel}: nothing was sent`);
      expect(v.out() + r.err()).not.toContain(root);
    }
    // Outside the working directory: absolute.
    const away = captured();
    away.io = { ...away.io, cwd: `${root}src` };
    expect(await main(['validate', `../${rel}`], away.io)).toBe(2);
    expect(away.out()).toContain(`${root}${rel.replace('body-file-template-problems.yaml', 'bodies/broken-template.txt')}:2:42: `);
  });

  it('--json gives every problem as data', async () => {
    const c = captured();
    const code = await main(['validate', '--json', 'test/fixtures/scenarios/invalid/typo-rampto.yaml'], c.io);
    expect(code).toBe(2);
    const report = JSON.parse(c.out()) as { valid: boolean; files: { file: string; valid: boolean; problems: { code: string; loc: { line: number; col: number; pointer: string }; hint?: string }[] }[] };
    expect(report.valid).toBe(false);
    expect(report.files[0]?.problems).toEqual([
      expect.objectContaining({ code: 'RAMPART_UNKNOWN_KEY', hint: 'did you mean `rampTo`?', loc: { file: 'test/fixtures/scenarios/invalid/typo-rampto.yaml', line: 6, col: 33, pointer: '/load/phases/0/rampTO' } }),
    ]);
  });

  it('reads ${ENV} from the io environment, and --target / --environment', async () => {
    const file = 'test/fixtures/scenarios/invalid/env-unset.yaml';
    expect(await main(['validate', file], captured().io)).toBe(2);
    expect(await main(['validate', file], captured({ RAMPART_FIXTURE_UNSET_URL: 'http://127.0.0.1:1' }).io)).toBe(0);
    const c = captured();
    expect(await main(['validate', '--environment', 'nope', 'test/fixtures/scenarios/valid/17-environments.yaml'], c.io)).toBe(2);
    expect(c.out()).toContain('no environment named `nope`');
    expect(await main(['validate', '--target', 'ftp://x', 'test/fixtures/scenarios/valid/02-minimal-closed.yaml'], captured().io)).toBe(2);
  });

  it('a missing file is a problem, not a crash', async () => {
    const c = captured();
    expect(await main(['validate', 'does/not/exist.yaml'], c.io)).toBe(2);
    expect(c.out()).toContain('[RAMPART_FILE_READ]');
  });

  it('needs at least one file', async () => {
    expect(await main(['validate'], captured().io)).toBe(2);
  });
});
