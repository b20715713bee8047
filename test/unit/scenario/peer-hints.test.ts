/**
 * Spellings Artillery and k6 users bring get a hint naming rampart's own, at the key's position;
 * the scenario page's table (docs/scenario.md) lists every one of them.
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/index.js';
import { PEER_SPELLINGS } from '../../../src/scenario/peer-hints.js';
import { docsSection } from '../../support/manual.js';

const head = 'name: t\ntarget: http://127.0.0.1:1\n';
const closed = 'load: { vus: 1, duration: 1s }\n';
const journey = (step: string): string => `journeys:\n  - name: j\n    steps:\n${step}`;

/** [what, scenario text, pointer of the problem, a fragment the hint must hold]. */
const cases: [string, string, string, string][] = [
  ['jsonFile', head + closed + journey('      - post: /x\n        jsonFile: a.json\n'), '/journeys/0/steps/0/jsonFile', '`bodyFile: payload.json`'],
  ['cookies on a request', head + closed + journey('      - get: /x\n        cookies: { a: b }\n'), '/journeys/0/steps/0/cookies', '`headers: { cookie:'],
  ['cookie on a request', head + closed + journey('      - get: /x\n        cookie: { a: b }\n'), '/journeys/0/steps/0/cookie', '`headers: { cookie:'],
  ['tls on a request', head + closed + journey('      - get: /x\n        tls: { rejectUnauthorized: false }\n'), '/journeys/0/steps/0/tls', 'insecureSkipTlsVerify: true'],
  ['tls at the top', head + closed + 'tls: { insecure: true }\n' + journey('      - get: /x\n'), '/tls', 'insecureSkipTlsVerify'],
  ['hosts at the top', head + closed + 'hosts: { shop.example.com: 10.0.0.7 }\n' + journey('      - get: /x\n'), '/hosts', '`http: { hosts:'],
  ['tlsAuth at the top', head + closed + 'tlsAuth: [{ cert: c.pem, key: k.pem }]\n' + journey('      - get: /x\n'), '/tlsAuth', '`http: { tls: { cert:'],
  ['vus in a phase', head + 'load:\n  phases:\n    - { duration: 1s, vus: 5 }\n' + journey('      - get: /x\n'), '/load/phases/0/vus', '`load: { vus: 10, duration: 1m }`'],
  ['arrivalRate in a phase', head + 'load:\n  phases:\n    - { duration: 1s, arrivalRate: 5, rampTo: 9 }\n' + journey('      - get: /x\n'), '/load/phases/0/arrivalRate', '`rate` (with `rampTo`'],
  ['arrivalCount in a phase', head + 'load:\n  phases:\n    - { duration: 1s, arrivalCount: 5 }\n' + journey('      - get: /x\n'), '/load/phases/0/arrivalCount', '`arrivals`'],
  ['rampTo in a stage', head + 'load:\n  stages:\n    - { duration: 1s, target: 1, rampTo: 5 }\n' + journey('      - get: /x\n'), '/load/stages/0/rampTo', '`target` VUs'],
  ['executor', head + 'load:\n  executor: constant-vus\n  vus: 1\n  duration: 1s\n' + journey('      - get: /x\n'), '/load/executor', 'no executors'],
  ['maxVusers', head + 'load:\n  maxVusers: 10\n  phases: [{ duration: 1s, rate: 1 }]\n' + journey('      - get: /x\n'), '/load/maxVusers', '`maxVus`'],
  ['expect.header given a map', head + closed + journey('      - get: /x\n        expect: { header: { x-a: b } }\n'), '/journeys/0/steps/0/expect/header', '`headers: { name: value }`'],
  ['expect.json given a map', head + closed + journey('      - get: /x\n        expect: { json: { $.a: 1 } }\n'), '/journeys/0/steps/0/expect/json', '`jsonPaths: { $.id: 1 }`'],
  ['check.header given a map', head + closed + journey('      - get: /x\n        check: { c: { header: { x-a: b } } }\n'), '/journeys/0/steps/0/check/c/header', '`headers: { name: value }`'],
  ['regex in a check', head + closed + journey('      - get: /x\n        check: { c: { regex: "o+k" } }\n'), '/journeys/0/steps/0/check/c/regex', '`body: { matches: "…" }`'],
  ['regex in an expect', head + closed + journey('      - get: /x\n        expect: { regex: "o+k" }\n'), '/journeys/0/steps/0/expect/regex', '`body: { matches: "…" }`'],
  ['setCookies', head + closed + journey('      - get: /x\n        setCookies: { a: b }\n'), '/journeys/0/steps/0/setCookies', 'per-VU jar'],
  ['think as a number', head + closed + journey('      - think: 2\n'), '/journeys/0/steps/0/think', '`think: 2s`'],
  ['capture.as', head + closed + journey('      - get: /x\n        capture: { id: { json: $.id, as: id } }\n'), '/journeys/0/steps/0/capture/id/as', '`capture: { id: { json: $.id } }`'],
  ["Artillery's flat capture", head + closed + journey('      - get: /x\n        capture: { json: $.id, as: id }\n'), '/journeys/0/steps/0/capture/as', '`capture: { id: { json: $.id } }`'],
  ['loop.count beside steps', head + closed + journey('      - loop:\n          - get: /x\n        count: 3\n'), '/journeys/0/steps/0/count', 'inside `loop`'],
  ['a loop given the steps', head + closed + journey('      - loop:\n          - get: /x\n        count: 3\n'), '/journeys/0/steps/0/loop', '`steps:` beside it'],
  ['steps inside loop', head + closed + journey('      - loop: { count: 3, steps: [{ get: /x }] }\n'), '/journeys/0/steps/0/loop/steps', 'beside `loop`'],
  ['ensure at the top', head + closed + 'ensure: { p95: 200 }\n' + journey('      - get: /x\n'), '/ensure', '`thresholds`'],
  ['ensure on a step', head + closed + journey('      - get: /x\n        ensure: { p95: 200 }\n'), '/journeys/0/steps/0/ensure', '`thresholds`'],
  ['config', head + 'config:\n  phases: [{ duration: 1s, arrivalRate: 1 }]\n' + closed + journey('      - get: /x\n'), '/config', 'no `config:` section'],
  ['phases at the top', head + 'phases: [{ duration: 1s, rate: 1 }]\n' + closed + journey('      - get: /x\n'), '/phases', 'under `load:`'],
  ['scenarios', head + closed + 'scenarios: []\n' + journey('      - get: /x\n'), '/scenarios', '`journeys:`'],
  ['flow in a journey', head + closed + 'journeys:\n  - name: j\n    flow: []\n    steps: [{ get: /x }]\n', '/journeys/0/flow', '`steps:`'],
  ['qs', head + closed + journey('      - get: /x\n        qs: { a: 1 }\n'), '/journeys/0/steps/0/qs', '`query:'],
  ['function step', head + closed + journey('      - function: setup\n'), '/journeys/0/steps/0/function', 'no code'],
  ['an Artillery ws connect step', head + closed + journey('      - connect: /ws\n'), '/journeys/0/steps/0/connect', '`ws: { connect: /path'],
  ['an Artillery ws send step', head + closed + journey('      - send: hello\n'), '/journeys/0/steps/0/send', '`ws: { send: "text" }`'],
  ['engine in a journey', head + closed + 'journeys:\n  - name: j\n    engine: ws\n    steps: [{ get: /x }]\n', '/journeys/0/engine', '`ws` steps'],
];

