import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BodyDecoder, codingsToUndo, rawContentEncoding, type DecoderSink } from '../../../src/http/decode.js';

const raw = (...pairs: string[]): Buffer[] => pairs.map((s) => Buffer.from(s));

function decodeAll(codings: string[], body: Buffer, chunk = 7): Promise<{ body?: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const sink: DecoderSink = {
      decoded: (c) => parts.push(c),
      decodedEnd: () => resolve({ body: Buffer.concat(parts) }),
      decodeFailed: (message) => {
        d.destroy();
        resolve({ error: message });
      },
    };
    const d = new BodyDecoder(codings, sink);
    for (let i = 0; i < body.length; i += chunk) d.write(body.subarray(i, i + chunk));
    d.end();
  });
}

describe('content codings', () => {
  it('finds content-encoding in raw headers whatever its case, joining repeats', () => {
    expect(rawContentEncoding(raw('Content-Type', 'text/plain', 'Content-Encoding', 'gzip'))).toBe('gzip');
    expect(rawContentEncoding(raw('CONTENT-ENCODING', 'deflate', 'x', 'y', 'content-encoding', 'br'))).toBe('deflate, br');
    expect(rawContentEncoding(raw('content-type', 'text/plain', 'content-length', '3'))).toBeUndefined();
    expect(rawContentEncoding(raw('content_encoding', 'gzip'))).toBeUndefined();
  });

  it('undoes the last-applied coding first, and ignores identity', () => {
    expect(codingsToUndo('gzip')).toEqual(['gzip']);
    expect(codingsToUndo('deflate, GZIP')).toEqual(['gzip', 'deflate']);
    expect(codingsToUndo('identity')).toBeUndefined();
    expect(codingsToUndo(' , ')).toBeUndefined();
  });

  it('decodes stacked codings fed in small pieces, and fails on an unknown one', async () => {
    const text = Buffer.from('stacked '.repeat(500));
    const stacked = zlib.brotliCompressSync(zlib.gzipSync(text)); // content-encoding: gzip, br
    expect((await decodeAll(codingsToUndo('gzip, br') ?? [], stacked)).body?.toString()).toBe(text.toString());
    expect((await decodeAll(['compress'], Buffer.from('xx'))).error).toMatch(/content-encoding "compress" cannot be decoded/);
    expect((await decodeAll(['gzip'], Buffer.from('not gzip'))).error).toMatch(/could not decode the gzip body/);
  });
});
