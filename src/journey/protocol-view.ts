/**
 * Kafka messages and Redis replies as matchers and captures read a response: `json` is the message
 * value (or the reply), `header` a message header, `key` the message key, `body` the text.
 */
import type { HttpResult } from '../http/types.js';
import { ResponseView } from './response.js';

function result(body: Buffer, headers: Record<string, string>, latencyUs: number): HttpResult {
  return { status: 200, headers, body, bytesIn: body.length, bytesOut: 0, timings: { totalUs: latencyUs, ttfbUs: latencyUs }, url: '', redirects: 0 };
}

/** A consumed Kafka message. */
export class MessageView extends ResponseView {
  constructor(
    body: Buffer,
    headers: Record<string, string>,
    private readonly messageKey: string | undefined,
    latencyUs = 0,
  ) {
    super(result(body, headers, latencyUs));
  }

  override get key(): string | undefined {
    return this.messageKey;
  }
}

const NO_BODY = Buffer.alloc(0);

/** A Redis reply: a string holding JSON reads as that JSON; anything else as it is. */
export class ReplyView extends ResponseView {
  constructor(
    private readonly reply: unknown,
    latencyUs: number,
  ) {
    super(result(NO_BODY, {}, latencyUs));
  }

  override text(): string {
    return typeof this.reply === 'string' ? this.reply : this.reply === null ? '' : JSON.stringify(this.reply);
  }

  override json(): unknown {
    if (typeof this.reply !== 'string') return this.reply === null ? undefined : this.reply;
    const t = this.reply.trim();
    if (t.startsWith('{') || t.startsWith('[') || t.startsWith('"')) {
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return this.reply;
      }
    }
    return this.reply;
  }
}
