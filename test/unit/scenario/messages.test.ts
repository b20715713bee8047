import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/index.js';
import { formatProblem } from '../../../src/errors.js';

const head = 'name: t\ntarget: http://127.0.0.1:1\n';
const closed = 'load: { vus: 1, duration: 1s }\n';

async function problems(text: string, env: Record<string, string> = {}) {
  return (await parseScenarioText(text, '/tmp/s.yaml', { env })).problems;
}

describe('problem messages', () => {
  it('suggests the closest key for a typo and places it at the key', async () => {
    const [p] = await problems(`${head}load:\n  phases:\n    - duration: 10s\n      rate: 1\n      rampTO: 5\njourneys: [{ name: j, steps: [{ get: /x }] }]\n`);
    expect(p?.code).toBe('RAMPART_UNKNOWN_KEY');
    expect(p?.hint).toBe('did you mean `rampTo`?');
    expect(p?.loc).toMatchObject({ line: 7, col: 7, pointer: '/load/phases/0/rampTO' });
    expect(formatProblem(p!)).toBe(
      '/tmp/s.yaml:7:7: unknown key `rampTO` in `phases[0]` (at /load/phases/0/rampTO) [RAMPART_UNKNOWN_KEY]\n  hint: did you mean `rampTo`?',
    );
  });

  it('collapses an anyOf into one message naming the accepted forms', async () => {
    const ps = await problems(`${head}${closed}journeys: [{ name: j, steps: [{ think: true }] }]\n`);
    expect(ps).toHaveLength(1);
    expect(ps[0]?.message).toBe('expected a duration, an object {min, max} or an object {duration, jitter}, got boolean true');
  });

  it('explains a bare number where a duration is needed', async () => {
    const [p] = await problems(`${head}load: { vus: 1, duration: 30 }\njourneys: [{ name: j, steps: [{ get: /x }] }]\n`);
    expect(p?.code).toBe('RAMPART_DURATION');
    expect(p?.hint).toBe('add a unit: `30s` or `30ms`');
  });

  it('reports every problem, sorted by position', async () => {
    const ps = await problems(`${head}http: { timeout: 5 }\nload: { vus: 1, duration: 1s, stagez: [] }\njourneys: [{ name: j, wieght: 2, steps: [{ get: /x }] }]\n`);
    expect(ps.map((p) => p.loc.pointer)).toEqual(['/http/timeout', '/load/stagez', '/journeys/0/wieght']);
    expect(ps[2]?.hint).toBe('did you mean `weight`?');
  });

  it('gives the position of an unknown variable inside the string', async () => {
    const [p] = await problems(`${head}${closed}journeys:\n  - name: j\n    steps:\n      - get: /a/{{ vu.id }}/{{ nope }}\n`);
    expect(p?.code).toBe('RAMPART_TEMPLATE');
    expect(p?.loc).toMatchObject({ line: 7, col: 32 }); // `      - get: /a/{{ vu.id }}/{{ ` is 31 characters
  });

  it('names the capture used too early and where it is set', async () => {
    const [p] = await problems(`${head}${closed}journeys:\n  - name: j\n    steps:\n      - get: "/o/{{ id }}"\n      - post: /o\n        capture: { id: { json: $.id } }\n`);
    expect(p?.code).toBe('RAMPART_CAPTURE_ORDER');
    expect(p?.message).toContain('line 9');
  });

  it('knows setup captures, data feeders, loop variables and built-ins', async () => {
    const ps = await problems(
      `${head}${closed}setup: [{ post: /login, capture: { token: { json: $.t } } }]\ndata: { u: { rows: [{ e: a }] } }\njourneys:\n  - name: j\n    steps:\n      - loop: { over: [1, 2], as: n }\n        steps: [{ get: "/x/{{ n }}/{{ n_index }}/{{ token }}/{{ u.e }}/{{ vu.id }}/{{ iteration }}" }]\n`,
    );
    expect(ps).toEqual([]);
  });

  it('rejects a threshold on a check that no request declares', async () => {
    const [p] = await problems(`${head}${closed}journeys: [{ name: j, steps: [{ get: /x, check: { fast: { maxLatency: 1s } } }] }]\nthresholds:\n  "checks{check:fats}": ["rate > 0.9"]\n`);
    expect(p?.code).toBe('RAMPART_THRESHOLD');
    expect(p?.hint).toBe('did you mean `fast`?');
  });

  it('rejects an unknown --environment with the declared ones', async () => {
    const r = await parseScenarioText(`${head}${closed}environments: { staging: { target: "https://s.example" } }\njourneys: [{ name: j, steps: [{ get: /x }] }]\n`, '/tmp/s.yaml', { env: {}, environment: 'stagin' });
    expect(r.problems[0]?.hint).toBe('did you mean `staging`?');
  });

  it('with schema problems, still reports the semantic ones that stand on their own', async () => {
    const ps = await problems(
      `${head}${closed}data: { u: { file: /nonexistent/rampart/u.csv } }\njourneys:\n  - name: j\n    stepz: []\n  - name: k\n    steps: [{ get: "/{{ nope }}", think: 1s }]\nthresholds:\n  http.latency: ["p(95) <"]\n`,
    );
    expect(ps.map((p) => [p.code, p.loc.pointer])).toEqual([
      ['RAMPART_DATA_FILE', '/data/u/file'],
      ['RAMPART_UNKNOWN_KEY', '/journeys/0/stepz'], // "did you mean `steps`?" — so no separate "missing steps"
      ['RAMPART_SEMANTIC', '/journeys/1/steps/0/think'],
      ['RAMPART_THRESHOLD', '/thresholds/http.latency/0'],
    ]);
  });
});
