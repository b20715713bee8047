/**
 * Every malformed scenario of the corpus (≥ 150) is rejected through `main()` — `validate` and
 * `run` — with file:line:col, a JSON pointer, a code and a message; exit 2; no stack trace; and not
 * one request or connection reaches the target. The slowest case is printed (not asserted: the
 * machine is shared).
 */
import { EventEmitter } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import type { Problem } from '../../src/errors.js';
import { buildCorpus, MUTATIONS, VALID_DIR, type CorpusCase } from './malformed-corpus.js';
import { expectNoStack, startCountingServer, type CountingServer } from './support.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function cli(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIo = { stdout, stderr, env, cwd, signals: new EventEmitter() };
  const t = performance.now();
  const code = await main(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text, ms: performance.now() - t };
}

let corpus: { dir: string; cases: CorpusCase[] };
let target: CountingServer;
const timings: { name: string; command: string; ms: number }[] = [];

beforeAll(async () => {
  corpus = await buildCorpus();
  target = await startCountingServer();
});
afterAll(async () => {
  await target.close();
  await rm(corpus.dir, { recursive: true, force: true });
  // Reported, not asserted: a shared machine makes timings noisy. The first call compiles the schema.
  const warm = timings.slice(1);
  const slow = [...warm].sort((a, b) => b.ms - a.ms).slice(0, 3);
  const p99 = [...warm].sort((a, b) => a.ms - b.ms)[Math.floor(warm.length * 0.99)]?.ms ?? 0;
  console.log(
    `malformed corpus: ${corpus.cases.length} files, ${timings.length} rejections; first call ${timings[0]?.ms.toFixed(1)} ms (schema compile); ` +
      `then p99 ${p99.toFixed(1)} ms, max ${slow[0]?.ms.toFixed(1)} ms; slowest: ${slow.map((x) => `${x.command} ${x.name} ${x.ms.toFixed(1)} ms`).join(', ')}`,
  );
});

describe('the malformed corpus', () => {
  it('has at least 150 files, every mutation applied to every valid fixture', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(150);
    expect(corpus.cases.filter((c) => c.name.includes('~')).length).toBe(readdirSync(VALID_DIR).filter((f) => f.endsWith('.yaml')).length * Object.keys(MUTATIONS).length);
  });

  it('validate --json: every file invalid, every problem placed (file:line:col, JSON pointer) with a code and a message', async () => {
    const issues: string[] = [];
    for (const c of corpus.cases) {
      const r = await cli(['validate', '--json', c.file], corpus.dir);
      timings.push({ name: c.name, command: 'validate', ms: r.ms });
      expect(r.code, c.name).toBe(2);
      expectNoStack(r.stderr);
      const out = JSON.parse(r.stdout) as { valid: boolean; files: { valid: boolean; problems: Problem[] }[] };
      expect(out.valid, c.name).toBe(false);
      const problems = out.files[0]?.problems ?? [];
      expect(problems.length, c.name).toBeGreaterThan(0);
      for (const p of problems) {
        const where = `${c.name}: ${p.message}`;
        if (!/^RAMPART_[A-Z_]+$/.test(p.code)) issues.push(`${where}: code ${p.code}`);
        if (p.message.length < 10) issues.push(`${where}: message too short`);
        // The scenario, or a file it names (a body file) whose problems point into it.
        if (!/\.ya?ml$/.test(p.loc.file) && !existsSync(resolve(corpus.dir, p.loc.file))) issues.push(`${where}: file ${p.loc.file}`);
        if (!(p.loc.line >= 1 && p.loc.col >= 1)) issues.push(`${where}: at ${p.loc.line}:${p.loc.col}`);
        if (typeof p.loc.pointer !== 'string' || !/^(\/.*)?$/.test(p.loc.pointer)) issues.push(`${where}: no JSON pointer (${p.code})`);
      }
    }
    expect(issues).toEqual([]);
  });

  it('validate (text) and run: exit 2, one file:line:col line per problem, no stack, nothing sent', async () => {
    for (const c of corpus.cases) {
      const v = await cli(['validate', c.file], corpus.dir);
      expect(v.code, c.name).toBe(2);
      expect(v.stdout, c.name).toMatch(/\.[a-z]+:\d+:\d+: .+ \[RAMPART_[A-Z_]+\]/);
      expectNoStack(v.stdout + v.stderr);

      // The fixtures take their target from ${TARGET_URL:-…}: aim them all at the counting server.
      const r = await cli(['run', c.file, '--quiet'], corpus.dir, { TARGET_URL: target.url });
      timings.push({ name: c.name, command: 'run', ms: r.ms });
      expect(r.code, `${c.name}\n${r.stderr}`).toBe(2);
      expect(r.stderr, c.name).toMatch(/\.[a-z]+:\d+:\d+: .+ \[RAMPART_[A-Z_]+\]/);
      expect(r.stderr, c.name).toContain('nothing was sent');
      expect(r.stdout, c.name).toBe('');
      expectNoStack(r.stderr);
    }
    expect(target.requests()).toBe(0);
    expect(target.connections()).toBe(0);
  });
});
