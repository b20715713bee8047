import { describe, expect, it } from 'vitest';
import { refusedUrl, runCli, scenarioFile } from '../support/run-helpers.js';

describe('rampart run --workers: warnings', () => {
  it('says a failure bound once: the merged run judges it, not each worker', async () => {
    const target = await refusedUrl();
    const { dir, file } = await scenarioFile(`
name: nothing-answers
target: http://127.0.0.1:1
load:
  vus: 2
  iterations: 4
journeys:
  - name: j
    steps:
      - { name: s, get: /x }
`);
    const r = await runCli(['run', file, '--target', target, '--workers', '2', '--quiet'], { cwd: dir, env: {} });
    expect(r.code).toBe(1);
    const said = r.stderr.split('\n').filter((l) => l.includes('no request got an HTTP answer'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^warning: no request got an HTTP answer/);
  });
});
