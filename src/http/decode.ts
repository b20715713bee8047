/**
 * Content codings (RFC 9110 §8.4): which ones this Node.js can decode, what rampart advertises in
 * `accept-encoding`, and a streaming decoder for a response body. The decoder is built only for a
 * response that is encoded and whose body somebody reads; a plain response never touches this.
 */
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';

/** zstd arrived in Node's zlib after Node 20; use it where the running Node.js has it. */
const createZstd = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;

/** Whether this Node.js can decode `zstd`. */
export const ZSTD_SUPPORTED = typeof createZstd === 'function';

/** What rampart sends as `accept-encoding` by default: every coding it can decode, as browsers do. */
export const ACCEPT_ENCODING = ZSTD_SUPPORTED ? 'gzip, deflate, br, zstd' : 'gzip, deflate, br';

const CONTENT_ENCODING = Buffer.from('content-encoding');

/**
 * The `content-encoding` value of raw response headers (undici's flat [name, value, …] list), or
 * undefined when there is none. Names are compared byte by byte: nothing is allocated for a
 * response without the header.
 */
export function rawContentEncoding(raw: readonly Buffer[]): string | undefined {
  const len = CONTENT_ENCODING.length;
  let out: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as Buffer;
    if (name.length !== len) continue;
    let same = true;
    for (let j = 0; j < len; j++) {
      // ASCII lower-casing: header names are tokens
      if (((name[j] as number) | 32) !== CONTENT_ENCODING[j]) {
        same = false;
        break;
      }
    }
    if (!same) continue;
    const value = (raw[i + 1] as Buffer).toString('latin1');
    out = out === undefined ? value : `${out}, ${value}`;
  }
  return out;
}

/**
 * The codings to undo, outermost (applied last) first, or undefined when there is nothing to undo
 * (`identity`, empty).
 */
export function codingsToUndo(value: string): string[] | undefined {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const c = part.trim().toLowerCase();
    if (c !== '' && c !== 'identity') out.push(c);
  }
  return out.length === 0 ? undefined : out.reverse();
}

/** What a {@link BodyDecoder} reports to its owner. */
export interface DecoderSink {
  /** A piece of the decoded body. */
  decoded(chunk: Buffer): void;
  /** Every coding was undone and the last byte is out. */
  decodedEnd(): void;
  /** The body could not be decoded (corrupt, truncated, or an unknown coding). */
  decodeFailed(message: string): void;
}

/** One undoing step: receives the bytes of the coding outside it, hands on what it decoded. */
interface Stage {
  write(chunk: Buffer): void;
  end(): void;
  destroy(): void;
}

function zlibStream(coding: string): Transform | undefined {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      // A stream that ends before its trailer fails (truncated): never a silently shorter body.
      return zlib.createGunzip();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd':
      return createZstd?.();
    default:
      return undefined;
  }
}

/** A zlib transform as a stage; its output goes to `next`, its failure to `sink`. */
class StreamStage implements Stage {
  private stream: Transform | undefined;

  constructor(private readonly coding: string, private readonly next: Stage, private readonly sink: DecoderSink) {}

  /** deflate: "deflate" means zlib-wrapped (RFC 9110), yet some servers send it raw, as browsers accept. */
  private open(first: Buffer): Transform | undefined {
    if (this.coding !== 'deflate') return zlibStream(this.coding);
    return ((first[0] as number) & 0x0f) === 0x08 ? zlib.createInflate() : zlib.createInflateRaw();
  }

  write(chunk: Buffer): void {
    let s = this.stream;
    if (s === undefined) {
      s = this.open(chunk);
      if (s === undefined) {
        this.sink.decodeFailed(`content-encoding ${JSON.stringify(this.coding)} cannot be decoded${this.coding === 'zstd' ? ' by this Node.js (zstd needs Node.js 22.15 or later)' : ''}`);
        return;
      }
      this.stream = s;
      const next = this.next;
      s.on('data', (d: Buffer) => next.write(d));
      s.on('end', () => next.end());
      s.on('error', (err: Error) => this.sink.decodeFailed(`could not decode the ${this.coding} body: ${err.message}`));
    }
    s.write(chunk);
  }

  end(): void {
    if (this.stream === undefined) this.next.end(); // no byte of this coding: nothing to undo
    else this.stream.end();
  }

  destroy(): void {
    this.stream?.destroy();
    this.next.destroy();
  }
}

/** The innermost stage: decoded bytes go to the sink. */
class SinkStage implements Stage {
  constructor(private readonly sink: DecoderSink) {}
  write(chunk: Buffer): void {
    this.sink.decoded(chunk);
  }
  end(): void {
    this.sink.decodedEnd();
  }
  destroy(): void {}
}

/**
 * Undoes the content codings of a body as its bytes arrive (zlib works off the main thread);
 * results go to the sink. `destroy()` stops it at once (a body over its limit, a failed request).
 */
export class BodyDecoder {
  private readonly head: Stage;
  private stopped = false;

  /** @param codings outermost first, see {@link codingsToUndo} */
  constructor(codings: readonly string[], sink: DecoderSink) {
    let stage: Stage = new SinkStage(sink);
    for (let i = codings.length - 1; i >= 0; i--) stage = new StreamStage(codings[i] as string, stage, sink);
    this.head = stage;
  }

  write(chunk: Buffer): void {
    if (!this.stopped) this.head.write(chunk);
  }

  end(): void {
    if (!this.stopped) this.head.end();
  }

  destroy(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.head.destroy();
  }
}
