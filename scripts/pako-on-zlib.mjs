/**
 * pako's `inflate` and `deflate` on Node's own zlib, which the bundle (scripts/bundle.mjs) gives
 * hdr-histogram-js in place of pako.
 *
 * Why: the library inflates its WebAssembly module (a zlib stream, 29 KB to 158 KB) with pako every
 * time a process starts, whether or not zlib is at hand: 11–19 ms of JavaScript, plus loading pako
 * itself (about 9 ms), where Node's zlib takes about 1.4 ms. For encoding and decoding histograms the
 * library already prefers Node's zlib and only falls back to pako, so both now go the same way.
 * pako is a port of zlib: the same streams in, the same bytes out.
 */
import { deflateSync, inflateSync } from 'node:zlib';

/** pako returns plain Uint8Arrays: a view on the Buffer's bytes, not a copy. */
const bytes = (b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** pako.inflate(data): the zlib stream `data` inflated. */
export const inflate = (data) => bytes(inflateSync(data));

/** pako.deflate(data, { level }): `data` as a zlib stream. */
export const deflate = (data, options) => bytes(deflateSync(data, options !== undefined && options.level !== undefined ? { level: options.level } : {}));
