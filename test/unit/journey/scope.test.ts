/** What a VU's templates see for the names the scenario layer treats as built in (BUILTIN_ROOTS). */
import { describe, expect, it } from 'vitest';
import { createDataFeeds } from '../../../src/journey/index.js';
import { VuScope } from '../../../src/journey/scope.js';
import { BUILTIN_ROOTS } from '../../../src/scenario/normalize/scope.js';
import { compileTemplate, renderTemplate } from '../../../src/scenario/template/index.js';

describe('a VU scope', () => {
  it('answers every built-in root the validator accepts: vu.id, vu.iteration and iteration', () => {
    const scope = new VuScope(7, {}, createDataFeeds([], { random: Math.random }), Math.random);
    scope.begin(3);
    for (const root of BUILTIN_ROOTS) expect(scope.lookup(root), root).toBeDefined();
    expect(renderTemplate(compileTemplate('{{ vu.id }}-{{ vu.iteration }}-{{ iteration }}'), scope)).toBe('7-3-3');
    scope.begin(4);
    expect(renderTemplate(compileTemplate('{{ iteration }}'), scope)).toBe('4');
  });
});