describe('hints for Artillery and k6 spellings', () => {
  it.each(cases)('%s', async (_what, text, pointer, fragment) => {
    const r = await parseScenarioText(text, 's.yaml', { env: {} });
    expect(r.plan).toBeUndefined();
    const p = r.problems.find((x) => x.loc.pointer === pointer);
    expect(p, JSON.stringify(r.problems, null, 1)).toBeDefined();
    expect(p?.hint).toContain(fragment);
    // The hint sits at the key (or value) as written.
    const line = text.split('\n')[(p?.loc.line ?? 0) - 1] ?? '';
    const last = pointer.slice(pointer.lastIndexOf('/') + 1);
    // At the key, or at the value (which may start on the next line).
    expect(text.split('\n').slice(Math.max(0, (p?.loc.line ?? 0) - 2), p?.loc.line).join('\n')).toContain(last);
    expect(line.slice((p?.loc.col ?? 0) - 1)).toMatch(new RegExp(`^(${last}\\b|[^\\s:,}\\]])`));
  });

  it('every spelling is tested here and listed in the table of the scenario page', () => {
    const page = docsSection('scenario');
    const table = page.slice(page.indexOf('## Coming from Artillery or k6'));
    expect(table.length).toBeGreaterThan(100);
    for (const s of PEER_SPELLINGS) expect(table, s.key).toContain(`\`${s.key}\``);
  });
});
