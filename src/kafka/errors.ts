/**
 * Failures of Kafka and Redis operations as data: a stable class for the `error` tag (the same
 * classes as HTTP: refused, timeout, dns, tls, …, plus `not-found` for a topic that does not
 * exist and `protocol` for an error answer) and a message for humans.
 */

/** A failed operation; `cls` is the `error` tag of its metrics. */
export class ProtocolError extends Error {
  constructor(
    readonly cls: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const BY_CODE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  EADDRNOTAVAIL: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ETIMEDOUT: 'timeout',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
};

/** The class of anything a Kafka or Redis client threw (walks `cause` / kafkajs' `originalError`). */
export function classifyProtocolError(err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  const text = err instanceof Error ? err.message : String(err);
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e !== null && typeof e === 'object'; depth++) {
    const o = e as { code?: unknown; type?: unknown; name?: unknown; message?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && BY_CODE[o.code] !== undefined) return new ProtocolError(BY_CODE[o.code] as string, text);
    if (o.type === 'UNKNOWN_TOPIC_OR_PARTITION') return new ProtocolError('not-found', text);
    if (o.name === 'KafkaJSRequestTimeoutError' || o.name === 'KafkaJSConnectionClosedError') return new ProtocolError('timeout', text);
    if (typeof o.message === 'string') {
      if (/ECONNREFUSED|Connection refused/i.test(o.message)) return new ProtocolError('refused', text);
      if (/ENOTFOUND|getaddrinfo/i.test(o.message)) return new ProtocolError('dns', text);
      if (/timed? ?out|timeout/i.test(o.message)) return new ProtocolError('timeout', text);
      if (/does not host this topic-partition|unknown topic/i.test(o.message)) return new ProtocolError('not-found', text);
    }
    e = o.originalError ?? o.cause;
  }
  return new ProtocolError('protocol', text);
}

/** Rejects with a `timeout` ProtocolError after `ms` (or `aborted` when `signal` aborts), else settles as `p`. */
export function bounded<T>(p: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(() => reject(new ProtocolError('timeout', `${what} timed out after ${ms} ms`))), ms);
    const onAbort = (): void => done(() => reject(new ProtocolError('aborted', `${what} aborted`)));
    let settled = false;
    const done = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => done(() => resolve(v)),
      (err: unknown) => done(() => reject(err)),
    );
  });
}
