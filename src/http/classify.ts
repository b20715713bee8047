/**
 * Maps transport errors (Node socket errors, undici errors, our own) to an ErrorClass, in the spirit
 * of k6's error codes: a stable class for tags and thresholds, and the original text for humans.
 */
import type { ErrorClass } from './types.js';

const BY_CODE: Readonly<Record<string, ErrorClass>> = {
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  EHOSTDOWN: 'refused',
  EADDRNOTAVAIL: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  UND_ERR_DESTROYED: 'reset',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  RAMPART_TIMEOUT: 'timeout',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_NONAME: 'dns',
  EAI_FAIL: 'dns',
  EAI_NODATA: 'dns',
  UND_ERR_ABORTED: 'aborted',
  ABORT_ERR: 'aborted',
  RAMPART_ABORTED: 'aborted',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'protocol',
  RAMPART_TOO_LARGE: 'protocol',
  RAMPART_DECODE: 'protocol',
  RAMPART_PROXY: 'proxy',
  UND_ERR_INFO: 'reset',
};

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
  'EPROTO',
]);

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function classOfCode(code: string): ErrorClass | undefined {
  const known = BY_CODE[code];
  if (known) return known;
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('CERT_')) return 'tls';
  // llhttp parser errors (HPE_INVALID_CONSTANT, …) and undici's response validation.
  if (code.startsWith('HPE_') || code.startsWith('UND_ERR_RES_') || code === 'UND_ERR_INVALID_ARG') return 'protocol';
  return undefined;
}

/**
 * The class of a transport failure. Looks at the error's `code`, then its `cause` chain (undici
 * wraps socket errors), then AbortError by name. Anything unknown is `protocol`.
 */
export function classifyError(err: unknown): ErrorClass {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e !== undefined && e !== null; depth++) {
    const code = codeOf(e);
    const cls = code === undefined ? undefined : classOfCode(code);
    if (cls) return cls;
    if (typeof e === 'object' && (e as { name?: unknown }).name === 'AbortError') return 'aborted';
    e = typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  }
  return 'protocol';
}

/** A one-line message for a transport failure: `code: message` when a code is known. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = codeOf(err);
    const cause = (err as { cause?: unknown }).cause;
    const causeText = cause instanceof Error && cause.message && cause.message !== err.message ? ` (${cause.message})` : '';
    return code ? `${code}: ${err.message}${causeText}` : `${err.message}${causeText}`;
  }
  return String(err);
}

/** `4xx` / `5xx` for an error status, undefined for 1xx–3xx and for 0 (no response). */
export function statusClass(status: number): '4xx' | '5xx' | undefined {
  if (status >= 500 && status <= 599) return '5xx';
  if (status >= 400 && status <= 499) return '4xx';
  return undefined;
}

/**
 * An Error with a stable code, for failures the client raises itself (timeout, abort, too large,
 * a compressed body that does not decode).
 */
export class TransportError extends Error {
  readonly code: string;
  constructor(code: 'RAMPART_TIMEOUT' | 'RAMPART_ABORTED' | 'RAMPART_TOO_LARGE' | 'RAMPART_DECODE', message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

/**
 * The forward proxy failed: it could not be reached, refused the connection, asked for credentials
 * (407) or answered CONNECT with anything but 2xx. Classified `proxy`, never as the target's fault.
 */
export class ProxyError extends Error {
  readonly code = 'RAMPART_PROXY';
  /** The proxy's answer to CONNECT, when it answered. */
  readonly status: number | undefined;
  constructor(message: string, cause?: Error, status?: number) {
    super(message, cause !== undefined ? { cause } : undefined);
    this.name = 'ProxyError';
    this.status = status;
  }
}
