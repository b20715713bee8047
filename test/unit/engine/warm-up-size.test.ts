import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/index.js';
import { warmUpSize, WARM_UP_ITERATIONS, WARM_UP_MIN_ITERATIONS, WARM_UP_OPEN_RATE } from '../../../src/engine/warm-up.js';

async function sizeOf(load: string, http = '') {
  const text = `name: s\ntarget: http://127.0.0.1:1\n${http}load: ${load}\njourneys:\n  - name: j\n    steps:\n      - get: /\n`;
  const parsed = await parseScenarioText(text, 's.yaml', { env: {} }, '/s.yaml');
  if (parsed.plan === undefined) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return warmUpSize(parsed.plan);
}

describe('the warm-up a plan gets', () => {
  it('is the full warm-up, with open arrivals, for thousands of arrivals a second', async () => {
    const s = await sizeOf('{ phases: [{ duration: 10s, rate: 5000 }] }');
    expect(s.iterations).toBe(WARM_UP_ITERATIONS);
    expect(s.openRate).toBe(WARM_UP_OPEN_RATE);
  });

  it('follows a ramp to its top, and a modest open rate', async () => {
    expect((await sizeOf('{ phases: [{ duration: 10s, rate: 1, rampTo: 5000 }] }')).iterations).toBe(WARM_UP_ITERATIONS);
    const s = await sizeOf('{ phases: [{ duration: 10s, rate: 400 }] }');
    expect(s.iterations).toBe(200);
    expect(s.openRate).toBe(400);
  });

  it('is small for a few VUs, smallest for a run of a few iterations, and has no open block for a closed load', async () => {
    const five = await sizeOf('{ vus: 5, duration: 10s }');
    expect(five.iterations).toBe(250);
    expect(five.openRate).toBe(0);
    expect((await sizeOf('{ vus: 1, iterations: 3 }')).iterations).toBe(WARM_UP_MIN_ITERATIONS);
    expect((await sizeOf('{ vus: 100, duration: 10s }')).iterations).toBe(WARM_UP_ITERATIONS);
  });

  it('uses at most 16 VUs, and fewer when the plan has fewer connections', async () => {
    expect((await sizeOf('{ vus: 100, duration: 10s }')).vus).toBe(16);
    expect((await sizeOf('{ vus: 100, duration: 10s }', 'http: { connections: 4 }\n')).vus).toBe(4);
  });
});
