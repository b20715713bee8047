/** `ws` steps in a scenario: parts, defaults, what a message can be matched on, thresholds on ws metrics. */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/index.js';

const head = 'name: t\ntarget: http://127.0.0.1:1\nload: { vus: 1, duration: 1s }\njourneys:\n  - name: j\n    steps:\n';
const parse = (steps: string, tail = '') => parseScenarioText(`${head}${steps}${tail}`, '/tmp/s.yaml', { env: {} });

describe('ws steps in a scenario', () => {
  it('normalizes connect, send, until, capture and close, with defaults and names', async () => {
    const r = await parse(
      '      - ws: { connect: "/orders/ws?t={{ vu.id }}", headers: { Authorization: "Bearer x" } }\n' +
        '      - name: done\n        ws: { send: { json: { subscribe: "{{ vu.id }}" } }, until: { json: $.status, equals: done }, timeout: 3s, close: true }\n        capture: { st: { json: $.status } }\n        tags: { channel: orders }\n' +
        '      - ws: { send: "{{ st }}" }\n',
    );
    expect(r.problems).toEqual([]);
    const [a, b, c] = r.plan?.journeys[0]?.steps ?? [];
    expect(a).toMatchObject({ kind: 'ws', name: 'ws /orders/ws?t={{ vu.id }}', timeoutMs: 10_000, close: false, captures: [] });
    expect(a?.kind === 'ws' ? a.connect?.headers.map(([k]) => k) : []).toEqual(['authorization']);
    expect(b).toMatchObject({ kind: 'ws', name: 'done', timeoutMs: 3_000, close: true, tags: { channel: 'orders' }, send: { kind: 'json' }, captures: [{ kind: 'json', as: 'st' }] });
    expect(b?.kind === 'ws' ? b.until?.map((m) => m.kind) : []).toEqual(['json']);
    // A capture of an earlier ws step is known to the later ones; a bare string is a text message.
    expect(c).toMatchObject({ kind: 'ws', name: 'ws send', send: { kind: 'text' } });
  });

  it('takes thresholds on ws metrics by step and checks their aggregations', async () => {
    const steps = '      - name: w\n        ws: { connect: /ws, until: { body: { contains: ok } } }\n';
    const ok = await parse(steps, 'thresholds:\n  "ws.message{step:w}": ["p(95) < 1s"]\n  "ws.connect": ["avg < 100ms"]\n  "ws.errors{error:timeout}": ["rate == 0"]\n');
    expect(ok.problems).toEqual([]);
    const bad = await parse(steps, 'thresholds:\n  "ws.errors": ["p(95) < 1s"]\n  "ws.message{step:x}": ["p(95) < 1s"]\n');
    expect(bad.problems.map((p) => [p.message, p.loc.line, p.loc.col])).toEqual([
      ['`p(95)` does not apply to a rate metric (in `p(95) < 1s`)', 10, 17],
      ['no step named `x` in this scenario', 11, 3],
    ]);
  });

  it('refuses a ws step that does nothing and a capture without until, at their positions; an HTTP key is unknown', async () => {
    const r = await parse('      - ws: {}\n      - ws: { send: x }\n        capture: { a: { regex: "(.)" } }\n');
    expect(r.plan).toBeUndefined();
    expect(r.problems.map((p) => [p.loc.pointer, p.loc.line])).toEqual([
      ['/journeys/0/steps/0/ws', 7],
      ['/journeys/0/steps/1/capture', 9],
    ]);
    const key = await parse('      - { ws: { close: true }, expect: { status: 200 } }\n');
    expect(key.problems.map((p) => [p.message, p.loc.line, p.loc.col])).toEqual([['unknown key `expect` in `steps[0]`', 7, 32]]);
  });
});
