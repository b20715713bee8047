/**
 * Exit codes and error codes are what scripts and CI read: each has one name, one value, and the
 * manual's table says what every exit code means.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { EXIT, interruptedBy, signalExitCode } from '../../src/exit-codes.js';
import { docsSection, repoRoot } from '../support/manual.js';

/** Every .ts/.js file under `dir`, relative to the repository. */
function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(join(repoRoot, rel)).isDirectory()) return name === 'generated' ? [] : sources(rel);
    return /\.(ts|js)$/.test(name) ? [rel] : [];
  });
}

describe('exit codes', () => {
  it('are unique', () => {
    const values = Object.values(EXIT);
    expect(new Set(values).size).toBe(values.length);
  });

  it('are the shell convention for signals', () => {
    expect(signalExitCode('SIGINT')).toBe(128 + 2);
    expect(signalExitCode('SIGTERM')).toBe(128 + 15);
    expect(interruptedBy(EXIT.SIGTERM)).toBe('SIGTERM');
    expect(interruptedBy(EXIT.ENGINE)).toBeUndefined();
  });

  it('are each explained in the table of docs/running.md, and nothing else is', () => {
    const page = docsSection('run');
    const table = page.slice(page.indexOf('## Exit codes'), page.indexOf('## Signals'));
    const documented = [...table.matchAll(/^\| ([\d /]+) \|/gm)].flatMap((m) => (m[1] ?? '').split('/').map((c) => Number(c.trim())));
    expect(documented.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });

  it('are written by name, never as a bare number', () => {
    const bare = /process\.exitCode = \d|process\.exit\(\d|setExit\(\d|exitCode === \d|\b(130|143)\b/;
    const files = ['src', 'mocks', 'scripts', 'bin'].flatMap(sources).filter((f) => f !== 'src/exit-codes.ts');
    const found = files.flatMap((f) =>
      readFileSync(join(repoRoot, f), 'utf8')
        .split('\n')
        .flatMap((l, i) => (!/^\s*(\*|\/\/|\/\*)/.test(l) && bare.test(l.replace(/\/\/.*$/, '')) ? [`${f}:${i + 1}: ${l.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});

describe('error codes', () => {
  it('are unique and named after their key', () => {
    const values = Object.values(ERROR_CODES);
    expect(new Set(values).size).toBe(values.length);
    for (const [key, code] of Object.entries(ERROR_CODES)) expect(code).toBe(`RAMPART_${key}`);
  });

  it('are each raised somewhere', () => {
    const all = sources('src').map((f) => readFileSync(join(repoRoot, f), 'utf8')).join('\n');
    const unused = Object.keys(ERROR_CODES).filter((k) => !all.includes(`ERROR_CODES.${k}`));
    expect(unused).toEqual([]);
  });
});
