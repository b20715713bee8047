import { describe, expect, it } from 'vitest';
import { errors } from 'undici';
import { classifyError, describeError, statusClass } from '../../../src/http/classify.js';

function sysErr(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyError', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'refused'],
    ['ENETUNREACH', 'refused'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ETIMEDOUT', 'timeout'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['HPE_INVALID_CONSTANT', 'protocol'],
    ['RAMPART_TOO_LARGE', 'protocol'],
    ['RAMPART_TIMEOUT', 'timeout'],
    ['RAMPART_ABORTED', 'aborted'],
  ])('%s → %s', (code, cls) => {
    expect(classifyError(sysErr(code))).toBe(cls);
  });

  it('maps undici error classes by their codes', () => {
    expect(classifyError(new errors.ConnectTimeoutError())).toBe('timeout');
    expect(classifyError(new errors.HeadersTimeoutError())).toBe('timeout');
    expect(classifyError(new errors.BodyTimeoutError())).toBe('timeout');
    expect(classifyError(new errors.SocketError('other side closed'))).toBe('reset');
    expect(classifyError(new errors.RequestAbortedError())).toBe('aborted');
    expect(classifyError(new errors.ResponseExceededMaxSizeError())).toBe('protocol');
  });

  it('follows the cause chain and recognizes AbortError by name', () => {
    const wrapped = new Error('fetch failed', { cause: sysErr('ECONNREFUSED') });
    expect(classifyError(wrapped)).toBe('refused');
    const abort = new Error('stopped');
    abort.name = 'AbortError';
    expect(classifyError(abort)).toBe('aborted');
  });

  it('calls unknown failures protocol', () => {
    expect(classifyError(new Error('weird'))).toBe('protocol');
    expect(classifyError('a string')).toBe('protocol');
    expect(classifyError(undefined)).toBe('protocol');
  });
});

describe('describeError and statusClass', () => {
  it('prefixes the code and adds a distinct cause', () => {
    expect(describeError(sysErr('ECONNRESET', 'socket hang up'))).toBe('ECONNRESET: socket hang up');
    expect(describeError(new Error('outer', { cause: new Error('inner') }))).toBe('outer (inner)');
  });
  it('splits statuses', () => {
    expect(statusClass(200)).toBeUndefined();
    expect(statusClass(302)).toBeUndefined();
    expect(statusClass(0)).toBeUndefined();
    expect(statusClass(404)).toBe('4xx');
    expect(statusClass(503)).toBe('5xx');
  });
});
