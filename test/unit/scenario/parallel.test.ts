/** `parallel` in a scenario: requests only, no capture of one used by another, distinct names. */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/index.js';

const head = 'name: t\ntarget: http://127.0.0.1:1\nload: { vus: 1, duration: 1s }\njourneys:\n  - name: j\n    steps:\n';
const parse = (steps: string) => parseScenarioText(`${head}${steps}`, '/tmp/s.yaml', { env: {} });

describe('parallel steps in a scenario', () => {
  it('normalizes into requests whose captures the later steps may use', async () => {
    const r = await parse('      - parallel:\n          - { get: /a, capture: { a: { json: $.id } } }\n          - { name: b, post: /b }\n      - get: "/c/{{ a }}"\n');
    expect(r.problems).toEqual([]);
    const step = r.plan?.journeys[0]?.steps[0];
    expect(step?.kind).toBe('parallel');
    expect(step?.kind === 'parallel' ? step.requests.map((q) => [q.method, q.name]) : []).toEqual([['GET', 'GET /a'], ['POST', 'b']]);
  });

  it('refuses a request that uses the capture of another request of the same step', async () => {
    const r = await parse('      - parallel:\n          - { get: /a, capture: { a: { json: $.id } } }\n          - { get: "/b/{{ a }}" }\n');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.message).toMatch(/`a` is used before/);
    expect(r.problems[0]?.loc.pointer).toBe('/journeys/0/steps/0/parallel/1/get');
  });

  it('refuses two requests with the same name, and anything but requests', async () => {
    const dup = await parse('      - parallel:\n          - { get: /a }\n          - { get: /a }\n');
    expect(dup.problems.map((p) => p.message)).toEqual(['two requests of this parallel step are named `GET /a`: their metrics would mix']);
    const think = await parse('      - parallel:\n          - { think: 1s }\n');
    expect(think.plan).toBeUndefined();
    expect(think.problems.map((p) => [p.message, p.loc.pointer])).toEqual([['a parallel step holds requests only: get, post, put, patch, delete, head or options', '/journeys/0/steps/0/parallel/0']]);
  });
});
