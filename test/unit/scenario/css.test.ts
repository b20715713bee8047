/**
 * `css` captures and assertions: a valid one normalizes into the plan; a selector that does not
 * parse, `attribute`/`all` without `css`, and two sources in one assertion are errors at their place.
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/index.js';
import type { RequestStep } from '../../../src/scenario/plan.js';
import { cssValue, cssValues, loadHtml, parseHtml } from '../../../src/journey/html.js';

const head = 'name: t\ntarget: http://127.0.0.1:1\nload: { vus: 1, duration: 1s }\njourneys:\n  - name: j\n    steps:\n      - get: /x\n';
const parse = (step: string) => parseScenarioText(`${head}${step}`, '/tmp/s.yaml', { env: {} });

describe('css in a scenario', () => {
  it('normalizes captures and assertions', async () => {
    const r = await parse(`        capture:\n          token: { css: 'input[name="csrf"]', attribute: value }\n          links: { css: a, attribute: href, all: true, optional: true }\n        expect: { css: h1, contains: Welcome }\n`);
    expect(r.problems).toEqual([]);
    const step = r.plan?.journeys[0]?.steps[0] as RequestStep;
    expect(step.captures).toEqual([
      { kind: 'css', as: 'token', selector: 'input[name="csrf"]', attribute: 'value', all: false, optional: false },
      { kind: 'css', as: 'links', selector: 'a', attribute: 'href', all: true, optional: true },
    ]);
    expect(step.expect).toContainEqual({ kind: 'css', selector: 'h1', cmp: { op: 'contains', value: expect.anything() } });
  });

  it('names a selector that does not parse, at its place', async () => {
    const r = await parse(`        capture:\n          token: { css: 'input[[name' }\n`);
    expect(r.plan).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'RAMPART_SCHEMA', loc: { line: 9, pointer: '/journeys/0/steps/0/capture/token/css' } });
    expect(r.problems[0]?.message).toMatch(/^invalid CSS selector: /);
  });

  it('refuses attribute or all without css, and two sources in one assertion', async () => {
    const a = await parse(`        capture:\n          t: { json: $.x, attribute: value }\n`);
    expect(a.problems.map((p) => p.message)).toEqual(['`attribute` and `all` only apply to a `css` capture']);
    const b = await parse(`        expect: { json: $.x, css: h1, equals: 1 }\n`);
    expect(b.problems.map((p) => p.message)).toEqual(['an assertion compares one value: `json` or `css`, not both']);
    const c = await parse(`        check:\n          c: { header: x-a, attribute: id }\n`);
    expect(c.problems.map((p) => p.message)).toEqual(['`attribute` only applies to `css`']);
  });
});

describe('reading HTML', () => {
  it('takes the first match or every match, text trimmed or an attribute, and tolerates broken HTML', async () => {
    await loadHtml();
    const doc = parseHtml('<div><p class=x> one <b>1</b> </p><p class=x data-id=2>two<p class=x>three</div></span>');
    expect(cssValue(doc, 'p.x', undefined)).toBe('one 1');
    expect(cssValue(doc, 'p.x', 'data-id')).toBeUndefined();
    expect(cssValues(doc, 'p.x', undefined)).toEqual(['one 1', 'two', 'three']);
    expect(cssValues(doc, 'p.x', 'data-id')).toEqual(['2']);
    expect(cssValue(doc, 'h1', undefined)).toBeUndefined();
    expect(cssValues(doc, 'h1', undefined)).toBeUndefined();
  });
});
