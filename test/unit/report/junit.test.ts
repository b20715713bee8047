import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit, xmlAttr, xmlText } from '../../../src/report/junit.js';
import { HOSTILE, hostileReport, sampleReport } from './fixture-report.js';

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });
const parse = (xml: string): Node => {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml) as Node;
};
const suitesOf = (doc: Node): Node[] => (doc.testsuites as Node).testsuite as Node[];
const casesOf = (suite: Node): Node[] => (suite.testcase as Node[] | undefined) ?? [];

describe('JUnit XML', () => {
  it('has testsuites > testsuite > testcase with the counts and attributes report actions read', () => {
    const doc = parse(renderJunit(sampleReport()));
    const root = doc.testsuites as Node;
    expect(root['@tests']).toBe('6');
    expect(root['@failures']).toBe('3'); // two thresholds and the check one of them gates
    expect(root['@errors']).toBe('0');
    expect(root['@skipped']).toBe('0');
    expect(root['@time']).toBe('5.000');
    const suites = suitesOf(doc);
    expect(suites.map((s) => s['@name'])).toEqual(['checkout thresholds', 'checkout checks', 'checkout run']);
    for (const s of suites) {
      for (const attr of ['@name', '@tests', '@failures', '@errors', '@skipped', '@time', '@timestamp']) expect(s[attr], attr).toBeDefined();
      expect(Number(s['@tests'])).toBe(casesOf(s).length);
      expect(Number(s['@failures'])).toBe(casesOf(s).filter((c) => c.failure !== undefined).length);
      for (const c of casesOf(s)) for (const attr of ['@name', '@classname', '@time']) expect(c[attr], attr).toBeDefined();
    }
    expect(suites[0]?.['@timestamp']).toBe('2026-11-23T14:00:00.000');
  });

  it('one testcase per threshold; a failure carries the expression, the observed value and the series', () => {
    const [thresholds] = suitesOf(parse(renderJunit(sampleReport())));
    const cases = casesOf(thresholds ?? {});
    expect(cases.map((c) => c['@name'])).toEqual(['http.latency{step:product}: p(95) < 10ms', 'http.errors: rate < 1%', 'checks{check:cache_hit}: rate > 0.9']);
    const failure = cases[0]?.failure as Node;
    expect(failure['@type']).toBe('threshold');
    expect(failure['@message']).toContain('p(95) < 10ms');
    expect(failure['@message']).toContain('14.2ms');
    expect(failure['@message']).toContain('http.latency{step:product}');
    expect(cases[1]?.failure).toBeUndefined();
  });

  it('one testcase per check: failed only when a threshold on it failed, counts in system-out', () => {
    const checks = casesOf(suitesOf(parse(renderJunit(sampleReport())))[1] ?? {});
    expect(checks.map((c) => c['@name'])).toEqual(['cache_hit', 'status is 200']);
    expect((checks[0]?.failure as Node)['@type']).toBe('check');
    expect(checks[0]?.['system-out']).toBe('passed 120, failed 30, rate 80%');
    expect(checks[1]?.failure).toBeUndefined();
  });

  it('a passed run has no failures; an aborted run has an error with the reason', () => {
    const passed = sampleReport({ verdict: 'passed', exitCode: 0, thresholds: [], checks: [] });
    const ok = parse(renderJunit(passed)).testsuites as Node;
    expect([ok['@tests'], ok['@failures'], ok['@errors']]).toEqual(['1', '0', '0']);
    const aborted = parse(renderJunit(sampleReport({ verdict: 'aborted', exitCode: 130, abortReason: 'SIGINT' })));
    expect((aborted.testsuites as Node)['@errors']).toBe('1');
    const run = casesOf(suitesOf(aborted)[2] ?? {})[0];
    expect((run?.error as Node)['@type']).toBe('aborted');
    expect((run?.error as Node)['@message']).toContain('SIGINT');
  });

  it('escapes hostile names: the document stays valid and the names read back as written', () => {
    const xml = renderJunit(hostileReport());
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('<img');
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this handles
    expect(xml).not.toMatch(/[\u0001\u0007\u001b]/);
    const doc = parse(xml);
    const checks = casesOf(suitesOf(doc)[1] ?? {});
    const names = checks.map((c) => c['@name']);
    // Control characters and the lone surrogate become U+FFFD; everything else survives.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this handles
    expect(names[0]).toBe(HOSTILE.xml.replace(/[\u0001\u0007\u001b]/g, '\uFFFD').replace('\uD800', '\uFFFD'));
    expect(names[1]).toBe(HOSTILE.unicode);
    expect((doc.testsuites as Node)['@name']).toBe(`rampart ${HOSTILE.script}`);
  });

  it('escapes text and attributes', () => {
    expect(xmlText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(xmlAttr('"q" \'a\'\n\t')).toBe('&quot;q&quot; &apos;a&apos;&#10;&#9;');
    expect(xmlText('x\u0000y\uDFFFz😀')).toBe('x\uFFFDy\uFFFDz😀');
  });
});
