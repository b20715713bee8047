/**
 * The HTTP path loads undici's connection and connector from their own files, not from its index
 * (src/http/undici-parts.ts). They must be the very classes the index exports: an undici upgrade
 * that moves or replaces these files fails here.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { buildUndiciConnector, UndiciClient, undiciPackage } from '../../../src/http/undici-parts.js';

const undici = createRequire(import.meta.url)('undici') as typeof import('undici');

describe("undici's parts", () => {
  it('are the Client and buildConnector that the package exports', () => {
    expect(UndiciClient).toBe(undici.Client);
    expect(buildUndiciConnector).toBe(undici.buildConnector);
  });

  it('the whole package, loaded on demand, is the same module', () => {
    expect(undiciPackage()).toBe(undici);
    expect(new (undiciPackage().Agent)()).toBeInstanceOf(undici.Dispatcher);
  });
});
