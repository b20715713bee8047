/**
 * TLS: a self-signed target fails with a clear message, classified `tls`, unless the scenario opts
 * out explicitly. Code: nothing in src/ can evaluate text as code (eval, Function, vm, a dynamic
 * require/import of a computed string) — checked on the source text.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runCli, scenarioFile } from '../support/run-helpers.js';
import { selfSignedCert, startTlsServer } from '../support/target-server.js';

describe('TLS against a self-signed target', () => {
  let certDir: string;
  let tls: { url: string; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'rampart-tls-'));
    const cert = selfSignedCert(certDir);
    if (cert) tls = await startTlsServer(cert);
  });
  afterAll(async () => {
    await tls?.close();
    await rm(certDir, { recursive: true, force: true });
  });

  const scenario = (url: string, extra: string): string => `
name: tls
target: ${url}
http: { timeout: 3s${extra} }
load: { vus: 1, iterations: 3 }
journeys:
  - name: j
    steps: [{ name: proto, get: /proto, expect: { status: 200 } }]
`;

  it('verification is on by default: every request fails as tls, with a message that says certificate', async (ctx) => {
    if (!tls) return ctx.skip();
    const { dir, file } = await scenarioFile(scenario(tls.url, ''));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--quiet', '--out', out], { cwd: dir });
    // Nothing got an HTTP answer: the run fails (exit 1) even without thresholds.
    expect(r.code).toBe(1);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.warnings.join('\n')).toMatch(/a run that reached nothing cannot pass/);
    const errs = report.series.filter((s) => s.metric === 'http.errors');
    expect(errs.map((s) => s.tags.error)).toEqual(['tls']);
    expect(errs[0]?.sum).toBe(3);
    expect(report.journeys?.[0]).toMatchObject({ failed: 3, completed: 0 });
    // The failure log names the class and the cause in words.
    expect(r.stderr).toMatch(/tls/i);
    expect(r.stderr).toMatch(/self[- ]signed|certificate/i);
  });

  it('insecureSkipTlsVerify: true opts out: the same target answers', async (ctx) => {
    if (!tls) return ctx.skip();
    const { dir, file } = await scenarioFile(scenario(tls.url, ', insecureSkipTlsVerify: true'));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', file, '--quiet', '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.series.filter((s) => s.metric === 'http.errors' && s.sum > 0)).toEqual([]);
    expect(report.journeys?.[0]).toMatchObject({ completed: 3, failed: 0 });
  });
});

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(p)));
    else if (/\.(ts|js|mjs|cjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Comments blanked (line structure kept). */
function noComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:\\'"`])\/\/.*$/gm, '$1');
}

/** Comments and the contents of string literals blanked, so only code is matched. */
function codeOnly(text: string): string {
  return noComments(text).replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, (m) => `${m[0]}${' '.repeat(m.length - 2)}${m[0]}`);
}

/**
 * Forbidden constructs: each evaluates text as code or loads a module named at run time. Module
 * specifiers are matched with their strings intact, the rest on code with strings blanked.
 */
const SPECIFIERS: readonly [string, RegExp][] = [
  ['node:vm', /from\s+['"](node:)?vm['"]|require\s*\(\s*['"](node:)?vm['"]\s*\)|import\s*\(\s*['"](node:)?vm['"]\s*\)/],
  ['dynamic import of a computed string', /\bimport\s*\(\s*(?!['"][^'"`$]*['"]\s*\))/],
  ['require of a computed string', /\brequire\s*\(\s*(?!['"][^'"`$]*['"]\s*\))/],
];
const FORBIDDEN: readonly [string, RegExp][] = [
  ['eval', /(^|[^.\w$])eval\s*\(/],
  ['indirect eval', /\[\s*['"]eval['"]\s*\]|globalThis\s*\.\s*eval\b/],
  ['Function constructor', /\bnew\s+Function\s*\(|(^|[^.\w$])Function\s*\(|\.constructor\s*\(\s*['"`]/],
  ['setTimeout/setInterval with a string', /\bset(Timeout|Interval|Immediate)\s*\(\s*['"`]/],
  ['WebAssembly from text', /\bWebAssembly\s*\.\s*(compile|instantiate)\s*\(/],
  ['worker from code text', /new\s+Worker\s*\([^)]*eval\s*:\s*true/],
];

/** The names of the forbidden constructs in one line of source. */
function forbiddenIn(line: string): string[] {
  const code = codeOnly(line);
  const specs = noComments(line).replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, (m) => (/^['"](node:)?vm['"]$|^['"][^'"`$]*['"]$/.test(m) && /(import|require)\s*\(\s*$|from\s+$/.test(line.slice(0, line.indexOf(m))) ? m : `${m[0]}${' '.repeat(m.length - 2)}${m[0]}`));
  return [...SPECIFIERS.filter(([, re]) => re.test(specs)), ...FORBIDDEN.filter(([, re]) => re.test(code))].map(([name]) => name);
}

describe('no code evaluation anywhere in src/', () => {
  it('the scanner finds each forbidden construct (it can fail)', () => {
    const samples = [
      'eval(x)',
      'globalThis.eval(s)',
      'new Function("return 1")',
      'const f = Function(body)',
      "import vm from 'node:vm'",
      'await import(name)',
      'await import(`./${x}.js`)',
      'require(path)',
      'setTimeout("alert(1)", 1)',
      'x.constructor("return process")',
    ];
    for (const s of samples) expect(forbiddenIn(s), s).not.toEqual([]);
    for (const s of ["import x from './x.js'", "await import('node:fs')", "const msg = 'do not eval(x) here'", "const m = 'import(x)'", '// eval(x) in a comment', 'obj.evaluate(x)']) {
      expect(forbiddenIn(s), s).toEqual([]);
    }
  });

  it('src/ holds none of them', async () => {
    const files = await sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    const hits: string[] = [];
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      // Block comments are blanked file-wide first (they span lines), then each line is checked.
      const lines = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).split('\n');
      lines.forEach((line, i) => {
        for (const name of forbiddenIn(line)) hits.push(`${relative(SRC, f)}:${i + 1}: ${name}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
