/**
 * Start-up stays short because what a command does not need is not loaded: `--version` and
 * `validate` load neither the engine (undici, hdr-histogram-js) nor anything of a run; checking a
 * valid scenario compiles no schema (the precompiled validators answer); and a run that uses no
 * Kafka, Prometheus output, cookies, CSV data or multipart files does not load kafkajs,
 * prom-client, tough-cookie, csv-parse or mime-types; nor undici's index (only its connection) nor
 * the histogram library's (only its WebAssembly histograms). Each case runs the CLI in a fresh Node
 * process and lists the CommonJS modules it loaded.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// With PROBE_SERVE set, the probe answers HTTP on 127.0.0.1 and puts its URL in place of {target}.
const probe = `
  import { createRequire } from 'node:module';
  import { createServer } from 'node:http';
  import { EventEmitter } from 'node:events';
  import { Writable } from 'node:stream';
  const { main } = await import(${JSON.stringify(join(root, 'src/cli/main.ts'))});
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  let args = JSON.parse(process.env.PROBE_ARGS);
  let server;
  if (process.env.PROBE_SERVE) {
    server = createServer((_q, s) => s.end('ok'));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    args = args.map((a) => a.replace('{target}', 'http://127.0.0.1:' + server.address().port));
  }
  const code = await main(args, { stdout: sink, stderr: sink, env: {}, cwd: process.cwd(), signals: new EventEmitter() });
  server?.close();
  console.log(JSON.stringify({ code, loaded: Object.keys(createRequire(import.meta.url).cache) }));
`;

async function loadedBy(args: readonly string[], serve = false): Promise<{ code: number; loaded: string[] }> {
  // The arguments travel in the environment: after -e, Node would read `--version` as its own.
  const env = { ...process.env, PROBE_ARGS: JSON.stringify(args), ...(serve ? { PROBE_SERVE: '1' } : {}) };
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, timeout: 30_000, env });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as { code: number; loaded: string[] };
}
const has = (loaded: readonly string[], path: string): boolean => loaded.some((f) => f.includes(`/node_modules/${path}`));

describe('what a command loads', () => {
  it('validating a valid scenario compiles no schema and loads no Kafka, Prometheus, cookie or CSV library', async () => {
    const r = await loadedBy(['validate', 'scenarios/smoke.yaml']);
    expect(r.code).toBe(0);
    expect(has(r.loaded, 'yaml/')).toBe(true); // the probe sees what was loaded
    for (const lib of ['ajv/dist/2020.js', 'ajv/dist/core.js', 'kafkajs/', 'prom-client/', 'tough-cookie/', 'csv-parse/', 'mime-types/', 'undici/', 'hdr-histogram-js/']) expect(has(r.loaded, lib), lib).toBe(false);
  }, 40_000);

  it('--version loads the command line parser, not the engine', async () => {
    const r = await loadedBy(['--version']);
    expect(r.code).toBe(0);
    expect(has(r.loaded, 'commander/')).toBe(true);
    for (const lib of ['undici/', 'hdr-histogram-js/', 'kafkajs/', 'prom-client/', 'ioredis/', 'fastify/']) expect(has(r.loaded, lib), lib).toBe(false);
  }, 40_000);

  it('importing a recording loads neither the engine nor the services', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-lazy-'));
    const r = await loadedBy(['import', 'har', join(root, 'test/fixtures/import/storefront.har'), '-o', join(dir, 'out.yaml')]);
    expect(r.code).toBe(0);
    expect(has(r.loaded, 'yaml/')).toBe(true);
    for (const lib of ['undici/', 'hdr-histogram-js/', 'kafkajs/', 'prom-client/', 'ioredis/', 'fastify/']) expect(has(r.loaded, lib), lib).toBe(false);
  }, 40_000);

  it("a run loads undici's connection and the histograms, not the whole of either package", async () => {
    // undici's index (fetch, WebSocket, the cache, mocks) was the largest single cost of a run's start.
    const dir = await mkdtemp(join(tmpdir(), 'rampart-lazy-'));
    const file = join(dir, 'run.yaml');
    await writeFile(file, 'name: lazy\nwarmUp: false\nload: { vus: 1, iterations: 2 }\njourneys: [{ name: j, steps: [{ get: /, expect: { status: 200 } }] }]\n');
    const r = await loadedBy(['run', file, '--target', '{target}', '--quiet'], true);
    expect(r.code).toBe(0);
    expect(has(r.loaded, 'undici/lib/dispatcher/client.js')).toBe(true); // the probe sees the run's modules
    expect(has(r.loaded, 'hdr-histogram-js/dist/wasm/index.js')).toBe(true);
    for (const lib of ['undici/index.js', 'undici/lib/web/', 'hdr-histogram-js/dist/index.js', 'hdr-histogram-js/dist/HistogramLogWriter.js']) expect(has(r.loaded, lib), lib).toBe(false);
  }, 40_000);

  it('a scenario with a mistake loads ajv to explain it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-lazy-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: bad\nload: { vus: 1, duraton: 1s }\njourneys: [{ name: j, steps: [{ get: / }] }]\n');
    const r = await loadedBy(['validate', file]);
    expect(r.code).toBe(2);
    expect(has(r.loaded, 'ajv/dist/2020.js')).toBe(true);
  }, 40_000);
});
