/**
 * The server side of RFC 6455 for the mocks: the opening handshake on a Node HTTP `upgrade` and a
 * frame codec for text messages. No WebSocket server library is a dependency of the project, and
 * the mocks need only this much: text frames (fragmented or not), ping/pong and the closing
 * handshake; no extensions (permessage-deflate is not negotiated), binary frames are ignored.
 *
 * Frames from a client must be masked (RFC 6455 §5.1); an unmasked one, a message over
 * {@link MAX_MESSAGE_BYTES}, or invalid UTF-8 closes the connection with the matching code.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** The GUID of the Sec-WebSocket-Accept computation (RFC 6455 §1.3). */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Largest message accepted from a client, bytes; bigger closes with 1009. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** One accepted connection. */
export interface WsPeer {
  /** Sends a text message (ignored once closing). */
  send(text: string): void;
  /** Starts the closing handshake; the socket ends when the client answers (or after 1 s). */
  close(code?: number, reason?: string): void;
  /** Drops the TCP connection at once, without a close frame. */
  destroy(): void;
  readonly closed: boolean;
}

/** What a connection reports. */
export interface WsHandlers {
  onText?(peer: WsPeer, text: string): void;
  onClose?(peer: WsPeer): void;
}

/** The `Sec-WebSocket-Accept` value for a client's key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
}

/** Answers an upgrade that is refused with an HTTP status, then drops the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ statusCode: status, message });
  socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Bad Request'}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/**
 * Completes the handshake of an `upgrade` request and returns the peer, or answers 400 and returns
 * undefined when the request is not a valid WebSocket opening handshake.
 */
export function acceptUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, handlers: WsHandlers): WsPeer | undefined {
  const key = req.headers['sec-websocket-key'];
  if (req.method !== 'GET' || String(req.headers.upgrade).toLowerCase() !== 'websocket' || typeof key !== 'string' || req.headers['sec-websocket-version'] !== '13') {
    refuseUpgrade(socket, 400, 'expected a WebSocket handshake (GET, upgrade: websocket, sec-websocket-version: 13)');
    return undefined;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${acceptKey(key)}\r\n\r\n`);
  return new Connection(socket, handlers, head);
}

/** Encodes one unmasked server frame. */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.alloc(2) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (n < 126) head[1] = n;
  else if (n < 65536) {
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Connection implements WsPeer {
  closed = false;
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private fragmentOp = 0;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly socket: Duplex, private readonly handlers: WsHandlers, head: Buffer) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.onSocketClose());
    if (head.length > 0) this.onData(head);
  }

  send(text: string): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(OP_TEXT, Buffer.from(text, 'utf8')));
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    const body = Buffer.alloc(2 + Buffer.byteLength(reason));
    body.writeUInt16BE(code, 0);
    body.write(reason, 2);
    this.socket.write(encodeFrame(OP_CLOSE, body));
    this.closeTimer = setTimeout(() => this.socket.destroy(), 1000);
    this.closeTimer.unref();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onSocketClose(): void {
    this.closed = true;
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.handlers.onClose?.(this);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const frame = this.nextFrame();
      if (frame === undefined || this.socket.destroyed) return;
      this.onFrame(frame.fin, frame.opcode, frame.payload);
    }
  }

  /** Takes one complete frame off the buffer, or undefined when more bytes are needed. */
  private nextFrame(): { fin: boolean; opcode: number; payload: Buffer } | undefined {
    const b = this.buf;
    if (b.length < 2) return undefined;
    const b0 = b[0] as number;
    const b1 = b[1] as number;
    if ((b1 & 0x80) === 0) {
      this.fail(1002, 'client frames must be masked');
      return undefined;
    }
    let len = b1 & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      len = big > BigInt(MAX_MESSAGE_BYTES) ? MAX_MESSAGE_BYTES + 1 : Number(big);
      off = 10;
    }
    if (len > MAX_MESSAGE_BYTES) {
      this.fail(1009, 'message too big');
      return undefined;
    }
    if (b.length < off + 4 + len) return undefined;
    const mask = b.subarray(off, off + 4);
    const payload = Buffer.from(b.subarray(off + 4, off + 4 + len));
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i & 3] as number);
    this.buf = b.subarray(off + 4 + len);
    return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload };
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OP_PING:
        if (!this.closed) this.socket.write(encodeFrame(OP_PONG, payload));
        return;
      case OP_PONG:
        return;
      case OP_CLOSE:
        // The client started the closing handshake (echo it) or answered ours: either way, done.
        if (!this.closed) this.socket.write(encodeFrame(OP_CLOSE, payload.subarray(0, 2)));
        this.closed = true;
        this.socket.end();
        return;
      case OP_TEXT:
      case OP_BINARY:
      case OP_CONT:
        this.onDataFrame(fin, opcode, payload);
        return;
      default:
        this.fail(1002, `unknown opcode ${opcode}`);
    }
  }

  /** Data frames: reassembles fragments, then hands text messages over. */
  private onDataFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode !== OP_CONT) {
      this.fragmentOp = opcode;
      this.fragments = [];
      this.fragmentBytes = 0;
    }
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > MAX_MESSAGE_BYTES) {
      this.fail(1009, 'message too big');
      return;
    }
    if (!fin) return;
    const message = Buffer.concat(this.fragments);
    this.fragments = [];
    this.fragmentBytes = 0;
    if (this.fragmentOp !== OP_TEXT) return;
    let text: string;
    try {
      text = utf8.decode(message);
    } catch {
      this.fail(1007, 'invalid UTF-8');
      return;
    }
    this.handlers.onText?.(this, text);
  }

  private fail(code: number, reason: string): void {
    this.buf = Buffer.alloc(0);
    this.close(code, reason);
  }
}
