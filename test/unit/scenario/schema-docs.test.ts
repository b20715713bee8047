import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../../src/scenario/schema.js';
import { docsSection } from '../../support/manual.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const schema = JSON.parse(readFileSync(`${root}schemas/scenario.schema.json`, 'utf8')) as Record<string, unknown>;

/** Every property declared anywhere in the schema, with the path where it is declared. */
function properties(node: unknown, path: string, out: Map<string, string>): Map<string, string> {
  if (Array.isArray(node)) node.forEach((n, i) => properties(n, `${path}/${i}`, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties' && v !== null && typeof v === 'object') for (const name of Object.keys(v)) if (!out.has(name)) out.set(name, `${path}/properties/${name}`);
      properties(v, `${path}/${k}`, out);
    }
  }
  return out;
}

function describedProperties(node: unknown, path: string, out: string[]): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => describedProperties(n, `${path}/${i}`, out));
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') {
      for (const [name, sub] of Object.entries(o.properties as Record<string, Record<string, unknown>>)) {
        const ref = typeof sub.$ref === 'string' ? (scenarioSchema().ajv.getSchema(`${String(schema.$id)}${sub.$ref}`)?.schema as Record<string, unknown> | undefined) : undefined;
        if (typeof sub.description !== 'string' && typeof ref?.description !== 'string') out.push(`${path}/properties/${name}`);
      }
    }
    for (const [k, v] of Object.entries(o)) describedProperties(v, `${path}/${k}`, out);
  }
  return out;
}

describe('the schema is the documentation', () => {
  // The scenario language is docs/scenario.md; its threshold options are written up once, in docs/thresholds.md.
  const section = docsSection('scenario') + docsSection('thresholds');

  it('the manual has a scenario section', () => {
    expect(docsSection('scenario').length).toBeGreaterThan(1000);
  });

  it('mentions every schema property in the scenario and threshold pages of the manual', () => {
    const missing = [...properties(schema, '#', new Map())].filter(([name]) => !section.includes(`\`${name}`) && !new RegExp(`[{ ,]${name}:`).test(section));
    expect(missing.map(([name, where]) => `${name} (${where})`)).toEqual([]);
  });

  it('describes every property (editor hover text)', () => {
    expect(describedProperties(schema, '#', [])).toEqual([]);
  });

  it('compiles with ajv in strict mode', () => {
    expect(typeof scenarioSchema().validate).toBe('function');
  });
});
