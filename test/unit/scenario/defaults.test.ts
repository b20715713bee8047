import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/index.js';
import { parseDuration, parseFraction, parseSize } from '../../../src/scenario/units.js';
import type { Plan, Step } from '../../../src/scenario/plan.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking untyped JSON Schema nodes
type Node = any;
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../../schemas/scenario.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, Node>; properties: Record<string, Node> };
const d = schema.$defs;
const dflt = (node: { default?: unknown }): unknown => {
  if (!('default' in node)) throw new Error('no default in the schema');
  return node.default;
};
const ms = (n: { default?: unknown }): number => parseDuration(String(dflt(n)));

async function plan(text: string): Promise<Plan> {
  const r = await parseScenarioText(text, '/tmp/defaults.yaml', { env: {} });
  if (!r.plan) throw new Error(JSON.stringify(r.problems));
  return r.plan;
}

describe('the defaults the Plan gets are the ones the schema declares', () => {
  it('top level, http, open load, journeys', async () => {
    const p = await plan('name: t\ntarget: http://127.0.0.1:1\nload: { phases: [{ duration: 1s, rate: 1 }] }\njourneys: [{ name: j, steps: [{ get: /x }] }]\n');
    expect(p.gracefulStopMs).toBe(ms(schema.properties.gracefulStop));
    const h = d.http.properties;
    expect(p.http).toMatchObject({
      timeoutMs: ms(h.timeout), connectTimeoutMs: ms(h.connectTimeout), connections: dflt(h.connections), connectionPolicy: dflt(h.connectionPolicy),
      keepAlive: dflt(h.keepAlive), tlsVerify: !dflt(h.insecureSkipTlsVerify), followRedirects: dflt(h.followRedirects), maxRedirects: dflt(h.maxRedirects),
      maxResponseBytes: parseSize(String(dflt(h.maxResponseSize))), http2: dflt(h.http2), cookies: dflt(h.cookies), compression: dflt(h.compression),
    });
    expect(p.load).toMatchObject({ maxVus: dflt(d.openLoad.properties.maxVus), spacing: dflt(d.openLoad.properties.spacing) });
    expect(p.journeys[0]?.weight).toBe(dflt(d.journey.properties.weight));
  });

  it('closed load, feeders, steps, retry, poll, captures, think jitter, thresholds', async () => {
    const p = await plan(`name: t
target: http://127.0.0.1:1
load: { iterations: 3 }
data: { f: { rows: [{ a: 1 }] } }
journeys:
  - name: j
    steps:
      - get: /x
        retry: {}
        capture: { c: { regex: "(a)" } }
      - poll: { get: /y, until: { status: 200 } }
      - think: { duration: 1s }
      - loop: { count: 1 }
        steps: [{ log: "{{ item }}" }]
thresholds:
  http.latency: [{ threshold: "p(95) < 1s" }]
`);
    expect(p.load).toMatchObject({ model: 'closed', startVus: dflt(d.closedLoad.properties.vus), stages: [{ durationMs: ms(d.closedLoad.properties.maxDuration) }] });
    expect(p.data[0]).toMatchObject({ order: dflt(d.feeder.properties.order), onExhausted: dflt(d.feeder.properties.onExhausted) });
    const steps = p.journeys[0]?.steps ?? [];
    const r = d.retry.anyOf[1].properties;
    const first = steps[0] as Extract<Step, { kind: 'request' }>;
    expect(first.retry).toEqual({ attempts: dflt(r.attempts), on: dflt(r.on), backoffMs: ms(r.backoff), maxBackoffMs: ms(r.maxBackoff), jitter: parseFraction(String(dflt(r.jitter))) });
    expect(first.captures[0]).toMatchObject({ group: dflt(d.capture.properties.group), optional: dflt(d.capture.properties.optional) });
    expect(steps[1]).toMatchObject({ everyMs: ms(d.pollStep.properties.poll.properties.every), timeoutMs: ms(d.pollStep.properties.poll.properties.timeout) });
    expect(steps[2]).toMatchObject({ minMs: 1000, maxMs: 1000 });
    expect(dflt(d.thinkStep.properties.think.anyOf[2].properties.jitter)).toBe(0);
    expect(steps[3]).toMatchObject({ as: dflt(d.loopStep.properties.loop.anyOf[1].properties.as) });
    expect(p.thresholds[0]).toMatchObject({ abortOnFail: dflt(d.thresholdItem.anyOf[1].properties.abortOnFail), delayAbortEvalMs: ms(d.thresholdItem.anyOf[1].properties.delayAbortEval) });
  });
});
