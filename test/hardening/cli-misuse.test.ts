/**
 * Bad command-line use gets one clear line and exit 2 (3 for a report path that cannot be written),
 * before any load is sent: a counting target proves that not one request or connection reached it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-helpers.js';
import { expectNoStack, startCountingServer, type CountingServer } from './support.js';

let dir: string;
let scenario: string;
let target: CountingServer;

beforeAll(async () => {
  target = await startCountingServer();
  dir = await mkdtemp(join(tmpdir(), 'rampart-cli-misuse-'));
  scenario = join(dir, 'ok.yaml');
  await writeFile(
    scenario,
    `name: ok\ntarget: ${target.url}\nload: { phases: [{ duration: 2s, rate: 20 }] }\njourneys:\n  - name: j\n    steps: [{ get: /x }]\nenvironments:\n  staging: { target: ${target.url} }\n`,
  );
  await writeFile(join(dir, 'a-file'), 'not a directory');
  await mkdir(join(dir, 'a-dir'));
  // A FIFO would block a reader forever: it must be refused from its type, never opened.
  execFileSync('mkfifo', [join(dir, 'a-fifo')]);
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

interface Case {
  readonly name: string;
  readonly args: () => string[];
  readonly code: number;
  /** What the message must say. */
  readonly says: RegExp;
}

const cases: readonly Case[] = [
  { name: 'a missing scenario file (run)', args: () => ['run', join(dir, 'nope.yaml')], code: 2, says: /no such file: .*nope\.yaml/ },
  { name: 'a missing scenario file (validate)', args: () => ['validate', join(dir, 'nope.yaml')], code: 2, says: /no such file: .*nope\.yaml/ },
  { name: 'a directory as the scenario', args: () => ['run', join(dir, 'a-dir')], code: 2, says: /a-dir is not a file/ },
  { name: 'a scenario path through a regular file', args: () => ['run', join(dir, 'a-file', 'x.yaml')], code: 2, says: /cannot read .*a-file\/x\.yaml/ },
  { name: 'a scenario path through a regular file (validate)', args: () => ['validate', join(dir, 'a-file', 'x.yaml')], code: 2, says: /cannot read .*a-file\/x\.yaml/ },
  { name: 'a FIFO as the scenario', args: () => ['run', join(dir, 'a-fifo')], code: 2, says: /a-fifo is not a file/ },
  { name: 'no scenario argument', args: () => ['run'], code: 2, says: /missing required argument 'scenario'/ },
  { name: 'an unknown flag', args: () => ['run', scenario, '--bogus'], code: 2, says: /unknown option '--bogus'/ },
  { name: 'an unknown command', args: () => ['rnu', scenario], code: 2, says: /unknown command 'rnu'/ },
  { name: '--env without =', args: () => ['run', scenario, '--env', 'TARGET'], code: 2, says: /--env expects KEY=VALUE, got "TARGET"/ },
  { name: '--env with an empty name', args: () => ['run', scenario, '--env', '=x'], code: 2, says: /--env expects KEY=VALUE/ },
  { name: '--env with a bad name', args: () => ['run', scenario, '--env', '1A-B=x'], code: 2, says: /"1A-B" is not a variable name/ },
  { name: '--env without a value', args: () => ['run', scenario, '--env'], code: 2, says: /option '--env <KEY=VALUE>' argument missing/ },
  { name: '--seed that is not a number', args: () => ['run', scenario, '--seed', 'abc'], code: 2, says: /--seed expects a non-negative integer, got "abc"/ },
  { name: '--seed negative', args: () => ['run', scenario, '--seed', '-1'], code: 2, says: /--seed expects a non-negative integer/ },
  { name: '--target not a URL', args: () => ['run', scenario, '--target', 'localhost'], code: 2, says: /--target must be an absolute http\(s\) URL, got "localhost"/ },
  { name: '--target ftp://', args: () => ['run', scenario, '--target', 'ftp://127.0.0.1/'], code: 2, says: /--target must be an http\(s\) URL/ },
  { name: 'an unknown --environment', args: () => ['run', scenario, '--environment', 'prod'], code: 2, says: /no environment named `prod`.*\n {2}hint: environments: staging/ },
  { name: '--out is a directory', args: () => ['run', scenario, '--out', join(dir, 'a-dir')], code: 3, says: /cannot write a report to .*a-dir: it is a directory \[RAMPART_REPORT_WRITE\]/ },
  { name: '--out below a regular file', args: () => ['run', scenario, '--out', join(dir, 'a-file', 'report.json')], code: 3, says: /cannot write a report to .*a-file\/report\.json.*\[RAMPART_REPORT_WRITE\]/ },
  { name: '--out on a read-only file system', args: () => ['run', scenario, '--out', '/proc/rampart-report.json'], code: 3, says: /cannot write a report to \/proc\/rampart-report\.json.*\[RAMPART_REPORT_WRITE\]/ },
];

describe('bad command-line use', () => {
  for (const c of cases) {
    it(`${c.name}: exit ${c.code}, a clear message, nothing sent`, async () => {
      const before = target.connections();
      const r = await runCli(c.args(), { cwd: dir });
      const text = r.stdout + r.stderr;
      expect(r.code, text).toBe(c.code);
      expect(text).toMatch(c.says);
      expectNoStack(text);
      expect(text.length).toBeLessThan(2000);
      // The load would have started within milliseconds; give it time to show, had it started.
      await new Promise((res) => setTimeout(res, 50));
      expect(target.connections()).toBe(before);
      expect(target.requests()).toBe(0);
    });
  }

  it('leaves no probe or temp file behind in the report directory', async () => {
    expect((await readdir(dir)).sort()).toEqual(['a-dir', 'a-fifo', 'a-file', 'ok.yaml']);
    expect(await readdir(join(dir, 'a-dir'))).toEqual([]);
  });

  it('a good command line does send (the counting target can see load)', async () => {
    const r = await runCli(['run', scenario, '--quiet', '--env', 'X=1', '--seed', '7', '--environment', 'staging'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(target.requests()).toBeGreaterThan(20);
  });
});
