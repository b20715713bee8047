/**
 * bin/rampart.js runs the CLI from dist/bundle/ (scripts/bundle.mjs), a few chunks instead of the
 * ~200 compiled modules, for a shorter start. What finds files next to its own module must still
 * find them from a chunk: package.json (the version), the schemas, the precompiled validators'
 * ajv runtime, uPlot for the HTML report, undici's and the histograms' files, and the worker
 * threads' entry. This builds the project as `npm ci` does and runs the built CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundle = join(root, 'dist/bundle');

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(args: readonly string[]): Promise<Ran> {
  return promisify(execFile)(process.execPath, [join(root, 'bin/rampart.js'), ...args], { cwd: root, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );
}

let target: TargetServer;
let dir: string;

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: root, timeout: 240_000 });
  target = await startTargetServer();
  dir = await mkdtemp(join(tmpdir(), 'rampart-bundle-'));
}, 250_000);

afterAll(async () => {
  await target?.close();
});

describe('the built CLI (dist/bundle)', () => {
  it('is what bin/rampart.js loads, and every chunk of it loads', async () => {
    const bin = await readFile(join(root, 'bin/rampart.js'), 'utf8');
    expect(bin).toContain("import('../dist/bundle/main.js')");
    // Before the bundle, only the leaf module that keeps garbage collection on the main thread
    // with one CPU (V8 takes those flags safely only before any collection is under way).
    expect(bin.indexOf("from '../dist/src/engine/gc-threads.js'")).toBeGreaterThan(0);
    expect(bin.indexOf("from '../dist/src/engine/gc-threads.js'")).toBeLessThan(bin.indexOf("import('../dist/bundle/main.js')"));
    const leaf = await readFile(join(root, 'dist/src/engine/gc-threads.js'), 'utf8');
    expect([...leaf.matchAll(/from '([^']+)'/g)].map((m) => m[1])).toEqual(['node:os', 'node:v8']);
    const chunks = (await readdir(bundle)).filter((f) => f.endsWith('.js'));
    expect(chunks).toContain('main.js');
    const script = `for (const f of ${JSON.stringify(chunks.map((f) => join(bundle, f)))}) await import(f); console.log('loaded');`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root, timeout: 30_000 });
    expect(stdout.trim()).toBe('loaded');
  });

  it("inflates the histograms' WebAssembly with Node's zlib: pako is not in the bundle", async () => {
    const sources: string[] = [];
    for (const f of (await readdir(bundle)).filter((x) => x.endsWith('.js.map'))) {
      sources.push(...(JSON.parse(await readFile(join(bundle, f), 'utf8')) as { sources: string[] }).sources);
    }
    // The library's own source maps lead back to its TypeScript.
    expect(sources.some((s) => /hdr-histogram-js\/(src|dist)\/wasm\/index\.(ts|js)$/.test(s))).toBe(true);
    expect(sources.some((s) => s.endsWith('scripts/pako-on-zlib.mjs'))).toBe(true);
    expect(sources.filter((s) => s.includes('node_modules/pako/'))).toEqual([]);
  });

  it('reads its version from package.json', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('validates with the precompiled validators, and explains a mistake from the schema', async () => {
    expect((await cli(['validate', 'scenarios/smoke.yaml'])).code).toBe(0);
    const file = join(dir, 'typo.yaml');
    await writeFile(file, 'name: t\nload: { vus: 1, iterations: 1 }\njourneys:\n  - name: j\n    steps:\n      - get: /\n        expct: { status: 200 }\n');
    const r = await cli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain('typo.yaml:7:9');
    expect(r.stdout + r.stderr).toContain('did you mean `expect`?');
  });

  it('runs a load on worker threads and writes the HTML and JSON reports', async () => {
    const file = join(dir, 'run.yaml');
    await writeFile(file, 'name: bundled\nload: { vus: 2, iterations: 20 }\njourneys: [{ name: j, steps: [{ get: /text, expect: { status: 200 } }] }]\n');
    const json = join(dir, 'run.json');
    const html = join(dir, 'run.html');
    const r = await cli(['run', file, '--target', target.url, '--quiet', '--workers', '2', '--report', `json=${json},html=${html}`]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as Report;
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(report.rampart.version).toBe(version);
    expect(report.verdict).toBe('passed');
    expect(report.journeys?.[0]).toMatchObject({ name: 'j', completed: 20 });
    // The threads' histograms, merged in the CLI's process (its WebAssembly inflated by the bundle's zlib).
    const latency = report.series.filter((x) => x.metric === 'http.latency');
    expect(latency.reduce((n, x) => n + x.count, 0)).toBe(20);
    expect(latency.every((x) => x.p99 >= x.p50 && x.p50 > 0)).toBe(true);
    expect(target.hits.get('/text')).toBeGreaterThanOrEqual(20);
    // The HTML report inlines uPlot, read from node_modules next to the compiled module.
    expect(await readFile(html, 'utf8')).toContain('uPlot');
  });
});
