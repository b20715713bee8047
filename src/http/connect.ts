/**
 * How a connection to one origin is opened: straight, or tunnelled through a forward proxy with
 * CONNECT; to the address `http.hosts` gives for its name (TLS still verifies the name); with the
 * origin's TLS settings (CAs, client certificate, SNI, versions). The result is an undici connector,
 * so the pool, the connect timing and the connections opened ahead of the load all go through it.
 */
import type { Socket } from 'node:net';
import { createSecureContext, rootCertificates, type SecureContext, type SecureContextOptions, type TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';
import { buildUndiciConnector } from './undici-parts.js';
import type { HttpDefaults } from '../scenario/plan.js';
import type { HostAddress, ProxyPlan, TlsPlan, TlsSettings } from '../scenario/plan-network.js';
import { ProxyError } from './classify.js';
import type { TlsInfo } from './types.js';


/** Each TLS connection's negotiated version and cipher, read once when it opens. */
const tlsInfos = new WeakMap<object, TlsInfo>();

/** The negotiated TLS of a socket opened by {@link originConnector}, or undefined (plain TCP). */
export function tlsInfoOf(socket: object): TlsInfo | undefined {
  return tlsInfos.get(socket);
}

type Callback = (err: Error | null, socket: Socket | null) => void;

/** The TLS settings for `origin` (`https://host[:port]`), or undefined when the scenario has none. */
function tlsFor(origin: URL, http: HttpDefaults): TlsSettings | undefined {
  const t = http.tls;
  if (t === undefined) return undefined;
  return t.origins[origin.origin] ?? t.base;
}

/** One secure context per settings block: building one per connection would parse every CA each time. */
const contexts = new WeakMap<TlsSettings, SecureContext>();

/** Options for tls.connect (through undici's connector) from the scenario's settings. */
function tlsOptions(s: TlsSettings | undefined): { secureContext?: SecureContext } {
  if (s === undefined) return {};
  let secureContext = contexts.get(s);
  if (secureContext === undefined) {
    const o: SecureContextOptions = {};
    if (s.ca !== undefined) o.ca = s.caMode === 'replace' ? [...s.ca] : [...rootCertificates, ...s.ca];
    if (s.cert !== undefined) o.cert = s.cert;
    if (s.key !== undefined) o.key = s.key;
    if (s.pfx !== undefined) o.pfx = Buffer.from(s.pfx, 'base64');
    if (s.passphrase !== undefined) o.passphrase = s.passphrase;
    if (s.minVersion !== undefined) o.minVersion = s.minVersion;
    if (s.maxVersion !== undefined) o.maxVersion = s.maxVersion;
    secureContext = createSecureContext(o);
    contexts.set(s, secureContext);
  }
  return { secureContext };
}

/** The CAs of `http.tls` without the client certificate: what an https:// proxy is verified with. */
const proxyTlsCache = new WeakMap<TlsPlan, TlsSettings>();
function proxyTlsOf(t: TlsPlan): TlsSettings {
  let s = proxyTlsCache.get(t);
  if (s === undefined) {
    s = { caMode: t.base.caMode, ...(t.base.ca !== undefined ? { ca: t.base.ca } : {}) };
    proxyTlsCache.set(t, s);
  }
  return s;
}

/** True when NO_PROXY exempts `host` (lower-case, no brackets) on `port`. */
export function bypassesProxy(noProxy: readonly string[], host: string, port: string): boolean {
  for (const raw of noProxy) {
    if (raw === '*') return true;
    let entry = raw;
    let entryPort: string | undefined;
    const m = /^(.*?)(?::(\d+))?$/.exec(raw.startsWith('[') ? raw.replace(/^\[([^\]]+)\]/, '$1') : raw);
    if (m !== null && m[2] !== undefined && !(raw.includes('::') && !raw.startsWith('['))) {
      entry = m[1] as string;
      entryPort = m[2];
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    entry = entry.replace(/^\*?\./, '.');
    if (entry.startsWith('.') ? host.endsWith(entry) || host === entry.slice(1) : host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** The proxy URL for an origin, or undefined to connect straight. */
export function proxyFor(origin: URL, proxy: ProxyPlan | undefined): URL | undefined {
  if (proxy === undefined) return undefined;
  const url = origin.protocol === 'https:' ? proxy.https : proxy.http;
  if (url === undefined) return undefined;
  const host = origin.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = origin.port !== '' ? origin.port : origin.protocol === 'https:' ? '443' : '80';
  return bypassesProxy(proxy.noProxy, host, port) ? undefined : new URL(url);
}

/**
 * Opens a tunnel to `authority` (`host:port`) through the proxy: one CONNECT, its answer read up to
 * the blank line. Anything but a 2xx — a 407 above all — and a proxy that cannot be reached are
 * {@link ProxyError}s: the proxy's failure, not the target's.
 */
function tunnel(connectProxy: buildConnector.connector, proxy: URL, authority: string, timeoutMs: number, callback: Callback): void {
  const port = proxy.port !== '' ? proxy.port : proxy.protocol === 'https:' ? '443' : '80';
  const hostname = proxy.hostname.replace(/^\[|\]$/g, '');
  connectProxy({ host: proxy.host, hostname, protocol: proxy.protocol, port }, (err, raw) => {
    if (err !== null || raw === null) {
      callback(new ProxyError(`cannot reach the proxy ${proxy.host}: ${err?.message ?? 'no socket'}`, err ?? undefined), null);
      return;
    }
    const socket = raw as Socket;
    let head = Buffer.alloc(0);
    let done = false;
    const finish = (e: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('data', onData).off('error', onError).off('close', onClose);
      if (e !== null) {
        socket.destroy();
        callback(e, null);
      } else {
        callback(null, socket);
      }
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16_384) finish(new ProxyError(`the proxy ${proxy.host} sent an over-long answer to CONNECT`));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1] ?? 0);
      if (status >= 200 && status < 300) {
        const rest = head.subarray(end + 4);
        if (rest.length > 0) socket.unshift(rest);
        finish(null);
      } else {
        const why = status === 407 ? ' (proxy authentication required: put the credentials in the proxy URL)' : '';
        finish(new ProxyError(`the proxy ${proxy.host} answered CONNECT ${authority} with "${statusLine.slice(9) || statusLine}"${why}`, undefined, status));
      }
    };
    const onError = (e: Error): void => finish(new ProxyError(`the proxy ${proxy.host} failed during CONNECT: ${e.message}`, e));
    const onClose = (): void => finish(new ProxyError(`the proxy ${proxy.host} closed the connection during CONNECT ${authority}`));
    const timer = setTimeout(() => finish(new ProxyError(`the proxy ${proxy.host} did not answer CONNECT ${authority} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData).once('error', onError).once('close', onClose);
    let req = `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n`;
    if (proxy.username !== '') {
      const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      req += `proxy-authorization: Basic ${Buffer.from(cred).toString('base64')}\r\n`;
    }
    socket.write(`${req}\r\n`);
  });
}

/**
 * The connector of one origin's connections: `http.hosts`, the proxy and the TLS settings applied.
 * Every TLS socket it hands out has its negotiated version and cipher recorded ({@link tlsInfoOf}).
 */
export function originConnector(origin: URL, http: HttpDefaults): buildConnector.connector {
  const tls = tlsFor(origin, http);
  const common = { timeout: http.connectTimeoutMs, rejectUnauthorized: http.tlsVerify, keepAlive: true };
  const direct = buildUndiciConnector({ ...common, allowH2: http.http2, ...tlsOptions(tls) } as buildConnector.BuildOptions);
  const proxy = proxyFor(origin, http.proxy);
  // An https:// proxy is verified with the scenario's CAs too (a company proxy has a company certificate).
  const proxyTls = http.tls !== undefined ? proxyTlsOf(http.tls) : undefined;
  const toProxy = proxy !== undefined ? buildUndiciConnector({ ...common, ...(proxyTls?.ca !== undefined ? tlsOptions(proxyTls) : {}) } as buildConnector.BuildOptions) : undefined;
  const hostname = origin.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped: HostAddress | undefined = http.hosts !== undefined && Object.hasOwn(http.hosts, hostname) ? http.hosts[hostname] : undefined;
  const servername = tls?.servername;
  const record = (callback: Callback): Callback => (err, socket) => {
    if (err === null && socket !== null && typeof (socket as TLSSocket).getProtocol === 'function') {
      const s = socket as TLSSocket;
      tlsInfos.set(s, { version: s.getProtocol() ?? 'unknown', cipher: s.getCipher()?.name ?? 'unknown' });
    }
    callback(err, socket);
  };
  return (options, callback) => {
    const cb = record(callback as Callback);
    // The name stays in `host` (SNI and certificate verification use it); only the address changes.
    const target = mapped === undefined ? options : { ...options, hostname: mapped.address, port: mapped.port !== undefined ? String(mapped.port) : options.port };
    const opts = servername !== undefined ? { ...target, servername } : target;
    if (proxy === undefined || toProxy === undefined) {
      direct(opts, cb);
      return;
    }
    const host = opts.hostname.includes(':') ? `[${opts.hostname}]` : opts.hostname;
    const port = opts.port !== '' && opts.port !== undefined ? opts.port : origin.protocol === 'https:' ? '443' : '80';
    tunnel(toProxy, proxy, `${host}:${port}`, http.connectTimeoutMs, (err, socket) => {
      if (err !== null || socket === null) return cb(err, null);
      if (options.protocol !== 'https:') return cb(null, socket);
      direct({ ...opts, httpSocket: socket } as buildConnector.Options, cb);
    });
  };
}
