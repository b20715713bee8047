/** Several load blocks in one scenario: what they normalize to, and the mistakes named at their place. */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/index.js';

const journeys = 'journeys:\n  - { name: browse, steps: [{ get: /a }] }\n  - { name: buy, steps: [{ get: /b }] }\n';
const parse = (load: string, extra = '') => parseScenarioText(`name: t\ntarget: http://127.0.0.1:1\nload:\n${load}${journeys}${extra}`, '/tmp/s.yaml', { env: {} });

describe('load blocks', () => {
  it('normalize into blocks of open and closed models; their phase names are the phase tags thresholds use', async () => {
    const r = await parse(
      '  - { name: browsers, journeys: [browse], phases: [{ name: browsing, duration: 1m, rate: 50 }] }\n  - { name: buyers, journeys: [buy], vus: 5, duration: 1m }\n',
      'thresholds:\n  "http.latency{phase:browsing}": "p(95) < 1s"\n  "http.latency{phase:buyers-stage-1}": "p(95) < 1s"\n',
    );
    expect(r.problems).toEqual([]);
    const load = r.plan?.load;
    expect(load?.model).toBe('blocks');
    if (load?.model !== 'blocks') return;
    expect(load.blocks.map((b) => [b.name, b.journeys, b.load.model])).toEqual([
      ['browsers', ['browse'], 'open'],
      ['buyers', ['buy'], 'closed'],
    ]);
  });

  it('names a journey that does not exist, one that no block runs, and a phase name two blocks share', async () => {
    const r = await parse('  - { name: a, journeys: [brwse], phases: [{ name: p, duration: 1s, rate: 1 }] }\n  - { name: b, journeys: [browse], phases: [{ name: p, duration: 1s, rate: 1 }] }\n');
    expect(r.problems.map((p) => [p.message, p.loc.pointer])).toEqual([
      ['journey `buy` is in no load block: it would never run', '/load'],
      ['no journey is named `brwse`', '/load/0/journeys/0'],
      ['the phase name `p` is used by two load blocks: it is the `phase` tag, so it must be unique', '/load/1/phases/0/name'],
    ]);
  });

  it('refuses two models in one block, a block without journeys, and two blocks with one name', async () => {
    const mixed = await parse('  - { name: a, journeys: [browse, buy], phases: [{ duration: 1s, rate: 1 }], vus: 3 }\n');
    expect(mixed.problems.map((p) => p.message)).toEqual(['unknown key `vus` in `load[0]`']);
    const bare = await parse('  - { name: a, vus: 1, duration: 1s }\n');
    expect(bare.problems.map((p) => p.message)).toContain('missing required key `journeys`');
    const twice = await parse('  - { name: a, journeys: [browse], vus: 1, duration: 1s }\n  - { name: a, journeys: [buy], vus: 1, duration: 1s }\n');
    expect(twice.problems.map((p) => p.message)).toContain('two load blocks are named `a`');
  });
});
