/**
 * Start-up stays short because what a command does not need is not loaded: `--version` and
 * `validate` load neither the engine (undici, hdr-histogram-js) nor anything of a run; checking a
 * valid scenario compiles no schema (the precompiled validators answer); and a run that uses no
 * Kafka, Prometheus output, cookies, CSV data or multipart files does not load kafkajs,
 * prom-client, tough-cookie, csv-parse or mime-types. Each case runs the CLI in a fresh Node
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
const probe = `
  import { createRequire } from 'node:module';
  import { Writable } from 'node:stream';
  const { main } = await import(${JSON.stringify(join(root, 'src/cli/main.ts'))});
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const code = await main(JSON.parse(process.env.PROBE_ARGS), { stdout: sink, stderr: sink, env: {}, cwd: process.cwd() });
  console.log(JSON.stringify({ code, loaded: Object.keys(createRequire(import.meta.url).cache) }));
`;

async function loadedBy(args: readonly string[]): Promise<{ code: number; loaded: string[] }> {
  // The arguments travel in the environment: after -e, Node would read `--version` as its own.
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, timeout: 30_000, env: { ...process.env, PROBE_ARGS: JSON.stringify(args) } });
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

  it('a scenario with a mistake loads ajv to explain it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-lazy-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: bad\nload: { vus: 1, duraton: 1s }\njourneys: [{ name: j, steps: [{ get: / }] }]\n');
    const r = await loadedBy(['validate', file]);
    expect(r.code).toBe(2);
    expect(has(r.loaded, 'ajv/dist/2020.js')).toBe(true);
  }, 40_000);
});
