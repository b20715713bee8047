/**
 * scripts/pako-on-zlib.mjs: what the bundle gives hdr-histogram-js in place of pako. It must
 * inflate the library's WebAssembly to the very bytes pako does, and round-trip what it deflates.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const onZlib = await import('../../../scripts/pako-on-zlib.mjs');
// pako and base64-js as the library itself finds them.
const fromHdr = createRequire(require.resolve('hdr-histogram-js/dist/wasm/index.js'));
const pako = fromHdr('pako') as { inflate(d: Uint8Array): Uint8Array; deflate(d: Uint8Array, o?: { level?: number }): Uint8Array };
const base64 = fromHdr('base64-js') as { toByteArray(s: string): Uint8Array };
const { BINARY } = fromHdr('./generated-wasm.js') as { BINARY: string };

describe("pako's inflate and deflate on Node's zlib", () => {
  it("inflates the histograms' WebAssembly to the bytes pako gives, a module WebAssembly accepts", () => {
    const packed = base64.toByteArray(BINARY);
    const mine = onZlib.inflate(packed);
    expect(mine).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(mine).equals(Buffer.from(pako.inflate(packed)))).toBe(true);
    // The type-check's libs declare no WebAssembly global; Node has it.
    const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
    expect(wasm.validate(mine)).toBe(true);
  });

  it('deflates to a stream pako inflates back, at the level asked', () => {
    const data = new Uint8Array(20_000).map((_, i) => (i * 7) % 13);
    for (const options of [undefined, {}, { level: 1 }, { level: 9 }]) {
      const packed = onZlib.deflate(data, options);
      expect(packed).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(pako.inflate(packed)).equals(Buffer.from(data))).toBe(true);
      expect(Buffer.from(onZlib.inflate(pako.deflate(data, options))).equals(Buffer.from(data))).toBe(true);
    }
    expect(onZlib.deflate(data, { level: 1 }).byteLength).toBeGreaterThan(onZlib.deflate(data, { level: 9 }).byteLength);
  });

  it('fails on a stream that is not zlib, as pako does', () => {
    expect(() => onZlib.inflate(new Uint8Array([1, 2, 3, 4]))).toThrow();
  });
});
